/* The resident's cabinet (docs/RESIDENTS.md): the appeals of the verified
 * phone or email, whatever the channel (operator calls included), "me
 * too" subscriptions, notification preferences, the resident's data as
 * one JSON download, and closing the account. The actions on an appeal
 * are in track_actions.c (shared with the tracking link). */
#include "api/photos.h"
#include "api/resident.h"
#include "api/views.h"
#include "domain/lifecycle.h"
#include "store/residents.h"
#include "store/store.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define CABINET_MAX 200 /* appeals listed; a resident with more is a city office */

/* What the applicant may do now on a (the cabinet's buttons). */
static json_t *allowed(const store_appeal *a) {
    json_t *list = json_array();
    dom_status st;
    if (!dom_status_parse(a->status, &st)) return list;
    dom_status to;
    /* The lifecycle table says when; the actions (track_actions.c) ask it too. */
    if (dom_transition(st, DOM_ACT_CONFIRM, &to))
        json_array_append_new(list, json_string("confirm"));
    if (dom_transition(st, DOM_ACT_DISPUTE, &to))
        json_array_append_new(list, json_string("dispute"));
    if ((st == DOM_ST_DONE || st == DOM_ST_CLOSED) && !a->rating)
        json_array_append_new(list, json_string("rate"));
    if (!dom_status_is_final(st)) {
        json_array_append_new(list, json_string("comment"));
        json_array_append_new(list, json_string("photo"));
    }
    return list;
}

/* The views of `numbers` (full = the applicant's view with timeline). */
static json_t *views_of(app_ctx *app, db_conn *c, char (*numbers)[16], int n, bool mine,
                        int *rc) {
    json_t *list = json_array();
    for (int i = 0; i < n && *rc == DB_OK; i++) {
        store_appeal a;
        *rc = store_appeal_by_number(c, numbers[i], &a);
        if (*rc == DB_NOT_FOUND) { /* gone meanwhile: nothing to show */
            *rc = DB_OK;
            continue;
        }
        if (*rc != DB_OK) break;
        json_t *j = view_public(&app->catalog, &a);
        json_object_set_new(j, "address", mine ? view_opt(a.address) : json_null());
        if (mine) json_object_set_new(j, "allowed_actions", allowed(&a));
        json_array_append_new(list, j);
        store_appeal_free(&a);
    }
    return list;
}

void api_me_appeals(http_req *req) {
    app_ctx *app = req->app;
    store_resident who;
    if (!api_resident_session(req, &who)) return;
    char(*mine)[16] = NULL, (*subs)[16] = NULL;
    int n_mine = 0, n_subs = 0;
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_cabinet_numbers(c, who.phone, who.email, CABINET_MAX, &mine, &n_mine);
    if (rc == DB_OK) rc = store_resident_subscriptions(c, who.id, CABINET_MAX, &subs, &n_subs);
    json_t *appeals = NULL, *followed = NULL;
    if (rc == DB_OK) appeals = views_of(app, c, mine, n_mine, true, &rc);
    if (rc == DB_OK) followed = views_of(app, c, subs, n_subs, false, &rc);
    db_pool_release(app->pool, c);
    free(mine);
    free(subs);
    if (rc != DB_OK) {
        json_decref(appeals);
        json_decref(followed);
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    json_t *j = json_pack("{s:o, s:o}", "appeals", appeals, "subscriptions", followed);
    http_reply_json(req, 200, j);
    json_decref(j);
}

void api_me_appeal_get(http_req *req) {
    app_ctx *app = req->app;
    store_resident who;
    if (!api_resident_session(req, &who)) return;
    const char *number = req->params[0];
    store_appeal a;
    json_t *j = NULL;
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_cabinet_owns(c, number, who.phone, who.email);
    if (rc == DB_OK) rc = store_appeal_by_number(c, number, &a);
    if (rc == DB_OK) {
        j = api_track_view(app, c, &a, false, &rc);
        char prefix[HTTP_PARAM_MAX + 40];
        snprintf(prefix, sizeof prefix, "/api/v1/me/appeals/%s/photos/", a.number);
        json_t *photos = rc == DB_OK ? api_photos_json(c, a.id, false, prefix, &rc) : NULL;
        if (j) json_object_set_new(j, "photos", photos ? photos : json_array());
        if (j) json_object_set_new(j, "allowed_actions", allowed(&a));
        if (j) json_object_set_new(j, "rating", a.rating ? json_integer(a.rating) : json_null());
        store_appeal_free(&a);
    }
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        json_decref(j);
        http_reply_error(req, rc == DB_NOT_FOUND ? "appeal_not_found" : "internal_error", NULL);
        return;
    }
    http_reply_json(req, 200, j);
    json_decref(j);
}

/* --- "me too" ----------------------------------------------------------------- */
static const in_field subscribe_spec[] = {
    {"number", IN_STRING, true, 1, 15, NULL},
    {0},
};

typedef struct {
    const store_resident *who;
    const char *number;
    int64_t now;
    bool existed;
    const char *error;
} sub_ctx;

static int subscribe_tx(db_conn *c, void *ctx) {
    sub_ctx *x = ctx;
    x->error = NULL;
    store_appeal a;
    int rc = store_appeal_by_number(c, x->number, &a);
    if (rc == DB_NOT_FOUND) x->error = "appeal_not_found";
    if (rc != DB_OK) return rc;
    dom_status st;
    bool final = !dom_status_parse(a.status, &st) || dom_status_is_final(st);
    int64_t id = a.id;
    store_appeal_free(&a);
    if (final) {
        x->error = "action_not_allowed";
        return DB_NOT_FOUND;
    }
    /* The subscription's own link is never shown: the cabinet follows it. */
    char token[TOKEN_TEXT_LEN + 1], hash[HASH_HEX_LEN + 1];
    rand_token(token, sizeof token);
    hash_hex(token, TOKEN_TEXT_LEN, hash, sizeof hash);
    rc = store_resident_subscribe(c, x->who->id, id, x->who->phone, x->who->email, x->who->lang,
                                  hash, x->now);
    if (rc == DB_CONSTRAINT) {
        x->existed = true;
        return DB_OK;
    }
    return rc;
}

void api_me_subscribe(http_req *req) {
    app_ctx *app = req->app;
    store_resident who;
    if (!api_resident_session(req, &who)) return;
    json_t *body = http_json_object(req);
    if (!body) return;
    json_t *fields = json_object();
    int year;
    long seq;
    if (http_input_check(req, body, subscribe_spec, "", fields) &&
        !dom_number_parse(json_string_value(json_object_get(body, "number")), &year, &seq))
        http_field_error(req, fields, "number", "invalid_value", "2026-000123");
    if (json_object_size(fields) > 0) {
        http_reply_error(req, "validation_failed", fields);
        json_decref(fields);
        json_decref(body);
        return;
    }
    json_decref(fields);
    char number[16];
    str_copy(number, sizeof number, json_string_value(json_object_get(body, "number")));
    json_decref(body);
    sub_ctx x = {.who = &who, .number = number, .now = time_now_ms()};
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_tx(c, true, subscribe_tx, &x);
    db_pool_release(app->pool, c);
    if (x.error) {
        http_reply_error(req, x.error, NULL);
    } else if (rc != DB_OK) {
        http_reply_error(req, "internal_error", NULL);
    } else {
        json_t *j = json_pack("{s:s, s:b}", "number", number, "subscribed", 1);
        http_reply_json(req, x.existed ? 200 : 201, j);
        json_decref(j);
    }
}

static int unsubscribe_tx(db_conn *c, void *ctx) {
    const void **a = ctx;
    return store_resident_unsubscribe(c, *(const int64_t *)a[0], a[1]);
}

void api_me_unsubscribe(http_req *req) {
    app_ctx *app = req->app;
    store_resident who;
    if (!api_resident_session(req, &who)) return;
    const void *args[2] = {&who.id, req->params[0]};
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_tx(c, true, unsubscribe_tx, args);
    db_pool_release(app->pool, c);
    if (rc != DB_OK)
        http_reply_error(req, rc == DB_NOT_FOUND ? "appeal_not_found" : "internal_error", NULL);
    else
        http_reply_text(req, 204, NULL, NULL, 0);
}

/* --- preferences ------------------------------------------------------------------ */
static const in_field prefs_spec[] = {
    {"notify", IN_STRING, false, 1, 8, NULL},
    {"lang", IN_STRING, false, 2, 2, NULL},
    {0},
};

static bool one_of(const char *v, const char *const *set) {
    for (; *set; set++)
        if (strcmp(v, *set) == 0) return true;
    return false;
}

static int prefs_tx(db_conn *c, void *ctx) {
    const void **a = ctx;
    return store_resident_set_prefs(c, *(const int64_t *)a[0], a[1], a[2]);
}

void api_me_preferences(http_req *req) {
    app_ctx *app = req->app;
    store_resident who;
    if (!api_resident_session(req, &who)) return;
    json_t *body = http_json_object(req);
    if (!body) return;
    static const char *const notify_set[] = {"auto", "email", "sms", "none", NULL};
    static const char *const lang_set[] = {"uk", "en", NULL};
    json_t *fields = json_object();
    const char *notify = NULL, *lang = NULL;
    if (http_input_check(req, body, prefs_spec, "", fields)) {
        notify = json_string_value(json_object_get(body, "notify"));
        lang = json_string_value(json_object_get(body, "lang"));
        if (notify && !one_of(notify, notify_set))
            http_field_error(req, fields, "notify", "invalid_value", "auto | email | sms | none");
        else if (notify && strcmp(notify, "email") == 0 && !who.email[0])
            http_field_error(req, fields, "notify", "contact_missing", "email");
        else if (notify && strcmp(notify, "sms") == 0 && !who.phone[0])
            http_field_error(req, fields, "notify", "contact_missing", "phone");
        if (lang && !one_of(lang, lang_set))
            http_field_error(req, fields, "lang", "invalid_value", "uk | en");
    }
    if (json_object_size(fields) > 0) {
        http_reply_error(req, "validation_failed", fields);
        json_decref(fields);
        json_decref(body);
        return;
    }
    json_decref(fields);
    const void *args[3] = {&who.id, notify, lang};
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_tx(c, true, prefs_tx, args);
    json_decref(body);
    store_resident now;
    if (rc == DB_OK) rc = store_resident_get(c, who.id, &now);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    json_t *j = json_pack("{s:s, s:s}", "notify", now.notify, "lang", now.lang);
    http_reply_json(req, 200, j);
    json_decref(j);
}
