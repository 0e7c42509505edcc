/* The outbox (store/outbox.h): queueing inside the event's transaction,
 * who is told what, and the sender's claim/mark statements. */
#include "store/outbox.h"
#include "domain/deadline.h"
#include "store/store.h"
#include "util/buf.h"
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define BACKOFF_CAP_MS (3600 * 1000LL)
#define MAX_DESTS 64 /* recipients of one event; more subscribers than that wait for a digest */

static bool outbox_enabled = true;

void store_outbox_set_enabled(bool on) { outbox_enabled = on; }

static const char *SQL_ADD =
    "INSERT INTO outbox (appeal_id, event_kind, channel, recipient, template, lang, params,"
    " status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0,"
    " ?, ?)";
static const char *SQL_APPEAL =
    "SELECT a.number, a.applicant_phone, a.applicant_email, a.lang, a.created_at,"
    " a.resolution_due_at, a.organisation FROM appeals a WHERE a.id = ?";
static const char *SQL_ORG = "SELECT name_uk, name_en FROM organisations WHERE code = ?";
static const char *SQL_RESIDENT =
    "SELECT notify, phone, email FROM residents WHERE closed_at IS NULL AND"
    " ((phone IS NOT NULL AND phone = ?) OR (email IS NOT NULL AND email = ?)) ORDER BY id LIMIT 1";
static const char *SQL_SUBSCRIBERS =
    "SELECT s.phone, s.email, s.lang, r.notify, r.closed_at FROM subscriptions s"
    " LEFT JOIN residents r ON r.id = s.resident_id WHERE s.appeal_id = ? ORDER BY s.id";
static const char *SQL_CHILDREN =
    "SELECT number, applicant_phone, applicant_email, lang FROM appeals WHERE parent_id = ?"
    " ORDER BY id";
#define CLAIM_HEAD                                                                             \
    "UPDATE outbox SET status = 'sending', lease_until = ?, attempts = attempts + 1 WHERE id"  \
    " IN (SELECT id FROM outbox WHERE status IN ('pending','sending') AND next_attempt_at <= ?" \
    " AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at, id LIMIT ?"
#define CLAIM_TAIL                                                                             \
    ") RETURNING id, appeal_id, created_at, attempts, channel, template, lang, recipient, params"
static const char *SQL_CLAIM_SQLITE = CLAIM_HEAD CLAIM_TAIL;
static const char *SQL_CLAIM_PG = CLAIM_HEAD " FOR UPDATE SKIP LOCKED" CLAIM_TAIL;
static const char *SQL_PARAMS = "SELECT params FROM outbox WHERE id = ?";
static const char *SQL_SENT =
    "UPDATE outbox SET status = 'sent', sent_at = ?, lease_until = NULL, params = ? WHERE id = ?";
static const char *SQL_RETRY =
    "UPDATE outbox SET status = 'pending', next_attempt_at = ?, lease_until = NULL,"
    " last_error = ? WHERE id = ?";
static const char *SQL_FINAL =
    "UPDATE outbox SET status = ?, lease_until = NULL, last_error = ?, params = ? WHERE id = ?";
static const char *SQL_NEXT_DUE =
    "SELECT MIN(CASE WHEN lease_until IS NOT NULL AND lease_until >= next_attempt_at"
    " THEN lease_until + 1 ELSE next_attempt_at END) FROM outbox"
    " WHERE status IN ('pending','sending')";

int store_outbox_add(db_conn *c, const store_outbox_msg *m) {
    db_val p[] = {m->appeal_id ? db_int(m->appeal_id) : db_null(),
                  db_text(m->event_kind),
                  db_text(m->channel),
                  db_text(m->recipient),
                  db_text(m->template_name),
                  db_text(m->lang && strcmp(m->lang, "en") == 0 ? "en" : "uk"),
                  db_text(m->params ? m->params : "{}"),
                  db_int(m->now),
                  db_int(m->now)};
    return db_query(c, SQL_ADD, p, (int)(sizeof p / sizeof p[0]), NULL);
}

/* --- who is told what ----------------------------------------------------- */

static const struct {
    const char *kind, *template_name;
    bool everyone; /* subscribers and merged appeals' applicants too */
    /* The applicant is told even of what they did themselves: a dispute's
     * receipt that the appeal went back to the executor (a caller an
     * operator registered has no page that would tell them). Otherwise
     * what the applicant did needs no message to them. */
    bool receipt;
} event_templates[] = {
    {"registered", "registered", false, false},
    {"assigned", "assigned", false, false},
    {"extension_approved", "extension", true, false},
    {"done", "done", true, false},
    {"reopened", "reopened", false, false},
    {"disputed", "reopened", false, true},
    {"confirmed", "closed", true, false},
    {"autoclosed", "closed", true, false},
    {"resolution_overdue", "overdue", true, false},
};

typedef struct {
    db_conn *c;
    int64_t appeal_id, at;
    const char *kind, *template_name;
    char sent_to[MAX_DESTS][256]; /* "channel:address" already queued for this event */
    int n_sent;
} fanout;

/* Queues one message unless this address already has it. */
static int queue_to(fanout *f, const char *channel, const char *addr, const char *lang,
                    json_t *params) {
    char key[256];
    snprintf(key, sizeof key, "%s:%s", channel, addr);
    for (int i = 0; i < f->n_sent; i++)
        if (strcmp(f->sent_to[i], key) == 0) return DB_OK;
    if (f->n_sent == MAX_DESTS) return DB_OK;
    str_copy(f->sent_to[f->n_sent++], sizeof f->sent_to[0], key);
    char *text = json_dumps(params, JSON_COMPACT);
    if (!text) return DB_ERR;
    store_outbox_msg m = {.appeal_id = f->appeal_id, .event_kind = f->kind, .channel = channel,
                          .recipient = addr, .template_name = f->template_name, .lang = lang,
                          .params = text, .now = f->at};
    int rc = store_outbox_add(f->c, &m);
    free(text);
    return rc;
}

/* An applicant by the phone and email of an appeal: the resident's
 * preference when a (not closed) resident holds either, else email when
 * known, else SMS. */
static int tell_applicant(fanout *f, const char *phone, const char *email, const char *lang,
                          json_t *params) {
    char notify[8] = "auto", r_phone[32] = "", r_email[256] = "";
    db_val p[] = {db_text(phone && *phone ? phone : NULL), db_text(email && *email ? email : NULL)};
    db_rows *r = NULL;
    int rc = db_query(f->c, SQL_RESIDENT, p, 2, &r);
    if (rc != DB_OK) return rc;
    if ((rc = db_next(f->c, r)) == 1) {
        str_copy(notify, sizeof notify, f->c->drv->col_text(r, 0));
        str_copy(r_phone, sizeof r_phone, f->c->drv->col_text(r, 1));
        str_copy(r_email, sizeof r_email, f->c->drv->col_text(r, 2));
    }
    db_rows_free(f->c, r);
    if (rc < 0) return rc;
    const char *em = email && *email ? email : r_email[0] ? r_email : NULL;
    const char *ph = phone && *phone ? phone : r_phone[0] ? r_phone : NULL;
    if (strcmp(notify, "none") == 0) return DB_OK;
    bool sms_first = strcmp(notify, "sms") == 0;
    if (sms_first && ph) return queue_to(f, "sms", ph, lang, params);
    if (em) return queue_to(f, "email", em, lang, params);
    if (ph) return queue_to(f, "sms", ph, lang, params);
    return DB_OK;
}

typedef struct {
    char phone[32], email[256], lang[4], number[16];
    bool skip;
} person;

/* Reads rows of (phone, email, lang[, notify, closed_at] | number first). */
static int read_people(db_conn *c, const char *sql, int64_t id, bool children, person **out,
                       int *n) {
    db_val p[] = {db_int(id)};
    db_rows *r = NULL;
    *out = NULL;
    *n = 0;
    int rc = db_query(c, sql, p, 1, &r);
    if (rc != DB_OK) return rc;
    const db_driver *d = c->drv;
    while (*n < MAX_DESTS && (rc = db_next(c, r)) == 1) {
        *out = xrealloc(*out, (size_t)(*n + 1) * sizeof **out);
        person *x = &(*out)[(*n)++];
        memset(x, 0, sizeof *x);
        int k = children ? 1 : 0;
        if (children) str_copy(x->number, sizeof x->number, d->col_text(r, 0));
        str_copy(x->phone, sizeof x->phone, d->col_text(r, k));
        str_copy(x->email, sizeof x->email, d->col_text(r, k + 1));
        str_copy(x->lang, sizeof x->lang, d->col_text(r, k + 2));
        if (!children)
            x->skip = !d->is_null(r, 4) || strcmp(d->col_text(r, 3), "none") == 0;
    }
    db_rows_free(c, r);
    return rc < 0 ? rc : DB_OK;
}

static int tell_others(fanout *f, json_t *params) {
    person *ps = NULL;
    int n = 0;
    int rc = read_people(f->c, SQL_SUBSCRIBERS, f->appeal_id, false, &ps, &n);
    for (int i = 0; rc == DB_OK && i < n; i++) {
        if (ps[i].skip) continue;
        if (ps[i].email[0]) rc = queue_to(f, "email", ps[i].email, ps[i].lang, params);
        else if (ps[i].phone[0]) rc = queue_to(f, "sms", ps[i].phone, ps[i].lang, params);
    }
    free(ps);
    if (rc != DB_OK) return rc;
    rc = read_people(f->c, SQL_CHILDREN, f->appeal_id, true, &ps, &n);
    for (int i = 0; rc == DB_OK && i < n; i++) {
        json_t *own = json_deep_copy(params);
        json_object_set_new(own, "own", json_string(ps[i].number));
        rc = tell_applicant(f, ps[i].phone, ps[i].email, ps[i].lang, own);
        json_decref(own);
    }
    free(ps);
    return rc;
}

/* The organisation's names for "assigned": from the event's data (the
 * row still holds the old organisation while the action runs). */
static int add_org(db_conn *c, json_t *params, const char *data, const char *fallback) {
    json_t *d = data ? json_loads(data, 0, NULL) : NULL;
    const char *org = json_string_value(json_object_get(json_object_get(d, "new"), "organisation"));
    if (!org) org = json_string_value(json_object_get(d, "organisation"));
    if (!org) org = fallback;
    db_val p[] = {db_text(org)};
    db_rows *r = NULL;
    int rc = db_query(c, SQL_ORG, p, 1, &r);
    if (rc == DB_OK && (rc = db_next(c, r)) == 1) {
        json_object_set_new(params, "org_uk", json_string(c->drv->col_text(r, 0)));
        json_object_set_new(params, "org_en", json_string(c->drv->col_text(r, 1)));
    }
    db_rows_free(c, r);
    json_decref(d);
    return rc < 0 ? rc : DB_OK;
}

/* The new deadline of an approved extension: data {"new":{"resolution_due_at":ms}}. */
static int64_t new_due(const char *data) {
    json_t *d = data ? json_loads(data, 0, NULL) : NULL;
    json_t *v = json_object_get(json_object_get(d, "new"), "resolution_due_at");
    int64_t due = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
    json_decref(d);
    return due;
}

typedef struct {
    char number[16], phone[32], email[256], lang[4], org[64];
    int64_t created_at, resolution_due_at;
} appeal_facts;

static int load_facts(db_conn *c, int64_t id, appeal_facts *a) {
    db_val p[] = {db_int(id)};
    db_rows *r = NULL;
    int rc = db_query(c, SQL_APPEAL, p, 1, &r);
    if (rc != DB_OK) return rc;
    const db_driver *d = c->drv;
    if ((rc = db_next(c, r)) == 1) {
        str_copy(a->number, sizeof a->number, d->col_text(r, 0));
        str_copy(a->phone, sizeof a->phone, d->col_text(r, 1));
        str_copy(a->email, sizeof a->email, d->col_text(r, 2));
        str_copy(a->lang, sizeof a->lang, d->col_text(r, 3));
        a->created_at = d->col_int(r, 4);
        a->resolution_due_at = d->col_int(r, 5);
        str_copy(a->org, sizeof a->org, d->col_text(r, 6));
    }
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc == 0 ? DB_NOT_FOUND : rc;
}

/* The template's values for this event. */
static int event_params(db_conn *c, const fanout *f, const appeal_facts *a, const char *note,
                        const char *data, const char *token, json_t *params) {
    json_object_set_new(params, "number", json_string(a->number));
    const char *t = f->template_name;
    if (strcmp(t, "registered") == 0) {
        if (token) json_object_set_new(params, "token", json_string(token));
        json_object_set_new(params, "due_at", json_integer(a->resolution_due_at));
    } else if (strcmp(t, "assigned") == 0) {
        return add_org(c, params, data, a->org);
    } else if (strcmp(t, "extension") == 0) {
        int64_t due = new_due(data);
        json_object_set_new(params, "due_at", json_integer(due ? due : a->resolution_due_at));
    } else if (strcmp(t, "overdue") == 0) {
        /* The new expectation: the latest date the law allows with an
         * extension (registration + 45 days), while it is still ahead. */
        int64_t limit = dom_extension_limit(a->created_at);
        if (limit > f->at) json_object_set_new(params, "expected_at", json_integer(limit));
    }
    if (note && *note && strcmp(t, "done") == 0)
        json_object_set_new(params, "note", json_string(note));
    else if (note && *note && (strcmp(t, "extension") == 0 || strcmp(t, "reopened") == 0))
        json_object_set_new(params, "reason", json_string(note));
    return DB_OK;
}

int store_outbox_for_event(db_conn *c, int64_t appeal_id, const char *kind, int64_t at,
                           const char *actor, const char *note, const char *data,
                           const char *tracking_token) {
    if (!outbox_enabled || !kind) return DB_OK;
    size_t i = 0, n = sizeof event_templates / sizeof event_templates[0];
    while (i < n && strcmp(event_templates[i].kind, kind) != 0) i++;
    if (i == n) return DB_OK;
    /* No link to give (an import, a test): nothing to announce. */
    if (strcmp(kind, "registered") == 0 && !tracking_token) return DB_OK;
    fanout *f = xcalloc(1, sizeof *f);
    *f = (fanout){.c = c, .appeal_id = appeal_id, .at = at, .kind = kind,
                  .template_name = event_templates[i].template_name};
    appeal_facts a = {0};
    int rc = load_facts(c, appeal_id, &a);
    json_t *params = json_object();
    if (rc == DB_OK) rc = event_params(c, f, &a, note, data, tracking_token, params);
    /* The applicant acts by the tracking link ("applicant") or from the
     * cabinet ("resident:<id>", which holds the appeal's phone or email). */
    bool by_applicant =
        actor && (strcmp(actor, "applicant") == 0 || strncmp(actor, "resident:", 9) == 0);
    if (rc == DB_OK && (!by_applicant || event_templates[i].receipt))
        rc = tell_applicant(f, a.phone, a.email, a.lang, params);
    if (rc == DB_OK && event_templates[i].everyone) rc = tell_others(f, params);
    json_decref(params);
    free(f);
    return rc == DB_NOT_FOUND ? DB_OK : rc;
}

/* --- the sender's statements ---------------------------------------------- */

int store_outbox_claim(db_conn *c, int64_t now, int64_t lease_ms, int limit,
                       store_outbox_row **rows, int *n) {
    *rows = NULL;
    *n = 0;
    db_val p[] = {db_int(now + lease_ms), db_int(now), db_int(now), db_int(limit)};
    db_rows *r = NULL;
    int rc = db_query(c, c->drv->kind == DB_KIND_PG ? SQL_CLAIM_PG : SQL_CLAIM_SQLITE, p, 4, &r);
    if (rc != DB_OK) return rc;
    const db_driver *d = c->drv;
    while ((rc = db_next(c, r)) == 1) {
        *rows = xrealloc(*rows, (size_t)(*n + 1) * sizeof **rows);
        store_outbox_row *x = &(*rows)[(*n)++];
        memset(x, 0, sizeof *x);
        x->id = d->col_int(r, 0);
        x->appeal_id = d->is_null(r, 1) ? 0 : d->col_int(r, 1);
        x->created_at = d->col_int(r, 2);
        x->attempts = (int)d->col_int(r, 3);
        str_copy(x->channel, sizeof x->channel, d->col_text(r, 4));
        str_copy(x->template_name, sizeof x->template_name, d->col_text(r, 5));
        str_copy(x->lang, sizeof x->lang, d->col_text(r, 6));
        x->recipient = xstrdup(d->col_text(r, 7));
        x->params = xstrdup(d->col_text(r, 8));
    }
    db_rows_free(c, r);
    if (rc < 0) {
        store_outbox_rows_free(*rows, *n);
        *rows = NULL;
        *n = 0;
        return rc;
    }
    return DB_OK;
}

void store_outbox_rows_free(store_outbox_row *rows, int n) {
    for (int i = 0; i < n; i++) {
        free(rows[i].recipient);
        free(rows[i].params);
    }
    free(rows);
}

/* The params without the secrets: a sign-in code, a tracking token. */
static int scrubbed_params(db_conn *c, int64_t id, char **out) {
    db_val p[] = {db_int(id)};
    db_rows *r = NULL;
    *out = NULL;
    int rc = db_query(c, SQL_PARAMS, p, 1, &r);
    if (rc != DB_OK) return rc;
    json_t *j = NULL;
    if ((rc = db_next(c, r)) == 1) j = json_loads(c->drv->col_text(r, 0), 0, NULL);
    db_rows_free(c, r);
    if (rc != 1) return rc == 0 ? DB_NOT_FOUND : rc;
    if (!json_is_object(j)) {
        json_decref(j);
        j = json_object();
    }
    json_object_del(j, "code");
    json_object_del(j, "token");
    *out = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return *out ? DB_OK : DB_ERR;
}

int store_outbox_sent(db_conn *c, int64_t id, int64_t now) {
    char *params = NULL;
    int rc = scrubbed_params(c, id, &params);
    if (rc != DB_OK) return rc;
    db_val p[] = {db_int(now), db_text(params), db_int(id)};
    rc = db_query(c, SQL_SENT, p, 3, NULL);
    free(params);
    return rc;
}

int store_outbox_fail(db_conn *c, int64_t id, int64_t now, const char *status,
                      const char *error) {
    (void)now;
    char *params = NULL;
    int rc = scrubbed_params(c, id, &params);
    if (rc != DB_OK) return rc;
    db_val p[] = {db_text(status), db_text(error), db_text(params), db_int(id)};
    rc = db_query(c, SQL_FINAL, p, 4, NULL);
    free(params);
    return rc;
}

int store_outbox_retry(db_conn *c, int64_t id, int attempts, int64_t now,
                       int64_t first_backoff_ms, const char *error, bool *failed) {
    *failed = attempts >= STORE_OUTBOX_MAX_ATTEMPTS;
    if (*failed) return store_outbox_fail(c, id, now, "failed", error);
    int64_t wait = first_backoff_ms > 0 ? first_backoff_ms : 60000;
    for (int i = 1; i < attempts && wait < BACKOFF_CAP_MS; i++) wait *= 2;
    if (wait > BACKOFF_CAP_MS) wait = BACKOFF_CAP_MS;
    db_val p[] = {db_int(now + wait), db_text(error), db_int(id)};
    return db_query(c, SQL_RETRY, p, 3, NULL);
}

int store_outbox_next_due(db_conn *c, int64_t *at) {
    db_rows *r = NULL;
    int rc = db_query(c, SQL_NEXT_DUE, NULL, 0, &r);
    if (rc != DB_OK) return rc;
    bool none = true;
    if ((rc = db_next(c, r)) == 1 && !c->drv->is_null(r, 0)) {
        *at = c->drv->col_int(r, 0);
        none = false;
    }
    db_rows_free(c, r);
    if (rc < 0) return rc;
    return none ? DB_NOT_FOUND : DB_OK;
}
