/* Residents, their sessions and codes, the cabinet (see residents.h). */
#include "store/residents.h"
#include "store/store.h"
#include "util/buf.h"
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define RES_COLS                                                                              \
    "r.id, COALESCE(r.phone, ''), COALESCE(r.email, ''), r.notify, r.lang, r.created_at"

static const char *SQL_BY_PHONE =
    "SELECT " RES_COLS " FROM residents r WHERE r.phone = ? AND r.closed_at IS NULL";
static const char *SQL_BY_EMAIL =
    "SELECT " RES_COLS " FROM residents r WHERE r.email = ? AND r.closed_at IS NULL";
static const char *SQL_BY_ID =
    "SELECT " RES_COLS " FROM residents r WHERE r.id = ? AND r.closed_at IS NULL";
static const char *SQL_CREATE =
    "INSERT INTO residents (phone, email, lang, created_at) VALUES (?, ?, ?, ?) RETURNING id";
static const char *SQL_SET_PHONE = "UPDATE residents SET phone = ? WHERE id = ?";
static const char *SQL_SET_EMAIL = "UPDATE residents SET email = ? WHERE id = ?";
static const char *SQL_SET_PREFS =
    "UPDATE residents SET notify = COALESCE(?, notify), lang = COALESCE(?, lang) WHERE id = ?";
static const char *SQL_SESSION_INSERT =
    "INSERT INTO resident_sessions (token_hash, resident_id, created_at, last_seen_at)"
    " VALUES (?, ?, ?, ?)";
static const char *SQL_SESSION_GET =
    "SELECT " RES_COLS ", s.created_at, s.last_seen_at FROM resident_sessions s"
    " JOIN residents r ON r.id = s.resident_id WHERE s.token_hash = ? AND r.closed_at IS NULL";
static const char *SQL_SESSION_TOUCH =
    "UPDATE resident_sessions SET last_seen_at = ? WHERE token_hash = ?";
static const char *SQL_SESSION_DELETE = "DELETE FROM resident_sessions WHERE token_hash = ?";
static const char *SQL_CODE_INSERT =
    "INSERT INTO login_codes (contact_hash, code_hash, salt, expires_at, created_at)"
    " VALUES (?, ?, ?, ?, ?)";
static const char *SQL_CODE_CURRENT =
    "SELECT id, code_hash, salt, expires_at, attempts FROM login_codes"
    " WHERE contact_hash = ? AND used_at IS NULL AND expires_at > ? ORDER BY id DESC LIMIT 1";
static const char *SQL_CODES_SINCE =
    "SELECT COUNT(*), COALESCE(MAX(created_at), 0) FROM login_codes"
    " WHERE contact_hash = ? AND created_at >= ?";
static const char *SQL_CODE_ATTEMPT =
    "UPDATE login_codes SET attempts = attempts + 1"
    " WHERE id = ? AND used_at IS NULL AND attempts < ? RETURNING attempts";
static const char *SQL_CODE_BURN = "UPDATE login_codes SET used_at = ? WHERE id = ?";
static const char *SQL_CODE_LOCK_PG = "SELECT pg_advisory_xact_lock(hashtext(?))";
static const char *SQL_CODE_USE =
    "UPDATE login_codes SET used_at = ? WHERE id = ? AND used_at IS NULL RETURNING id";
static const char *SQL_CABINET_PHONE =
    "SELECT number FROM appeals WHERE applicant_phone = ? ORDER BY created_at DESC, id DESC"
    " LIMIT ?";
static const char *SQL_CABINET_EMAIL =
    "SELECT number FROM appeals WHERE applicant_email = ? ORDER BY created_at DESC, id DESC"
    " LIMIT ?";
static const char *SQL_CABINET_BOTH =
    "SELECT number FROM appeals WHERE applicant_phone = ? OR applicant_email = ?"
    " ORDER BY created_at DESC, id DESC LIMIT ?";
static const char *SQL_OWNS_PHONE =
    "SELECT COUNT(*) FROM appeals WHERE number = ? AND applicant_phone = ?";
static const char *SQL_OWNS_EMAIL =
    "SELECT COUNT(*) FROM appeals WHERE number = ? AND applicant_email = ?";
static const char *SQL_SUBS =
    "SELECT a.number FROM subscriptions s JOIN appeals a ON a.id = s.appeal_id"
    " WHERE s.resident_id = ? ORDER BY s.created_at DESC, s.id DESC LIMIT ?";
static const char *SQL_SUB_EXISTS =
    "SELECT COUNT(*) FROM subscriptions WHERE resident_id = ? AND appeal_id = ?";
static const char *SQL_SUBSCRIBE =
    "INSERT INTO subscriptions (appeal_id, phone, email, tracking_hash, created_at, resident_id,"
    " lang) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char *SQL_UNSUBSCRIBE =
    "DELETE FROM subscriptions WHERE resident_id = ?"
    " AND appeal_id = (SELECT id FROM appeals WHERE number = ?) RETURNING id";
/* Closing an account: what names the person goes; the records stay. */
static const char *SQL_ANON_APPEALS_PHONE =
    "UPDATE appeals SET applicant_name = '', applicant_phone = '', applicant_email = NULL"
    " WHERE applicant_phone = ?";
static const char *SQL_ANON_APPEALS_EMAIL =
    "UPDATE appeals SET applicant_name = '', applicant_phone = '', applicant_email = NULL"
    " WHERE applicant_email = ?";
static const char *SQL_ANON_SUBS =
    "UPDATE subscriptions SET phone = NULL, email = NULL, resident_id = NULL"
    " WHERE resident_id = ? OR phone = ? OR email = ?";
static const char *SQL_ANON_CONSULTATIONS = "UPDATE consultations SET phone = NULL WHERE phone = ?";
/* Sent and failed messages too: the outbox is no archive of addresses. */
static const char *SQL_DROP_OUTBOX = "DELETE FROM outbox WHERE recipient IN (?, ?)";
static const char *SQL_END_SESSIONS = "DELETE FROM resident_sessions WHERE resident_id = ?";
static const char *SQL_CLOSE =
    "UPDATE residents SET phone = NULL, email = NULL, notify = 'none', closed_at = ?"
    " WHERE id = ?";

int store_residents_expire(db_conn *c, int64_t idle_before, int64_t abs_before,
                           int64_t old_before) {
    db_val s[] = {db_int(idle_before), db_int(abs_before)};
    db_val o[] = {db_int(old_before)};
    int rc = db_query(c, "DELETE FROM resident_sessions WHERE last_seen_at < ? OR created_at < ?",
                      s, 2, NULL);
    if (rc == DB_OK) rc = db_query(c, "DELETE FROM login_codes WHERE created_at < ?", o, 1, NULL);
    if (rc == DB_OK)
        rc = db_query(c,
                      "DELETE FROM login_failures WHERE scope IN ('code_addr', 'verify_addr')"
                      " AND at < ?",
                      o, 1, NULL);
    return rc;
}

static void read_resident(db_conn *c, db_rows *r, store_resident *o) {
    const db_driver *d = c->drv;
    memset(o, 0, sizeof *o);
    o->id = d->col_int(r, 0);
    str_copy(o->phone, sizeof o->phone, d->col_text(r, 1));
    str_copy(o->email, sizeof o->email, d->col_text(r, 2));
    str_copy(o->notify, sizeof o->notify, d->col_text(r, 3));
    str_copy(o->lang, sizeof o->lang, d->col_text(r, 4));
    o->created_at = d->col_int(r, 5);
}

/* One resident row (+ n_extra integer columns after the resident's six). */
static int one_resident(db_conn *c, const char *sql, const db_val *p, int n, store_resident *o,
                        int64_t *extra, int n_extra) {
    db_rows *r = NULL;
    int rc = db_query(c, sql, p, n, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) {
        read_resident(c, r, o);
        for (int i = 0; i < n_extra; i++) extra[i] = c->drv->col_int(r, 6 + i);
    }
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc == 0 ? DB_NOT_FOUND : rc;
}

int store_resident_by_contact(db_conn *c, const char *phone, const char *email,
                              store_resident *out) {
    db_val p[] = {db_text(phone ? phone : email)};
    return one_resident(c, phone ? SQL_BY_PHONE : SQL_BY_EMAIL, p, 1, out, NULL, 0);
}

int store_resident_get(db_conn *c, int64_t id, store_resident *out) {
    db_val p[] = {db_int(id)};
    return one_resident(c, SQL_BY_ID, p, 1, out, NULL, 0);
}

int store_resident_create(db_conn *c, const char *phone, const char *email, const char *lang,
                          int64_t now, int64_t *id) {
    db_val p[] = {db_text(phone), db_text(email), db_text(lang), db_int(now)};
    return store_query_int(c, SQL_CREATE, p, 4, id);
}

int store_resident_set_contact(db_conn *c, int64_t id, const char *phone, const char *email) {
    db_val p[] = {db_text(phone ? phone : email), db_int(id)};
    return db_query(c, phone ? SQL_SET_PHONE : SQL_SET_EMAIL, p, 2, NULL);
}

int store_resident_set_prefs(db_conn *c, int64_t id, const char *notify, const char *lang) {
    db_val p[] = {db_text(notify), db_text(lang), db_int(id)};
    return db_query(c, SQL_SET_PREFS, p, 3, NULL);
}

int store_rsession_insert(db_conn *c, const char *token_hash, int64_t resident_id, int64_t now) {
    db_val p[] = {db_text(token_hash), db_int(resident_id), db_int(now), db_int(now)};
    return db_query(c, SQL_SESSION_INSERT, p, 4, NULL);
}

int store_rsession_get(db_conn *c, const char *token_hash, store_resident *out,
                       int64_t *created_at, int64_t *last_seen_at) {
    db_val p[] = {db_text(token_hash)};
    int64_t extra[2] = {0, 0};
    int rc = one_resident(c, SQL_SESSION_GET, p, 1, out, extra, 2);
    *created_at = extra[0];
    *last_seen_at = extra[1];
    return rc;
}

int store_rsession_touch(db_conn *c, const char *token_hash, int64_t now) {
    db_val p[] = {db_int(now), db_text(token_hash)};
    return db_query(c, SQL_SESSION_TOUCH, p, 2, NULL);
}

int store_rsession_delete(db_conn *c, const char *token_hash) {
    db_val p[] = {db_text(token_hash)};
    return db_query(c, SQL_SESSION_DELETE, p, 1, NULL);
}

int store_code_insert(db_conn *c, const char *contact_hash, const char *code_hash,
                      const char *salt, int64_t expires_at, int64_t now) {
    db_val p[] = {db_text(contact_hash), db_text(code_hash), db_text(salt), db_int(expires_at),
                  db_int(now)};
    return db_query(c, SQL_CODE_INSERT, p, 5, NULL);
}

int store_code_current(db_conn *c, const char *contact_hash, int64_t now, store_code *out) {
    db_val p[] = {db_text(contact_hash), db_int(now)};
    db_rows *r = NULL;
    int rc = db_query(c, SQL_CODE_CURRENT, p, 2, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) {
        const db_driver *d = c->drv;
        out->id = d->col_int(r, 0);
        str_copy(out->code_hash, sizeof out->code_hash, d->col_text(r, 1));
        str_copy(out->salt, sizeof out->salt, d->col_text(r, 2));
        out->expires_at = d->col_int(r, 3);
        out->attempts = (int)d->col_int(r, 4);
    }
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc == 0 ? DB_NOT_FOUND : rc;
}

int store_codes_since(db_conn *c, const char *contact_hash, int64_t since, int64_t *n,
                      int64_t *newest) {
    db_val p[] = {db_text(contact_hash), db_int(since)};
    db_rows *r = NULL;
    int rc = db_query(c, SQL_CODES_SINCE, p, 2, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) {
        *n = c->drv->col_int(r, 0);
        *newest = c->drv->col_int(r, 1);
    }
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc == 0 ? DB_ERR : rc;
}

int store_code_attempt(db_conn *c, int64_t id, int max_attempts, int *attempts) {
    db_val p[] = {db_int(id), db_int(max_attempts)};
    int64_t n = 0;
    int rc = store_query_int(c, SQL_CODE_ATTEMPT, p, 2, &n);
    if (rc == DB_OK) *attempts = (int)n;
    return rc;
}

int store_code_burn(db_conn *c, int64_t id, int64_t now) {
    db_val p[] = {db_int(now), db_int(id)};
    return db_query(c, SQL_CODE_BURN, p, 2, NULL);
}

int store_code_lock(db_conn *c, const char *contact_hash) {
    if (c->drv->kind != DB_KIND_PG) return DB_OK;
    db_val p[] = {db_text(contact_hash)};
    return db_query(c, SQL_CODE_LOCK_PG, p, 1, NULL);
}

int store_code_use(db_conn *c, int64_t id, int64_t now) {
    db_val p[] = {db_int(now), db_int(id)};
    int64_t got = 0;
    return store_query_int(c, SQL_CODE_USE, p, 2, &got);
}

/* Reads a column of numbers into a growing array. */
static int numbers_of(db_conn *c, const char *sql, const db_val *p, int np,
                      char (**numbers)[16], int *n) {
    db_rows *r = NULL;
    *numbers = NULL;
    *n = 0;
    int rc = db_query(c, sql, p, np, &r);
    if (rc != DB_OK) return rc;
    size_t cap = 8;
    *numbers = xcalloc(cap, sizeof **numbers);
    while ((rc = db_next(c, r)) == 1) {
        if ((size_t)*n == cap) {
            cap *= 2;
            *numbers = xrealloc(*numbers, cap * sizeof **numbers);
        }
        str_copy((*numbers)[*n], sizeof (*numbers)[*n], c->drv->col_text(r, 0));
        (*n)++;
    }
    db_rows_free(c, r);
    if (rc < 0) {
        free(*numbers);
        *numbers = NULL;
        *n = 0;
        return rc;
    }
    return DB_OK;
}

int store_cabinet_numbers(db_conn *c, const char *phone, const char *email, int limit,
                          char (**numbers)[16], int *n) {
    if (phone[0] && email[0]) {
        db_val p[] = {db_text(phone), db_text(email), db_int(limit)};
        return numbers_of(c, SQL_CABINET_BOTH, p, 3, numbers, n);
    }
    db_val p[] = {db_text(phone[0] ? phone : email), db_int(limit)};
    return numbers_of(c, phone[0] ? SQL_CABINET_PHONE : SQL_CABINET_EMAIL, p, 2, numbers, n);
}

int store_cabinet_owns(db_conn *c, const char *number, const char *phone, const char *email) {
    int64_t k = 0;
    int rc = DB_OK;
    if (phone[0]) {
        db_val p[] = {db_text(number), db_text(phone)};
        rc = store_query_int(c, SQL_OWNS_PHONE, p, 2, &k);
    }
    if (rc == DB_OK && k == 0 && email[0]) {
        db_val p[] = {db_text(number), db_text(email)};
        rc = store_query_int(c, SQL_OWNS_EMAIL, p, 2, &k);
    }
    if (rc != DB_OK) return rc;
    return k > 0 ? DB_OK : DB_NOT_FOUND;
}

int store_resident_subscriptions(db_conn *c, int64_t resident_id, int limit,
                                 char (**numbers)[16], int *n) {
    db_val p[] = {db_int(resident_id), db_int(limit)};
    return numbers_of(c, SQL_SUBS, p, 2, numbers, n);
}

int store_resident_subscribe(db_conn *c, int64_t resident_id, int64_t appeal_id,
                             const char *phone, const char *email, const char *lang,
                             const char *tracking_hash, int64_t now) {
    db_val q[] = {db_int(resident_id), db_int(appeal_id)};
    int64_t k = 0;
    int rc = store_query_int(c, SQL_SUB_EXISTS, q, 2, &k);
    if (rc != DB_OK) return rc;
    if (k > 0) return DB_CONSTRAINT;
    db_val p[] = {db_int(appeal_id), db_text(phone && phone[0] ? phone : NULL),
                  db_text(email && email[0] ? email : NULL), db_text(tracking_hash), db_int(now),
                  db_int(resident_id), db_text(lang)};
    return db_query(c, SQL_SUBSCRIBE, p, 7, NULL);
}

int store_resident_unsubscribe(db_conn *c, int64_t resident_id, const char *number) {
    db_val p[] = {db_int(resident_id), db_text(number)};
    int64_t got = 0;
    return store_query_int(c, SQL_UNSUBSCRIBE, p, 2, &got);
}

int store_resident_close(db_conn *c, const store_resident *r, int64_t now) {
    /* A missing contact is NULL, which no comparison matches (blanked rows
     * hold '' or NULL, and "" must not match them). */
    const char *phone = r->phone[0] ? r->phone : NULL;
    const char *email = r->email[0] ? r->email : NULL;
    db_val ph[] = {db_text(phone)};
    db_val em[] = {db_text(email)};
    db_val subs[] = {db_int(r->id), db_text(phone), db_text(email)};
    db_val out[] = {db_text(phone), db_text(email)};
    db_val id[] = {db_int(r->id)};
    db_val close[] = {db_int(now), db_int(r->id)};
    int rc = db_query(c, SQL_ANON_APPEALS_PHONE, ph, 1, NULL);
    if (rc == DB_OK) rc = db_query(c, SQL_ANON_APPEALS_EMAIL, em, 1, NULL);
    if (rc == DB_OK) rc = db_query(c, SQL_ANON_SUBS, subs, 3, NULL);
    if (rc == DB_OK) rc = db_query(c, SQL_ANON_CONSULTATIONS, ph, 1, NULL);
    if (rc == DB_OK) rc = db_query(c, SQL_DROP_OUTBOX, out, 2, NULL);
    if (rc == DB_OK) rc = db_query(c, SQL_END_SESSIONS, id, 1, NULL);
    if (rc == DB_OK) rc = db_query(c, SQL_CLOSE, close, 2, NULL);
    return rc;
}
