/* POST /api/v1/appeals/{number}/actions: the staff workflow (docs/STAFF.md).
 *
 * Order of checks: the session (401, CSRF 403); the body (422); the appeal
 * must be visible to the caller (404 otherwise: an executor never learns
 * that another organisation's appeal exists); the role must be allowed the
 * action (403); the state must allow it (409); then the action's own
 * fields (422). Everything happens in one write transaction: the workflow
 * columns, the events (public or internal, each with old and new values),
 * violations, extensions, next_check_at. */
#include "api/actions.h"
#include "api/staff.h"
#include "api/views.h"
#include "domain/deadline.h"
#include "domain/lifecycle.h"
#include "jobs/outbox.h"
#include "jobs/sweeper.h"
#include "store/store.h"
#include "store/workflow.h"
#include "util/rand.h"
#include "util/timeutil.h"
#include <stdio.h>
#include <string.h>
#include "util/banned.h"

static const in_field action_spec[] = {
    {"action", IN_STRING, true, 1, 32, NULL},
    {"organisation", IN_STRING, false, 1, 64, NULL},
    {"category", IN_STRING, false, 1, 64, NULL},
    {"type", IN_STRING, false, 1, 64, NULL},
    {"reason", IN_TEXT, false, 3, 2000, NULL},
    {"comment", IN_TEXT, false, 3, 4000, NULL},
    {"note", IN_TEXT, false, 0, 2000, NULL},
    {"parent", IN_STRING, false, 1, 16, NULL},
    {"due_at", IN_STRING, false, 1, 40, NULL},
    {0},
};

/* The fields each action requires (beyond "action"). */
static const struct {
    dom_action act;
    const char *required[3];
} needs[] = {
    {DOM_ACT_ASSIGN, {"organisation"}},
    {DOM_ACT_RECLASSIFY, {"category", "type", "reason"}},
    {DOM_ACT_REJECT, {"reason"}},
    {DOM_ACT_FORWARD, {"reason"}},
    {DOM_ACT_MERGE, {"parent"}},
    {DOM_ACT_DONE, {"comment"}},
    {DOM_ACT_RETURN, {"reason"}},
    {DOM_ACT_REQUEST_EXTENSION, {"reason", "due_at"}},
    {DOM_ACT_REOPEN, {"reason"}},
};

typedef struct {
    app_ctx *app;
    const api_staff *who;
    const char *number;
    dom_action act;
    const json_t *body;
    json_t *fields; /* field errors found inside the transaction */
    int64_t now;
    /* out */
    const char *error; /* an error code to answer, or NULL */
    int64_t wake_at;
    json_t *answer;    /* the staff view after the action, or NULL */
} act_ctx;

static const char *text_of(const act_ctx *x, const char *key) {
    return json_string_value(json_object_get(x->body, key));
}

/* An event with the actor and {"old": ..., "new": ...} built by the caller. */
static int event(db_conn *c, act_ctx *x, int64_t appeal_id, const char *kind, const char *status,
                 bool public, const char *note, json_t *data) {
    char actor[80];
    api_staff_actor(x->who, actor, sizeof actor);
    char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);
    int rc = store_event_add(c, appeal_id, x->now, kind, status, public, actor, note, text);
    free(text);
    return rc;
}

static json_t *change(const char *key, json_t *old, json_t *new_value) {
    return json_pack("{s:{s:o}, s:{s:o}}", "old", key, old, "new", key, new_value);
}

static void field_error(act_ctx *x, const char *field, const char *code, const char *detail) {
    json_object_set_new(x->fields, field,
                        json_pack("{s:s, s:s}", "code", code, "detail", detail ? detail : ""));
    x->error = "validation_failed";
}

/* assign {organisation}: routes or reroutes; a new organisation must accept anew. */
static int do_assign(db_conn *c, act_ctx *x, store_wf *w) {
    const char *org = text_of(x, "organisation");
    if (!dom_catalog_org(&x->app->catalog, org)) {
        field_error(x, "organisation", "unknown_organisation", org);
        return DB_OK;
    }
    json_t *data = change("organisation", view_opt(w->organisation), view_opt(org));
    if (strcmp(org, w->organisation) != 0) {
        w->reacted_at = 0;
        w->assignee_id = 0;
    }
    str_copy(w->organisation, sizeof w->organisation, org);
    w->flagged = false;
    w->escalated_at = 0; /* rerouting is how an escalation is often handled */
    str_copy(w->status, sizeof w->status, "assigned");
    return event(c, x, w->id, "assigned", w->status, true, NULL, data);
}

/* Another organisation by the routing rules: as at intake, it is theirs
 * at once (they must accept anew), or the contact center's triage when no
 * rule names one. */
static int reroute(db_conn *c, act_ctx *x, store_wf *w, const char *org) {
    json_t *data = change("organisation", view_opt(w->organisation), view_opt(org));
    str_copy(w->organisation, sizeof w->organisation, org);
    w->reacted_at = 0;
    w->assignee_id = 0;
    bool triage = strcmp(org, API_TRIAGE_ORG) == 0;
    str_copy(w->status, sizeof w->status, triage ? "registered" : "assigned");
    return event(c, x, w->id, triage ? "returned_to_triage" : "assigned", w->status, !triage, NULL,
                 data);
}

/* reclassify {category, type, reason}: deadlines from the original
 * registration time, the organisation by the routing rules. */
static int do_reclassify(db_conn *c, act_ctx *x, store_wf *w) {
    const dom_catalog *cat = &x->app->catalog;
    const char *cc = text_of(x, "category"), *tc = text_of(x, "type");
    const dom_category *k = dom_catalog_category(cat, cc);
    const dom_type *t = k ? dom_catalog_type(k, tc) : NULL;
    if (!k) field_error(x, "category", "unknown_category", cc);
    else if (!t) field_error(x, "type", "unknown_type", tc);
    if (!t) return DB_OK;
    const char *org = dom_route(&x->app->routing, k->code, t->code,
                                w->district[0] ? w->district : NULL, t->organisation);
    json_t *data = json_pack(
        "{s:{s:s, s:s, s:s, s:s, s:I, s:I}, s:{s:s, s:s, s:s, s:s, s:I, s:I}}", "old", "category",
        w->category, "type", w->type, "priority", w->priority, "organisation", w->organisation,
        "reaction_due_at", (json_int_t)w->reaction_due_at, "resolution_due_at",
        (json_int_t)w->resolution_due_at, "new", "category", k->code, "type", t->code, "priority",
        dom_priority_name(t->priority), "organisation", org, "reaction_due_at",
        (json_int_t)dom_reaction_due(w->created_at, t->reaction), "resolution_due_at",
        (json_int_t)dom_resolution_due(w->created_at, t->resolution));
    str_copy(w->category, sizeof w->category, k->code);
    str_copy(w->type, sizeof w->type, t->code);
    str_copy(w->priority, sizeof w->priority, dom_priority_name(t->priority));
    w->reaction_due_at = dom_reaction_due(w->created_at, t->reaction);
    w->resolution_due_at = dom_resolution_due(w->created_at, t->resolution);
    /* An approved extension was promised to the applicant: it stands. */
    if (w->ext_approved_due_at > w->resolution_due_at) w->resolution_due_at = w->ext_approved_due_at;
    /* A later deadline lifts the marks; the sweeper sets them again if due. */
    if (w->reaction_due_at > x->now) w->reaction_overdue = w->reaction_warned = false;
    if (w->resolution_due_at > x->now) w->resolution_overdue = w->resolution_warned = false;
    int rc = event(c, x, w->id, "reclassified", w->status, false, text_of(x, "reason"), data);
    if (rc != DB_OK || strcmp(org, w->organisation) == 0) return rc;
    return reroute(c, x, w, org);
}

/* merge {parent}: the child follows the parent from now on. */
static int do_merge(db_conn *c, act_ctx *x, store_wf *w) {
    const char *number = text_of(x, "parent");
    if (strcmp(number, w->number) == 0) {
        field_error(x, "parent", "same_appeal", number);
        return DB_OK;
    }
    store_wf parent;
    int rc = store_wf_load(c, number, &parent);
    dom_status ps;
    if (rc == DB_NOT_FOUND || (rc == DB_OK && (!dom_status_parse(parent.status, &ps) ||
                                               dom_status_is_final(ps)))) {
        field_error(x, "parent", "unknown_appeal", number);
        return DB_OK;
    }
    if (rc != DB_OK) return rc;
    w->parent_id = parent.id;
    str_copy(w->status, sizeof w->status, "duplicate");
    char token[TOKEN_TEXT_LEN + 1], hash[HASH_HEX_LEN + 1];
    rand_token(token, sizeof token); /* never shown: the child's own link leads to the parent */
    hash_hex(token, TOKEN_TEXT_LEN, hash, sizeof hash);
    rc = store_follow_parent(c, w->id, parent.id, hash, x->now);
    if (rc == DB_OK)
        rc = event(c, x, w->id, "merged", w->status, true, parent.number,
                   change("parent", json_null(), json_string(parent.number)));
    if (rc == DB_OK)
        rc = event(c, x, parent.id, "duplicate_merged", parent.status, false, w->number,
                   json_pack("{s:s}", "child", w->number));
    return rc;
}

/* request_extension {reason, due_at}: later than now's deadline, within 45 days. */
static int do_request_extension(db_conn *c, act_ctx *x, store_wf *w) {
    int64_t due = 0;
    const char *text = text_of(x, "due_at");
    char limit[40];
    time_format_iso(dom_extension_limit(w->created_at), limit, sizeof limit);
    if (!time_parse_iso(text, &due))
        field_error(x, "due_at", "invalid_datetime", text);
    else if (due <= w->resolution_due_at)
        field_error(x, "due_at", "not_after_deadline", NULL);
    else if (due > dom_extension_limit(w->created_at))
        field_error(x, "due_at", "past_legal_maximum", limit);
    if (x->error) return DB_OK;
    int rc = store_extension_add(c, w->id, x->who->id, text_of(x, "reason"), w->resolution_due_at,
                                 due, x->now);
    if (rc == DB_OK)
        rc = event(c, x, w->id, "extension_requested", w->status, false, text_of(x, "reason"),
                   change("resolution_due_at", json_integer(w->resolution_due_at),
                          json_integer(due)));
    return rc;
}

/* approve_extension / refuse_extension {note?}: a supervisor decides. */
static int do_decide_extension(db_conn *c, act_ctx *x, store_wf *w, bool approve) {
    int rc = store_extension_decide(c, w->ext_id, approve ? "approved" : "refused", x->who->id,
                                    text_of(x, "note"), x->now);
    if (rc != DB_OK) return rc;
    if (!approve)
        return event(c, x, w->id, "extension_refused", w->status, false, text_of(x, "note"),
                     json_pack("{s:I}", "requested_due_at", (json_int_t)w->ext_new_due_at));
    if (w->ext_new_due_at <= w->resolution_due_at) { /* e.g. reclassified meanwhile */
        field_error(x, "due_at", "not_after_deadline", NULL);
        x->error = "action_not_allowed";
        return DB_OK;
    }
    json_t *data = change("resolution_due_at", json_integer(w->resolution_due_at),
                          json_integer(w->ext_new_due_at));
    w->resolution_due_at = w->ext_new_due_at;
    if (w->resolution_due_at > x->now) {
        w->resolution_overdue = w->resolution_warned = false;
        w->escalated_at = 0; /* the supervisor handled it: out of the escalations queue */
    }
    /* Shown to the applicant: the new date (in the view) and the reason. */
    return event(c, x, w->id, "extension_approved", w->status, true, w->ext_reason, data);
}

static void take(store_wf *w, const act_ctx *x) {
    if (!w->reacted_at) w->reacted_at = x->now;
    if (!w->assignee_id) w->assignee_id = x->who->id;
}

/* The action's effect on w and its events; x->error for a refusal. */
static int apply_action(db_conn *c, act_ctx *x, store_wf *w, dom_status to) {
    const char *reason = text_of(x, "reason");
    json_t *st = change("status", json_string(w->status), json_string(dom_status_name(to)));
    switch (x->act) {
    case DOM_ACT_ASSIGN: json_decref(st); return do_assign(c, x, w);
    case DOM_ACT_RECLASSIFY: json_decref(st); return do_reclassify(c, x, w);
    case DOM_ACT_MERGE: json_decref(st); return do_merge(c, x, w);
    case DOM_ACT_REQUEST_EXTENSION: json_decref(st); return do_request_extension(c, x, w);
    case DOM_ACT_APPROVE_EXTENSION: json_decref(st); return do_decide_extension(c, x, w, true);
    case DOM_ACT_REFUSE_EXTENSION: json_decref(st); return do_decide_extension(c, x, w, false);
    default: break;
    }
    str_copy(w->status, sizeof w->status, dom_status_name(to));
    switch (x->act) {
    case DOM_ACT_REJECT: return event(c, x, w->id, "rejected", w->status, true, reason, st);
    case DOM_ACT_FORWARD: {
        /* Art. 7 gives 5 days: a late forwarding stays on the record. */
        int64_t due = dom_forward_due(w->created_at);
        json_object_set_new(st, "forward_due_at", json_integer(due));
        json_object_set_new(st, "late", json_boolean(x->now > due));
        return event(c, x, w->id, "forwarded", w->status, true, reason, st);
    }
    case DOM_ACT_ACCEPT:
        take(w, x);
        return event(c, x, w->id, "accepted", w->status, true, NULL, st);
    case DOM_ACT_START:
        take(w, x);
        return event(c, x, w->id, "started", w->status, true, NULL, st);
    case DOM_ACT_DONE:
        take(w, x);
        w->done_at = x->now;
        w->done_by = x->who->id;
        w->confirm_due_at = x->now + API_CONFIRM_WINDOW_MS;
        return event(c, x, w->id, "done", w->status, true, text_of(x, "comment"), st);
    case DOM_ACT_RETURN:
        w->flagged = true;
        w->assignee_id = 0;
        w->reacted_at = 0;
        return event(c, x, w->id, "returned", w->status, false, reason, st);
    case DOM_ACT_REOPEN: {
        int rc = api_reopen(c, w, x->now);
        if (rc == DB_OK) rc = event(c, x, w->id, "reopened", w->status, true, reason, st);
        else json_decref(st);
        return rc;
    }
    default: json_decref(st); x->error = "action_not_allowed"; return DB_OK;
    }
}

int api_reopen(db_conn *c, store_wf *w, int64_t now) {
    str_copy(w->status, sizeof w->status, "reopened");
    w->reopen_count++;
    int64_t by = w->done_by;
    w->done_at = 0;
    w->confirm_due_at = 0;
    return store_violation_add(c, w->id, w->organisation, "reopened", by, now, NULL);
}

static int action_tx(db_conn *c, void *ctx) {
    act_ctx *x = ctx;
    x->error = NULL;
    json_object_clear(x->fields);
    store_wf w;
    int rc = store_wf_load(c, x->number, &w);
    if (rc == DB_NOT_FOUND || (rc == DB_OK && !api_staff_may_view(x->who, w.organisation))) {
        x->error = "appeal_not_found";
        return DB_NOT_FOUND; /* nothing to write: roll back */
    }
    if (rc != DB_OK) return rc;
    if (!dom_role_may_act(x->who->role, dom_action_name(x->act))) {
        x->error = "forbidden";
        return DB_NOT_FOUND;
    }
    dom_status from, to;
    dom_appeal_facts facts = {.reacted = w.reacted_at != 0, .extension_pending = w.ext_id != 0};
    dom_may may = dom_status_parse(w.status, &from) ? dom_action_check(from, x->act, &facts, &to)
                                                   : DOM_MAY_NOT_STATE;
    if (may != DOM_MAY) {
        /* Why, for the extension rules: the page can say it in words. */
        if (may == DOM_MAY_NOT_PENDING) field_error(x, "action", "extension_pending", NULL);
        if (may == DOM_MAY_NOT_NO_EXTENSION) field_error(x, "action", "no_pending_extension", NULL);
        x->error = "action_not_allowed";
        return DB_NOT_FOUND;
    }
    /* The action's own fields, once rights and state allow it. */
    for (size_t i = 0; i < sizeof needs / sizeof needs[0]; i++) {
        if (needs[i].act != x->act) continue;
        for (int k = 0; k < 3 && needs[i].required[k]; k++)
            if (!json_object_get(x->body, needs[i].required[k]))
                field_error(x, needs[i].required[k], "required", NULL);
    }
    if (x->error) return DB_NOT_FOUND;
    rc = apply_action(c, x, &w, to);
    if (rc != DB_OK || x->error) return rc != DB_OK ? rc : DB_NOT_FOUND;
    rc = store_wf_save(c, &w, x->now);
    x->wake_at = x->now;
    /* The card as it is now, read in the same transaction (and audited
     * as a view of personal data, like any staff view). */
    json_decref(x->answer);
    x->answer = NULL;
    if (rc == DB_OK) {
        int vrc = DB_OK;
        x->answer = api_staff_appeal_json(x->app, c, x->who, x->number, &vrc);
        if (!x->answer && vrc != DB_NOT_FOUND) rc = vrc;
    }
    return rc;
}

/* The field errors gathered in the transaction, as the one error shape. */
static void reply_fields(http_req *req, act_ctx *x) {
    json_t *fields = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(x->fields, key, v) {
        const char *detail = json_string_value(json_object_get(v, "detail"));
        http_field_error(req, fields, key, json_string_value(json_object_get(v, "code")),
                         detail && *detail ? detail : NULL);
    }
    http_reply_error(req, x->error, fields);
    json_decref(fields);
}

static bool check_body(http_req *req, const json_t *body, dom_action *act) {
    json_t *fields = json_object();
    bool ok = http_input_check(req, body, action_spec, "", fields);
    const char *name = json_string_value(json_object_get(body, "action"));
    if (ok && (!dom_action_parse(name, act) || *act == DOM_ACT_REGISTER ||
               *act == DOM_ACT_CONFIRM || *act == DOM_ACT_DISPUTE || *act == DOM_ACT_AUTOCLOSE)) {
        http_field_error(req, fields, "action", "unknown_action", name);
        ok = false;
    }
    ok = ok && json_object_size(fields) == 0;
    if (!ok) http_reply_error(req, "validation_failed", fields);
    json_decref(fields);
    return ok;
}

void api_appeal_action(http_req *req) {
    app_ctx *app = req->app;
    api_staff who;
    if (!api_staff_session(req, &who)) return;
    json_t *body = http_json_object(req);
    if (!body) return;
    dom_action act;
    if (!check_body(req, body, &act)) {
        json_decref(body);
        return;
    }
    act_ctx x = {.app = app, .who = &who, .number = req->params[0], .act = act, .body = body,
                 .fields = json_object(), .now = time_now_ms()};
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_tx(c, true, action_tx, &x);
    db_pool_release(app->pool, c);
    if (x.error && json_object_size(x.fields))
        reply_fields(req, &x);
    else if (x.error)
        http_reply_error(req, x.error, NULL);
    else if (rc != DB_OK)
        http_reply_error(req, "internal_error", NULL);
    else {
        if (app->sweeper) sweeper_wake(app->sweeper, x.wake_at);
        outbox_wake(app->outbox); /* messages the action's public events queued */
        if (x.answer)
            http_reply_json(req, 200, x.answer);
        else
            api_action_answer(req, &who, x.number); /* no longer theirs to see in full */
    }
    json_decref(x.answer);
    json_decref(x.fields);
    json_decref(body);
}

/* When the caller may no longer see the appeal in full after the action
 * (it went to another organisation): the public view. */
void api_action_answer(http_req *req, const api_staff *who, const char *number) {
    (void)who;
    app_ctx *app = req->app;
    store_appeal a;
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_appeal_by_number(c, number, &a);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    json_t *j = view_public(&app->catalog, &a);
    json_object_set_new(j, "district", api_district_json(app, a.district));
    http_reply_json(req, 200, j);
    json_decref(j);
    store_appeal_free(&a);
}
