/* POST /api/v1/appeals and GET /api/v1/appeals/{number}. */
#include "api/idempotency.h"
#include "api/photos.h"
#include "api/mapindex.h"
#include "api/views.h"
#include "domain/deadline.h"
#include "jobs/outbox.h"
#include "jobs/sweeper.h"
#include "store/store.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/timeutil.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/staff.h"
#include "store/workflow.h"
#include "util/banned.h"

static const in_field location_spec[] = {
    {"lat", IN_NUMBER, true, 0, 0, NULL},
    {"lon", IN_NUMBER, true, 0, 0, NULL},
    {"address", IN_STRING, false, 0, 300, NULL},
    {0},
};
static const in_field applicant_spec[] = {
    {"name", IN_STRING, true, 1, 200, NULL},
    {"phone", IN_STRING, true, 1, 64, NULL},
    {"email", IN_STRING, false, 0, 254, NULL},
    {0},
};
static const in_field appeal_spec[] = {
    {"category", IN_STRING, true, 1, 64, NULL},
    {"type", IN_STRING, true, 1, 64, NULL},
    {"description", IN_TEXT, true, 10, 4000, NULL},
    {"location", IN_OBJECT, true, 0, 0, location_spec},
    {"applicant", IN_OBJECT, true, 0, 0, applicant_spec},
    {"channel", IN_STRING, false, 1, 16, NULL},
    {0},
};
static const char *const channels[] = {"web", "mobile", "phone", "email", "open311"};

/* Everything the intake transaction needs, checked. */
typedef struct {
    const dom_category *cat;
    const dom_type *type;
    char phone[16];
    char *description, *address, *name, *email; /* trimmed copies, owned */
    const char *channel;
    double lat, lon;
    const dom_district *district; /* NULL: the point is in no district */
    const char *organisation;     /* by the routing rules */
} intake;


static void intake_free(intake *in) {
    free(in->description);
    free(in->address);
    free(in->name);
    free(in->email);
}

static const char *json_str(const json_t *obj, const char *path1, const char *path2) {
    const json_t *v = json_object_get(obj, path1);
    if (path2) v = json_object_get(v, path2);
    return json_string_value(v);
}

/* Checks beyond the spec: catalogue, phone, email, bounds, channel. */
static void check_domain(http_req *req, const json_t *body, intake *in, json_t *fields) {
    app_ctx *app = req->app;
    const char *cat = json_str(body, "category", NULL), *type = json_str(body, "type", NULL);
    if (cat && !json_object_get(fields, "category")) {
        in->cat = dom_catalog_category(&app->catalog, cat);
        if (!in->cat) http_field_error(req, fields, "category", "unknown_category", cat);
    }
    if (in->cat && type && !json_object_get(fields, "type")) {
        in->type = dom_catalog_type(in->cat, type);
        if (!in->type) http_field_error(req, fields, "type", "unknown_type", type);
    }
    const char *phone = json_str(body, "applicant", "phone");
    if (phone && !json_object_get(fields, "applicant.phone") &&
        !dom_phone_normalize(phone, in->phone, sizeof in->phone))
        http_field_error(req, fields, "applicant.phone", "invalid_phone", NULL);
    char *email = http_json_trimmed(json_object_get(json_object_get(body, "applicant"), "email"));
    if (email && !json_object_get(fields, "applicant.email") && !dom_email_valid(email))
        http_field_error(req, fields, "applicant.email", "invalid_email", NULL);
    free(email);
    const json_t *loc = json_object_get(body, "location");
    const json_t *lat = json_object_get(loc, "lat"), *lon = json_object_get(loc, "lon");
    if (json_is_number(lat) && json_is_number(lon)) {
        in->lat = json_number_value(lat);
        in->lon = json_number_value(lon);
        /* Each coordinate on its own, so the message points at the wrong one. */
        const dom_bounds *b = &app->cfg->bounds;
        if (!isfinite(in->lat) || in->lat < b->min_lat || in->lat > b->max_lat)
            http_field_error(req, fields, "location.lat", "out_of_bounds", NULL);
        if (!isfinite(in->lon) || in->lon < b->min_lon || in->lon > b->max_lon)
            http_field_error(req, fields, "location.lon", "out_of_bounds", NULL);
    }
    in->channel = "web";
    const char *ch = json_str(body, "channel", NULL);
    if (ch && !json_object_get(fields, "channel")) {
        in->channel = NULL;
        for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
            if (strcmp(ch, channels[i]) == 0) in->channel = channels[i];
        if (!in->channel) http_field_error(req, fields, "channel", "invalid_value", ch);
    }
}

/* Parses and checks the body; on failure answers and returns NULL. */
static json_t *read_body(http_req *req, intake *in) {
    json_t *body = http_json_object(req);
    if (!body) return NULL;
    json_t *fields = json_object();
    http_input_check(req, body, appeal_spec, "", fields);
    check_domain(req, body, in, fields); /* skips the fields that already failed */
    if (json_object_size(fields)) {
        http_reply_error(req, "validation_failed", fields);
        json_decref(fields);
        json_decref(body);
        return NULL;
    }
    json_decref(fields);
    in->description = http_json_trimmed(json_object_get(body, "description"));
    in->name = http_json_trimmed(json_object_get(json_object_get(body, "applicant"), "name"));
    in->email = http_json_trimmed(json_object_get(json_object_get(body, "applicant"), "email"));
    /* Lower case, so the cabinet of the verified address finds the appeal. */
    str_lower_ascii(in->email);
    in->address = http_json_trimmed(json_object_get(json_object_get(body, "location"), "address"));
    app_ctx *app = req->app;
    in->district = dom_district_at(&app->districts, in->lon, in->lat);
    in->organisation = dom_route(&app->routing, in->cat->code, in->type->code,
                                 in->district ? in->district->code : NULL, in->type->organisation);
    return body;
}

typedef struct {
    app_ctx *app;
    const intake *in;
    const char *actor; /* the operator who registered the call, or NULL */
    const char *lang;  /* the applicant's language (of the request): their messages' */
    const idem_key *key;
    const char *request_hash;
    int64_t now;
    int64_t first_due; /* the earlier deadline: when the sweeper must look */
    int64_t resolution_due;
    int64_t id;        /* the stored appeal's row */
    char token[TOKEN_TEXT_LEN + 1];
    char number[16];
    char *answer; /* the 201 body */
} create_tx;

static char *answer_json(const create_tx *t, int64_t reaction_due, int64_t resolution_due) {
    const dom_catalog *cat = &t->app->catalog;
    char url[128];
    snprintf(url, sizeof url, "/track.html#%s", t->token);
    json_t *j = json_pack(
        "{s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:s, s:s}", "number", t->number, "status",
        strcmp(t->in->organisation, API_TRIAGE_ORG) != 0 ? "assigned" : "registered", "category", view_category(cat, t->in->cat->code), "type",
        view_type(cat, t->in->cat->code, t->in->type->code), "priority",
        dom_priority_name(t->in->type->priority), "organisation",
        view_org(cat, t->in->organisation), "created_at", view_time(t->now),
        "reaction_due_at", view_time(reaction_due), "resolution_due_at", view_time(resolution_due),
        "tracking_token", t->token, "tracking_url", url);
    json_object_set_new(j, "district",
                        api_district_json(t->app, t->in->district ? t->in->district->code : NULL));
    char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(j);
    return text;
}

static int create_in_tx(db_conn *c, void *ctx) {
    create_tx *t = ctx;
    const intake *in = t->in;
    free(t->answer);
    t->answer = NULL;
    rand_token(t->token, sizeof t->token);
    char token_hash[HASH_HEX_LEN + 1];
    hash_hex(t->token, strlen(t->token), token_hash, sizeof token_hash);
    int64_t reaction_due = dom_reaction_due(t->now, in->type->reaction);
    int64_t resolution_due = dom_resolution_due(t->now, in->type->resolution);
    store_new_appeal a = {
        .category = in->cat->code, .type = in->type->code,
        .priority = dom_priority_name(in->type->priority),
        .organisation = in->organisation, .channel = in->channel,
        .district = in->district ? in->district->code : NULL,
        .description = in->description, .address = in->address, .name = in->name,
        .phone = in->phone, .email = in->email, .lat = in->lat, .lon = in->lon,
        .created_at = t->now, .reaction_due_at = reaction_due,
        .resolution_due_at = resolution_due, .tracking_hash = token_hash,
        .trial = t->app->cfg->trial, .year = dom_local_year(t->now), .actor = t->actor,
        /* Routed to a real organisation: it is theirs at once. The contact
         * center itself (no rule) means the dispatcher's triage queue. */
        .assigned = strcmp(in->organisation, API_TRIAGE_ORG) != 0,
        .lang = t->lang, .tracking_token = t->token,
    };
    t->first_due = reaction_due < resolution_due ? reaction_due : resolution_due;
    t->resolution_due = resolution_due;
    int rc = store_appeal_insert(c, &a, &t->id, t->number);
    if (rc != DB_OK) return rc;
    t->answer = answer_json(t, reaction_due, resolution_due);
    if (!t->answer) return DB_ERR; /* nothing half-stored: the transaction rolls back */
    if (!t->key->present) return DB_OK;
    char *sealed = idem_seal(t->key, t->answer);
    rc = store_idem_put(c, t->key->key_hash, t->request_hash, 201, sealed, t->now);
    free(sealed);
    return rc;
}

/* A retry with a known key: the first answer, or 422 for another body. */
static bool replay(http_req *req, db_conn *c, const idem_key *key, const char *request_hash) {
    char stored_hash[65];
    int status = 0;
    char *sealed = NULL;
    if (store_idem_get(c, key->key_hash, stored_hash, &status, &sealed) != DB_OK) return false;
    char *body = strcmp(stored_hash, request_hash) == 0 ? idem_open(key, sealed) : NULL;
    free(sealed);
    if (!body) {
        http_reply_error(req, "idempotency_key_reused", NULL);
        return true;
    }
    http_add_header(req, "Idempotent-Replayed", "true");
    json_t *j = json_loads(body, 0, NULL);
    const char *number = json_string_value(json_object_get(j, "number"));
    if (number) {
        char loc[64];
        snprintf(loc, sizeof loc, "/api/v1/appeals/%s", number);
        http_add_header(req, "Location", loc);
    }
    json_decref(j);
    http_reply_text(req, status, "application/json; charset=utf-8", body, strlen(body));
    return true;
}

static void respond_created(http_req *req, create_tx *t) {
    char loc[64];
    snprintf(loc, sizeof loc, "/api/v1/appeals/%s", t->number);
    http_add_header(req, "Location", loc);
    http_reply_text(req, 201, "application/json; charset=utf-8", t->answer, strlen(t->answer));
    t->answer = NULL;
}

void api_appeal_create(http_req *req) {
    app_ctx *app = req->app;
    idem_key key;
    if (!idem_parse(http_header(req, "Idempotency-Key"), &key)) {
        http_reply_error(req, "invalid_idempotency_key", NULL);
        return;
    }
    intake in = {0};
    json_t *body = read_body(req, &in);
    if (!body) {
        intake_free(&in);
        return;
    }
    /* The hotline channel is the operators': a resident's own page or app
     * cannot claim a call was registered. */
    api_staff who;
    bool staff = api_staff_peek(req, &who) &&
                 dom_role_has(who.role, DOM_RIGHT_CONSOLE);
    char actor[80] = "";
    if (staff) api_staff_actor(&who, actor, sizeof actor);
    if (strcmp(in.channel, "phone") == 0 && !staff) {
        json_t *fields = json_object();
        http_field_error(req, fields, "channel", "invalid_value", "phone: staff only");
        http_reply_error(req, "validation_failed", fields);
        json_decref(fields);
        json_decref(body);
        intake_free(&in);
        return;
    }
    char request_hash[HASH_HEX_LEN + 1];
    hash_hex(req->body.data, req->body.len, request_hash, sizeof request_hash);
    db_conn *c = db_pool_acquire(app->pool);
    create_tx t = {.app = app, .in = &in, .actor = staff ? actor : NULL, .key = &key, .request_hash = request_hash,
                   .now = time_now_ms(), .lang = req->english ? "en" : "uk"};
    if (!(key.present && replay(req, c, &key, request_hash))) {
        int rc = store_tx(c, true, create_in_tx, &t);
        if (rc == DB_OK) {
            /* Before the answer, so a map reload shows it. */
            int year = 0;
            long seq = 0;
            dom_number_parse(t.number, &year, &seq);
            store_map_row row = {.id = t.id, .created_at = t.now, .updated_at = t.now,
                                 .year = year, .seq = seq, .lat = in.lat, .lon = in.lon,
                                 .status = strcmp(in.organisation, API_TRIAGE_ORG) != 0
                                               ? "assigned"
                                               : "registered",
                                 .category = in.cat->code,
                                 .district = in.district ? in.district->code : "",
                                 .type = in.type->code, .organisation = in.organisation,
                                 .channel = in.channel, .address = in.address ? in.address : "",
                                 .trial = app->cfg->trial, .resolution_due_at = t.resolution_due};
            mapindex_added(app->map, &row);
            respond_created(req, &t);
            sweeper_wake(app->sweeper, t.first_due);
            outbox_wake(app->outbox); /* the "registered" message */
        } else if (!(rc == DB_CONSTRAINT && key.present && replay(req, c, &key, request_hash))) {
            log_error("appeal not stored", "\"rc\":%d", rc);
            http_reply_error(req, "internal_error", NULL);
        }
    }
    db_pool_release(app->pool, c);
    free(t.answer);
    intake_free(&in);
    json_decref(body);
}

void api_appeal_get(http_req *req) {
    app_ctx *app = req->app;
    int year;
    long seq;
    if (!dom_number_parse(req->params[0], &year, &seq)) {
        http_reply_error(req, "invalid_number", NULL);
        return;
    }
    store_appeal a;
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_appeal_by_number(c, req->params[0], &a);
    json_t *photos = NULL; /* only those staff made public: thumbnails */
    if (rc == DB_OK) {
        photos = api_photos_json(c, a.id, true, "/api/v1/photos/", &rc);
        if (!photos) store_appeal_free(&a);
    }
    db_pool_release(app->pool, c);
    if (rc == DB_NOT_FOUND) {
        http_reply_error(req, "appeal_not_found", NULL);
        return;
    }
    if (rc != DB_OK) {
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    json_t *j = view_public(&app->catalog, &a);
    json_object_set_new(j, "district", api_district_json(app, a.district));
    json_object_set_new(j, "photos", photos);
    http_reply_json(req, 200, j);
    json_decref(j);
    store_appeal_free(&a);
}
