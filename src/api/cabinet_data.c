/* The resident's own data: GET /api/v1/me/export (everything the city
 * holds about the account, as one JSON download) and POST /api/v1/me/close
 * (the account closes: personal data anonymised, the appeals stay for the
 * city's records). */
#include "api/resident.h"
#include "api/session.h"
#include "api/views.h"
#include "store/residents.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define EXPORT_MAX 10000 /* appeals in one download */

static json_t *export_appeals(app_ctx *app, db_conn *c, const store_resident *who, int *rc) {
    char(*numbers)[16] = NULL;
    int n = 0;
    json_t *list = json_array();
    *rc = store_cabinet_numbers(c, who->phone, who->email, EXPORT_MAX, &numbers, &n);
    for (int i = 0; i < n && *rc == DB_OK; i++) {
        store_appeal a;
        *rc = store_appeal_by_number(c, numbers[i], &a);
        if (*rc == DB_NOT_FOUND) {
            *rc = DB_OK;
            continue;
        }
        if (*rc != DB_OK) break;
        json_t *j = api_track_view(app, c, &a, false, rc);
        if (j) {
            json_object_set_new(j, "channel", json_string(a.channel));
            json_object_set_new(j, "applicant",
                                json_pack("{s:s, s:s, s:o}", "name", a.applicant_name, "phone",
                                          a.applicant_phone, "email",
                                          view_opt(a.applicant_email)));
            json_object_set_new(j, "rating", a.rating ? json_integer(a.rating) : json_null());
            json_array_append_new(list, j);
        }
        store_appeal_free(&a);
    }
    free(numbers);
    return list;
}

static json_t *export_consultations(db_conn *c, const store_resident *who, int *rc) {
    json_t *list = json_array();
    if (!who->phone[0]) return list;
    store_consultation *k = NULL;
    int n = 0;
    *rc = store_caller_consultations(c, who->phone, EXPORT_MAX, &k, &n);
    for (int i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:o, s:s, s:o}", "at", view_time(k[i].created_at),
                                              "topic", k[i].topic, "note", view_opt(k[i].note)));
    store_consultations_free(k, n);
    return list;
}

void api_me_export(http_req *req) {
    app_ctx *app = req->app;
    store_resident who;
    if (!api_resident_session(req, &who)) return;
    char(*subs)[16] = NULL;
    int n_subs = 0;
    db_conn *c = db_pool_acquire(app->pool);
    int rc = DB_OK;
    json_t *appeals = export_appeals(app, c, &who, &rc);
    json_t *consultations = rc == DB_OK ? export_consultations(c, &who, &rc) : json_array();
    if (rc == DB_OK) rc = store_resident_subscriptions(c, who.id, EXPORT_MAX, &subs, &n_subs);
    db_pool_release(app->pool, c);
    json_t *followed = json_array();
    for (int i = 0; i < n_subs; i++) json_array_append_new(followed, json_string(subs[i]));
    free(subs);
    if (rc != DB_OK) {
        json_decref(appeals);
        json_decref(consultations);
        json_decref(followed);
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    json_t *j = json_pack(
        "{s:o, s:{s:o, s:o, s:s, s:s, s:o}, s:o, s:o, s:o}", "exported_at",
        view_time(time_now_ms()), "resident", "phone", view_opt(who.phone), "email",
        view_opt(who.email), "notify", who.notify, "lang", who.lang, "created_at",
        view_time(who.created_at), "appeals", appeals, "subscriptions", followed,
        "consultations", consultations);
    http_add_header(req, "Content-Disposition", "attachment; filename=\"kontakt-my-data.json\"");
    http_add_header(req, "Cache-Control", "no-store");
    http_reply_json(req, 200, j);
    json_decref(j);
}

static const in_field close_spec[] = {
    {"confirm", IN_BOOL, true, 0, 0, NULL},
    {0},
};

static int close_tx(db_conn *c, void *ctx) {
    const store_resident *who = ctx;
    return store_resident_close(c, who, time_now_ms());
}

void api_me_close(http_req *req) {
    app_ctx *app = req->app;
    store_resident who;
    if (!api_resident_session(req, &who)) return;
    json_t *body = http_json_object(req);
    if (!body) return;
    json_t *fields = json_object();
    if (http_input_check(req, body, close_spec, "", fields) &&
        !json_is_true(json_object_get(body, "confirm")))
        http_field_error(req, fields, "confirm", "invalid_value", "true");
    json_decref(body);
    if (json_object_size(fields) > 0) {
        http_reply_error(req, "validation_failed", fields);
        json_decref(fields);
        return;
    }
    json_decref(fields);
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_tx(c, true, close_tx, &who);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    log_info("resident account closed", "\"resident_id\":%lld", (long long)who.id);
    api_session_cookie(req, "kontakt_resident", "", 0);
    http_reply_text(req, 204, NULL, NULL, 0);
}
