/* Duplicates at intake: GET /api/v1/duplicates shows the open appeals of
 * the same category near a point; POST /api/v1/appeals/{number}/subscriptions
 * lets a resident follow one of them ("me too") instead of filing anew. */
#include "api/views.h"
#include "domain/nearby.h"
#include "store/store.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/timeutil.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

static json_t *near_json(const dom_catalog *cat, const char *category, const store_near *a,
                         double distance) {
    return json_pack("{s:s, s:s, s:o, s:o, s:i, s:{s:f, s:f}}", "number", a->number, "status",
                     a->status, "type", view_type(cat, category, a->type), "created_at",
                     view_time(a->created_at), "distance_m", (int)lround(distance), "location",
                     "lat", round(a->lat * 1e4) / 1e4, "lon", round(a->lon * 1e4) / 1e4);
}

static int by_distance(const void *x, const void *y) {
    double a = json_real_value(json_object_get(*(json_t *const *)x, "_d"));
    double b = json_real_value(json_object_get(*(json_t *const *)y, "_d"));
    return (a > b) - (a < b);
}

void api_duplicates(http_req *req) {
    app_ctx *app = req->app;
    json_t *fields = json_object();
    const char *code = http_query(req, "category");
    const dom_category *cat = code ? dom_catalog_category(&app->catalog, code) : NULL;
    if (!code || !*code)
        http_field_error(req, fields, "category", "required", NULL);
    else if (!cat)
        http_field_error(req, fields, "category", "unknown_category", NULL);
    double lat = 0, lon = 0;
    const dom_bounds *b = &app->cfg->bounds;
    if (http_query_number(req, "lat", fields, &lat) && (lat < b->min_lat || lat > b->max_lat))
        http_field_error(req, fields, "lat", "out_of_bounds", NULL);
    if (http_query_number(req, "lon", fields, &lon) && (lon < b->min_lon || lon > b->max_lon))
        http_field_error(req, fields, "lon", "out_of_bounds", NULL);
    if (json_object_size(fields)) {
        http_reply_error(req, "invalid_query", fields);
        json_decref(fields);
        return;
    }
    json_decref(fields);
    int radius = cat->duplicate_radius_m, days = app->cfg->duplicate_days;
    double min_lat, max_lat, min_lon, max_lon;
    dom_box_around(lat, lon, radius, &min_lat, &max_lat, &min_lon, &max_lon);
    store_near *rows = NULL;
    int n = 0;
    int64_t since = time_now_ms() - (int64_t)days * 86400000;
    db_conn *c = db_pool_acquire(app->pool);
    /* The box is a square around the circle: take a few more, keep those inside. */
    int rc = store_appeals_near(c, cat->code, since, min_lat, max_lat, min_lon, max_lon,
                                4 * DOM_DUPLICATES_MAX, &rows, &n);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    json_t *found = json_array();
    for (int i = 0; i < n; i++) {
        double d = dom_distance_m(lat, lon, rows[i].lat, rows[i].lon);
        if (d > radius) continue;
        json_t *j = near_json(&app->catalog, cat->code, &rows[i], d);
        json_object_set_new(j, "_d", json_real(d));
        json_array_append_new(found, j);
    }
    free(rows);
    size_t count = json_array_size(found);
    json_t **items = xcalloc(count ? count : 1, sizeof *items);
    for (size_t i = 0; i < count; i++) items[i] = json_incref(json_array_get(found, i));
    qsort(items, count, sizeof *items, by_distance);
    json_t *sorted = json_array();
    for (size_t i = 0; i < count && i < DOM_DUPLICATES_MAX; i++) {
        json_object_del(items[i], "_d");
        json_array_append(sorted, items[i]);
    }
    for (size_t i = 0; i < count; i++) json_decref(items[i]);
    free(items);
    json_decref(found);
    json_t *answer = json_pack("{s:s, s:i, s:i, s:o}", "category", cat->code, "radius_m", radius,
                               "days", days, "appeals", sorted);
    http_reply_json(req, 200, answer);
    json_decref(answer);
}

static const in_field subscribe_spec[] = {
    {"phone", IN_STRING, true, 1, 64, NULL},
    {"email", IN_STRING, false, 0, 254, NULL},
    {0},
};

typedef struct {
    const char *number;
    const char *phone, *email;
    char token[TOKEN_TEXT_LEN + 1];
    bool found;
} subscribe_tx;

static int subscribe_in_tx(db_conn *c, void *ctx) {
    subscribe_tx *t = ctx;
    store_appeal a;
    int rc = store_appeal_by_number(c, t->number, &a);
    t->found = rc == DB_OK;
    if (rc != DB_OK) return rc;
    store_appeal_free(&a);
    rand_token(t->token, sizeof t->token);
    char hash[HASH_HEX_LEN + 1];
    hash_hex(t->token, strlen(t->token), hash, sizeof hash);
    return store_subscription_add(c, a.id, t->phone, t->email, hash, time_now_ms());
}

static json_t *read_subscriber(http_req *req, char phone[16]) {
    json_t *body = http_json_object(req);
    if (!body) return NULL;
    json_t *fields = json_object();
    http_input_check(req, body, subscribe_spec, "", fields);
    const char *p = json_string_value(json_object_get(body, "phone"));
    const char *e = json_string_value(json_object_get(body, "email"));
    if (p && !json_object_get(fields, "phone") && !dom_phone_normalize(p, phone, 16))
        http_field_error(req, fields, "phone", "invalid_phone", NULL);
    if (e && *e && !json_object_get(fields, "email") && !dom_email_valid(e))
        http_field_error(req, fields, "email", "invalid_email", NULL);
    if (json_object_size(fields)) {
        http_reply_error(req, "validation_failed", fields);
        json_decref(body);
        body = NULL;
    }
    json_decref(fields);
    return body;
}

void api_subscribe(http_req *req) {
    app_ctx *app = req->app;
    int year;
    long seq;
    if (!dom_number_parse(req->params[0], &year, &seq)) {
        http_reply_error(req, "invalid_number", NULL);
        return;
    }
    char phone[16];
    json_t *body = read_subscriber(req, phone);
    if (!body) return;
    char email[256] = "";
    const char *given = json_string_value(json_object_get(body, "email"));
    if (given) str_copy(email, sizeof email, given);
    str_lower_ascii(email); /* as the cabinet matches it */
    subscribe_tx t = {.number = req->params[0], .phone = phone, .email = *email ? email : NULL};
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_tx(c, true, subscribe_in_tx, &t);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        if (rc != DB_NOT_FOUND) log_error("subscription not stored", "\"rc\":%d", rc);
        http_reply_error(req, rc == DB_NOT_FOUND ? "appeal_not_found" : "internal_error", NULL);
    } else {
        char url[128];
        snprintf(url, sizeof url, "/track.html#%s", t.token);
        json_t *j = json_pack("{s:s, s:s, s:s}", "number", t.number, "tracking_token", t.token,
                              "tracking_url", url);
        http_reply_json(req, 201, j);
        json_decref(j);
    }
    json_decref(body);
}
