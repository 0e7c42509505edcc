/* Cookie sessions for staff and residents (see session.h). */
#include "api/session.h"
#include "store/store.h"
#include "util/timeutil.h"
#include <stdio.h>
#include <string.h>
#include "util/banned.h"

#define TOUCH_MS (60 * 1000LL) /* last_seen is written at most once a minute */

typedef struct {
    const api_session_kind *k;
    const char *hash;
    int64_t now;
} sess_tx;

static int touch_tx(db_conn *c, void *ctx) {
    sess_tx *x = ctx;
    return x->k->touch(c, x->hash, x->now);
}

static int end_tx(db_conn *c, void *ctx) {
    sess_tx *x = ctx;
    return x->k->end(c, x->hash);
}

api_sess_result api_session_find(http_req *req, const api_session_kind *k, void *out,
                                 char token_out[TOKEN_TEXT_LEN + 1], int64_t *created_out) {
    app_ctx *app = req->app;
    const char *token = http_cookie(req, k->cookie);
    if (!token || strlen(token) != TOKEN_TEXT_LEN) return API_SESS_NONE;
    char hash[HASH_HEX_LEN + 1];
    hash_hex(token, TOKEN_TEXT_LEN, hash, sizeof hash);
    int64_t created = 0, seen = 0;
    sess_tx x = {.k = k, .hash = hash, .now = time_now_ms()};
    db_conn *c = db_pool_acquire(app->pool);
    int rc = k->get(c, hash, out, &created, &seen);
    if (rc == DB_OK && (x.now - seen > k->idle_ms || x.now - created > k->abs_ms)) {
        store_tx(c, true, end_tx, &x);
        rc = DB_NOT_FOUND;
    } else if (rc == DB_OK && x.now - seen > TOUCH_MS) {
        if (store_tx(c, true, touch_tx, &x) != DB_OK) rc = DB_ERR;
    }
    db_pool_release(app->pool, c);
    if (rc == DB_NOT_FOUND) return API_SESS_NONE;
    if (rc != DB_OK) return API_SESS_ERROR;
    if (token_out) str_copy(token_out, TOKEN_TEXT_LEN + 1, token);
    if (created_out) *created_out = created;
    return API_SESS_OK;
}

bool api_session_end(http_req *req, const api_session_kind *k) {
    app_ctx *app = req->app;
    const char *token = http_cookie(req, k->cookie);
    char hash[HASH_HEX_LEN + 1];
    hash_hex(token, strlen(token), hash, sizeof hash);
    sess_tx x = {.k = k, .hash = hash};
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_tx(c, true, end_tx, &x);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) return false;
    api_session_cookie(req, k->cookie, "", 0);
    return true;
}

void api_session_cookie(http_req *req, const char *cookie, const char *token, long max_age) {
    char v[192];
    snprintf(v, sizeof v, "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%ld%s", cookie, token,
             max_age, req->https ? "; Secure" : "");
    http_add_header(req, "Set-Cookie", v);
}
