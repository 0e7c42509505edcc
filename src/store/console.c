/* The hotline console (a caller's history, consultations) and the reads
 * behind the staff view of one appeal (all events, extension requests,
 * names of staff, parent and merged numbers). */
#include "store/store.h"
#include "util/buf.h"
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

static const char *SQL_CALLER_APPEALS =
    "SELECT number, status, category, type, address, created_at, resolution_due_at"
    " FROM appeals WHERE applicant_phone = ? ORDER BY created_at DESC, id DESC LIMIT ?";
static const char *SQL_CALLER_CONSULTATIONS =
    "SELECT c.id, c.topic, c.note, c.created_at, u.login FROM consultations c"
    " JOIN users u ON u.id = c.operator_id WHERE c.phone = ?"
    " ORDER BY c.created_at DESC, c.id DESC LIMIT ?";
static const char *SQL_CONSULTATION_ADD =
    "INSERT INTO consultations (phone, topic, note, operator_id, created_at)"
    " VALUES (?, ?, ?, ?, ?) RETURNING id";
static const char *SQL_EVENTS_ALL =
    "SELECT at, kind, status, public, actor, note, data FROM appeal_events"
    " WHERE appeal_id = ? ORDER BY at, id";
static const char *SQL_EXTENSIONS =
    "SELECT e.id, e.status, e.reason, e.old_due_at, e.new_due_at, e.created_at, e.decided_at,"
    " e.decision_note, r.login, r.name, d.login, d.name FROM extensions e"
    " JOIN users r ON r.id = e.requested_by LEFT JOIN users d ON d.id = e.decided_by"
    " WHERE e.appeal_id = ? ORDER BY e.created_at, e.id";
static const char *SQL_USER_NAMES = "SELECT login, name FROM users WHERE id = ?";
static const char *SQL_NUMBER = "SELECT number FROM appeals WHERE id = ?";
static const char *SQL_CHILDREN = "SELECT number FROM appeals WHERE parent_id = ? ORDER BY id";

static char *opt_text(db_conn *c, db_rows *r, int col) {
    return c->drv->is_null(r, col) ? NULL : xstrdup(c->drv->col_text(r, col));
}

/* Runs sql and hands each row to read() into a growing array of
 * `size`-byte elements; the array is the caller's (free it with the
 * matching *_free on success; freed here on failure via `release`). */
typedef void (*row_reader)(db_conn *c, db_rows *r, void *elem);
static int read_all(db_conn *c, const char *sql, const db_val *p, int np, size_t size,
                    row_reader read, void **out, int *n, void (*release)(void *, int)) {
    db_rows *r = NULL;
    *out = NULL;
    *n = 0;
    int rc = db_query(c, sql, p, np, &r);
    if (rc != DB_OK) return rc;
    int cap = 0;
    while ((rc = db_next(c, r)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *out = xrealloc(*out, (size_t)cap * size);
        }
        void *elem = (char *)*out + (size_t)*n * size;
        memset(elem, 0, size);
        read(c, r, elem);
        (*n)++;
    }
    db_rows_free(c, r);
    if (rc < 0) {
        release(*out, *n);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return DB_OK;
}

static void read_caller_appeal(db_conn *c, db_rows *r, void *elem) {
    store_caller_appeal *a = elem;
    str_copy(a->number, sizeof a->number, c->drv->col_text(r, 0));
    str_copy(a->status, sizeof a->status, c->drv->col_text(r, 1));
    str_copy(a->category, sizeof a->category, c->drv->col_text(r, 2));
    str_copy(a->type, sizeof a->type, c->drv->col_text(r, 3));
    a->address = opt_text(c, r, 4);
    a->created_at = c->drv->col_int(r, 5);
    a->resolution_due_at = c->drv->col_int(r, 6);
}

static void release_caller_appeals(void *a, int n) { store_caller_appeals_free(a, n); }

int store_caller_appeals(db_conn *c, const char *phone, int limit, store_caller_appeal **out,
                         int *n) {
    db_val p[] = {db_text(phone), db_int(limit)};
    void *arr = NULL;
    int rc = read_all(c, SQL_CALLER_APPEALS, p, 2, sizeof **out, read_caller_appeal, &arr, n,
                      release_caller_appeals);
    *out = arr;
    return rc;
}

void store_caller_appeals_free(store_caller_appeal *a, int n) {
    for (int i = 0; i < n; i++) free(a[i].address);
    free(a);
}

static void read_consultation(db_conn *c, db_rows *r, void *elem) {
    store_consultation *k = elem;
    k->id = c->drv->col_int(r, 0);
    k->topic = xstrdup(c->drv->col_text(r, 1));
    k->note = opt_text(c, r, 2);
    k->created_at = c->drv->col_int(r, 3);
    str_copy(k->operator_login, sizeof k->operator_login, c->drv->col_text(r, 4));
}

static void release_consultations(void *a, int n) { store_consultations_free(a, n); }

int store_caller_consultations(db_conn *c, const char *phone, int limit,
                               store_consultation **out, int *n) {
    db_val p[] = {db_text(phone), db_int(limit)};
    void *arr = NULL;
    int rc = read_all(c, SQL_CALLER_CONSULTATIONS, p, 2, sizeof **out, read_consultation, &arr,
                      n, release_consultations);
    *out = arr;
    return rc;
}

void store_consultations_free(store_consultation *a, int n) {
    for (int i = 0; i < n; i++) {
        free(a[i].topic);
        free(a[i].note);
    }
    free(a);
}

int store_consultation_add(db_conn *c, const char *phone, const char *topic, const char *note,
                           int64_t operator_id, int64_t now, int64_t *id) {
    db_val p[] = {db_text(phone), db_text(topic), db_text(note), db_int(operator_id),
                  db_int(now)};
    db_rows *r = NULL;
    int rc = db_query(c, SQL_CONSULTATION_ADD, p, 5, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) *id = c->drv->col_int(r, 0);
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc == 0 ? DB_ERR : rc;
}

static void read_event(db_conn *c, db_rows *r, void *elem) {
    store_staff_event *e = elem;
    e->at = c->drv->col_int(r, 0);
    str_copy(e->kind, sizeof e->kind, c->drv->col_text(r, 1));
    str_copy(e->status, sizeof e->status, c->drv->col_text(r, 2));
    e->public = c->drv->col_int(r, 3) != 0;
    str_copy(e->actor, sizeof e->actor, c->drv->col_text(r, 4));
    e->note = opt_text(c, r, 5);
    e->data = opt_text(c, r, 6);
}

static void release_events(void *a, int n) { store_staff_events_free(a, n); }

int store_events_all(db_conn *c, int64_t appeal_id, store_staff_event **out, int *n) {
    db_val p[] = {db_int(appeal_id)};
    void *arr = NULL;
    int rc = read_all(c, SQL_EVENTS_ALL, p, 1, sizeof **out, read_event, &arr, n,
                      release_events);
    *out = arr;
    return rc;
}

void store_staff_events_free(store_staff_event *e, int n) {
    for (int i = 0; i < n; i++) {
        free(e[i].note);
        free(e[i].data);
    }
    free(e);
}

static void read_extension(db_conn *c, db_rows *r, void *elem) {
    store_extension *x = elem;
    const db_driver *d = c->drv;
    x->id = d->col_int(r, 0);
    str_copy(x->status, sizeof x->status, d->col_text(r, 1));
    x->reason = xstrdup(d->col_text(r, 2));
    x->old_due_at = d->col_int(r, 3);
    x->new_due_at = d->col_int(r, 4);
    x->created_at = d->col_int(r, 5);
    x->decided_at = d->is_null(r, 6) ? 0 : d->col_int(r, 6);
    x->decision_note = opt_text(c, r, 7);
    str_copy(x->by_login, sizeof x->by_login, d->col_text(r, 8));
    str_copy(x->by_name, sizeof x->by_name, d->col_text(r, 9));
    str_copy(x->decided_login, sizeof x->decided_login, d->col_text(r, 10));
    str_copy(x->decided_name, sizeof x->decided_name, d->col_text(r, 11));
}

static void release_extensions(void *a, int n) { store_extensions_free(a, n); }

int store_extensions_of(db_conn *c, int64_t appeal_id, store_extension **out, int *n) {
    db_val p[] = {db_int(appeal_id)};
    void *arr = NULL;
    int rc = read_all(c, SQL_EXTENSIONS, p, 1, sizeof **out, read_extension, &arr, n,
                      release_extensions);
    *out = arr;
    return rc;
}

void store_extensions_free(store_extension *e, int n) {
    for (int i = 0; i < n; i++) {
        free(e[i].reason);
        free(e[i].decision_note);
    }
    free(e);
}

int store_user_names(db_conn *c, int64_t user_id, char login[64], char name[256]) {
    db_val p[] = {db_int(user_id)};
    db_rows *r = NULL;
    int rc = db_query(c, SQL_USER_NAMES, p, 1, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) {
        str_copy(login, 64, c->drv->col_text(r, 0));
        str_copy(name, 256, c->drv->col_text(r, 1));
    }
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc == 0 ? DB_NOT_FOUND : rc;
}

int store_appeal_number(db_conn *c, int64_t id, char number[16]) {
    db_val p[] = {db_int(id)};
    db_rows *r = NULL;
    int rc = db_query(c, SQL_NUMBER, p, 1, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) str_copy(number, 16, c->drv->col_text(r, 0));
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc == 0 ? DB_NOT_FOUND : rc;
}

typedef char number_text[16];

static void read_number(db_conn *c, db_rows *r, void *elem) {
    str_copy(elem, sizeof(number_text), c->drv->col_text(r, 0));
}

static void release_plain(void *a, int n) {
    (void)n;
    free(a);
}

int store_appeal_children(db_conn *c, int64_t id, char (**numbers)[16], int *n) {
    db_val p[] = {db_int(id)};
    void *arr = NULL;
    int rc = read_all(c, SQL_CHILDREN, p, 1, sizeof(number_text), read_number, &arr, n,
                      release_plain);
    *numbers = arr;
    return rc;
}
