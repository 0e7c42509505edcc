/* GET /api/v1/queues/{queue}: the staff work lists. No personal data in
 * the items. Pages poll every 3 s: the answer carries an ETag (a hash of
 * everything but generated_at), and If-None-Match gets a bodiless 304. */
#include "api/staff.h"
#include "api/views.h"
#include "store/store.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/deadline.h"
#include "util/banned.h"

#define QUEUE_LIMIT_DEFAULT 50
#define QUEUE_LIMIT_MAX 200
#define QUEUE_OFFSET_MAX 1000000

static const struct {
    const char *name;
    store_queue queue;
    dom_right right;
} queues[] = {
    {"triage", STORE_Q_TRIAGE, DOM_RIGHT_QUEUE_TRIAGE},
    {"organisation", STORE_Q_ORGANISATION, DOM_RIGHT_QUEUE_ORG},
    {"escalations", STORE_Q_ESCALATIONS, DOM_RIGHT_QUEUE_CONTROL},
    {"extensions", STORE_Q_EXTENSIONS, DOM_RIGHT_QUEUE_CONTROL},
    {"disputed", STORE_Q_DISPUTED, DOM_RIGHT_QUEUE_CONTROL},
};

typedef struct {
    store_queue queue;
    const char *org; /* STORE_Q_ORGANISATION */
    int limit, offset;
    store_queue_item *items;
    int n;
    int64_t total;
} queue_tx;

/* Count and page in one read transaction, so `total` matches the items. */
static int queue_in_tx(db_conn *c, void *ctx) {
    queue_tx *t = ctx;
    store_queue_items_free(t->items, t->n);
    t->items = NULL;
    t->n = 0;
    return store_queue_list(c, t->queue, t->org, t->limit, t->offset, &t->items, &t->n,
                            &t->total);
}

static json_t *extension_json(const store_queue_item *it) {
    return json_pack("{s:I, s:s, s:o, s:o, s:{s:s, s:s}}", "id", (json_int_t)it->ext_id,
                     "reason", it->ext_reason, "due_at", view_time(it->ext_new_due_at),
                     "requested_at", view_time(it->ext_created_at), "requested_by", "login",
                     it->ext_login, "name", it->ext_name);
}

static json_t *item_json(app_ctx *app, const store_queue_item *it, int64_t now) {
    const dom_catalog *cat = &app->catalog;
    bool reacted = it->reacted_at != 0;
    /* The sweeper marks within seconds; until then the clock says so too. */
    bool reaction_overdue = it->reaction_overdue || (!reacted && it->reaction_due_at < now);
    bool resolution_overdue = it->resolution_overdue || it->resolution_due_at < now;
    json_t *j = json_pack(
        "{s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:b, s:b, s:i, s:o}",
        "number", it->number, "status", it->status, "category", view_category(cat, it->category),
        "type", view_type(cat, it->category, it->type), "priority", it->priority, "organisation",
        view_org(cat, it->organisation), "district", api_district_json(app, it->district),
        "created_at", view_time(it->created_at), "reaction_due_at",
        view_time(it->reaction_due_at), "resolution_due_at", view_time(it->resolution_due_at),
        "reacted", reacted, "reaction_overdue", reaction_overdue, "resolution_overdue",
        resolution_overdue, "flagged", it->flagged, "reopen_count", it->reopen_count,
        "next_deadline_at", view_time(it->next_deadline_at));
    json_object_set_new(j, "address", view_opt(it->address));
    json_object_set_new(j, "escalated_at",
                        it->escalated_at ? view_time(it->escalated_at) : json_null());
    if (it->ext_reason) json_object_set_new(j, "extension", extension_json(it));
    /* Nobody has it yet: the dispatcher routes it, or forwards it within
     * the 5 days of Art. 7 when it is outside the city's competence. */
    json_object_set_new(j, "forward_due_at", strcmp(it->status, "registered") == 0
                                                 ? view_time(dom_forward_due(it->created_at))
                                                 : json_null());
    return j;
}

static json_t *answer_json(app_ctx *app, const char *name, const queue_tx *t, int64_t now) {
    json_t *items = json_array();
    for (int i = 0; i < t->n; i++) json_array_append_new(items, item_json(app, &t->items[i], now));
    json_t *j = json_pack("{s:s, s:I, s:i, s:i, s:o}", "queue", name, "total",
                          (json_int_t)t->total, "limit", t->limit, "offset", t->offset, "items",
                          items);
    if (t->org) json_object_set_new(j, "organisation", view_org(&app->catalog, t->org));
    return j;
}

/* limit and offset; false after answering 400 invalid_query. */
static bool read_page(http_req *req, queue_tx *t) {
    long long limit = QUEUE_LIMIT_DEFAULT, offset = 0;
    const char *l = http_query(req, "limit"), *o = http_query(req, "offset");
    json_t *fields = json_object();
    if (l && !str_to_ll(l, 1, QUEUE_LIMIT_MAX, &limit))
        http_field_error(req, fields, "limit", "invalid_value", "1–200");
    if (o && !str_to_ll(o, 0, QUEUE_OFFSET_MAX, &offset))
        http_field_error(req, fields, "offset", "invalid_value", "0–1000000");
    bool ok = json_object_size(fields) == 0;
    if (!ok) http_reply_error(req, "invalid_query", fields);
    json_decref(fields);
    t->limit = (int)limit;
    t->offset = (int)offset;
    return ok;
}

/* Whose organisation queue: executors only their own (another → 403);
 * dispatchers and supervisors name one. False after answering. */
static bool read_org(http_req *req, const api_staff *who, queue_tx *t) {
    app_ctx *app = req->app;
    const char *o = http_query(req, "organisation");
    if (who->role == DOM_ROLE_EXECUTOR) {
        if (o && *o && strcmp(o, who->organisation) != 0) {
            http_reply_error(req, "forbidden", NULL);
            return false;
        }
        t->org = who->organisation;
        return true;
    }
    const dom_org *org = o && *o ? dom_catalog_org(&app->catalog, o) : NULL;
    if (!org) {
        json_t *fields = json_object();
        http_field_error(req, fields, "organisation", o && *o ? "invalid_value" : "required",
                         NULL);
        http_reply_error(req, "invalid_query", fields);
        json_decref(fields);
        return false;
    }
    t->org = org->code;
    return true;
}

/* The ETag of an answer is the hash of its text before generated_at is
 * added; the polling page sends it back as If-None-Match. */
static bool not_modified(http_req *req, const json_t *j) {
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text) return false;
    char hash[HASH_HEX_LEN + 1], etag[40];
    hash_hex(text, strlen(text), hash, sizeof hash);
    free(text);
    snprintf(etag, sizeof etag, "\"%.32s\"", hash);
    http_add_header(req, "ETag", etag);
    const char *inm = http_header(req, "If-None-Match");
    if (!inm || !strstr(inm, etag)) return false;
    http_reply_text(req, 304, NULL, NULL, 0);
    return true;
}

static int queue_index(const char *name) {
    for (size_t i = 0; i < sizeof queues / sizeof queues[0]; i++)
        if (strcmp(queues[i].name, name) == 0) return (int)i;
    return -1;
}

void api_queue_get(http_req *req) {
    app_ctx *app = req->app;
    api_staff who;
    if (!api_staff_session(req, &who)) return;
    int qi = queue_index(req->params[0]);
    if (qi < 0) {
        http_reply_error(req, "queue_not_found", NULL);
        return;
    }
    if (!dom_role_has(who.role, queues[qi].right)) {
        http_reply_error(req, "forbidden", NULL);
        return;
    }
    queue_tx t = {.queue = queues[qi].queue};
    if (!read_page(req, &t)) return;
    if (t.queue == STORE_Q_ORGANISATION && !read_org(req, &who, &t)) return;
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_tx(c, false, queue_in_tx, &t);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        log_error("queue not read", "\"rc\":%d", rc);
        store_queue_items_free(t.items, t.n);
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    int64_t now = time_now_ms();
    json_t *j = answer_json(app, queues[qi].name, &t, now);
    store_queue_items_free(t.items, t.n);
    if (!not_modified(req, j)) {
        json_object_set_new(j, "generated_at", view_time(now));
        http_reply_json(req, 200, j);
    }
    json_decref(j);
}
