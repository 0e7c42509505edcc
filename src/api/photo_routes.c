/* The photo routes and who may use them (api/photos.h):
 *   POST /api/v1/track/{token}/photos            the applicant's tracking link (kind appeal)
 *   GET  /api/v1/track/{token}/photos/{id}[/thumb]
 *   POST /api/v1/appeals/{number}/photos         staff who may act on the appeal (kind done)
 *   GET  /api/v1/photos/{id}[/thumb]             staff who may see the appeal; anyone: a public thumb
 *   POST /api/v1/photos/{id} {"public": bool}    dispatchers and supervisors
 * Anything a caller may not see answers 404, so existence does not leak. */
#include "api/photos.h"
#include "api/resident.h"
#include "api/staff.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

/* The applicant's appeal by the token in params[0]; false after 404. */
static bool by_token(http_req *req, store_appeal *a) {
    app_ctx *app = req->app;
    const char *token = req->params[0];
    if (strlen(token) != TOKEN_TEXT_LEN) {
        http_reply_error(req, "tracking_not_found", NULL);
        return false;
    }
    char hash[HASH_HEX_LEN + 1];
    hash_hex(token, strlen(token), hash, sizeof hash);
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_appeal_by_tracking(c, hash, a);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        http_reply_error(req, rc == DB_NOT_FOUND ? "tracking_not_found" : "internal_error", NULL);
        return false;
    }
    return true;
}

static bool photo_id(const char *text, int64_t *id) {
    long long v = 0;
    if (!str_to_ll(text, 1, INT64_MAX, &v)) return false;
    *id = v;
    return true;
}

void api_track_photos_post(http_req *req) {
    store_appeal a;
    if (!by_token(req, &a)) return;
    char prefix[HTTP_PARAM_MAX + 32];
    snprintf(prefix, sizeof prefix, "/api/v1/track/%s/photos/", req->params[0]);
    api_photos_upload(req, &a, "appeal", "applicant", prefix);
    store_appeal_free(&a);
}

static void track_photo(http_req *req, bool thumb) {
    int64_t id;
    if (!photo_id(req->params[1], &id)) {
        http_reply_error(req, "photo_not_found", NULL);
        return;
    }
    store_appeal a;
    if (!by_token(req, &a)) return;
    api_photo_send(req, a.id, id, thumb);
    store_appeal_free(&a);
}

void api_track_photo_get(http_req *req) { track_photo(req, false); }
void api_track_photo_thumb(http_req *req) { track_photo(req, true); }

/* Staff who act on an appeal: the executors of its organisation (done
 * work), dispatchers and supervisors (they assign and reopen it). */
static bool may_add_photos(const api_staff *who) {
    return dom_role_may_act(who->role, "done") || dom_role_may_act(who->role, "assign");
}

void api_staff_photos_post(http_req *req) {
    app_ctx *app = req->app;
    api_staff who;
    if (!api_staff_session(req, &who)) return;
    int year;
    long seq;
    if (!dom_number_parse(req->params[0], &year, &seq)) {
        http_reply_error(req, "invalid_number", NULL);
        return;
    }
    store_appeal a;
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_appeal_by_number(c, req->params[0], &a);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        http_reply_error(req, rc == DB_NOT_FOUND ? "appeal_not_found" : "internal_error", NULL);
        return;
    }
    if (!api_staff_may_view(&who, a.organisation)) {
        http_reply_error(req, "appeal_not_found", NULL);
    } else if (!may_add_photos(&who)) {
        http_reply_error(req, "forbidden", NULL);
    } else {
        char actor[96];
        api_staff_actor(&who, actor, sizeof actor);
        api_photos_upload(req, &a, "done", actor, "/api/v1/photos/");
    }
    store_appeal_free(&a);
}

/* The photo and the organisation of its appeal. */
static int photo_and_org(app_ctx *app, int64_t id, store_photo *p, char org[64]) {
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_photo_get(c, id, p);
    char number[16];
    store_appeal a;
    if (rc == DB_OK) rc = store_appeal_number(c, p->appeal_id, number);
    if (rc == DB_OK) rc = store_appeal_by_number(c, number, &a);
    db_pool_release(app->pool, c);
    if (rc == DB_OK) {
        str_copy(org, 64, a.organisation);
        store_appeal_free(&a);
    }
    return rc;
}

static void staff_photo(http_req *req, bool thumb) {
    app_ctx *app = req->app;
    int64_t id;
    store_photo p;
    char org[64];
    if (!photo_id(req->params[0], &id)) {
        http_reply_error(req, "photo_not_found", NULL);
        return;
    }
    int rc = photo_and_org(app, id, &p, org);
    if (rc != DB_OK) {
        http_reply_error(req, rc == DB_NOT_FOUND ? "photo_not_found" : "internal_error", NULL);
        return;
    }
    /* No session is no error here: a public thumbnail is anyone's. */
    api_staff who;
    bool staff = api_staff_peek(req, &who) && api_staff_may_view(&who, org);
    if (staff || (thumb && p.public))
        api_photo_send(req, p.appeal_id, id, thumb);
    else
        http_reply_error(req, "photo_not_found", NULL);
}

void api_photo_get(http_req *req) { staff_photo(req, false); }
void api_photo_thumb(http_req *req) { staff_photo(req, true); }

static const in_field public_spec[] = {
    {"public", IN_BOOL, true, 0, 0, NULL},
    {0},
};

typedef struct {
    int64_t id;
    bool public;
    const char *actor;
    store_photo photo; /* out: as stored after the change */
} public_tx;

static int public_in_tx(db_conn *c, void *ctx) {
    public_tx *t = ctx;
    store_photo old;
    int rc = store_photo_get(c, t->id, &old);
    if (rc == DB_OK) rc = store_photo_set_public(c, t->id, t->public);
    char number[16];
    store_appeal a;
    if (rc == DB_OK) rc = store_appeal_number(c, old.appeal_id, number);
    if (rc == DB_OK) rc = store_appeal_by_number(c, number, &a);
    if (rc != DB_OK) return rc;
    char data[128];
    snprintf(data, sizeof data, "{\"old\":{\"public\":%s},\"new\":{\"public\":%s},\"photo\":%lld}",
             old.public ? "true" : "false", t->public ? "true" : "false", (long long)t->id);
    rc = store_event_add(c, a.id, time_now_ms(), "photo_public", a.status, false, t->actor, NULL,
                         data);
    store_appeal_free(&a);
    if (rc == DB_OK) rc = store_photo_get(c, t->id, &t->photo);
    return rc;
}

void api_photo_update(http_req *req) {
    app_ctx *app = req->app;
    api_staff who;
    if (!api_staff_session(req, &who)) return;
    int64_t id;
    store_photo p;
    char org[64];
    int rc = photo_id(req->params[0], &id) ? photo_and_org(app, id, &p, org) : DB_NOT_FOUND;
    if (rc != DB_OK || !api_staff_may_view(&who, org)) {
        http_reply_error(req, rc == DB_OK || rc == DB_NOT_FOUND ? "photo_not_found" : "internal_error",
                         NULL);
        return;
    }
    if (who.role != DOM_ROLE_DISPATCHER && who.role != DOM_ROLE_SUPERVISOR) {
        http_reply_error(req, "forbidden", NULL);
        return;
    }
    json_t *body = http_json_object(req);
    if (!body) return;
    json_t *fields = json_object();
    if (!http_input_check(req, body, public_spec, "", fields)) {
        http_reply_error(req, "validation_failed", fields);
    } else {
        char actor[96];
        api_staff_actor(&who, actor, sizeof actor);
        public_tx t = {.id = id, .public = json_is_true(json_object_get(body, "public")),
                       .actor = actor};
        db_conn *c = db_pool_acquire(app->pool);
        rc = store_tx(c, true, public_in_tx, &t);
        json_t *list = rc == DB_OK ? api_photos_json(c, p.appeal_id, false, "/api/v1/photos/", &rc)
                                   : NULL;
        db_pool_release(app->pool, c);
        json_t *one = NULL;
        for (size_t i = 0; list && i < json_array_size(list); i++)
            if (json_integer_value(json_object_get(json_array_get(list, i), "id")) == id)
                one = json_array_get(list, i);
        if (one)
            http_reply_json(req, 200, one);
        else
            http_reply_error(req, "internal_error", NULL);
        json_decref(list);
    }
    json_decref(fields);
    json_decref(body);
}

/* Before an upload's body is read (http_config.upload_admit): the link,
 * the resident's or the staff member's session (with CSRF). The handler
 * checks again, with the appeal's rights, once the body is in. */
bool api_upload_admit(http_req *req) {
    const char *p = req->route->pattern;
    if (strncmp(p, "/api/v1/track/", 14) == 0) {
        store_appeal a;
        if (!by_token(req, &a)) return false;
        store_appeal_free(&a);
        return true;
    }
    if (strncmp(p, "/api/v1/me/", 11) == 0) {
        store_resident who;
        return api_resident_session(req, &who);
    }
    api_staff who;
    return api_staff_session(req, &who);
}
