/* The staff queues: one page of appeals and the queue's size. Pages poll
 * every 3 s, so each queue's condition is one an index answers (schema v4:
 * appeals(status), appeals(organisation, status), extensions(status); v5:
 * appeals(status, escalated_at) where escalated_at is set — partial, so
 * SQLite without statistics prefers it to appeals(status)). */
#include "store/store.h"
#include "util/buf.h"
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define OPEN_STATUSES "('registered', 'assigned', 'in_progress', 'reopened')"

/* The deadline that runs now: while the appeal is not accepted the
 * reaction's (when it is the earlier), then the resolution's. Ascending by
 * it puts the overdue ones first, the most overdue at the top. */
#define NEXT_DUE                                                                    \
    "(CASE WHEN a.reacted_at IS NULL AND a.reaction_due_at < a.resolution_due_at" \
    " THEN a.reaction_due_at ELSE a.resolution_due_at END)"

#define ITEM_COLS                                                                            \
    "SELECT a.id, a.number, a.status, a.category, a.type, a.priority, a.organisation,"       \
    " a.district, a.address, a.created_at, a.reaction_due_at, a.resolution_due_at,"         \
    " a.reacted_at, a.escalated_at, a.reaction_overdue, a.resolution_overdue, a.flagged,"    \
    " a.reopen_count, " NEXT_DUE

#define EXT_COLS ", e.id, e.new_due_at, e.created_at, e.reason, u.login, u.name"
#define EXT_JOIN                                                        \
    " JOIN extensions e ON e.appeal_id = a.id AND e.status = 'pending'" \
    " JOIN users u ON u.id = e.requested_by"

#define PAGE " ORDER BY " NEXT_DUE ", a.id LIMIT ? OFFSET ?"

#define W_TRIAGE                                                              \
    " WHERE a.status IN ('registered', 'reopened') AND (a.status = 'reopened'" \
    " OR a.organisation = 'contact_center' OR a.flagged = 1)"
#define W_ORG " WHERE a.organisation = ? AND a.status IN " OPEN_STATUSES
#define W_ESC " WHERE a.escalated_at IS NOT NULL AND a.status IN " OPEN_STATUSES
/* Spelled with the IN of the partial index appeals_waiting (schema v4), so
 * SQLite sees that the index covers the query; new appeals (assigned at
 * intake) stay out of that index and cost it nothing. */
#define W_DISPUTED " WHERE a.status IN ('registered', 'reopened') AND a.status = 'reopened'"

/* One static text per query: the drivers cache prepared statements by it. */
static const struct {
    const char *items, *count;
    bool org_param;
} queries[] = {
    [STORE_Q_TRIAGE] = {ITEM_COLS " FROM appeals a" W_TRIAGE PAGE,
                        "SELECT COUNT(*) FROM appeals a" W_TRIAGE, false},
    [STORE_Q_ORGANISATION] = {ITEM_COLS " FROM appeals a" W_ORG PAGE,
                              "SELECT COUNT(*) FROM appeals a" W_ORG, true},
    [STORE_Q_ESCALATIONS] = {ITEM_COLS " FROM appeals a" W_ESC PAGE,
                             "SELECT COUNT(*) FROM appeals a" W_ESC, false},
    [STORE_Q_EXTENSIONS] = {ITEM_COLS EXT_COLS " FROM appeals a" EXT_JOIN PAGE,
                            "SELECT COUNT(*) FROM appeals a" EXT_JOIN, false},
    [STORE_Q_DISPUTED] = {ITEM_COLS " FROM appeals a" W_DISPUTED PAGE,
                          "SELECT COUNT(*) FROM appeals a" W_DISPUTED, false},
};

static int64_t opt_int(db_conn *c, db_rows *r, int col) {
    return c->drv->is_null(r, col) ? 0 : c->drv->col_int(r, col);
}

static void read_item(db_conn *c, db_rows *r, bool ext, store_queue_item *it) {
    const db_driver *d = c->drv;
    memset(it, 0, sizeof *it);
    it->id = d->col_int(r, 0);
    str_copy(it->number, sizeof it->number, d->col_text(r, 1));
    str_copy(it->status, sizeof it->status, d->col_text(r, 2));
    str_copy(it->category, sizeof it->category, d->col_text(r, 3));
    str_copy(it->type, sizeof it->type, d->col_text(r, 4));
    str_copy(it->priority, sizeof it->priority, d->col_text(r, 5));
    str_copy(it->organisation, sizeof it->organisation, d->col_text(r, 6));
    str_copy(it->district, sizeof it->district, d->col_text(r, 7));
    it->address = d->is_null(r, 8) ? NULL : xstrdup(d->col_text(r, 8));
    it->created_at = d->col_int(r, 9);
    it->reaction_due_at = d->col_int(r, 10);
    it->resolution_due_at = d->col_int(r, 11);
    it->reacted_at = opt_int(c, r, 12);
    it->escalated_at = opt_int(c, r, 13);
    it->reaction_overdue = d->col_int(r, 14) != 0;
    it->resolution_overdue = d->col_int(r, 15) != 0;
    it->flagged = d->col_int(r, 16) != 0;
    it->reopen_count = (int)d->col_int(r, 17);
    it->next_deadline_at = d->col_int(r, 18);
    if (!ext) return;
    it->ext_id = d->col_int(r, 19);
    it->ext_new_due_at = d->col_int(r, 20);
    it->ext_created_at = d->col_int(r, 21);
    it->ext_reason = xstrdup(d->col_text(r, 22));
    str_copy(it->ext_login, sizeof it->ext_login, d->col_text(r, 23));
    str_copy(it->ext_name, sizeof it->ext_name, d->col_text(r, 24));
}

int store_queue_list(db_conn *c, store_queue q, const char *org, int limit, int offset,
                     store_queue_item **items, int *n, int64_t *total) {
    *items = NULL;
    *n = 0;
    *total = 0;
    if ((int)q < 0 || q > STORE_Q_DISPUTED || limit < 1) return DB_ERR;
    db_val p[3];
    int np = 0;
    if (queries[q].org_param) p[np++] = db_text(org);
    int rc = store_query_int(c, queries[q].count, p, np, total); /* COUNT: always a row */
    if (rc != DB_OK || *total <= offset) return rc;
    p[np++] = db_int(limit);
    p[np++] = db_int(offset);
    db_rows *r = NULL;
    rc = db_query(c, queries[q].items, p, np, &r);
    if (rc != DB_OK) return rc;
    *items = xcalloc((size_t)limit, sizeof **items);
    while (*n < limit && (rc = db_next(c, r)) == 1)
        read_item(c, r, q == STORE_Q_EXTENSIONS, &(*items)[(*n)++]);
    db_rows_free(c, r);
    if (rc < 0) {
        store_queue_items_free(*items, *n);
        *items = NULL;
        *n = 0;
        return rc;
    }
    return DB_OK;
}

void store_queue_items_free(store_queue_item *items, int n) {
    for (int i = 0; i < n; i++) {
        free(items[i].address);
        free(items[i].ext_reason);
    }
    free(items);
}
