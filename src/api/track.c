/* GET /api/v1/track/{token}: the applicant's own view by the private link. */
#include "api/photos.h"
#include "api/views.h"
#include <stdio.h>
#include "util/rand.h"
#include <string.h>
#include "util/banned.h"

static json_t *timeline(const store_event *ev, int n) {
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:o, s:s, s:s, s:o}", "at", view_time(ev[i].at),
                                              "kind", ev[i].kind, "status", ev[i].status, "note",
                                              view_opt(ev[i].note)));
    return list;
}

/* A merged appeal's applicant follows the parent: its public view and
 * timeline, read on the same connection. NULL when there is none. */
static json_t *merged_into(app_ctx *app, db_conn *c, const store_appeal *child) {
    if (!child->parent_id || strcmp(child->status, "duplicate") != 0) return NULL;
    char number[16];
    store_appeal p;
    if (store_appeal_number(c, child->parent_id, number) != DB_OK ||
        store_appeal_by_number(c, number, &p) != DB_OK)
        return NULL;
    store_event *ev = NULL;
    int n = 0;
    json_t *j = NULL;
    if (store_events_public(c, p.id, &ev, &n) == DB_OK) {
        j = view_public(&app->catalog, &p);
        json_object_set_new(j, "district", api_district_json(app, p.district));
        json_object_set_new(j, "timeline", timeline(ev, n));
        store_events_free(ev, n);
    }
    store_appeal_free(&p);
    return j;
}

json_t *api_track_view(app_ctx *app, db_conn *c, const store_appeal *a, bool subscriber,
                       int *rc) {
    store_event *ev = NULL;
    int n = 0;
    *rc = store_events_public(c, a->id, &ev, &n);
    if (*rc != DB_OK) return NULL;
    json_t *parent = merged_into(app, c, a);
    json_t *j = view_public(&app->catalog, a);
    json_object_set_new(j, "district", api_district_json(app, a->district));
    json_object_set_new(j, "subscriber", json_boolean(subscriber));
    if (!subscriber) {
        json_object_set_new(j, "description", json_string(a->description));
        json_object_set_new(j, "location",
                            json_pack("{s:f, s:f, s:o}", "lat", a->lat, "lon", a->lon, "address",
                                      view_opt(a->address)));
    }
    json_object_set_new(j, "timeline", timeline(ev, n));
    json_object_set_new(j, "merged_into", parent ? parent : json_null());
    store_events_free(ev, n);
    return j;
}

void api_track_get(http_req *req) {
    app_ctx *app = req->app;
    const char *token = req->params[0];
    if (strlen(token) != TOKEN_TEXT_LEN) {
        http_reply_error(req, "tracking_not_found", NULL);
        return;
    }
    char hash[HASH_HEX_LEN + 1];
    hash_hex(token, strlen(token), hash, sizeof hash);
    store_appeal a;
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_appeal_by_tracking(c, hash, &a);
    bool subscriber = false;
    if (rc == DB_NOT_FOUND) {
        /* A "me too" subscriber follows someone else's appeal: the public
         * view and timeline, never the applicant's description or address. */
        char number[16];
        rc = store_subscription_by_tracking(c, hash, number);
        if (rc == DB_OK) rc = store_appeal_by_number(c, number, &a);
        subscriber = rc == DB_OK;
    }
    json_t *j = NULL, *photos = NULL;
    if (rc == DB_OK) {
        /* The applicant sees every photo by the link; a subscriber only
         * the thumbnails staff made public. */
        char prefix[HTTP_PARAM_MAX + 32];
        snprintf(prefix, sizeof prefix, "/api/v1/track/%s/photos/", token);
        photos = api_photos_json(c, a.id, subscriber, subscriber ? "/api/v1/photos/" : prefix, &rc);
        if (rc == DB_OK) j = api_track_view(app, c, &a, subscriber, &rc);
        store_appeal_free(&a);
    }
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        json_decref(photos);
        json_decref(j);
        http_reply_error(req, rc == DB_NOT_FOUND ? "tracking_not_found" : "internal_error", NULL);
        return;
    }
    json_object_set_new(j, "photos", photos);
    http_reply_json(req, 200, j);
    json_decref(j);
}
