/* Staff accounts for admins: GET/POST /api/v1/users, POST /api/v1/users/{login}. */
#include "api/staff.h"
#include "store/store.h"
#include "store/users.h"
#include "util/secret.h"
#include "util/timeutil.h"
#include <sodium.h>
#include <string.h>
#include "api/views.h"
#include "util/banned.h"

static json_t *user_json(const store_user *u) {
    char created[40];
    time_format_iso(u->created_at, created, sizeof created);
    return json_pack("{s:s, s:s, s:s, s:o, s:b, s:b, s:s}", "login", u->login, "name", u->name,
                     "role", u->role, "organisation",
                     view_opt(u->organisation), "active",
                     u->active, "totp", u->totp_secret[0] != '\0', "created_at", created);
}

void api_users_list(http_req *req) {
    api_staff who;
    if (!api_staff_require(req, DOM_RIGHT_USERS, &who)) return;
    app_ctx *app = req->app;
    store_user *users = NULL;
    int n = 0;
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_users_list(c, &users, &n);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    json_t *list = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(list, user_json(&users[i]));
    sodium_memzero(users, (size_t)n * sizeof *users);
    free(users);
    json_t *j = json_pack("{s:o}", "users", list);
    http_reply_json(req, 200, j);
    json_decref(j);
}

static const char *str_of(const json_t *body, const char *key) {
    return json_string_value(json_object_get(body, key));
}

/* The password policy as a field error; hash filled when fine. */
static void check_password(http_req *req, const char *pw, json_t *fields, char hash[PW_HASH_CAP]) {
    app_ctx *app = req->app;
    char why[128];
    static const char *const codes[] = {[PW_TOO_SHORT] = "password_too_short",
                                        [PW_TOO_LONG] = "password_too_long",
                                        [PW_COMMON] = "password_common",
                                        [PW_WEAK] = "password_weak"};
    pw_verdict v = pw_policy(app->passwords, pw, why, sizeof why);
    if (v != PW_OK)
        http_field_error(req, fields, "password", codes[v], *why ? why : NULL);
    else if (!pw_hash(pw, hash))
        http_field_error(req, fields, "password", "invalid_value", NULL);
}

static bool org_known(const app_ctx *app, const char *code) {
    return !code || !*code || dom_catalog_org(&app->catalog, code) != NULL;
}

static void reply_user(http_req *req, int status, const store_user *u, const char *new_secret) {
    json_t *j = json_pack("{s:o}", "user", user_json(u));
    if (new_secret) {
        char uri[256];
        totp_uri(u->login, new_secret, uri, sizeof uri);
        json_object_set_new(j, "totp_secret", json_string(new_secret));
        json_object_set_new(j, "totp_uri", json_string(uri));
    }
    http_reply_json(req, status, j);
    json_decref(j);
}

static const in_field create_spec[] = {
    {"login", IN_STRING, true, 3, 32, NULL},
    {"name", IN_STRING, true, 1, STAFF_NAME_MAX, NULL},
    {"role", IN_STRING, true, 1, 16, NULL},
    {"organisation", IN_STRING, false, 0, 64, NULL},
    {"password", IN_STRING, true, 1, PASSWORD_MAX, NULL},
    {0},
};

static int insert_tx(db_conn *c, void *ctx) {
    void **a = ctx;
    return store_user_insert(c, a[0], a[1]);
}

void api_user_create(http_req *req) {
    api_staff who;
    if (!api_staff_require(req, DOM_RIGHT_USERS, &who)) return;
    app_ctx *app = req->app;
    json_t *body = http_json_object(req);
    if (!body) return;
    json_t *fields = json_object();
    store_user u = {.created_at = time_now_ms()};
    if (http_input_check(req, body, create_spec, "", fields)) {
        const char *code = NULL, *org = str_of(body, "organisation");
        const char *bad = dom_account_check(str_of(body, "login"), str_of(body, "role"), org, &code);
        if (bad)
            http_field_error(req, fields, bad, code, NULL);
        else if (!org_known(app, org))
            http_field_error(req, fields, "organisation", "unknown_organisation", org);
        else
            check_password(req, str_of(body, "password"), fields, u.pw_hash);
    }
    if (json_object_size(fields)) {
        http_reply_error(req, "validation_failed", fields);
        json_decref(fields);
        json_decref(body);
        return;
    }
    json_decref(fields);
    str_copy(u.login, sizeof u.login, str_of(body, "login"));
    str_copy(u.name, sizeof u.name, str_of(body, "name"));
    str_copy(u.role, sizeof u.role, str_of(body, "role"));
    str_copy(u.organisation, sizeof u.organisation,
             str_of(body, "organisation") ? str_of(body, "organisation") : "");
    json_decref(body);
    dom_role role;
    dom_role_parse(u.role, &role);
    if (dom_role_needs_totp(role)) totp_new_secret(u.totp_secret);
    u.active = true;
    int64_t id = 0;
    void *args[2] = {&u, &id};
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_tx(c, true, insert_tx, args);
    db_pool_release(app->pool, c);
    if (rc == DB_CONSTRAINT)
        http_reply_error(req, "login_taken", NULL);
    else if (rc != DB_OK)
        http_reply_error(req, "internal_error", NULL);
    else
        reply_user(req, 201, &u, u.totp_secret[0] ? u.totp_secret : NULL);
    sodium_memzero(&u, sizeof u);
}

static const in_field update_spec[] = {
    {"name", IN_STRING, false, 1, STAFF_NAME_MAX, NULL},
    {"role", IN_STRING, false, 1, 16, NULL},
    {"organisation", IN_STRING, false, 0, 64, NULL},
    {"password", IN_STRING, false, 1, PASSWORD_MAX, NULL},
    {"active", IN_BOOL, false, 0, 0, NULL},
    {"reset_totp", IN_BOOL, false, 0, 0, NULL},
    {0},
};

typedef struct {
    const char *login;
    store_user_change ch;
    store_user after;
} update_ctx;

static int update_tx(db_conn *c, void *ctx) {
    update_ctx *x = ctx;
    int rc = store_user_update(c, x->login, &x->ch);
    if (rc == DB_OK) rc = store_user_by_login(c, x->login, &x->after);
    return rc;
}

/* Checks the body against the account as stored; fills the change. */
static void check_update(http_req *req, const json_t *body, const store_user *now, json_t *fields,
                         update_ctx *x, char hash[PW_HASH_CAP]) {
    app_ctx *app = req->app;
    const char *role = str_of(body, "role") ? str_of(body, "role") : now->role;
    bool org_given = json_object_get(body, "organisation") != NULL;
    const char *org = org_given ? str_of(body, "organisation") : now->organisation;
    if (org && !*org) org = NULL;
    const char *code = NULL;
    const char *bad = dom_account_check(now->login, role, org, &code);
    if (bad)
        http_field_error(req, fields, bad, code, NULL);
    else if (!org_known(app, org))
        http_field_error(req, fields, "organisation", "unknown_organisation", org);
    if (str_of(body, "password")) check_password(req, str_of(body, "password"), fields, hash);
    x->ch.name = str_of(body, "name");
    x->ch.role = str_of(body, "role");
    x->ch.set_organisation = true;
    x->ch.organisation = org;
    x->ch.pw_hash = str_of(body, "password") ? hash : NULL;
    const json_t *active = json_object_get(body, "active");
    x->ch.active = json_is_boolean(active) ? json_is_true(active) : -1;
}

void api_user_update(http_req *req) {
    api_staff who;
    if (!api_staff_require(req, DOM_RIGHT_USERS, &who)) return;
    app_ctx *app = req->app;
    json_t *body = http_json_object(req);
    if (!body) return;
    update_ctx x = {.login = req->params[0], .ch = {.active = -1, .now = time_now_ms()}};
    store_user now;
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_user_by_login(c, x.login, &now);
    json_t *fields = json_object();
    char hash[PW_HASH_CAP], secret[TOTP_SECRET_TEXT];
    if (rc == DB_OK && http_input_check(req, body, update_spec, "", fields))
        check_update(req, body, &now, fields, &x, hash);
    if (rc == DB_OK && !json_object_size(fields)) {
        /* Becoming a supervisor or admin without a second factor: one is
         * made now and answered once, or the next sign-in could not pass. */
        dom_role becomes;
        bool needs = dom_role_parse(x.ch.role ? x.ch.role : now.role, &becomes) &&
                     dom_role_needs_totp(becomes) && !now.totp_secret[0];
        if (needs || json_is_true(json_object_get(body, "reset_totp"))) {
            totp_new_secret(secret);
            x.ch.totp_secret = secret;
        }
        rc = store_tx(c, true, update_tx, &x);
    }
    db_pool_release(app->pool, c);
    if (rc == DB_NOT_FOUND)
        http_reply_error(req, "user_not_found", NULL);
    else if (rc != DB_OK)
        http_reply_error(req, "internal_error", NULL);
    else if (json_object_size(fields))
        http_reply_error(req, "validation_failed", fields);
    else
        reply_user(req, 200, &x.after, x.ch.totp_secret);
    json_decref(fields);
    json_decref(body);
    sodium_memzero(&now, sizeof now);
    sodium_memzero(&x.after, sizeof x.after);
}
