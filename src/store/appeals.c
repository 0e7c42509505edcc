/* Appeals, their events and idempotency records. */
#include "store/store.h"
#include "store/outbox.h"
#include "util/buf.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

static const char *SQL_NEXT_SEQ =
    "INSERT INTO appeal_counters (year, last) VALUES (?, 1) "
    "ON CONFLICT (year) DO UPDATE SET last = appeal_counters.last + 1 RETURNING last";
static const char *SQL_INSERT =
    "INSERT INTO appeals (number, year, seq, status, category, type, priority, organisation,"
    " channel, description, lat, lon, address, applicant_name, applicant_phone, applicant_email,"
    " tracking_hash, created_at, updated_at, reaction_due_at, resolution_due_at, next_check_at,"
    " trial, district, lang) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " ?, ?, ?, ?, ?, ?)"
    " RETURNING id";
/* Registered and at once assigned: both events in one statement. */
static const char *SQL_EVENTS_INTAKE =
    "INSERT INTO appeal_events (appeal_id, at, kind, status, public, actor, note, data)"
    " VALUES (?, ?, 'registered', 'registered', 1, ?, NULL, NULL),"
    " (?, ?, 'assigned', 'assigned', 1, 'system', NULL, ?)";
static const char *SQL_EVENT =
    "INSERT INTO appeal_events (appeal_id, at, kind, status, public, actor, note, data)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
#define APPEAL_COLS                                                                            \
    "SELECT id, number, status, category, type, priority, organisation, channel, description," \
    " address, lat, lon, created_at, updated_at, reaction_due_at, resolution_due_at,"          \
    " reaction_overdue, resolution_overdue, reacted_at, done_at, closed_at, district,"         \
    " assignee_id, done_by, parent_id, flagged, rating, reopen_count, confirm_due_at,"         \
    " escalated_at, applicant_name, applicant_phone, applicant_email FROM appeals "
static const char *SQL_BY_NUMBER = APPEAL_COLS "WHERE number = ?";
static const char *SQL_BY_TRACKING = APPEAL_COLS "WHERE tracking_hash = ?";
static const char *SQL_EVENTS =
    "SELECT at, kind, status, note FROM appeal_events WHERE appeal_id = ? AND public = 1"
    " ORDER BY at, id";
static const char *SQL_SET_STATE =
    "UPDATE appeals SET status = ?, reacted_at = ?, done_at = ?, closed_at = ?,"
    " reaction_overdue = ?, resolution_overdue = ?, updated_at = ?, rating = ?, reopen_count = ?"
    " WHERE id = ?";
static const char *SQL_COUNT = "SELECT COUNT(*) FROM appeals";
static const char *SQL_IDEM_GET =
    "SELECT request_hash, status, body FROM idempotency_keys WHERE key_hash = ?";
static const char *SQL_IDEM_EXPIRE = "DELETE FROM idempotency_keys WHERE created_at < ?";
static const char *SQL_IDEM_PUT =
    "INSERT INTO idempotency_keys (key_hash, request_hash, status, body, created_at)"
    " VALUES (?, ?, ?, ?, ?)";

int store_event_add(db_conn *c, int64_t appeal_id, int64_t at, const char *kind,
                    const char *status, bool public, const char *actor, const char *note,
                    const char *data) {
    db_val p[] = {db_int(appeal_id), db_int(at),          db_text(kind), db_text(status),
                  db_int(public),    db_text(actor),      db_text(note), db_text(data)};
    int rc = db_query(c, SQL_EVENT, p, 8, NULL);
    /* What the applicant is told goes in the same transaction as the event. */
    if (rc == DB_OK && public)
        rc = store_outbox_for_event(c, appeal_id, kind, at, actor, note, data, NULL);
    return rc;
}

int store_appeal_insert(db_conn *c, const store_new_appeal *a, int64_t *id, char number[16]) {
    int64_t year = a->year;
    int64_t seq = 0;
    db_val y[] = {db_int(year)};
    int rc = store_query_int(c, SQL_NEXT_SEQ, y, 1, &seq);
    if (rc != DB_OK) return rc == DB_NOT_FOUND ? DB_ERR : rc;
    /* YYYY-NNNNNN; a year past 999,999 appeals grows to more digits. */
    if (seq < 1 || seq > 999999999 || year < 1000 || year > 9999) return DB_ERR;
    snprintf(number, 16, "%04d-%06d", (int)year % 10000, (int)seq % 1000000000);
    int64_t next = store_watch_first(a->created_at, a->reaction_due_at, a->resolution_due_at);
    db_val p[] = {db_text(number),         db_int(year),
                  db_int(seq),             db_text(a->assigned ? "assigned" : "registered"),
                  db_text(a->category),
                  db_text(a->type),        db_text(a->priority),
                  db_text(a->organisation), db_text(a->channel),
                  db_text(a->description), db_real(a->lat),
                  db_real(a->lon),         db_text(a->address),
                  db_text(a->name),        db_text(a->phone),
                  db_text(a->email),       db_text(a->tracking_hash),
                  db_int(a->created_at),   db_int(a->created_at),
                  db_int(a->reaction_due_at), db_int(a->resolution_due_at),
                  next == INT64_MIN ? db_null() : db_int(next),
                  db_int(a->trial), db_text(a->district),
                  db_text(a->lang && strcmp(a->lang, "en") == 0 ? "en" : "uk")};
    rc = store_query_int(c, SQL_INSERT, p, (int)(sizeof p / sizeof p[0]), id);
    if (rc != DB_OK) return rc == DB_NOT_FOUND ? DB_ERR : rc;
    const char *actor = a->actor ? a->actor : "applicant";
    if (!a->assigned) {
        db_val e[] = {db_int(*id),       db_int(a->created_at), db_text("registered"),
                      db_text("registered"), db_int(1),         db_text(actor),
                      db_null(),         db_null()};
        rc = db_query(c, SQL_EVENT, e, 8, NULL);
    } else {
        char data[160];
        snprintf(data, sizeof data, "{\"organisation\":\"%s\"}", a->organisation);
        db_val e[] = {db_int(*id), db_int(a->created_at), db_text(actor),
                      db_int(*id), db_int(a->created_at), db_text(data)};
        rc = db_query(c, SQL_EVENTS_INTAKE, e, 6, NULL);
    }
    /* One message for the intake (its number and link), not a second one
     * for the routing to the organisation at the same instant. The actor
     * is passed as the system's: the applicant filing is told, of course. */
    if (rc == DB_OK)
        rc = store_outbox_for_event(c, *id, "registered", a->created_at, "system", NULL, NULL,
                                    a->tracking_token);
    return rc;
}

static void read_appeal(db_conn *c, db_rows *r, store_appeal *a) {
    const db_driver *d = c->drv;
    memset(a, 0, sizeof *a);
    a->id = d->col_int(r, 0);
    str_copy(a->number, sizeof a->number, d->col_text(r, 1));
    str_copy(a->status, sizeof a->status, d->col_text(r, 2));
    str_copy(a->category, sizeof a->category, d->col_text(r, 3));
    str_copy(a->type, sizeof a->type, d->col_text(r, 4));
    str_copy(a->priority, sizeof a->priority, d->col_text(r, 5));
    str_copy(a->organisation, sizeof a->organisation, d->col_text(r, 6));
    str_copy(a->channel, sizeof a->channel, d->col_text(r, 7));
    a->description = xstrdup(d->col_text(r, 8));
    a->address = d->is_null(r, 9) ? NULL : xstrdup(d->col_text(r, 9));
    a->lat = d->col_real(r, 10);
    a->lon = d->col_real(r, 11);
    a->created_at = d->col_int(r, 12);
    a->updated_at = d->col_int(r, 13);
    a->reaction_due_at = d->col_int(r, 14);
    a->resolution_due_at = d->col_int(r, 15);
    a->reaction_overdue = d->col_int(r, 16) != 0;
    a->resolution_overdue = d->col_int(r, 17) != 0;
    a->reacted_at = d->is_null(r, 18) ? 0 : d->col_int(r, 18);
    a->done_at = d->is_null(r, 19) ? 0 : d->col_int(r, 19);
    a->closed_at = d->is_null(r, 20) ? 0 : d->col_int(r, 20);
    str_copy(a->district, sizeof a->district, d->col_text(r, 21));
    a->assignee_id = d->is_null(r, 22) ? 0 : d->col_int(r, 22);
    a->done_by = d->is_null(r, 23) ? 0 : d->col_int(r, 23);
    a->parent_id = d->is_null(r, 24) ? 0 : d->col_int(r, 24);
    a->flagged = d->col_int(r, 25) != 0;
    a->rating = d->is_null(r, 26) ? 0 : (int)d->col_int(r, 26);
    a->reopen_count = (int)d->col_int(r, 27);
    a->confirm_due_at = d->is_null(r, 28) ? 0 : d->col_int(r, 28);
    a->escalated_at = d->is_null(r, 29) ? 0 : d->col_int(r, 29);
    a->applicant_name = xstrdup(d->col_text(r, 30));
    str_copy(a->applicant_phone, sizeof a->applicant_phone, d->col_text(r, 31));
    a->applicant_email = d->is_null(r, 32) ? NULL : xstrdup(d->col_text(r, 32));
}

static int appeal_by(db_conn *c, const char *sql, const char *key, store_appeal *out) {
    db_rows *r = NULL;
    db_val p[] = {db_text(key)};
    int rc = db_query(c, sql, p, 1, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) read_appeal(c, r, out);
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc == 0 ? DB_NOT_FOUND : rc;
}

int store_appeal_by_number(db_conn *c, const char *number, store_appeal *out) {
    return appeal_by(c, SQL_BY_NUMBER, number, out);
}

int store_appeal_by_tracking(db_conn *c, const char *tracking_hash, store_appeal *out) {
    return appeal_by(c, SQL_BY_TRACKING, tracking_hash, out);
}

void store_appeal_free(store_appeal *a) {
    free(a->description);
    free(a->address);
    free(a->applicant_name);
    free(a->applicant_email);
    a->description = a->address = a->applicant_name = a->applicant_email = NULL;
}

int store_events_public(db_conn *c, int64_t appeal_id, store_event **events, int *n) {
    db_rows *r = NULL;
    db_val p[] = {db_int(appeal_id)};
    *events = NULL;
    *n = 0;
    int rc = db_query(c, SQL_EVENTS, p, 1, &r);
    if (rc != DB_OK) return rc;
    int cap = 0;
    while ((rc = db_next(c, r)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *events = xrealloc(*events, (size_t)cap * sizeof **events);
        }
        store_event *e = &(*events)[(*n)++];
        e->at = c->drv->col_int(r, 0);
        str_copy(e->kind, sizeof e->kind, c->drv->col_text(r, 1));
        str_copy(e->status, sizeof e->status, c->drv->col_text(r, 2));
        e->note = c->drv->is_null(r, 3) ? NULL : xstrdup(c->drv->col_text(r, 3));
    }
    db_rows_free(c, r);
    if (rc != 0) {
        store_events_free(*events, *n);
        *events = NULL;
        *n = 0;
        return rc;
    }
    return DB_OK;
}

void store_events_free(store_event *events, int n) {
    for (int i = 0; i < n; i++) free(events[i].note);
    free(events);
}

static db_val opt_time(int64_t t) { return t ? db_int(t) : db_null(); }

int store_appeal_set_state(db_conn *c, int64_t id, const store_state *s) {
    db_val p[] = {db_text(s->status),
                  opt_time(s->reacted_at),
                  opt_time(s->done_at),
                  opt_time(s->closed_at),
                  db_int(s->reaction_overdue),
                  db_int(s->resolution_overdue),
                  db_int(s->updated_at),
                  s->rating ? db_int(s->rating) : db_null(),
                  db_int(s->reopen_count),
                  db_int(id)};
    int rc = db_query(c, SQL_SET_STATE, p, 10, NULL);
    return rc == DB_OK ? store_watch_recompute(c, id, s->updated_at) : rc;
}

int store_count_appeals(db_conn *c, int64_t *n) { return store_query_int(c, SQL_COUNT, NULL, 0, n); }

int store_idem_get(db_conn *c, const char *key_hash, char request_hash[65], int *status,
                   char **body) {
    db_rows *r = NULL;
    db_val p[] = {db_text(key_hash)};
    int rc = db_query(c, SQL_IDEM_GET, p, 1, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) {
        str_copy(request_hash, 65, c->drv->col_text(r, 0));
        *status = (int)c->drv->col_int(r, 1);
        *body = xstrdup(c->drv->col_text(r, 2));
    }
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc == 0 ? DB_NOT_FOUND : rc;
}

int store_idem_put(db_conn *c, const char *key_hash, const char *request_hash, int status,
                   const char *body, int64_t now) {
    db_val p[] = {db_text(key_hash), db_text(request_hash), db_int(status), db_text(body),
                  db_int(now)};
    return db_query(c, SQL_IDEM_PUT, p, 5, NULL);
}

int store_idem_expire(db_conn *c, int64_t before) {
    db_val p[] = {db_int(before)};
    return db_query(c, SQL_IDEM_EXPIRE, p, 1, NULL);
}
