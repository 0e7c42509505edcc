/* Staff accounts, sessions and failed logins (store/users.c). */
#ifndef KONTAKT_STORE_USERS_H
#define KONTAKT_STORE_USERS_H
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int64_t id;
    char login[64];
    char name[256]; /* 60 code points at most (STAFF_NAME_MAX): up to 240 bytes */
    char role[16];
    char organisation[64]; /* "" when none */
    char pw_hash[128];
    char totp_secret[64];  /* "" when none */
    bool active;
    int64_t created_at, updated_at;
    int64_t totp_last_step; /* the 30-second step of the last code accepted */
} store_user;

/* DB_CONSTRAINT when the login is taken (or the organisation unknown). */
int store_user_insert(db_conn *c, const store_user *u, int64_t *id);
int store_users_count(db_conn *c, int64_t *n);
int store_user_by_login(db_conn *c, const char *login, store_user *out);
/* Every account, by login; *out owned by the caller (free). */
int store_users_list(db_conn *c, store_user **out, int *n);
/* Changes the given fields (NULL / negative: keep). Ends the user's
 * sessions when the password changes or the account is deactivated. */
typedef struct {
    const char *name, *role, *organisation, *pw_hash, *totp_secret;
    bool set_organisation; /* organisation NULL with this: clear it */
    int active;            /* -1 keep, 0, 1 */
    int64_t now;
} store_user_change;
int store_user_update(db_conn *c, const char *login, const store_user_change *ch);

/* Records the TOTP step just accepted; DB_NOT_FOUND when an equal or
 * later one was recorded meanwhile (a replayed or raced code). */
int store_user_totp_step(db_conn *c, int64_t user_id, int64_t step);

/* Sessions: only the SHA-256 of the token is stored. */
int store_session_insert(db_conn *c, const char *token_hash, int64_t user_id, int64_t now);
/* The session's active user; DB_NOT_FOUND when unknown or the user is inactive. */
int store_session_get(db_conn *c, const char *token_hash, store_user *u, int64_t *created_at,
                      int64_t *last_seen_at);
int store_session_touch(db_conn *c, const char *token_hash, int64_t now);
int store_session_delete(db_conn *c, const char *token_hash);
/* Forgets sessions idle since before `idle_before` or started before `abs_before`. */
int store_sessions_expire(db_conn *c, int64_t idle_before, int64_t abs_before);

/* Failed logins, by scope ("account" or "address") and a hash of the key. */
int store_login_failure_add(db_conn *c, const char *scope, const char *key_hash, int64_t now);
int store_login_failures_since(db_conn *c, const char *scope, const char *key_hash, int64_t since,
                               int64_t *count, int64_t *oldest);
int store_login_failures_clear(db_conn *c, const char *scope, const char *key_hash);
#endif
