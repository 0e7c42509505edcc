/* The hotline console: GET /api/v1/callers/{phone} (the caller's appeals
 * and consultations) and POST /api/v1/consultations (a call that needed
 * only an answer). The request log names the route pattern, never the
 * phone; nothing here logs personal data. */
#include "api/staff.h"
#include "api/views.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timeutil.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define HISTORY_MAX 50

static const in_field consultation_spec[] = {
    {"phone", IN_STRING, false, 0, 64, NULL},
    {"topic", IN_STRING, true, 1, 200, NULL},
    {"note", IN_TEXT, false, 0, 2000, NULL},
    {0},
};

typedef struct {
    const char *phone;
    store_caller_appeal *appeals;
    store_consultation *consultations;
    int n_appeals, n_consultations;
} history_tx;

static void history_release(history_tx *t) {
    store_caller_appeals_free(t->appeals, t->n_appeals);
    store_consultations_free(t->consultations, t->n_consultations);
    t->appeals = NULL;
    t->consultations = NULL;
    t->n_appeals = t->n_consultations = 0;
}

static int history_in_tx(db_conn *c, void *ctx) {
    history_tx *t = ctx;
    history_release(t);
    int rc = store_caller_appeals(c, t->phone, HISTORY_MAX, &t->appeals, &t->n_appeals);
    if (rc == DB_OK)
        rc = store_caller_consultations(c, t->phone, HISTORY_MAX, &t->consultations,
                                        &t->n_consultations);
    return rc;
}

static json_t *history_json(const dom_catalog *cat, const char *phone, const history_tx *t) {
    json_t *appeals = json_array(), *consultations = json_array();
    for (int i = 0; i < t->n_appeals; i++) {
        const store_caller_appeal *a = &t->appeals[i];
        json_array_append_new(
            appeals, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "number", a->number,
                               "status", a->status, "category", view_category(cat, a->category),
                               "type", view_type(cat, a->category, a->type), "created_at",
                               view_time(a->created_at), "resolution_due_at",
                               view_time(a->resolution_due_at), "address",
                               view_opt(a->address)));
    }
    for (int i = 0; i < t->n_consultations; i++) {
        const store_consultation *k = &t->consultations[i];
        json_array_append_new(
            consultations,
            json_pack("{s:I, s:s, s:o, s:o, s:s}", "id", (json_int_t)k->id, "topic", k->topic,
                      "note", view_opt(k->note), "created_at",
                      view_time(k->created_at), "operator", k->operator_login));
    }
    return json_pack("{s:s, s:o, s:o}", "phone", phone, "appeals", appeals, "consultations",
                     consultations);
}

/* A phone as E.164, or answer 422 naming `field` and return false. */
static bool read_phone(http_req *req, const char *text, const char *field, char out[16]) {
    if (dom_phone_normalize(text, out, 16)) return true;
    json_t *fields = json_object();
    http_field_error(req, fields, field, "invalid_phone", NULL);
    http_reply_error(req, "validation_failed", fields);
    json_decref(fields);
    return false;
}

void api_caller_get(http_req *req) {
    app_ctx *app = req->app;
    api_staff who;
    if (!api_staff_require(req, DOM_RIGHT_CONSOLE, &who)) return;
    char phone[16];
    if (!read_phone(req, req->params[0], "phone", phone)) return;
    history_tx t = {.phone = phone};
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_tx(c, false, history_in_tx, &t);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        log_error("caller history not read", "\"rc\":%d", rc);
        http_reply_error(req, "internal_error", NULL);
    } else {
        json_t *j = history_json(&app->catalog, phone, &t);
        http_reply_json(req, 200, j);
        json_decref(j);
    }
    history_release(&t);
}


typedef struct {
    const char *phone; /* NULL: an anonymous caller */
    char *topic, *note;
    int64_t operator_id, now, id;
} consult_tx;

static int consult_in_tx(db_conn *c, void *ctx) {
    consult_tx *t = ctx;
    return store_consultation_add(c, t->phone, t->topic, t->note, t->operator_id, t->now, &t->id);
}

/* Checks the body; false after answering 400/422. */
static bool read_consultation(http_req *req, const json_t *body, consult_tx *t, char phone[16]) {
    json_t *fields = json_object();
    http_input_check(req, body, consultation_spec, "", fields);
    char *p = json_object_get(fields, "phone") ? NULL : http_json_trimmed(json_object_get(body, "phone"));
    if (p && !dom_phone_normalize(p, phone, 16))
        http_field_error(req, fields, "phone", "invalid_phone", NULL);
    t->phone = p ? phone : NULL;
    free(p);
    bool ok = json_object_size(fields) == 0;
    if (!ok) http_reply_error(req, "validation_failed", fields);
    json_decref(fields);
    if (ok) {
        t->topic = http_json_trimmed(json_object_get(body, "topic"));
        t->note = http_json_trimmed(json_object_get(body, "note"));
    }
    return ok;
}

void api_consultation_create(http_req *req) {
    app_ctx *app = req->app;
    api_staff who;
    if (!api_staff_require(req, DOM_RIGHT_CONSOLE, &who)) return;
    json_t *body = http_json_object(req);
    if (!body) return;
    char phone[16];
    consult_tx t = {.operator_id = who.id, .now = time_now_ms()};
    if (read_consultation(req, body, &t, phone)) {
        db_conn *c = db_pool_acquire(app->pool);
        int rc = store_tx(c, true, consult_in_tx, &t);
        db_pool_release(app->pool, c);
        if (rc == DB_OK) {
            json_t *j = json_pack("{s:I, s:o}", "id", (json_int_t)t.id, "created_at",
                                  view_time(t.now));
            http_reply_json(req, 201, j);
            json_decref(j);
        } else {
            log_error("consultation not stored", "\"rc\":%d", rc);
            http_reply_error(req, "internal_error", NULL);
        }
    }
    free(t.topic);
    free(t.note);
    json_decref(body);
}
