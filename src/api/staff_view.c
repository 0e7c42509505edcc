/* GET /api/v1/staff/appeals/{number}: everything about one appeal for
 * staff — the applicant's personal data, every event, the extension
 * requests, and what this caller may do now. Each answer is audited: an
 * internal `personal_data_viewed` event in the same write transaction. */
#include "api/photos.h"
#include "api/staff.h"
#include "api/views.h"
#include "domain/lifecycle.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timeutil.h"
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

/* The staff actions in the order a page shows them (wire names). */
static const char *const staff_actions[] = {
    "accept", "start", "done", "request_extension", "return", "assign", "reclassify",
    "forward", "reject", "merge", "approve_extension", "refuse_extension", "reopen",
};

/* An executor acts only inside the own organisation. */
static bool in_reach(const api_staff *who, const store_appeal *a) {
    return who->role != DOM_ROLE_EXECUTOR || strcmp(who->organisation, a->organisation) == 0;
}

/* The lifecycle table and the state rules beyond it (domain/lifecycle.h). */
static bool state_allows(const char *name, const store_appeal *a, bool pending_extension) {
    dom_status from, to;
    dom_action act;
    if (!dom_status_parse(a->status, &from) || !dom_action_parse(name, &act)) return false;
    dom_appeal_facts f = {.reacted = a->reacted_at != 0, .extension_pending = pending_extension};
    return dom_action_check(from, act, &f, &to) == DOM_MAY;
}

json_t *api_allowed_actions(const api_staff *who, const store_appeal *a, bool pending_extension) {
    json_t *list = json_array();
    if (!in_reach(who, a)) return list;
    for (size_t i = 0; i < sizeof staff_actions / sizeof staff_actions[0]; i++)
        if (dom_role_may_act(who->role, staff_actions[i]) &&
            state_allows(staff_actions[i], a, pending_extension))
            json_array_append_new(list, json_string(staff_actions[i]));
    return list;
}

bool api_staff_may_view(const api_staff *who, const char *organisation) {
    if (dom_role_has(who->role, DOM_RIGHT_VIEW_APPEALS)) return true;
    return dom_role_has(who->role, DOM_RIGHT_VIEW_OWN_ORG) &&
           strcmp(who->organisation, organisation) == 0;
}

static json_t *opt_time(int64_t ms) { return ms ? view_time(ms) : json_null(); }
static json_t *events_json(const store_staff_event *ev, int n) {
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        json_t *data = ev[i].data ? json_loads(ev[i].data, 0, NULL) : NULL;
        json_array_append_new(
            list, json_pack("{s:o, s:s, s:s, s:b, s:s, s:o, s:o}", "at", view_time(ev[i].at),
                            "kind", ev[i].kind, "status", ev[i].status, "public", ev[i].public,
                            "actor", ev[i].actor, "note", view_opt(ev[i].note), "data",
                            data ? data : json_null()));
    }
    return list;
}

static json_t *extensions_json(const store_extension *x, int n, bool *pending) {
    json_t *list = json_array();
    *pending = false;
    for (int i = 0; i < n; i++) {
        if (strcmp(x[i].status, "pending") == 0) *pending = true;
        json_t *decided = x[i].decided_login[0]
                              ? api_staff_person(x[i].decided_login, x[i].decided_name)
                              : json_null();
        json_array_append_new(
            list, json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                            (json_int_t)x[i].id, "status", x[i].status, "reason", x[i].reason,
                            "old_due_at", view_time(x[i].old_due_at), "due_at",
                            view_time(x[i].new_due_at), "requested_at",
                            view_time(x[i].created_at), "requested_by",
                            api_staff_person(x[i].by_login, x[i].by_name), "decided_by",
                            decided, "decided_at", opt_time(x[i].decided_at), "decision_note",
                            view_opt(x[i].decision_note)));
    }
    return list;
}

json_t *api_staff_person(const char *login, const char *name) {
    return json_pack("{s:s, s:s}", "login", login, "name", name);
}

/* {login, name} of a user id, or null (0 or gone). */
static int person_json(db_conn *c, int64_t id, json_t **out) {
    char login[64], name[256];
    *out = json_null();
    if (!id) return DB_OK;
    int rc = store_user_names(c, id, login, name);
    if (rc == DB_OK) {
        json_decref(*out);
        *out = api_staff_person(login, name);
    }
    return rc == DB_NOT_FOUND ? DB_OK : rc;
}

/* assignee, done_by, parent, children: the links to other rows. */
static int links_json(db_conn *c, const store_appeal *a, json_t *j) {
    json_t *v;
    int rc = person_json(c, a->assignee_id, &v);
    json_object_set_new(j, "assignee", v);
    if (rc == DB_OK) {
        rc = person_json(c, a->done_by, &v);
        json_object_set_new(j, "done_by", v);
    }
    char parent[16];
    int prc = rc == DB_OK && a->parent_id ? store_appeal_number(c, a->parent_id, parent)
                                          : DB_NOT_FOUND;
    if (prc != DB_OK && prc != DB_NOT_FOUND) rc = prc;
    json_object_set_new(j, "parent", prc == DB_OK ? json_string(parent) : json_null());
    char(*children)[16] = NULL;
    int n = 0;
    if (rc == DB_OK) rc = store_appeal_children(c, a->id, &children, &n);
    json_t *list = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(list, json_string(children[i]));
    free(children);
    json_object_set_new(j, "children", list);
    return rc;
}

/* The fields of the appeal row itself, personal data included. */
static json_t *appeal_fields(app_ctx *app, const store_appeal *a) {
    json_t *j = view_public(&app->catalog, a);
    json_object_set_new(j, "district", api_district_json(app, a->district));
    json_object_set_new(j, "channel", json_string(a->channel));
    json_object_set_new(j, "description", json_string(a->description));
    json_object_set_new(j, "location", json_pack("{s:f, s:f, s:o}", "lat", a->lat, "lon", a->lon,
                                                 "address", view_opt(a->address)));
    json_object_set_new(j, "applicant",
                        json_pack("{s:s, s:s, s:o}", "name", a->applicant_name, "phone",
                                  a->applicant_phone, "email", view_opt(a->applicant_email)));
    json_object_set_new(j, "flagged", json_boolean(a->flagged));
    json_object_set_new(j, "rating", a->rating ? json_integer(a->rating) : json_null());
    json_object_set_new(j, "reopen_count", json_integer(a->reopen_count));
    json_object_set_new(j, "confirm_due_at", opt_time(a->confirm_due_at));
    json_object_set_new(j, "escalated_at", opt_time(a->escalated_at));
    return j;
}

/* Events and extensions (and from them the allowed actions). */
static int history_json(db_conn *c, const api_staff *who, const store_appeal *a, json_t *j) {
    store_staff_event *ev = NULL;
    store_extension *x = NULL;
    int n_ev = 0, n_x = 0;
    int rc = store_events_all(c, a->id, &ev, &n_ev);
    if (rc == DB_OK) rc = store_extensions_of(c, a->id, &x, &n_x);
    if (rc == DB_OK) {
        bool pending = false;
        json_object_set_new(j, "events", events_json(ev, n_ev));
        json_object_set_new(j, "extensions", extensions_json(x, n_x, &pending));
        json_object_set_new(j, "allowed_actions", api_allowed_actions(who, a, pending));
    }
    store_staff_events_free(ev, n_ev);
    store_extensions_free(x, n_x);
    return rc;
}

json_t *api_staff_appeal_json(app_ctx *app, db_conn *c, const api_staff *who, const char *number,
                              int *rc) {
    store_appeal a;
    *rc = store_appeal_by_number(c, number, &a);
    if (*rc != DB_OK) return NULL;
    if (!api_staff_may_view(who, a.organisation)) { /* existence must not leak */
        store_appeal_free(&a);
        *rc = DB_NOT_FOUND;
        return NULL;
    }
    json_t *j = appeal_fields(app, &a);
    *rc = links_json(c, &a, j);
    if (*rc == DB_OK) *rc = history_json(c, who, &a, j);
    if (*rc == DB_OK) {
        json_t *photos = api_photos_json(c, a.id, false, "/api/v1/photos/", rc);
        if (photos) json_object_set_new(j, "photos", photos);
    }
    if (*rc == DB_OK) {
        char actor[96];
        api_staff_actor(who, actor, sizeof actor);
        *rc = store_event_add(c, a.id, time_now_ms(), "personal_data_viewed", a.status, false,
                              actor, NULL, NULL);
    }
    store_appeal_free(&a);
    if (*rc != DB_OK) {
        json_decref(j);
        return NULL;
    }
    return j;
}

typedef struct {
    app_ctx *app;
    const api_staff *who;
    const char *number;
    json_t *answer;
} view_tx;

static int view_in_tx(db_conn *c, void *ctx) {
    view_tx *t = ctx;
    json_decref(t->answer); /* a retried transaction builds it again */
    int rc;
    t->answer = api_staff_appeal_json(t->app, c, t->who, t->number, &rc);
    return rc;
}

void api_staff_appeal_get(http_req *req) {
    app_ctx *app = req->app;
    api_staff who;
    if (!api_staff_session(req, &who)) return;
    if (!dom_role_has(who.role, DOM_RIGHT_VIEW_APPEALS) &&
        !dom_role_has(who.role, DOM_RIGHT_VIEW_OWN_ORG)) {
        http_reply_error(req, "forbidden", NULL);
        return;
    }
    int year;
    long seq;
    if (!dom_number_parse(req->params[0], &year, &seq)) {
        http_reply_error(req, "invalid_number", NULL);
        return;
    }
    view_tx t = {.app = app, .who = &who, .number = req->params[0]};
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_tx(c, true, view_in_tx, &t);
    db_pool_release(app->pool, c);
    if (rc == DB_OK) {
        http_reply_json(req, 200, t.answer);
    } else if (rc == DB_NOT_FOUND) {
        http_reply_error(req, "appeal_not_found", NULL);
    } else {
        log_error("staff view not read", "\"rc\":%d", rc);
        http_reply_error(req, "internal_error", NULL);
    }
    json_decref(t.answer);
}
