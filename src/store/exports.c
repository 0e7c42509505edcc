/* The rows of an export, page by page (store/exports.h). Optional filters
 * use '' sentinels, not "? IS NULL" (PostgreSQL cannot type a bare NULL
 * test); the page is a keyset on (created_at, id), which the index
 * appeals_created serves in order on both databases. */
#include "store/exports.h"
#include "util/buf.h"
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define FILTER                                                                               \
    " FROM appeals a WHERE a.created_at >= ? AND a.created_at < ?"                           \
    " AND (? = '' OR a.category = ?) AND (? = '' OR a.type = ?)"                             \
    " AND (? = '' OR a.district = ?) AND (? = '' OR a.organisation = ?)"                     \
    " AND (? = '' OR a.channel = ?) AND (? = 1 OR a.trial = 0)"
#define N_FILTER 13

static const char *SQL_COUNT = "SELECT COUNT(*)" FILTER;
static const char *SQL_PAGE =
    "SELECT a.id, a.number, a.created_at, a.category, a.type, a.district, a.organisation,"
    " a.channel, a.status, a.resolution_due_at, a.done_at, a.reopen_count, a.rating,"
    " a.trial, a.address" FILTER
    " AND (a.created_at > ? OR a.id > ?) ORDER BY a.created_at, a.id LIMIT ?";

static const char *or_any(const char *s) { return s ? s : ""; }

static void filter_params(const store_export_filter *f, db_val *p) {
    const char *v[] = {or_any(f->category), or_any(f->type), or_any(f->district),
                       or_any(f->organisation), or_any(f->channel)};
    p[0] = db_int(f->from);
    p[1] = db_int(f->to);
    for (int i = 0; i < 5; i++) p[2 + 2 * i] = p[3 + 2 * i] = db_text(v[i]);
    p[12] = db_int(f->include_trial ? 1 : 0);
}

int store_export_count(db_conn *c, const store_export_filter *f, int64_t *count) {
    db_val p[N_FILTER];
    filter_params(f, p);
    db_rows *r = NULL;
    int rc = db_query(c, SQL_COUNT, p, N_FILTER, &r);
    if (rc != DB_OK) return rc;
    if ((rc = db_next(c, r)) == 1) *count = c->drv->col_int(r, 0);
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc < 0 ? rc : DB_ERR;
}

static void read_row(db_conn *c, db_rows *r, store_export_row *o) {
    const db_driver *d = c->drv;
    memset(o, 0, sizeof *o);
    o->id = d->col_int(r, 0);
    str_copy(o->number, sizeof o->number, d->col_text(r, 1));
    o->created_at = d->col_int(r, 2);
    str_copy(o->category, sizeof o->category, d->col_text(r, 3));
    str_copy(o->type, sizeof o->type, d->col_text(r, 4));
    str_copy(o->district, sizeof o->district, d->col_text(r, 5)); /* "" for NULL */
    str_copy(o->organisation, sizeof o->organisation, d->col_text(r, 6));
    str_copy(o->channel, sizeof o->channel, d->col_text(r, 7));
    str_copy(o->status, sizeof o->status, d->col_text(r, 8));
    o->resolution_due_at = d->col_int(r, 9);
    o->done_at = d->is_null(r, 10) ? 0 : d->col_int(r, 10);
    o->reopen_count = (int)d->col_int(r, 11);
    o->rating = d->is_null(r, 12) ? 0 : (int)d->col_int(r, 12);
    o->trial = d->col_int(r, 13) != 0;
    o->address = d->is_null(r, 14) ? NULL : xstrdup(d->col_text(r, 14));
}

int store_export_page(db_conn *c, const store_export_filter *f, store_export_cursor *cur,
                      int limit, store_export_row *rows, int *n) {
    *n = 0;
    db_val p[N_FILTER + 3];
    filter_params(f, p);
    /* from the cursor on: created_at >= max(from, cursor) */
    if (cur->created_at > f->from) p[0] = db_int(cur->created_at);
    p[N_FILTER] = db_int(cur->created_at);
    p[N_FILTER + 1] = db_int(cur->id);
    p[N_FILTER + 2] = db_int(limit);
    db_rows *r = NULL;
    int rc = db_query(c, SQL_PAGE, p, N_FILTER + 3, &r);
    if (rc != DB_OK) return rc;
    while (*n < limit && (rc = db_next(c, r)) == 1) read_row(c, r, &rows[(*n)++]);
    db_rows_free(c, r);
    if (rc < 0) {
        store_export_rows_free(rows, *n);
        *n = 0;
        return rc;
    }
    if (*n) {
        cur->created_at = rows[*n - 1].created_at;
        cur->id = rows[*n - 1].id;
    }
    return DB_OK;
}

void store_export_rows_free(store_export_row *rows, int n) {
    for (int i = 0; i < n; i++) {
        free(rows[i].address);
        rows[i].address = NULL;
    }
}
