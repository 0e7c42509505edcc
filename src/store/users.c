/* Staff accounts, sessions and failed logins (see users.h). */
#include "store/users.h"
#include "store/store.h"
#include "util/buf.h"
#include <stdlib.h>
#include "util/banned.h"

#define USER_COLS                                                                              \
    "u.id, u.login, u.name, u.role, COALESCE(u.organisation, ''), u.password_hash,"           \
    " COALESCE(u.totp_secret, ''), u.active, u.created_at, u.updated_at, u.totp_last_step"

static const char *SQL_INSERT =
    "INSERT INTO users (login, name, role, organisation, password_hash, totp_secret, active,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id";
static const char *SQL_BY_LOGIN = "SELECT " USER_COLS " FROM users u WHERE u.login = ?";
static const char *SQL_LIST = "SELECT " USER_COLS " FROM users u ORDER BY u.login";
static const char *SQL_UPDATE =
    "UPDATE users SET name = COALESCE(?, name), role = COALESCE(?, role),"
    " organisation = CASE WHEN ? = 1 THEN ? ELSE organisation END,"
    " password_hash = COALESCE(?, password_hash), totp_secret = COALESCE(?, totp_secret),"
    " active = CASE WHEN ? >= 0 THEN ? ELSE active END, updated_at = ? WHERE login = ?"
    " RETURNING id";
static const char *SQL_TOTP_STEP =
    "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ? RETURNING id";
static const char *SQL_END_SESSIONS = "DELETE FROM sessions WHERE user_id = ?";
static const char *SQL_SESSION_INSERT =
    "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)";
static const char *SQL_SESSION_GET =
    "SELECT " USER_COLS ", s.created_at, s.last_seen_at FROM sessions s"
    " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.active = 1";
static const char *SQL_SESSION_TOUCH = "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?";
static const char *SQL_SESSION_DELETE = "DELETE FROM sessions WHERE token_hash = ?";
static const char *SQL_SESSIONS_EXPIRE =
    "DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?";
static const char *SQL_FAIL_ADD =
    "INSERT INTO login_failures (scope, key_hash, at) VALUES (?, ?, ?)";
static const char *SQL_FAIL_FORGET =
    "DELETE FROM login_failures WHERE scope = ? AND key_hash = ? AND at < ?";
static const char *SQL_FAIL_COUNT =
    "SELECT COUNT(*), COALESCE(MIN(at), 0) FROM login_failures"
    " WHERE scope = ? AND key_hash = ? AND at >= ?";
static const char *SQL_FAIL_CLEAR = "DELETE FROM login_failures WHERE scope = ? AND key_hash = ?";

static void read_user(db_conn *c, db_rows *r, store_user *u) {
    const db_driver *d = c->drv;
    u->id = d->col_int(r, 0);
    str_copy(u->login, sizeof u->login, d->col_text(r, 1));
    str_copy(u->name, sizeof u->name, d->col_text(r, 2));
    str_copy(u->role, sizeof u->role, d->col_text(r, 3));
    str_copy(u->organisation, sizeof u->organisation, d->col_text(r, 4));
    str_copy(u->pw_hash, sizeof u->pw_hash, d->col_text(r, 5));
    str_copy(u->totp_secret, sizeof u->totp_secret, d->col_text(r, 6));
    u->active = d->col_int(r, 7) != 0;
    u->created_at = d->col_int(r, 8);
    u->updated_at = d->col_int(r, 9);
    u->totp_last_step = d->col_int(r, 10);
}

/* Runs a query expected to give one row; fills via read_user (+ extras). */
static int one_row(db_conn *c, const char *sql, const db_val *p, int n, store_user *u,
                   int64_t *extra, int n_extra) {
    db_rows *r = NULL;
    int rc = db_query(c, sql, p, n, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) {
        if (u) read_user(c, r, u);
        for (int i = 0; i < n_extra; i++) extra[i] = c->drv->col_int(r, 11 + i);
    }
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc == 0 ? DB_NOT_FOUND : rc;
}

int store_user_insert(db_conn *c, const store_user *u, int64_t *id) {
    db_val p[] = {db_text(u->login),
                  db_text(u->name),
                  db_text(u->role),
                  db_text(u->organisation[0] ? u->organisation : NULL),
                  db_text(u->pw_hash),
                  db_text(u->totp_secret[0] ? u->totp_secret : NULL),
                  db_int(u->created_at),
                  db_int(u->created_at)};
    db_rows *r = NULL;
    int rc = db_query(c, SQL_INSERT, p, 8, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) *id = c->drv->col_int(r, 0);
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc == 0 ? DB_ERR : rc;
}

int store_users_count(db_conn *c, int64_t *n) {
    return store_query_int(c, "SELECT COUNT(*) FROM users", NULL, 0, n);
}

int store_user_by_login(db_conn *c, const char *login, store_user *out) {
    db_val p[] = {db_text(login)};
    return one_row(c, SQL_BY_LOGIN, p, 1, out, NULL, 0);
}

int store_users_list(db_conn *c, store_user **out, int *n) {
    db_rows *r = NULL;
    int rc = db_query(c, SQL_LIST, NULL, 0, &r);
    if (rc != DB_OK) return rc;
    size_t cap = 16;
    *out = xcalloc(cap, sizeof **out);
    *n = 0;
    while ((rc = db_next(c, r)) == 1) {
        if ((size_t)*n == cap) {
            cap *= 2;
            store_user *grown = realloc(*out, cap * sizeof *grown);
            if (!grown) abort();
            *out = grown;
        }
        read_user(c, r, &(*out)[(*n)++]);
    }
    db_rows_free(c, r);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        return rc;
    }
    return DB_OK;
}

int store_user_update(db_conn *c, const char *login, const store_user_change *ch) {
    db_val p[] = {db_text(ch->name),
                  db_text(ch->role),
                  db_int(ch->set_organisation ? 1 : 0),
                  db_text(ch->organisation),
                  db_text(ch->pw_hash),
                  db_text(ch->totp_secret),
                  db_int(ch->active),
                  db_int(ch->active),
                  db_int(ch->now),
                  db_text(login)};
    db_rows *r = NULL;
    int rc = db_query(c, SQL_UPDATE, p, 10, &r);
    if (rc != DB_OK) return rc;
    int64_t id = 0;
    rc = db_next(c, r);
    if (rc == 1) id = c->drv->col_int(r, 0);
    db_rows_free(c, r);
    if (rc != 1) return rc == 0 ? DB_NOT_FOUND : rc;
    /* A new password, a new second factor, a new role or deactivation:
     * whoever held a session under the old terms signs in again. */
    if (!ch->pw_hash && !ch->totp_secret && ch->active != 0 && !ch->role) return DB_OK;
    db_val q[] = {db_int(id)};
    return db_query(c, SQL_END_SESSIONS, q, 1, NULL);
}

int store_user_totp_step(db_conn *c, int64_t user_id, int64_t step) {
    db_val p[] = {db_int(step), db_int(user_id), db_int(step)};
    db_rows *r = NULL;
    int rc = db_query(c, SQL_TOTP_STEP, p, 3, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc == 0 ? DB_NOT_FOUND : rc;
}

int store_session_insert(db_conn *c, const char *token_hash, int64_t user_id, int64_t now) {
    db_val p[] = {db_text(token_hash), db_int(user_id), db_int(now), db_int(now)};
    return db_query(c, SQL_SESSION_INSERT, p, 4, NULL);
}

int store_session_get(db_conn *c, const char *token_hash, store_user *u, int64_t *created_at,
                      int64_t *last_seen_at) {
    db_val p[] = {db_text(token_hash)};
    int64_t extra[2] = {0, 0};
    int rc = one_row(c, SQL_SESSION_GET, p, 1, u, extra, 2);
    *created_at = extra[0];
    *last_seen_at = extra[1];
    return rc;
}

int store_session_touch(db_conn *c, const char *token_hash, int64_t now) {
    db_val p[] = {db_int(now), db_text(token_hash)};
    return db_query(c, SQL_SESSION_TOUCH, p, 2, NULL);
}

int store_session_delete(db_conn *c, const char *token_hash) {
    db_val p[] = {db_text(token_hash)};
    return db_query(c, SQL_SESSION_DELETE, p, 1, NULL);
}

int store_sessions_expire(db_conn *c, int64_t idle_before, int64_t abs_before) {
    db_val p[] = {db_int(idle_before), db_int(abs_before)};
    return db_query(c, SQL_SESSIONS_EXPIRE, p, 2, NULL);
}

int store_login_failure_add(db_conn *c, const char *scope, const char *key_hash, int64_t now) {
    /* Keep a day of history per key: enough for any window we count. */
    db_val f[] = {db_text(scope), db_text(key_hash), db_int(now - 24 * 3600 * 1000LL)};
    int rc = db_query(c, SQL_FAIL_FORGET, f, 3, NULL);
    if (rc != DB_OK) return rc;
    db_val p[] = {db_text(scope), db_text(key_hash), db_int(now)};
    return db_query(c, SQL_FAIL_ADD, p, 3, NULL);
}

int store_login_failures_since(db_conn *c, const char *scope, const char *key_hash, int64_t since,
                               int64_t *count, int64_t *oldest) {
    db_val p[] = {db_text(scope), db_text(key_hash), db_int(since)};
    db_rows *r = NULL;
    int rc = db_query(c, SQL_FAIL_COUNT, p, 3, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) {
        *count = c->drv->col_int(r, 0);
        *oldest = c->drv->col_int(r, 1);
    }
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : DB_ERR;
}

int store_login_failures_clear(db_conn *c, const char *scope, const char *key_hash) {
    db_val p[] = {db_text(scope), db_text(key_hash)};
    return db_query(c, SQL_FAIL_CLEAR, p, 2, NULL);
}
