/* Reports for supervisors and analysts: the violations register and the
 * per-organisation scorecards (the arithmetic is domain/scorecard.c).
 * Optional filters use sentinels ('' = any, INT64_MIN/MAX = open), not
 * "? IS NULL": PostgreSQL infers parameter types and cannot type a bare
 * NULL test. */
#include "store/store.h"
#include "util/buf.h"
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define OPEN_STATUSES "('new','registered','assigned','in_progress','reopened')"
#define FINISHED "a.status IN ('done','closed')"

#define VIOLATION_FILTER                                                              \
    " FROM violations v JOIN appeals a ON a.id = v.appeal_id"                         \
    " JOIN organisations o ON o.code = v.organisation"                                \
    " LEFT JOIN users u ON u.id = v.user_id"                                          \
    " WHERE (? = '' OR v.organisation = ?) AND (? = '' OR v.kind = ?)"                \
    " AND v.at >= ? AND v.at < ?"
static const char *SQL_VIOLATIONS =
    "SELECT a.number, o.code, o.name_uk, o.name_en, v.kind, u.login, v.at, v.note"
    VIOLATION_FILTER " ORDER BY v.at DESC, v.id DESC LIMIT ? OFFSET ?";
static const char *SQL_VIOLATIONS_COUNT = "SELECT COUNT(*)" VIOLATION_FILTER;

static const char *SQL_ORGS = "SELECT code, name_uk, name_en FROM organisations ORDER BY code";
static const char *SQL_PERIOD =
    "SELECT a.organisation, COUNT(*),"
    " SUM(CASE WHEN " FINISHED " THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN " FINISHED " AND a.done_at <= a.resolution_due_at THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN " FINISHED " AND a.reopen_count > 0 THEN 1 ELSE 0 END),"
    " COALESCE(SUM(a.rating), 0), COUNT(a.rating)"
    " FROM appeals a WHERE a.trial = 0 AND a.created_at >= ? AND a.created_at < ?"
    " GROUP BY a.organisation";
static const char *SQL_OVERDUE_NOW =
    "SELECT organisation, COUNT(*) FROM appeals WHERE trial = 0 AND status IN " OPEN_STATUSES
    " AND resolution_due_at <= ? GROUP BY organisation";
static const char *SQL_VIOLATION_COUNTS =
    "SELECT v.organisation, COUNT(*) FROM violations v JOIN appeals a ON a.id = v.appeal_id"
    " WHERE a.trial = 0 AND v.at >= ? AND v.at < ? GROUP BY v.organisation";
static const char *SQL_TO_DONE =
    "SELECT a.organisation, a.done_at - a.created_at FROM appeals a WHERE a.trial = 0"
    " AND a.created_at >= ? AND a.created_at < ? AND " FINISHED " AND a.done_at IS NOT NULL";

static void read_violation(db_conn *c, db_rows *r, store_violation *v) {
    const db_driver *d = c->drv;
    memset(v, 0, sizeof *v);
    str_copy(v->number, sizeof v->number, d->col_text(r, 0));
    str_copy(v->org_code, sizeof v->org_code, d->col_text(r, 1));
    str_copy(v->org_uk, sizeof v->org_uk, d->col_text(r, 2));
    str_copy(v->org_en, sizeof v->org_en, d->col_text(r, 3));
    str_copy(v->kind, sizeof v->kind, d->col_text(r, 4));
    str_copy(v->login, sizeof v->login, d->col_text(r, 5)); /* "" for NULL */
    v->at = d->col_int(r, 6);
    v->note = d->is_null(r, 7) ? NULL : xstrdup(d->col_text(r, 7));
}

int store_violations_list(db_conn *c, const store_violation_query *q, store_violation **out,
                          int *n, int64_t *total) {
    *out = NULL;
    *n = 0;
    const char *org = q->organisation ? q->organisation : "";
    const char *kind = q->kind ? q->kind : "";
    db_val p[] = {db_text(org), db_text(org), db_text(kind), db_text(kind), db_int(q->from),
                  db_int(q->to), db_int(q->limit), db_int(q->offset)};
    db_rows *r = NULL;
    int rc = db_query(c, SQL_VIOLATIONS_COUNT, p, 6, &r);
    if (rc != DB_OK) return rc;
    if ((rc = db_next(c, r)) == 1) *total = c->drv->col_int(r, 0);
    db_rows_free(c, r);
    if (rc != 1) return rc < 0 ? rc : DB_ERR;
    if ((rc = db_query(c, SQL_VIOLATIONS, p, 8, &r)) != DB_OK) return rc;
    int cap = 0;
    while ((rc = db_next(c, r)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 32;
            *out = xrealloc(*out, (size_t)cap * sizeof **out);
        }
        read_violation(c, r, &(*out)[(*n)++]);
    }
    db_rows_free(c, r);
    if (rc < 0) {
        store_violations_free(*out, *n);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return DB_OK;
}

void store_violations_free(store_violation *v, int n) {
    for (int i = 0; i < n; i++) free(v[i].note);
    free(v);
}

static store_score_row *row_for(store_score_row *rows, int n, const char *code) {
    for (int i = 0; i < n; i++)
        if (strcmp(rows[i].code, code) == 0) return &rows[i];
    return NULL;
}

static int load_orgs(db_conn *c, store_score_row **rows, int *n) {
    db_rows *r = NULL;
    int rc = db_query(c, SQL_ORGS, NULL, 0, &r);
    if (rc != DB_OK) return rc;
    int cap = 0;
    while ((rc = db_next(c, r)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *rows = xrealloc(*rows, (size_t)cap * sizeof **rows);
        }
        store_score_row *s = &(*rows)[(*n)++];
        memset(s, 0, sizeof *s);
        str_copy(s->code, sizeof s->code, c->drv->col_text(r, 0));
        str_copy(s->name_uk, sizeof s->name_uk, c->drv->col_text(r, 1));
        str_copy(s->name_en, sizeof s->name_en, c->drv->col_text(r, 2));
    }
    db_rows_free(c, r);
    return rc < 0 ? rc : DB_OK;
}

/* Which counter a grouped query fills: the columns after the code. */
typedef enum { FILL_PERIOD, FILL_OVERDUE, FILL_VIOLATIONS, FILL_TO_DONE } fill_kind;

static void fill(db_conn *c, db_rows *r, store_score_row *s, fill_kind k) {
    const db_driver *d = c->drv;
    dom_score_input *in = &s->in;
    if (k == FILL_PERIOD) {
        in->appeals = d->col_int(r, 1);
        in->finished = d->col_int(r, 2);
        in->on_time = d->col_int(r, 3);
        in->reopened = d->col_int(r, 4);
        in->rating_sum = d->col_int(r, 5);
        in->rating_count = d->col_int(r, 6);
    } else if (k == FILL_OVERDUE) {
        in->overdue_now = d->col_int(r, 1);
    } else if (k == FILL_VIOLATIONS) {
        in->violations = d->col_int(r, 1);
    } else {
        if (in->n_to_done % 64 == 0)
            in->to_done_ms = xrealloc(in->to_done_ms,
                                      (size_t)(in->n_to_done + 64) * sizeof *in->to_done_ms);
        in->to_done_ms[in->n_to_done++] = d->col_int(r, 1);
    }
}

static int grouped(db_conn *c, const char *sql, const db_val *p, int np, store_score_row *rows,
                   int n, fill_kind k) {
    db_rows *r = NULL;
    int rc = db_query(c, sql, p, np, &r);
    if (rc != DB_OK) return rc;
    while ((rc = db_next(c, r)) == 1) {
        store_score_row *s = row_for(rows, n, c->drv->col_text(r, 0));
        if (s) fill(c, r, s, k);
    }
    db_rows_free(c, r);
    return rc < 0 ? rc : DB_OK;
}

int store_scorecards(db_conn *c, int64_t from, int64_t to, int64_t now, store_score_row **rows,
                     int *n) {
    *rows = NULL;
    *n = 0;
    db_val period[] = {db_int(from), db_int(to)};
    db_val at_now[] = {db_int(now)};
    int rc = load_orgs(c, rows, n);
    if (rc == DB_OK) rc = grouped(c, SQL_PERIOD, period, 2, *rows, *n, FILL_PERIOD);
    if (rc == DB_OK) rc = grouped(c, SQL_OVERDUE_NOW, at_now, 1, *rows, *n, FILL_OVERDUE);
    if (rc == DB_OK) rc = grouped(c, SQL_VIOLATION_COUNTS, period, 2, *rows, *n, FILL_VIOLATIONS);
    if (rc == DB_OK) rc = grouped(c, SQL_TO_DONE, period, 2, *rows, *n, FILL_TO_DONE);
    if (rc != DB_OK) {
        store_scorecards_free(*rows, *n);
        *rows = NULL;
        *n = 0;
    }
    return rc;
}

void store_scorecards_free(store_score_row *rows, int n) {
    for (int i = 0; i < n; i++) free(rows[i].in.to_done_ms);
    free(rows);
}
