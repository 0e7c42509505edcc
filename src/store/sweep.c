/* The deadline watch as stored: next_check_at holds, per appeal, the next
 * instant one of its duties falls due (indexed), so the sweeper wakes
 * exactly then and touches only what is due. The duties themselves are
 * domain/watch.h's; this file turns them into rows: events, flags,
 * violations, escalation, the automatic close. */
#include "domain/lifecycle.h"
#include "domain/watch.h"
#include "store/store.h"
#include "store/workflow.h"
#include "util/buf.h"
#include "util/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include "util/banned.h"

/* Set once at start (before any thread), read by every recompute. */
static double warn_share = DOM_WARN_SHARE_DEFAULT;

int64_t store_watch_first(int64_t created, int64_t reaction_due, int64_t resolution_due) {
    dom_watch w = {.open = true, .created = created, .reaction_due = reaction_due,
                   .resolution_due = resolution_due, .warn_share = warn_share};
    return dom_watch_next(&w);
}

void store_watch_set_warn_share(double share) {
    warn_share = dom_warn_share_ok(share) ? share : DOM_WARN_SHARE_DEFAULT;
}

#define WATCH_COLS                                                                         \
    "id, status, CASE WHEN reacted_at IS NOT NULL THEN 1 ELSE 0 END, created_at,"          \
    " reaction_due_at, resolution_due_at, COALESCE(confirm_due_at, 0), reaction_warned,"   \
    " resolution_warned, reaction_overdue, resolution_overdue, organisation, assignee_id"

static const char *SQL_NEXT =
    "SELECT MIN(next_check_at) FROM appeals WHERE next_check_at IS NOT NULL";
static const char *SQL_DUE_SQLITE =
    "SELECT " WATCH_COLS " FROM appeals"
    " WHERE next_check_at IS NOT NULL AND next_check_at <= ? ORDER BY next_check_at LIMIT ?";
/* Several servers may share one PostgreSQL: each takes its own rows. */
static const char *SQL_DUE_PG =
    "SELECT " WATCH_COLS " FROM appeals"
    " WHERE next_check_at IS NOT NULL AND next_check_at <= ? ORDER BY next_check_at LIMIT ?"
    " FOR UPDATE SKIP LOCKED";
static const char *SQL_ONE = "SELECT " WATCH_COLS " FROM appeals WHERE id = ?";
static const char *SQL_SET_NEXT = "UPDATE appeals SET next_check_at = ? WHERE id = ?";
static const char *SQL_MARK =
    "UPDATE appeals SET reaction_warned = ?, resolution_warned = ?, reaction_overdue = ?,"
    " resolution_overdue = ?, next_check_at = ?, updated_at = ? WHERE id = ?";
static const char *SQL_ESCALATE = "UPDATE appeals SET escalated_at = ? WHERE id = ?";
static const char *SQL_CLOSE =
    "UPDATE appeals SET status = ?, closed_at = ?, next_check_at = NULL, updated_at = ?"
    " WHERE id = ?";

typedef struct {
    int64_t id;
    char status[24];
    char organisation[64];
    int64_t assignee; /* 0: nobody */
    dom_watch w;
} watch_row;

static void read_watch(db_conn *c, db_rows *r, watch_row *d) {
    const db_driver *drv = c->drv;
    d->id = drv->col_int(r, 0);
    str_copy(d->status, sizeof d->status, drv->col_text(r, 1));
    dom_status st;
    bool known = dom_status_parse(d->status, &st);
    d->w = (dom_watch){
        .open = known && dom_status_is_open(st),
        .done = known && st == DOM_ST_DONE,
        .reacted = drv->col_int(r, 2) != 0,
        .created = drv->col_int(r, 3),
        .reaction_due = drv->col_int(r, 4),
        .resolution_due = drv->col_int(r, 5),
        .confirm_due = drv->col_int(r, 6),
        .reaction_warned = drv->col_int(r, 7) != 0,
        .resolution_warned = drv->col_int(r, 8) != 0,
        .reaction_overdue = drv->col_int(r, 9) != 0,
        .resolution_overdue = drv->col_int(r, 10) != 0,
        .warn_share = warn_share,
    };
    str_copy(d->organisation, sizeof d->organisation, drv->col_text(r, 11));
    d->assignee = drv->is_null(r, 12) ? 0 : drv->col_int(r, 12);
}

static db_val next_val(const dom_watch *w) {
    int64_t next = dom_watch_next(w);
    return next == DOM_WATCH_NONE ? db_null() : db_int(next);
}

int store_next_check(db_conn *c, int64_t *at) {
    db_rows *r = NULL;
    int rc = db_query(c, SQL_NEXT, NULL, 0, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    bool none = rc == 1 && c->drv->is_null(r, 0);
    if (rc == 1 && !none) *at = c->drv->col_int(r, 0);
    db_rows_free(c, r);
    if (rc < 0) return rc;
    return (rc == 1 && !none) ? DB_OK : DB_NOT_FOUND;
}

int store_watch_recompute(db_conn *c, int64_t appeal_id, int64_t now) {
    (void)now; /* the watch depends on the stored columns only; callers pass their clock */
    db_rows *r = NULL;
    db_val p[] = {db_int(appeal_id)};
    int rc = db_query(c, SQL_ONE, p, 1, &r);
    if (rc != DB_OK) return rc;
    watch_row d;
    rc = db_next(c, r);
    if (rc == 1) read_watch(c, r, &d);
    db_rows_free(c, r);
    if (rc != 1) return rc == 0 ? DB_NOT_FOUND : rc;
    db_val u[] = {next_val(&d.w), db_int(appeal_id)};
    return db_query(c, SQL_SET_NEXT, u, 2, NULL);
}

static int load_due(db_conn *c, int64_t now, int limit, watch_row **rows, int *n) {
    const char *sql = c->drv->kind == DB_KIND_PG ? SQL_DUE_PG : SQL_DUE_SQLITE;
    db_val p[] = {db_int(now), db_int(limit)};
    db_rows *r = NULL;
    int rc = db_query(c, sql, p, 2, &r);
    if (rc != DB_OK) return rc;
    *rows = xcalloc((size_t)limit, sizeof **rows);
    *n = 0;
    while (*n < limit && (rc = db_next(c, r)) == 1) read_watch(c, r, &(*rows)[(*n)++]);
    db_rows_free(c, r);
    return rc < 0 ? rc : DB_OK;
}

/* An internal event naming the deadline it is about. */
static int internal_event(db_conn *c, const watch_row *d, int64_t now, const char *kind,
                          int64_t due) {
    char iso[32], data[64];
    time_format_iso(due, iso, sizeof iso);
    snprintf(data, sizeof data, "{\"due_at\":\"%s\"}", iso);
    return store_event_add(c, d->id, now, kind, d->status, false, "system", NULL, data);
}

/* A missed deadline: the public event, the violation against the
 * organisation and the assignee (if any). */
static int missed(db_conn *c, const watch_row *d, int64_t now, const char *event,
                  const char *violation) {
    int rc = store_event_add(c, d->id, now, event, d->status, true, "system", NULL, NULL);
    if (rc != DB_OK) return rc;
    return store_violation_add(c, d->id, d->organisation, violation, d->assignee, now, NULL);
}

/* Both misses at once are one escalation naming both. */
static int escalate(db_conn *c, const watch_row *d, int64_t now, const dom_watch_duties *du) {
    db_val p[] = {db_int(now), db_int(d->id)};
    int rc = db_query(c, SQL_ESCALATE, p, 2, NULL);
    if (rc != DB_OK) return rc;
    const char *data = du->reaction_overdue && du->resolution_overdue
                           ? "{\"missed\":[\"reaction\",\"resolution\"]}"
                       : du->reaction_overdue ? "{\"missed\":[\"reaction\"]}"
                                              : "{\"missed\":[\"resolution\"]}";
    return store_event_add(c, d->id, now, "escalated", d->status, false, "system", NULL, data);
}

static int autoclose(db_conn *c, watch_row *d, int64_t now) {
    dom_status to;
    if (!dom_transition(DOM_ST_DONE, DOM_ACT_AUTOCLOSE, &to)) return DB_ERR;
    const char *closed = dom_status_name(to);
    db_val p[] = {db_text(closed), db_int(now), db_int(now), db_int(d->id)};
    int rc = db_query(c, SQL_CLOSE, p, 4, NULL);
    if (rc != DB_OK) return rc;
    return store_event_add(c, d->id, now, "autoclosed", closed, true, "system", NULL, NULL);
}

static int do_duties(db_conn *c, watch_row *d, int64_t now, const dom_watch_duties *du) {
    int rc = DB_OK;
    if (du->reaction_warning)
        rc = internal_event(c, d, now, "reaction_warning", d->w.reaction_due);
    if (rc == DB_OK && du->resolution_warning)
        rc = internal_event(c, d, now, "resolution_warning", d->w.resolution_due);
    if (rc == DB_OK && du->reaction_overdue)
        rc = missed(c, d, now, "reaction_overdue", "reaction_missed");
    if (rc == DB_OK && du->resolution_overdue)
        rc = missed(c, d, now, "resolution_overdue", "resolution_missed");
    if (rc == DB_OK && (du->reaction_overdue || du->resolution_overdue))
        rc = escalate(c, d, now, du);
    return rc;
}

static int sweep_one(db_conn *c, watch_row *d, int64_t now, bool *changed) {
    dom_watch_duties du = dom_watch_due(&d->w, now);
    *changed = dom_watch_any(&du);
    if (du.autoclose) return autoclose(c, d, now);
    int rc = do_duties(c, d, now, &du);
    if (rc != DB_OK) return rc;
    d->w.reaction_warned |= du.reaction_warning;
    d->w.resolution_warned |= du.resolution_warning;
    d->w.reaction_overdue |= du.reaction_overdue;
    d->w.resolution_overdue |= du.resolution_overdue;
    if (!*changed) { /* a stale next_check_at: just move it */
        db_val u[] = {next_val(&d->w), db_int(d->id)};
        return db_query(c, SQL_SET_NEXT, u, 2, NULL);
    }
    db_val p[] = {db_int(d->w.reaction_warned),  db_int(d->w.resolution_warned),
                  db_int(d->w.reaction_overdue), db_int(d->w.resolution_overdue),
                  next_val(&d->w),               db_int(now),
                  db_int(d->id)};
    return db_query(c, SQL_MARK, p, 7, NULL);
}

int store_sweep(db_conn *c, int64_t now, int limit, int *marked) {
    watch_row *rows = NULL;
    int n = 0;
    *marked = 0;
    int rc = load_due(c, now, limit, &rows, &n);
    for (int i = 0; rc == DB_OK && i < n; i++) {
        bool changed = false;
        rc = sweep_one(c, &rows[i], now, &changed);
        if (changed) (*marked)++;
    }
    free(rows);
    return rc;
}
