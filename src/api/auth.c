/* Staff sign-in: POST /api/v1/auth/login, /logout, GET /api/v1/auth/me,
 * and the session check every staff handler starts with (api/staff.h).
 *
 * The cookie holds a 256-bit token; the database holds only its SHA-256.
 * The CSRF token is derived from the session token (SHA-256 of a fixed
 * prefix and the token), so it needs no storage and dies with the session. */
#include "api/resident.h"
#include "api/session.h"
#include "api/staff.h"
#include "store/store.h"
#include "store/users.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/secret.h"
#include "util/timeutil.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "api/views.h"
#include "util/banned.h"

#define COOKIE "kontakt_session"
#define IDLE_MS (30 * 60 * 1000LL)
#define ABSOLUTE_MS (12 * 3600 * 1000LL)
#define FAIL_WINDOW_MS (15 * 60 * 1000LL)
#define FAIL_MAX_ACCOUNT 5
#define FAIL_MAX_ADDRESS 20

void api_csrf_of(const char *token, char out[HASH_HEX_LEN + 1]) {
    char text[TOKEN_TEXT_LEN + 8];
    int n = snprintf(text, sizeof text, "csrf:%s", token);
    hash_hex(text, (size_t)n, out, HASH_HEX_LEN + 1);
}

static void fill_staff(const store_user *u, api_staff *who) {
    memset(who, 0, sizeof *who);
    who->id = u->id;
    str_copy(who->login, sizeof who->login, u->login);
    str_copy(who->name, sizeof who->name, u->name);
    if (!dom_role_parse(u->role, &who->role)) who->role = DOM_ROLE_COUNT; /* no rights */
    str_copy(who->organisation, sizeof who->organisation, u->organisation);
}

void api_staff_actor(const api_staff *who, char *out, size_t cap) {
    snprintf(out, cap, "staff:%s", who->login);
}

static int staff_get(db_conn *c, const char *hash, void *out, int64_t *created, int64_t *seen) {
    return store_session_get(c, hash, out, created, seen);
}

static const api_session_kind STAFF = {
    .cookie = COOKIE, .idle_ms = IDLE_MS, .abs_ms = ABSOLUTE_MS, .get = staff_get,
    .touch = store_session_touch, .end = store_session_delete,
};

typedef api_sess_result sess_result;
#define SESS_OK API_SESS_OK
#define SESS_NONE API_SESS_NONE

/* The staff member of the request's session cookie; token_out (may be
 * NULL) receives the cookie's token. */
static sess_result find_session(http_req *req, api_staff *who, char *token_out,
                                int64_t *created_out) {
    store_user u;
    sess_result r = api_session_find(req, &STAFF, &u, token_out, created_out);
    if (r != SESS_OK) return r;
    fill_staff(&u, who);
    sodium_memzero(u.pw_hash, sizeof u.pw_hash);
    sodium_memzero(u.totp_secret, sizeof u.totp_secret);
    return SESS_OK;
}

bool api_safe_method(const http_req *req) {
    return strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
}

/* The request's X-CSRF-Token matches the session of `token`. */
bool api_csrf_ok(http_req *req, const char *token) {
    char want[HASH_HEX_LEN + 1];
    api_csrf_of(token, want);
    const char *got = http_header(req, "X-CSRF-Token");
    return got && strlen(got) == HASH_HEX_LEN && sodium_memcmp(got, want, HASH_HEX_LEN) == 0;
}

bool api_staff_session(http_req *req, api_staff *who) {
    char token[TOKEN_TEXT_LEN + 1];
    sess_result r = find_session(req, who, token, NULL);
    if (r != SESS_OK) {
        http_reply_error(req, r == SESS_NONE ? "auth_required" : "internal_error", NULL);
        return false;
    }
    if (!api_safe_method(req) && !api_csrf_ok(req, token)) {
        http_reply_error(req, "csrf_failed", NULL);
        return false;
    }
    return true;
}

bool api_staff_require(http_req *req, dom_right right, api_staff *who) {
    if (!api_staff_session(req, who)) return false;
    if (!dom_role_has(who->role, right)) {
        http_reply_error(req, "forbidden", NULL);
        return false;
    }
    return true;
}

bool api_staff_peek(http_req *req, api_staff *who) {
    char token[TOKEN_TEXT_LEN + 1];
    if (find_session(req, who, token, NULL) != SESS_OK) return false;
    return api_safe_method(req) || api_csrf_ok(req, token);
}

/* --- the answers ------------------------------------------------------- */
static json_t *session_json(const api_staff *who, const char *token, int64_t idle_until,
                            int64_t until) {
    char csrf[HASH_HEX_LEN + 1];
    api_csrf_of(token, csrf);
    char idle_text[40], abs_text[40];
    time_format_iso(idle_until, idle_text, sizeof idle_text);
    time_format_iso(until, abs_text, sizeof abs_text);
    json_t *j = json_pack("{s:{s:s, s:s, s:s, s:o}, s:s, s:s, s:s}", "user", "login", who->login,
                          "name", who->name, "role", dom_role_name(who->role), "organisation",
                          view_opt(who->organisation), "csrf_token", csrf, "idle_expires_at", idle_text, "expires_at", abs_text);
    /* The pages ask for rights, never for roles: the table stays in one place. */
    json_t *rights = json_array();
    for (int r = 0; r < DOM_RIGHT_COUNT; r++)
        if (dom_role_has(who->role, (dom_right)r))
            json_array_append_new(rights, json_string(dom_right_name((dom_right)r)));
    json_object_set_new(j, "rights", rights);
    return j;
}

static void set_cookie(http_req *req, const char *token, long max_age) {
    api_session_cookie(req, COOKIE, token, max_age);
}

void api_auth_me(http_req *req) {
    api_staff who;
    char token[TOKEN_TEXT_LEN + 1];
    int64_t created = 0;
    sess_result r = find_session(req, &who, token, &created);
    if (r != SESS_OK) {
        http_reply_error(req, r == SESS_NONE ? "auth_required" : "internal_error", NULL);
        return;
    }
    json_t *j = session_json(&who, token, time_now_ms() + IDLE_MS, created + ABSOLUTE_MS);
    http_reply_json(req, 200, j);
    json_decref(j);
}

void api_auth_logout(http_req *req) {
    api_staff who;
    if (!api_staff_session(req, &who)) return;
    if (!api_session_end(req, &STAFF)) {
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    http_reply_text(req, 204, NULL, NULL, 0);
}

/* --- POST /api/v1/auth/login ------------------------------------------- */
static const in_field login_spec[] = {
    {"login", IN_STRING, true, 1, 64, NULL},
    {"password", IN_STRING, true, 1, PASSWORD_MAX, NULL},
    {"totp", IN_STRING, false, 0, 16, NULL},
    {0},
};

typedef struct {
    /* in */
    const char *login, *password, *totp, *addr_key, *acct_key;
    int64_t now;
    char token_hash[HASH_HEX_LEN + 1];
    store_user user;     /* the account, when known */
    bool known;          /* it exists and is active */
    const char *failure; /* a failed attempt to record, or NULL */
    int64_t step;        /* the TOTP step accepted, 0 when none */
    /* out */
    const char *error; /* NULL: signed in */
    int64_t retry_s;
    api_staff who;
} login_ctx;

/* A fixed Argon2id hash to verify against when the login is unknown, so
 * the answer takes as long as for a known login. Made once at start. */
static char dummy_hash[PW_HASH_CAP];

void api_auth_init(void) {
    char pw[33];
    rand_hex(pw, sizeof pw, 16);
    if (!pw_hash(pw, dummy_hash)) dummy_hash[0] = '\0';
}

static int check_limits(db_conn *c, login_ctx *x) {
    int64_t since = x->now - FAIL_WINDOW_MS, n = 0, oldest = 0;
    const char *scopes[2] = {"account", "address"};
    const char *keys[2] = {x->acct_key, x->addr_key};
    const int64_t max[2] = {FAIL_MAX_ACCOUNT, FAIL_MAX_ADDRESS};
    for (int i = 0; i < 2; i++) {
        int rc = store_login_failures_since(c, scopes[i], keys[i], since, &n, &oldest);
        if (rc != DB_OK) return rc;
        if (n >= max[i]) {
            x->error = "too_many_attempts";
            x->retry_s = (oldest + FAIL_WINDOW_MS - x->now) / 1000 + 1;
            return DB_OK;
        }
    }
    return DB_OK;
}

static int record_failure(db_conn *c, login_ctx *x, const char *error) {
    x->error = error;
    int rc = store_login_failure_add(c, "account", x->acct_key, x->now);
    if (rc == DB_OK) rc = store_login_failure_add(c, "address", x->addr_key, x->now);
    return rc;
}

/* Sign-in in three steps, so that Argon2id (tens of milliseconds, 64 MiB)
 * never runs while the database's write lock is held: (1) a read
 * transaction checks the limits and reads the account; (2) the password
 * and the code are checked outside any transaction; (3) a short write
 * transaction records the failure, or the TOTP step and the session. */
static int read_tx(db_conn *c, void *ctx) {
    login_ctx *x = ctx;
    x->error = NULL;
    int rc = check_limits(c, x);
    if (rc != DB_OK || x->error) return rc;
    rc = store_user_by_login(c, x->login, &x->user);
    x->known = rc == DB_OK && x->user.active;
    return rc == DB_NOT_FOUND ? DB_OK : rc;
}

static void verify(login_ctx *x) {
    store_user *u = &x->user;
    bool pw_ok = pw_verify(x->known ? u->pw_hash : dummy_hash, x->password);
    if (!x->known || !pw_ok) {
        x->failure = "invalid_credentials";
        return;
    }
    dom_role role;
    bool needs = (dom_role_parse(u->role, &role) && dom_role_needs_totp(role)) || u->totp_secret[0];
    if (!needs) return;
    if (!x->totp || !*x->totp)
        x->error = "totp_required"; /* the password was right: not a failure */
    else if (!u->totp_secret[0] ||
             !totp_verify(u->totp_secret, x->totp, x->now / 1000, u->totp_last_step, &x->step))
        x->failure = "invalid_totp";
}

static int write_tx(db_conn *c, void *ctx) {
    login_ctx *x = ctx;
    if (x->failure) return record_failure(c, x, x->failure);
    int rc = DB_OK;
    if (x->step) {
        rc = store_user_totp_step(c, x->user.id, x->step);
        if (rc == DB_NOT_FOUND) return record_failure(c, x, "invalid_totp"); /* raced replay */
    }
    if (rc == DB_OK) rc = store_login_failures_clear(c, "account", x->acct_key);
    if (rc == DB_OK) rc = store_session_insert(c, x->token_hash, x->user.id, x->now);
    if (rc == DB_OK) rc = store_sessions_expire(c, x->now - IDLE_MS, x->now - ABSOLUTE_MS);
    return rc;
}

static int sign_in(db_conn *c, login_ctx *x) {
    int rc = store_tx(c, false, read_tx, x);
    if (rc != DB_OK || x->error) return rc;
    verify(x);
    if (x->error) return DB_OK;
    rc = store_tx(c, true, write_tx, x);
    if (rc == DB_OK && !x->error) fill_staff(&x->user, &x->who);
    return rc;
}

static void lower_copy(char *out, size_t cap, const char *in) {
    size_t i = 0;
    for (; in[i] && i + 1 < cap; i++)
        out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] - 'A' + 'a') : in[i];
    out[i] = '\0';
}

void api_auth_login(http_req *req) {
    app_ctx *app = req->app;
    json_t *body = http_json_object(req);
    if (!body) return;
    json_t *fields = json_object();
    if (!http_input_check(req, body, login_spec, "", fields)) {
        http_reply_error(req, "validation_failed", fields);
        json_decref(fields);
        json_decref(body);
        return;
    }
    json_decref(fields);
    login_ctx x = {.now = time_now_ms()};
    char login[65], acct[HASH_HEX_LEN + 1], addr[HASH_HEX_LEN + 1];
    lower_copy(login, sizeof login, json_string_value(json_object_get(body, "login")));
    x.login = login;
    x.password = json_string_value(json_object_get(body, "password"));
    x.totp = json_string_value(json_object_get(body, "totp"));
    hash_hex(login, strlen(login), acct, sizeof acct);
    hash_hex(req->client, sizeof req->client, addr, sizeof addr);
    x.acct_key = acct;
    x.addr_key = addr;
    char token[TOKEN_TEXT_LEN + 1];
    rand_token(token, sizeof token);
    hash_hex(token, TOKEN_TEXT_LEN, x.token_hash, sizeof x.token_hash);
    db_conn *c = db_pool_acquire(app->pool);
    int rc = sign_in(c, &x);
    db_pool_release(app->pool, c);
    sodium_memzero(&x.user, sizeof x.user);
    json_decref(body);
    if (rc != DB_OK) {
        http_reply_error(req, "internal_error", NULL);
    } else if (x.error) {
        if (x.retry_s > 0) {
            char retry[24];
            snprintf(retry, sizeof retry, "%lld", (long long)x.retry_s);
            http_add_header(req, "Retry-After", retry);
        }
        log_info("sign-in refused", "\"reason\":\"%s\"", x.error);
        http_reply_error(req, x.error, NULL);
    } else {
        log_info("signed in", "\"user_id\":%lld,\"role\":\"%s\"", (long long)x.who.id,
                 dom_role_name(x.who.role));
        set_cookie(req, token, (long)(ABSOLUTE_MS / 1000));
        json_t *j = session_json(&x.who, token, x.now + IDLE_MS, x.now + ABSOLUTE_MS);
        http_reply_json(req, 200, j);
        json_decref(j);
    }
    sodium_memzero(token, sizeof token);
}
