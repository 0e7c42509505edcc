/* The deadline watch as stored: next_check_at holds, per appeal, the next
 * instant one of its deadlines may pass (indexed), so the sweeper wakes
 * exactly then and touches only what is due. */
#include "domain/lifecycle.h"
#include "domain/watch.h"
#include "store/store.h"
#include "util/buf.h"
#include <stdlib.h>
#include "util/banned.h"

static const char *SQL_NEXT =
    "SELECT MIN(next_check_at) FROM appeals WHERE next_check_at IS NOT NULL";
static const char *SQL_DUE_SQLITE =
    "SELECT id, status, reacted_at IS NOT NULL, reaction_due_at, resolution_due_at,"
    " reaction_overdue, resolution_overdue FROM appeals"
    " WHERE next_check_at IS NOT NULL AND next_check_at <= ? ORDER BY next_check_at LIMIT ?";
/* Several servers may share one PostgreSQL: each takes its own rows. */
static const char *SQL_DUE_PG =
    "SELECT id, status, CASE WHEN reacted_at IS NOT NULL THEN 1 ELSE 0 END, reaction_due_at,"
    " resolution_due_at, reaction_overdue, resolution_overdue FROM appeals"
    " WHERE next_check_at IS NOT NULL AND next_check_at <= ? ORDER BY next_check_at LIMIT ?"
    " FOR UPDATE SKIP LOCKED";
static const char *SQL_MARK =
    "UPDATE appeals SET reaction_overdue = ?, resolution_overdue = ?, next_check_at = ?,"
    " updated_at = ? WHERE id = ?";

typedef struct {
    int64_t id;
    char status[24];
    dom_watch w;
} due_row;

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

static int load_due(db_conn *c, int64_t now, int limit, due_row **rows, int *n) {
    const char *sql = c->drv->kind == DB_KIND_PG ? SQL_DUE_PG : SQL_DUE_SQLITE;
    db_val p[] = {db_int(now), db_int(limit)};
    db_rows *r = NULL;
    int rc = db_query(c, sql, p, 2, &r);
    if (rc != DB_OK) return rc;
    *rows = xcalloc((size_t)limit, sizeof **rows);
    *n = 0;
    while (*n < limit && (rc = db_next(c, r)) == 1) {
        due_row *d = &(*rows)[(*n)++];
        d->id = c->drv->col_int(r, 0);
        str_copy(d->status, sizeof d->status, c->drv->col_text(r, 1));
        dom_status st;
        d->w.open = dom_status_parse(d->status, &st) && dom_status_is_open(st);
        d->w.reacted = c->drv->col_int(r, 2) != 0;
        d->w.reaction_due = c->drv->col_int(r, 3);
        d->w.resolution_due = c->drv->col_int(r, 4);
        d->w.reaction_overdue = c->drv->col_int(r, 5) != 0;
        d->w.resolution_overdue = c->drv->col_int(r, 6) != 0;
    }
    db_rows_free(c, r);
    return rc < 0 ? rc : DB_OK;
}

static int mark_one(db_conn *c, due_row *d, int64_t now, bool *changed) {
    bool reaction, resolution;
    dom_watch_due(&d->w, now, &reaction, &resolution);
    int rc = DB_OK;
    if (reaction) {
        d->w.reaction_overdue = true;
        rc = store_event_add(c, d->id, now, "reaction_overdue", d->status, true, "system", NULL,
                             NULL);
    }
    if (rc == DB_OK && resolution) {
        d->w.resolution_overdue = true;
        rc = store_event_add(c, d->id, now, "resolution_overdue", d->status, true, "system",
                             NULL, NULL);
    }
    if (rc != DB_OK) return rc;
    int64_t next = dom_watch_next(&d->w);
    db_val p[] = {db_int(d->w.reaction_overdue), db_int(d->w.resolution_overdue),
                  next == DOM_WATCH_NONE ? db_null() : db_int(next), db_int(now), db_int(d->id)};
    *changed = reaction || resolution;
    return db_query(c, SQL_MARK, p, 5, NULL);
}

int store_sweep(db_conn *c, int64_t now, int limit, int *marked) {
    due_row *rows = NULL;
    int n = 0;
    *marked = 0;
    int rc = load_due(c, now, limit, &rows, &n);
    for (int i = 0; rc == DB_OK && i < n; i++) {
        bool changed = false;
        rc = mark_one(c, &rows[i], now, &changed);
        if (changed) (*marked)++;
    }
    free(rows);
    return rc;
}
