/* The staff workflow as stored (see workflow.h). */
#include "store/workflow.h"
#include "store/store.h"
#include "util/buf.h"
#include <stdio.h>
#include "util/banned.h"

#define WF_COLS                                                                                \
    "a.id, a.number, a.status, a.category, a.type, a.priority, a.organisation, a.created_at,"  \
    " a.reaction_due_at, a.resolution_due_at, COALESCE(a.reacted_at, 0), COALESCE(a.done_at, 0)," \
    " COALESCE(a.closed_at, 0), COALESCE(a.confirm_due_at, 0), COALESCE(a.escalated_at, 0),"   \
    " COALESCE(a.assignee_id, 0), COALESCE(a.done_by, 0), COALESCE(a.parent_id, 0),"            \
    " COALESCE(a.rating, 0), a.reopen_count, a.flagged, a.reaction_overdue,"                    \
    " a.resolution_overdue, a.reaction_warned, a.resolution_warned, COALESCE(a.district, '')"

static const char *SQL_BY_NUMBER = "SELECT " WF_COLS " FROM appeals a WHERE a.number = ?";
static const char *SQL_BY_NUMBER_PG =
    "SELECT " WF_COLS " FROM appeals a WHERE a.number = ? FOR UPDATE";
static const char *SQL_BY_TRACKING = "SELECT " WF_COLS " FROM appeals a WHERE a.tracking_hash = ?";
static const char *SQL_BY_TRACKING_PG =
    "SELECT " WF_COLS " FROM appeals a WHERE a.tracking_hash = ? FOR UPDATE";
static const char *SQL_PENDING =
    "SELECT id, new_due_at, requested_by, reason FROM extensions WHERE appeal_id = ? AND status = 'pending'"
    " ORDER BY id DESC LIMIT 1";
static const char *SQL_APPROVED =
    "SELECT COALESCE(MAX(new_due_at), 0) FROM extensions WHERE appeal_id = ? AND status = 'approved'";
static const char *SQL_SAVE =
    "UPDATE appeals SET status = ?, category = ?, type = ?, priority = ?, organisation = ?,"
    " reaction_due_at = ?, resolution_due_at = ?, reacted_at = ?, done_at = ?, closed_at = ?,"
    " confirm_due_at = ?, escalated_at = ?, assignee_id = ?, done_by = ?, parent_id = ?,"
    " rating = ?, reopen_count = ?, flagged = ?, reaction_overdue = ?, resolution_overdue = ?,"
    " reaction_warned = ?, resolution_warned = ?, updated_at = ? WHERE id = ?";
static const char *SQL_EXT_ADD =
    "INSERT INTO extensions (appeal_id, requested_by, reason, old_due_at, new_due_at, status,"
    " created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)";
static const char *SQL_EXT_DECIDE =
    "UPDATE extensions SET status = ?, decided_by = ?, decision_note = ?, decided_at = ?"
    " WHERE id = ? AND status = 'pending'";
static const char *SQL_VIOLATION =
    "INSERT INTO violations (appeal_id, organisation, kind, user_id, at, note)"
    " VALUES (?, ?, ?, ?, ?, ?)";
static const char *SQL_FOLLOW =
    "INSERT INTO subscriptions (appeal_id, phone, email, tracking_hash, created_at)"
    " SELECT ?, applicant_phone, applicant_email, ?, ? FROM appeals WHERE id = ?";

static void read_wf(db_conn *c, db_rows *r, store_wf *w) {
    const db_driver *d = c->drv;
    *w = (store_wf){0};
    w->id = d->col_int(r, 0);
    str_copy(w->number, sizeof w->number, d->col_text(r, 1));
    str_copy(w->status, sizeof w->status, d->col_text(r, 2));
    str_copy(w->category, sizeof w->category, d->col_text(r, 3));
    str_copy(w->type, sizeof w->type, d->col_text(r, 4));
    str_copy(w->priority, sizeof w->priority, d->col_text(r, 5));
    str_copy(w->organisation, sizeof w->organisation, d->col_text(r, 6));
    int64_t *ints[] = {&w->created_at,  &w->reaction_due_at, &w->resolution_due_at,
                       &w->reacted_at,  &w->done_at,         &w->closed_at,
                       &w->confirm_due_at, &w->escalated_at, &w->assignee_id,
                       &w->done_by,     &w->parent_id};
    for (int i = 0; i < 11; i++) *ints[i] = d->col_int(r, 7 + i);
    w->rating = (int)d->col_int(r, 18);
    w->reopen_count = (int)d->col_int(r, 19);
    bool *flags[] = {&w->flagged, &w->reaction_overdue, &w->resolution_overdue,
                     &w->reaction_warned, &w->resolution_warned};
    for (int i = 0; i < 5; i++) *flags[i] = d->col_int(r, 20 + i) != 0;
    str_copy(w->district, sizeof w->district, d->col_text(r, 25));
}

static int load(db_conn *c, const char *sql, const char *key, store_wf *out) {
    db_val p[] = {db_text(key)};
    db_rows *r = NULL;
    int rc = db_query(c, sql, p, 1, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) read_wf(c, r, out);
    db_rows_free(c, r);
    if (rc != 1) return rc == 0 ? DB_NOT_FOUND : rc;
    db_val q[] = {db_int(out->id)};
    rc = db_query(c, SQL_PENDING, q, 1, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) {
        out->ext_id = c->drv->col_int(r, 0);
        out->ext_new_due_at = c->drv->col_int(r, 1);
        out->ext_requested_by = c->drv->col_int(r, 2);
        str_copy(out->ext_reason, sizeof out->ext_reason, c->drv->col_text(r, 3));
    }
    db_rows_free(c, r);
    if (rc < 0) return rc;
    return store_query_int(c, SQL_APPROVED, q, 1, &out->ext_approved_due_at); /* MAX: a row */
}

int store_wf_load(db_conn *c, const char *number, store_wf *out) {
    return load(c, c->drv->kind == DB_KIND_PG ? SQL_BY_NUMBER_PG : SQL_BY_NUMBER, number, out);
}

int store_wf_load_tracking(db_conn *c, const char *tracking_hash, store_wf *out) {
    return load(c, c->drv->kind == DB_KIND_PG ? SQL_BY_TRACKING_PG : SQL_BY_TRACKING,
                tracking_hash, out);
}

static db_val opt(int64_t v) { return v ? db_int(v) : db_null(); }

int store_wf_save(db_conn *c, const store_wf *w, int64_t now) {
    db_val p[] = {db_text(w->status),         db_text(w->category),
                  db_text(w->type),           db_text(w->priority),
                  db_text(w->organisation),   db_int(w->reaction_due_at),
                  db_int(w->resolution_due_at), opt(w->reacted_at),
                  opt(w->done_at),            opt(w->closed_at),
                  opt(w->confirm_due_at),     opt(w->escalated_at),
                  opt(w->assignee_id),        opt(w->done_by),
                  opt(w->parent_id),          opt(w->rating),
                  db_int(w->reopen_count),    db_int(w->flagged),
                  db_int(w->reaction_overdue), db_int(w->resolution_overdue),
                  db_int(w->reaction_warned), db_int(w->resolution_warned),
                  db_int(now),                db_int(w->id)};
    int rc = db_query(c, SQL_SAVE, p, (int)(sizeof p / sizeof p[0]), NULL);
    if (rc == DB_OK) rc = store_watch_recompute(c, w->id, now);
    return rc;
}

int store_extension_add(db_conn *c, int64_t appeal_id, int64_t user_id, const char *reason,
                        int64_t old_due, int64_t new_due, int64_t now) {
    db_val p[] = {db_int(appeal_id), db_int(user_id), db_text(reason),
                  db_int(old_due),   db_int(new_due), db_int(now)};
    return db_query(c, SQL_EXT_ADD, p, 6, NULL);
}

int store_extension_decide(db_conn *c, int64_t ext_id, const char *status, int64_t user_id,
                           const char *note, int64_t now) {
    db_val p[] = {db_text(status), db_int(user_id), db_text(note), db_int(now), db_int(ext_id)};
    return db_query(c, SQL_EXT_DECIDE, p, 5, NULL);
}

int store_violation_add(db_conn *c, int64_t appeal_id, const char *organisation, const char *kind,
                        int64_t user_id, int64_t at, const char *note) {
    db_val p[] = {db_int(appeal_id), db_text(organisation), db_text(kind),
                  opt(user_id),      db_int(at),            db_text(note)};
    return db_query(c, SQL_VIOLATION, p, 6, NULL);
}

int store_follow_parent(db_conn *c, int64_t child_id, int64_t parent_id, const char *tracking_hash,
                        int64_t now) {
    db_val p[] = {db_int(parent_id), db_text(tracking_hash), db_int(now), db_int(child_id)};
    return db_query(c, SQL_FOLLOW, p, 4, NULL);
}
