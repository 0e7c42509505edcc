/* The cabinet's photos: POST /api/v1/me/appeals/{number}/photos (the
 * resident adds photos to an appeal of the cabinet while it is open) and
 * GET /api/v1/me/appeals/{number}/photos/{id}[/thumb]. The upload and the
 * answer are api/photos.c's; this file checks that the appeal is in the
 * signed-in resident's cabinet (404 otherwise: existence does not leak). */
#include "api/photos.h"
#include "api/resident.h"
#include "store/residents.h"
#include "util/buf.h"
#include <stdio.h>
#include "util/banned.h"

/* The appeal of the request's {number} when it is in who's cabinet;
 * answers 401/403/404/500 and returns false otherwise. */
static bool cabinet_appeal(http_req *req, store_resident *who, store_appeal *a) {
    app_ctx *app = req->app;
    if (!api_resident_session(req, who)) return false;
    const char *number = req->params[0];
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_cabinet_owns(c, number, who->phone, who->email);
    if (rc == DB_OK) rc = store_appeal_by_number(c, number, a);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        http_reply_error(req, rc == DB_NOT_FOUND ? "appeal_not_found" : "internal_error", NULL);
        return false;
    }
    return true;
}

void api_me_photos_post(http_req *req) {
    store_resident who;
    store_appeal a;
    if (!cabinet_appeal(req, &who, &a)) return;
    char actor[48], prefix[HTTP_PARAM_MAX + 40];
    api_resident_actor(&who, actor, sizeof actor);
    snprintf(prefix, sizeof prefix, "/api/v1/me/appeals/%s/photos/", a.number);
    api_photos_upload(req, &a, "appeal", actor, prefix);
    store_appeal_free(&a);
}

static void me_photo(http_req *req, bool thumb) {
    long long id = 0;
    if (!str_to_ll(req->params[1], 1, INT64_MAX, &id)) {
        http_reply_error(req, "photo_not_found", NULL);
        return;
    }
    store_resident who;
    store_appeal a;
    if (!cabinet_appeal(req, &who, &a)) return;
    api_photo_send(req, a.id, id, thumb);
    store_appeal_free(&a);
}

void api_me_photo_get(http_req *req) { me_photo(req, false); }
void api_me_photo_thumb(http_req *req) { me_photo(req, true); }
