/* Cookie sessions, written once for staff (api/auth.c) and residents
 * (api/resident.c): the cookie holds a 256-bit token, the database only
 * its SHA-256; a session ends after `idle_ms` without a request or
 * `abs_ms` in all; last_seen is written at most once a minute. */
#ifndef KONTAKT_API_SESSION_H
#define KONTAKT_API_SESSION_H
#include "api/api.h"
#include "util/rand.h"
#include <stdint.h>

typedef struct {
    const char *cookie;      /* "kontakt_session", "kontakt_resident" */
    int64_t idle_ms, abs_ms;
    /* The holder of the session hash into *out (the kind's own struct). */
    int (*get)(db_conn *c, const char *hash, void *out, int64_t *created, int64_t *seen);
    int (*touch)(db_conn *c, const char *hash, int64_t now);
    int (*end)(db_conn *c, const char *hash);
} api_session_kind;

typedef enum { API_SESS_OK, API_SESS_NONE, API_SESS_ERROR } api_sess_result;

/* Finds the session of the request's cookie: OK with *out filled (and
 * token_out, created_out when not NULL), NONE when there is none or it
 * expired (then it is deleted), ERROR on a database error. Without a
 * cookie of the right length it reads no database. */
api_sess_result api_session_find(http_req *req, const api_session_kind *k, void *out,
                                 char token_out[TOKEN_TEXT_LEN + 1], int64_t *created_out);

/* Deletes the session of the request's cookie and clears the cookie;
 * false on a database error. */
bool api_session_end(http_req *req, const api_session_kind *k);

/* Set-Cookie: HttpOnly, SameSite=Lax, Path=/, Secure behind TLS. */
void api_session_cookie(http_req *req, const char *cookie, const char *token, long max_age);
#endif
