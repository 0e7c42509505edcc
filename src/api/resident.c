/* Residents' sign-in without passwords: POST /api/v1/auth/code sends a
 * one-time code by SMS or email (through the outbox), POST
 * /api/v1/auth/code/verify opens the session; GET /api/v1/me and POST
 * /api/v1/me/logout; the session check the cabinet's handlers start with.
 *
 * A code: 6 digits, 10 minutes, single use, 5 attempts. The database holds
 * a salted SHA-256 of the code, and a plain SHA-256 of the contact it went
 * to (a key for the limits, not a secret: the outbox row names the
 * contact anyway until it is closed). The session
 * cookie holds a 256-bit token, the database its SHA-256, as for staff. */
#include "api/resident.h"
#include "api/session.h"
#include "api/views.h"
#include "domain/validate.h"
#include "jobs/outbox.h"
#include "store/outbox.h"
#include "store/store.h"
#include "store/users.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/timeutil.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "util/banned.h"

#define COOKIE "kontakt_resident"
#define IDLE_MS (7 * 24 * 3600 * 1000LL)      /* residents come back over days */
#define ABSOLUTE_MS (30 * 24 * 3600 * 1000LL) /* and sign in again each month */
#define CODE_TTL_MS (10 * 60 * 1000LL)
#define CODE_ATTEMPTS 5
#define CODE_GAP_MS (60 * 1000LL)     /* one code a minute per contact */
#define CODE_WINDOW_MS (3600 * 1000LL) /* and five an hour */
#define CODE_MAX_CONTACT 5
#define CODE_MAX_ADDRESS 20            /* codes asked from one address an hour */
#define VERIFY_WINDOW_MS (15 * 60 * 1000LL)
#define VERIFY_MAX_ADDRESS 30          /* wrong codes from one address in 15 min */
#define DAY_MS (24 * 3600 * 1000LL)
#define VERIFY_MAX_CONTACT_DAY 15      /* wrong codes for one contact in a day (3 codes' worth) */

void api_resident_actor(const store_resident *who, char *out, size_t cap) {
    snprintf(out, cap, "resident:%lld", (long long)who->id);
}

/* --- the session ---------------------------------------------------------- */
static int resident_get(db_conn *c, const char *hash, void *out, int64_t *created,
                        int64_t *seen) {
    return store_rsession_get(c, hash, out, created, seen);
}

static const api_session_kind RESIDENT = {
    .cookie = COOKIE, .idle_ms = IDLE_MS, .abs_ms = ABSOLUTE_MS, .get = resident_get,
    .touch = store_rsession_touch, .end = store_rsession_delete,
};

static api_sess_result find_session(http_req *req, store_resident *who, char *token_out,
                                    int64_t *created_out) {
    return api_session_find(req, &RESIDENT, who, token_out, created_out);
}

bool api_resident_session(http_req *req, store_resident *who) {
    char token[TOKEN_TEXT_LEN + 1];
    api_sess_result r = find_session(req, who, token, NULL);
    if (r != API_SESS_OK) {
        http_reply_error(req, r == API_SESS_NONE ? "auth_required" : "internal_error", NULL);
        return false;
    }
    if (!api_safe_method(req) && !api_csrf_ok(req, token)) {
        http_reply_error(req, "csrf_failed", NULL);
        return false;
    }
    return true;
}

bool api_resident_peek(http_req *req, store_resident *who) {
    char token[TOKEN_TEXT_LEN + 1];
    if (find_session(req, who, token, NULL) != API_SESS_OK) return false;
    return api_safe_method(req) || api_csrf_ok(req, token);
}

static void set_cookie(http_req *req, const char *token, long max_age) {
    api_session_cookie(req, COOKIE, token, max_age);
}

static json_t *resident_json(const store_resident *r) {
    return json_pack("{s:o, s:o, s:s, s:s, s:o}", "phone", view_opt(r->phone), "email",
                     view_opt(r->email), "notify", r->notify, "lang", r->lang, "created_at",
                     view_time(r->created_at));
}

static json_t *session_json(const store_resident *r, const char *token, int64_t until) {
    char csrf[HASH_HEX_LEN + 1], until_text[40];
    api_csrf_of(token, csrf);
    time_format_iso(until, until_text, sizeof until_text);
    return json_pack("{s:o, s:s, s:s}", "resident", resident_json(r), "csrf_token", csrf,
                     "expires_at", until_text);
}

void api_me_get(http_req *req) {
    store_resident who;
    char token[TOKEN_TEXT_LEN + 1];
    int64_t created = 0;
    api_sess_result r = find_session(req, &who, token, &created);
    if (r != API_SESS_OK) {
        http_reply_error(req, r == API_SESS_NONE ? "auth_required" : "internal_error", NULL);
        return;
    }
    json_t *j = session_json(&who, token, created + ABSOLUTE_MS);
    http_reply_json(req, 200, j);
    json_decref(j);
}

void api_me_logout(http_req *req) {
    store_resident who;
    if (!api_resident_session(req, &who)) return;
    if (!api_session_end(req, &RESIDENT)) {
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    http_reply_text(req, 204, NULL, NULL, 0);
}

/* --- the contact of a request: {"phone"} or {"email"} ------------------------ */
typedef struct {
    char phone[16];  /* E.164 or "" */
    char email[256]; /* lower case or "" */
    char key[HASH_HEX_LEN + 1]; /* SHA-256 of "phone:…" / "email:…" */
} contact;

static const in_field code_spec[] = {
    {"phone", IN_STRING, false, 1, 64, NULL},
    {"email", IN_STRING, false, 3, 254, NULL},
    {0},
};

static const in_field verify_spec[] = {
    {"phone", IN_STRING, false, 1, 64, NULL},
    {"email", IN_STRING, false, 3, 254, NULL},
    {"code", IN_STRING, true, 1, 16, NULL},
    {0},
};

/* Reads exactly one of phone/email into *ct; adds field errors otherwise. */
static void read_contact(http_req *req, const json_t *body, json_t *fields, contact *ct) {
    memset(ct, 0, sizeof *ct);
    const char *phone = json_string_value(json_object_get(body, "phone"));
    char *email = http_json_trimmed(json_object_get(body, "email"));
    if (phone && email) {
        http_field_error(req, fields, "email", "invalid_value", "phone | email");
    } else if (!phone && !email) {
        http_field_error(req, fields, "phone", "required", "phone | email");
    } else if (phone && !dom_phone_normalize(phone, ct->phone, sizeof ct->phone)) {
        http_field_error(req, fields, "phone", "invalid_phone", NULL);
    } else if (email && !dom_email_valid(email)) {
        http_field_error(req, fields, "email", "invalid_email", NULL);
    } else if (email) {
        str_copy(ct->email, sizeof ct->email, email);
        str_lower_ascii(ct->email);
    }
    free(email);
    char text[300];
    int n = snprintf(text, sizeof text, "%s:%s", ct->phone[0] ? "phone" : "email",
                     ct->phone[0] ? ct->phone : ct->email);
    hash_hex(text, (size_t)n, ct->key, sizeof ct->key);
}

/* "+38067•••••34", "i•••@example.com": enough to recognise, not to harvest. */
static void masked(const contact *ct, char *out, size_t cap) {
    if (ct->phone[0]) {
        size_t n = strlen(ct->phone);
        snprintf(out, cap, "%.6s•••••%s", ct->phone, ct->phone + n - 2);
        return;
    }
    const char *at = strchr(ct->email, '@');
    snprintf(out, cap, "%.1s•••%s", ct->email, at ? at : "");
}

/* The client's key for the per-address limits: an IPv6 client by its /64
 * (one subscriber's prefix, as the rate limiter counts it). */
static void address_key(const http_req *req, char out[HASH_HEX_LEN + 1]) {
    unsigned char a[16];
    memcpy(a, req->client, 16);
    static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a, v4mapped, 12) != 0) memset(a + 8, 0, 8);
    hash_hex(a, sizeof a, out, HASH_HEX_LEN + 1);
}

static void code_hash_of(const char *salt, const char *code, char out[HASH_HEX_LEN + 1]) {
    char text[96];
    int n = snprintf(text, sizeof text, "code:%s:%s", salt, code);
    hash_hex(text, (size_t)n, out, HASH_HEX_LEN + 1);
}

/* --- POST /api/v1/auth/code ------------------------------------------------ */
typedef struct {
    const contact *ct;
    const char *addr_key, *lang;
    int64_t now, retry_s;
    const char *error;
} code_ctx;

static int code_limits(db_conn *c, code_ctx *x) {
    int64_t n = 0, newest = 0, oldest = 0;
    int rc = store_codes_since(c, x->ct->key, x->now - CODE_WINDOW_MS, &n, &newest);
    if (rc != DB_OK) return rc;
    if (n > 0 && x->now - newest < CODE_GAP_MS) {
        x->retry_s = (newest + CODE_GAP_MS - x->now) / 1000 + 1;
    } else if (n >= CODE_MAX_CONTACT) {
        x->retry_s = CODE_WINDOW_MS / 1000;
    } else {
        rc = store_login_failures_since(c, "code_addr", x->addr_key, x->now - CODE_WINDOW_MS, &n,
                                        &oldest);
        if (rc != DB_OK) return rc;
        if (n >= CODE_MAX_ADDRESS) x->retry_s = (oldest + CODE_WINDOW_MS - x->now) / 1000 + 1;
    }
    if (x->retry_s > 0) x->error = "too_many_codes";
    return DB_OK;
}

static int code_tx(db_conn *c, void *ctx) {
    code_ctx *x = ctx;
    x->error = NULL;
    x->retry_s = 0;
    int rc = store_code_lock(c, x->ct->key); /* concurrent requests count one by one */
    if (rc == DB_OK) rc = code_limits(c, x);
    if (rc != DB_OK || x->error) return rc;
    char code[8], salt[33], hash[HASH_HEX_LEN + 1];
    snprintf(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
    rand_hex(salt, sizeof salt, 16);
    code_hash_of(salt, code, hash);
    rc = store_code_insert(c, x->ct->key, hash, salt, x->now + CODE_TTL_MS, x->now);
    if (rc == DB_OK) rc = store_login_failure_add(c, "code_addr", x->addr_key, x->now);
    char params[32];
    snprintf(params, sizeof params, "{\"code\":\"%s\"}", code);
    store_outbox_msg m = {.channel = x->ct->phone[0] ? "sms" : "email",
                          .recipient = x->ct->phone[0] ? x->ct->phone : x->ct->email,
                          .template_name = "login_code", .lang = x->lang, .params = params,
                          .now = x->now};
    if (rc == DB_OK) rc = store_outbox_add(c, &m);
    sodium_memzero(code, sizeof code);
    sodium_memzero(params, sizeof params);
    return rc;
}

static void retry_header(http_req *req, int64_t s) {
    char v[24];
    snprintf(v, sizeof v, "%lld", (long long)s);
    http_add_header(req, "Retry-After", v);
}

/* Parses the body against spec and reads the contact; NULL after answering. */
static json_t *contact_body(http_req *req, const in_field *spec, contact *ct) {
    json_t *body = http_json_object(req);
    if (!body) return NULL;
    json_t *fields = json_object();
    if (http_input_check(req, body, spec, "", fields)) read_contact(req, body, fields, ct);
    if (json_object_size(fields) > 0) {
        http_reply_error(req, "validation_failed", fields);
        json_decref(fields);
        json_decref(body);
        return NULL;
    }
    json_decref(fields);
    return body;
}

void api_auth_code(http_req *req) {
    app_ctx *app = req->app;
    contact ct;
    json_t *body = contact_body(req, code_spec, &ct);
    if (!body) return;
    json_decref(body);
    if (ct.phone[0] && !app->cfg->sms_url) {
        json_t *fields = json_object();
        http_field_error(req, fields, "phone", "channel_unavailable", NULL);
        http_reply_error(req, "channel_unavailable", fields);
        json_decref(fields);
        return;
    }
    char addr[HASH_HEX_LEN + 1];
    address_key(req, addr);
    code_ctx x = {.ct = &ct, .addr_key = addr, .lang = req->english ? "en" : "uk",
                  .now = time_now_ms()};
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_tx(c, true, code_tx, &x);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    if (x.error) {
        retry_header(req, x.retry_s);
        log_info("sign-in code refused", "\"reason\":\"%s\"", x.error);
        http_reply_error(req, x.error, NULL);
        return;
    }
    outbox_wake(app->outbox);
    char to[300], until[40];
    masked(&ct, to, sizeof to);
    time_format_iso(x.now + CODE_TTL_MS, until, sizeof until);
    json_t *j = json_pack("{s:s, s:s, s:s, s:i}", "sent_to", to, "channel",
                          ct.phone[0] ? "sms" : "email", "expires_at", until, "retry_after_s",
                          (int)(CODE_GAP_MS / 1000));
    http_reply_json(req, 202, j);
    json_decref(j);
}

/* --- POST /api/v1/auth/code/verify ----------------------------------------- */
typedef struct {
    const contact *ct;
    const char *code, *addr_key, *token_hash, *lang;
    int64_t now, signed_in_id; /* signed_in_id: the account to add the contact to, 0: none */
    const char *error;
    int attempts_left;
    int64_t retry_s;
    store_resident who;
} verify_ctx;

static int verify_failed(db_conn *c, verify_ctx *x, const store_code *k, int attempts) {
    int rc = attempts >= CODE_ATTEMPTS ? store_code_burn(c, k->id, x->now) : DB_OK;
    if (rc == DB_OK) rc = store_login_failure_add(c, "verify_addr", x->addr_key, x->now);
    if (rc == DB_OK) rc = store_login_failure_add(c, "verify_contact", x->ct->key, x->now);
    x->attempts_left = CODE_ATTEMPTS - attempts;
    x->error = "code_invalid";
    return rc;
}

/* The account the verified contact opens (or joins). */
static int account_of(db_conn *c, verify_ctx *x) {
    const char *phone = x->ct->phone[0] ? x->ct->phone : NULL;
    const char *email = phone ? NULL : x->ct->email;
    store_resident holder;
    int rc = store_resident_by_contact(c, phone, email, &holder);
    if (rc != DB_OK && rc != DB_NOT_FOUND) return rc;
    int64_t id = 0;
    if (x->signed_in_id && rc == DB_OK && holder.id != x->signed_in_id) {
        x->error = "contact_taken";
        return DB_OK;
    } else if (x->signed_in_id) {
        id = x->signed_in_id;
        if (rc == DB_NOT_FOUND) rc = store_resident_set_contact(c, id, phone, email);
        else rc = DB_OK;
    } else if (rc == DB_OK) {
        id = holder.id;
    } else {
        rc = store_resident_create(c, phone, email, x->lang, x->now, &id);
    }
    if (rc == DB_OK) rc = store_rsession_insert(c, x->token_hash, id, x->now);
    if (rc == DB_OK) rc = store_resident_get(c, id, &x->who);
    return rc;
}

static int verify_tx(db_conn *c, void *ctx) {
    verify_ctx *x = ctx;
    x->error = NULL;
    x->retry_s = 0;
    int64_t n = 0, oldest = 0;
    int rc = store_login_failures_since(c, "verify_addr", x->addr_key, x->now - VERIFY_WINDOW_MS,
                                        &n, &oldest);
    if (rc != DB_OK) return rc;
    if (n >= VERIFY_MAX_ADDRESS) {
        x->error = "too_many_attempts";
        x->retry_s = (oldest + VERIFY_WINDOW_MS - x->now) / 1000 + 1;
        return DB_OK;
    }
    /* Guessing one contact's codes from many addresses: a day's cap. */
    rc = store_login_failures_since(c, "verify_contact", x->ct->key, x->now - DAY_MS, &n,
                                    &oldest);
    if (rc != DB_OK) return rc;
    if (n >= VERIFY_MAX_CONTACT_DAY) {
        x->error = "too_many_attempts";
        x->retry_s = (oldest + DAY_MS - x->now) / 1000 + 1;
        return DB_OK;
    }
    store_code k;
    rc = store_code_current(c, x->ct->key, x->now, &k);
    if (rc == DB_NOT_FOUND) {
        x->error = "code_expired";
        return DB_OK;
    }
    if (rc != DB_OK) return rc;
    /* The attempt counts before the comparison, in one statement. */
    int attempts = 0;
    rc = store_code_attempt(c, k.id, CODE_ATTEMPTS, &attempts);
    if (rc == DB_NOT_FOUND) x->error = "code_expired";
    if (rc != DB_OK) return rc == DB_NOT_FOUND ? DB_OK : rc;
    char got[HASH_HEX_LEN + 1];
    code_hash_of(k.salt, x->code, got);
    if (sodium_memcmp(got, k.code_hash, HASH_HEX_LEN) != 0)
        return verify_failed(c, x, &k, attempts);
    rc = store_code_use(c, k.id, x->now);
    if (rc == DB_NOT_FOUND) x->error = "code_expired";
    if (rc != DB_OK) return rc == DB_NOT_FOUND ? DB_OK : rc;
    rc = account_of(c, x);
    if (rc == DB_OK && !x->error)
        rc = store_residents_expire(c, x->now - IDLE_MS, x->now - ABSOLUTE_MS,
                                    x->now - 24 * 3600 * 1000LL);
    /* A refused join must not use up the code's row either: roll back. */
    return rc == DB_OK && x->error ? DB_NOT_FOUND : rc;
}

static bool code_shape_ok(const char *code) {
    if (strlen(code) != 6) return false;
    for (int i = 0; i < 6; i++)
        if (code[i] < '0' || code[i] > '9') return false;
    return true;
}

static void verify_refused(http_req *req, const verify_ctx *x) {
    json_t *fields = NULL;
    if (strcmp(x->error, "code_invalid") == 0) {
        fields = json_object();
        char left[64];
        snprintf(left, sizeof left, "%d", x->attempts_left > 0 ? x->attempts_left : 0);
        http_field_error(req, fields, "code", "code_invalid", left);
    }
    if (x->retry_s > 0) retry_header(req, x->retry_s);
    log_info("sign-in code not accepted", "\"reason\":\"%s\"", x->error);
    http_reply_error(req, x->error, fields);
    json_decref(fields);
}

void api_auth_code_verify(http_req *req) {
    app_ctx *app = req->app;
    contact ct;
    json_t *body = contact_body(req, verify_spec, &ct);
    if (!body) return;
    const char *code = json_string_value(json_object_get(body, "code"));
    if (!code_shape_ok(code)) {
        json_t *fields = json_object();
        http_field_error(req, fields, "code", "invalid_value", "6 digits");
        http_reply_error(req, "validation_failed", fields);
        json_decref(fields);
        json_decref(body);
        return;
    }
    store_resident current;
    char addr[HASH_HEX_LEN + 1], token[TOKEN_TEXT_LEN + 1], token_hash[HASH_HEX_LEN + 1];
    address_key(req, addr);
    rand_token(token, sizeof token);
    hash_hex(token, TOKEN_TEXT_LEN, token_hash, sizeof token_hash);
    verify_ctx x = {.ct = &ct, .code = code, .addr_key = addr, .token_hash = token_hash,
                    .lang = req->english ? "en" : "uk", .now = time_now_ms()};
    /* Signed in already: the verified contact joins that account. */
    if (api_resident_peek(req, &current)) x.signed_in_id = current.id;
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_tx(c, true, verify_tx, &x);
    db_pool_release(app->pool, c);
    json_decref(body);
    if (x.error) {
        verify_refused(req, &x);
    } else if (rc != DB_OK) {
        http_reply_error(req, "internal_error", NULL);
    } else {
        log_info("resident signed in", "\"resident_id\":%lld", (long long)x.who.id);
        set_cookie(req, token, (long)(ABSOLUTE_MS / 1000));
        json_t *j = session_json(&x.who, token, x.now + ABSOLUTE_MS);
        http_reply_json(req, 200, j);
        json_decref(j);
    }
    sodium_memzero(token, sizeof token);
}
