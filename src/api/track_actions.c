/* POST /api/v1/track/{token}/actions and POST
 * /api/v1/me/appeals/{number}/actions: the applicant confirms or disputes
 * the executor's "done", rates the work once (1–5), and adds a comment to
 * an open appeal. Only the applicant acts (by the own tracking link, or
 * from the cabinet holding the appeal's phone or email): a "me too"
 * subscriber cannot. */
#include "api/actions.h"
#include "api/resident.h"
#include "store/residents.h"
#include "domain/lifecycle.h"
#include "jobs/outbox.h"
#include "jobs/sweeper.h"
#include "store/store.h"
#include "util/rand.h"
#include "util/timeutil.h"
#include <math.h>
#include <string.h>
#include "util/banned.h"

static const in_field track_spec[] = {
    {"action", IN_STRING, true, 1, 16, NULL},
    {"comment", IN_TEXT, false, 3, 2000, NULL},
    {"rating", IN_NUMBER, false, 0, 0, NULL},
    {0},
};

typedef struct {
    const char *hash;                  /* the tracking link's, or NULL: */
    const char *number, *phone, *email; /* the cabinet's appeal and contacts */
    const char *actor;                 /* "applicant" or "resident:<id>" */
    const char *action, *comment;
    int rating;
    int64_t now;
    const char *error;
    const char *field, *field_code; /* a field error with error "validation_failed" */
} track_ctx;

static int rate(db_conn *c, track_ctx *x, store_wf *w) {
    if (strcmp(w->status, "done") != 0 && strcmp(w->status, "closed") != 0) {
        x->error = "action_not_allowed";
        return DB_OK;
    }
    if (w->rating) {
        x->error = "action_not_allowed";
        x->field = "rating";
        x->field_code = "already_rated";
        return DB_OK;
    }
    w->rating = x->rating;
    char data[48];
    snprintf(data, sizeof data, "{\"rating\":%d}", x->rating);
    int rc = store_event_add(c, w->id, x->now, "rated", w->status, true, x->actor, NULL, data);
    if (rc == DB_OK && x->rating <= 2)
        rc = store_violation_add(c, w->id, w->organisation, "low_rating", w->done_by, x->now, NULL);
    if (rc == DB_OK) rc = store_wf_save(c, w, x->now);
    return rc;
}

/* A comment on an open appeal: the timeline shows that one was added;
 * the words go to staff only (they may hold personal data). */
static int comment(db_conn *c, track_ctx *x, store_wf *w) {
    dom_status st;
    if (!dom_status_parse(w->status, &st) || dom_status_is_final(st)) {
        x->error = "action_not_allowed";
        return DB_OK;
    }
    int rc = store_event_add(c, w->id, x->now, "commented", w->status, true, x->actor, NULL, NULL);
    if (rc == DB_OK)
        rc = store_event_add(c, w->id, x->now, "comment", w->status, false, x->actor, x->comment,
                             NULL);
    return rc;
}

static int load(db_conn *c, track_ctx *x, store_wf *w) {
    if (x->hash) {
        int rc = store_wf_load_tracking(c, x->hash, w);
        if (rc == DB_NOT_FOUND) x->error = "tracking_not_found";
        return rc;
    }
    int rc = store_cabinet_owns(c, x->number, x->phone, x->email);
    if (rc == DB_OK) rc = store_wf_load(c, x->number, w);
    if (rc == DB_NOT_FOUND) x->error = "appeal_not_found";
    return rc;
}

static int track_tx(db_conn *c, void *ctx) {
    track_ctx *x = ctx;
    x->error = x->field = NULL;
    store_wf w;
    int rc = load(c, x, &w);
    if (rc != DB_OK) return rc;
    if (strcmp(x->action, "rate") == 0 || strcmp(x->action, "comment") == 0) {
        rc = x->action[0] == 'r' ? rate(c, x, &w) : comment(c, x, &w);
        if (rc == DB_OK && !x->error && x->action[0] == 'c') rc = store_wf_save(c, &w, x->now);
        return rc == DB_OK && x->error ? DB_NOT_FOUND : rc;
    }
    dom_action act = strcmp(x->action, "confirm") == 0 ? DOM_ACT_CONFIRM : DOM_ACT_DISPUTE;
    dom_status from, to;
    if (!dom_status_parse(w.status, &from) || !dom_transition(from, act, &to)) {
        x->error = "action_not_allowed";
        return DB_NOT_FOUND;
    }
    if (act == DOM_ACT_CONFIRM) {
        str_copy(w.status, sizeof w.status, dom_status_name(to));
        w.closed_at = x->now;
        w.confirm_due_at = 0;
        rc = store_event_add(c, w.id, x->now, "confirmed", w.status, true, x->actor, NULL, NULL);
    } else {
        rc = api_reopen(c, &w, x->now);
        /* The applicant's words go to staff only: subscribers see the public timeline. */
        json_t *d = json_pack("{s:s}", "comment", x->comment);
        char *data = json_dumps(d, JSON_COMPACT);
        json_decref(d);
        if (rc == DB_OK)
            rc = store_event_add(c, w.id, x->now, "disputed", w.status, true, x->actor, NULL,
                                 NULL);
        if (rc == DB_OK)
            rc = store_event_add(c, w.id, x->now, "dispute_comment", w.status, false, x->actor,
                                 x->comment, data);
        free(data);
    }
    if (rc == DB_OK) rc = store_wf_save(c, &w, x->now);
    return rc;
}

/* Checks the body; answers 422 and returns false when wrong. */
static bool check(http_req *req, const json_t *body, track_ctx *x) {
    json_t *fields = json_object();
    if (http_input_check(req, body, track_spec, "", fields)) {
        x->action = json_string_value(json_object_get(body, "action"));
        x->comment = json_string_value(json_object_get(body, "comment"));
        const json_t *r = json_object_get(body, "rating");
        double v = json_number_value(r);
        bool known = strcmp(x->action, "confirm") == 0 || strcmp(x->action, "dispute") == 0 ||
                     strcmp(x->action, "rate") == 0 || strcmp(x->action, "comment") == 0;
        if (!known)
            http_field_error(req, fields, "action", "unknown_action", x->action);
        else if ((strcmp(x->action, "dispute") == 0 || strcmp(x->action, "comment") == 0) &&
                 !x->comment)
            http_field_error(req, fields, "comment", "required", NULL);
        else if (strcmp(x->action, "rate") == 0 && !r)
            http_field_error(req, fields, "rating", "required", NULL);
        else if (strcmp(x->action, "rate") == 0 && (v != floor(v) || v < 1 || v > 5))
            http_field_error(req, fields, "rating", "out_of_range", "1–5");
        else if (strcmp(x->action, "rate") == 0)
            x->rating = (int)v; /* 1..5 by now: the conversion is defined */
    }
    bool ok = json_object_size(fields) == 0;
    if (!ok) http_reply_error(req, "validation_failed", fields);
    json_decref(fields);
    return ok;
}

/* Runs the action of x (from body) and answers; `view` gives the 200. */
static void run(http_req *req, json_t *body, track_ctx *x, http_handler view) {
    app_ctx *app = req->app;
    x->now = time_now_ms();
    if (!check(req, body, x)) {
        json_decref(body);
        return;
    }
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_tx(c, true, track_tx, x);
    db_pool_release(app->pool, c);
    json_decref(body);
    if (x->error && x->field) {
        json_t *fields = json_object();
        http_field_error(req, fields, x->field, x->field_code, NULL);
        http_reply_error(req, x->error, fields);
        json_decref(fields);
    } else if (x->error) {
        http_reply_error(req, x->error, NULL);
    } else if (rc != DB_OK) {
        http_reply_error(req, "internal_error", NULL);
    } else {
        if (app->sweeper) sweeper_wake(app->sweeper, x->now);
        outbox_wake(app->outbox); /* messages the action's public events queued */
        view(req); /* the applicant's view, as GET answers it */
    }
}

void api_track_action(http_req *req) {
    const char *token = req->params[0];
    if (strlen(token) != TOKEN_TEXT_LEN) {
        http_reply_error(req, "tracking_not_found", NULL);
        return;
    }
    json_t *body = http_json_object(req);
    if (!body) return;
    char hash[HASH_HEX_LEN + 1];
    hash_hex(token, TOKEN_TEXT_LEN, hash, sizeof hash);
    track_ctx x = {.hash = hash, .actor = "applicant"};
    run(req, body, &x, api_track_get);
}

void api_me_appeal_action(http_req *req) {
    store_resident who;
    if (!api_resident_session(req, &who)) return;
    json_t *body = http_json_object(req);
    if (!body) return;
    char actor[48];
    api_resident_actor(&who, actor, sizeof actor);
    track_ctx x = {.number = req->params[0], .phone = who.phone, .email = who.email,
                   .actor = actor};
    run(req, body, &x, api_me_appeal_get);
}
