/* The store: every query Kontakt runs, written once for both drivers (see
 * db.h). Functions return DB_OK, DB_NOT_FOUND or a DB_* error. Functions
 * that write expect to run inside store_tx. */
#ifndef KONTAKT_STORE_STORE_H
#define KONTAKT_STORE_STORE_H
#include "domain/geo.h"
#include "domain/routing.h"
#include "domain/scorecard.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

#define DB_NOT_FOUND 1

/* Runs fn inside a transaction; commits when fn returns DB_OK, rolls back
 * otherwise; retries the whole transaction on DB_BUSY (a few times, with
 * backoff). fn must not queue an HTTP answer: it fills its context. */
typedef int (*store_tx_fn)(db_conn *c, void *ctx);
int store_tx(db_conn *c, bool write, store_tx_fn fn, void *ctx);

/* Runs a query whose first row's first column is an integer (a COUNT, a
 * RETURNING id, a MAX): DB_OK with *out, DB_NOT_FOUND when there is no
 * row, or the error. */
int store_query_int(db_conn *c, const char *sql, const db_val *p, int n, int64_t *out);

/* SQLite: copies the WAL into the database without blocking anyone
 * (PASSIVE). PostgreSQL: nothing to do. */
int store_checkpoint(db_conn *c);

/* --- catalogue -------------------------------------------------------- */
/* Stores the two JSON texts (already validated by dom_catalog_parse) and
 * upserts the organisations. */
int store_catalog_save(db_conn *c, const char *categories_json, const char *organisations_json,
                       const char *const *org_codes, const char *const *org_uk,
                       const char *const *org_en, const char *const *org_phone, int n_orgs,
                       int64_t now);
/* Loads the two JSON texts; caller frees both. DB_NOT_FOUND when never loaded. */
int store_catalog_load(db_conn *c, char **categories_json, char **organisations_json);

/* --- districts and routing (places_store.c) ------------------------------ */
/* Replaces all districts (run inside store_tx; appeals keep their district). */
int store_districts_replace(db_conn *c, const dom_districts *d);
/* Loads and parses the stored districts; a broken geometry → DB_ERR and err. */
int store_districts_load(db_conn *c, dom_districts *out, char *err, size_t err_cap);
int store_districts_count(db_conn *c, int64_t *n);
/* Replaces all routing rules (inside store_tx) / loads them in file order. */
int store_routing_replace(db_conn *c, const dom_routing *rules);
int store_routing_load(db_conn *c, dom_routing *out);

/* --- appeals ---------------------------------------------------------- */
typedef struct {
    const char *category, *type, *priority, *organisation, *channel;
    const char *description, *address; /* address may be NULL */
    const char *district;               /* code, NULL when in no district */
    const char *name, *phone, *email;   /* email may be NULL */
    double lat, lon;
    int64_t created_at, reaction_due_at, resolution_due_at;
    const char *tracking_hash;
    int trial;
    int year; /* of the number: the local (Kyiv) year of created_at */
    const char *actor; /* of the "registered" event: "staff:<login>" or NULL (the applicant) */
    bool assigned;     /* routed at intake: stored as assigned, with an "assigned" event */
    const char *lang;  /* the applicant's language: "uk" (default, NULL) or "en" */
    /* The raw tracking token, for the link in the "registered" message
     * (store/outbox.h): kept in the outbox row only until it is sent.
     * NULL: no message carries a link. */
    const char *tracking_token;
} store_new_appeal;

/* Allocates the next number of a->year and inserts the appeal with its
 * first ("registered", public) event, and when a->assigned the public
 * "assigned" event by the system (the organisation has it at once); queues
 * the applicant's "registered" message (store/outbox.h). */
int store_appeal_insert(db_conn *c, const store_new_appeal *a, int64_t *id, char number[16]);

typedef struct {
    int64_t id;
    char number[16];
    char status[24];
    char category[64], type[64], priority[16], organisation[64], channel[16];
    char district[64]; /* "" when none */
    char *description; /* owned */
    char *address;     /* owned, NULL when none */
    double lat, lon;
    int64_t created_at, updated_at, reaction_due_at, resolution_due_at;
    int64_t reacted_at, done_at, closed_at; /* 0: not yet */
    bool reaction_overdue, resolution_overdue;
    /* Staff workflow (schema v4). Ids are 0 when NULL. */
    int64_t assignee_id, done_by, parent_id;
    bool flagged;       /* returned by an executor: back in triage */
    int rating;         /* 1-5, 0: not rated */
    int reopen_count;
    int64_t confirm_due_at, escalated_at; /* 0: none */
    /* Personal data: only for staff views, never in public answers. */
    char *applicant_name;  /* owned */
    char applicant_phone[32];
    char *applicant_email; /* owned, NULL when none */
} store_appeal;

int store_appeal_by_number(db_conn *c, const char *number, store_appeal *out);
int store_appeal_by_tracking(db_conn *c, const char *tracking_hash, store_appeal *out);
void store_appeal_free(store_appeal *a);

typedef struct {
    int64_t at;
    char kind[32];
    char status[24];
    char *note; /* owned, NULL when none */
} store_event;

/* Public events of an appeal in time order; *events owned by the caller
 * (store_events_free). */
int store_events_public(db_conn *c, int64_t appeal_id, store_event **events, int *n);
void store_events_free(store_event *events, int n);

/* Appends an event; data is a JSON text of old/new values or NULL. A
 * public event also queues its notifications (store_outbox_for_event). */
int store_event_add(db_conn *c, int64_t appeal_id, int64_t at, const char *kind,
                    const char *status, bool public, const char *actor, const char *note,
                    const char *data);

/* Sets the lifecycle columns at once (demo data, imports of history). */
typedef struct {
    const char *status;
    int64_t reacted_at, done_at, closed_at; /* 0: none */
    bool reaction_overdue, resolution_overdue;
    int64_t updated_at;
    int rating;       /* 1..5, 0: none */
    int reopen_count;
} store_state;
int store_appeal_set_state(db_conn *c, int64_t id, const store_state *s);

int store_count_appeals(db_conn *c, int64_t *n);

/* --- staff queues (store/queues.c) ------------------------------------ */
typedef enum {
    STORE_Q_TRIAGE,       /* registered at the contact centre or returned (flagged); reopened */
    STORE_Q_ORGANISATION, /* open appeals of one organisation */
    STORE_Q_ESCALATIONS,  /* open appeals with escalated_at set */
    STORE_Q_EXTENSIONS,   /* appeals with a pending extension request */
    STORE_Q_DISPUTED,     /* reopened */
} store_queue;

/* One row of a queue: no personal data. */
typedef struct {
    int64_t id;
    char number[16];
    char status[24];
    char category[64], type[64], priority[16], organisation[64];
    char district[64]; /* "" when none */
    char *address;     /* owned, NULL when none */
    int64_t created_at, reaction_due_at, resolution_due_at;
    int64_t reacted_at, escalated_at; /* 0: not yet */
    bool reaction_overdue, resolution_overdue, flagged;
    int reopen_count;
    /* The deadline that runs now: the reaction's while not accepted (if
     * earlier), else the resolution's. The queue is ordered by it, so the
     * overdue ones come first. */
    int64_t next_deadline_at;
    /* STORE_Q_EXTENSIONS only: the pending request. */
    int64_t ext_id, ext_new_due_at, ext_created_at;
    char *ext_reason; /* owned */
    char ext_login[64], ext_name[256];
} store_queue_item;

/* A page of queue `q` (org: the organisation for STORE_Q_ORGANISATION,
 * else ignored) and the queue's total size. *items owned by the caller
 * (store_queue_items_free). */
int store_queue_list(db_conn *c, store_queue q, const char *org, int limit, int offset,
                     store_queue_item **items, int *n, int64_t *total);
void store_queue_items_free(store_queue_item *items, int n);

/* --- the hotline console (store/console.c) ------------------------------ */
typedef struct {
    char number[16];
    char status[24];
    char category[64], type[64];
    char *address; /* owned, NULL when none */
    int64_t created_at, resolution_due_at;
} store_caller_appeal;

typedef struct {
    int64_t id;
    char *topic; /* owned */
    char *note;  /* owned, NULL when none */
    int64_t created_at;
    char operator_login[64];
} store_consultation;

/* A caller's appeals by E.164 phone, newest first, at most `limit`. */
int store_caller_appeals(db_conn *c, const char *phone, int limit, store_caller_appeal **out,
                         int *n);
void store_caller_appeals_free(store_caller_appeal *a, int n);
/* A caller's consultations by E.164 phone, newest first, at most `limit`. */
int store_caller_consultations(db_conn *c, const char *phone, int limit,
                               store_consultation **out, int *n);
void store_consultations_free(store_consultation *a, int n);
/* phone and note may be NULL. */
int store_consultation_add(db_conn *c, const char *phone, const char *topic, const char *note,
                           int64_t operator_id, int64_t now, int64_t *id);

/* --- the staff view of one appeal (store/console.c) --------------------- */
typedef struct {
    int64_t at;
    char kind[32];
    char status[24];
    bool public;
    char actor[96];
    char *note; /* owned, NULL when none */
    char *data; /* owned JSON text, NULL when none */
} store_staff_event;

typedef struct {
    int64_t id;
    char status[16]; /* pending, approved, refused */
    char *reason;    /* owned */
    int64_t old_due_at, new_due_at, created_at, decided_at; /* decided_at 0: not yet */
    char *decision_note; /* owned, NULL when none */
    char by_login[64], by_name[256];
    char decided_login[64], decided_name[256]; /* "" when not decided */
} store_extension;

/* Every event of an appeal (public and internal) in time order. */
int store_events_all(db_conn *c, int64_t appeal_id, store_staff_event **out, int *n);
void store_staff_events_free(store_staff_event *e, int n);
/* Every extension request of an appeal, oldest first. */
int store_extensions_of(db_conn *c, int64_t appeal_id, store_extension **out, int *n);
void store_extensions_free(store_extension *e, int n);
/* A staff member's login and name by id; DB_NOT_FOUND when none. */
int store_user_names(db_conn *c, int64_t user_id, char login[64], char name[256]);
/* The number of an appeal by id; DB_NOT_FOUND when none. */
int store_appeal_number(db_conn *c, int64_t id, char number[16]);
/* Numbers of the appeals merged into this one (parent_id = id), in order. */
int store_appeal_children(db_conn *c, int64_t id, char (**numbers)[16], int *n);

/* --- duplicates and subscriptions ("me too") ------------------------- */
typedef struct {
    int64_t id;
    char number[16];
    char status[24];
    char type[64];
    int64_t created_at;
    double lat, lon;
} store_near;

/* Open appeals of a category registered since `since` inside a box, the
 * newest first, at most `limit`; *out owned by the caller (free). */
int store_appeals_near(db_conn *c, const char *category, int64_t since, double min_lat,
                       double max_lat, double min_lon, double max_lon, int limit,
                       store_near **out, int *n);
int store_subscription_add(db_conn *c, int64_t appeal_id, const char *phone, const char *email,
                           const char *tracking_hash, int64_t now);
/* The number of the appeal a subscriber's tracking token follows. */
int store_subscription_by_tracking(db_conn *c, const char *tracking_hash, char number[16]);

/* --- idempotency -------------------------------------------------------- */
/* DB_OK and the stored answer, or DB_NOT_FOUND. *body owned by the caller. */
int store_idem_get(db_conn *c, const char *key_hash, char request_hash[65], int *status, char **body);
int store_idem_put(db_conn *c, const char *key_hash, const char *request_hash, int status,
                   const char *body, int64_t now);

/* Forgets answers stored before `before` (a retry comes within minutes). */
int store_idem_expire(db_conn *c, int64_t before);

/* --- deadline watch (jobs/sweeper) ------------------------------------ */
/* Earliest next_check_at over all appeals; DB_NOT_FOUND when none. */
int store_next_check(db_conn *c, int64_t *at);
/* Does what is due at `now` (at most `limit` appeals; domain/watch.h):
 * warnings (internal events, warned flags), missed deadlines (public
 * overdue event, overdue flag, a violation against the organisation and
 * the assignee, escalation: escalated_at and an internal `escalated`
 * event), the automatic close of `done` appeals whose confirmation window
 * lapsed (public `autoclosed` event); recomputes next_check_at. Sets
 * *marked to the number of appeals changed. */
int store_sweep(db_conn *c, int64_t now, int limit, int *marked);
/* Rewrites the appeal's next_check_at from its columns (status, reacted_at,
 * created_at, the deadlines, confirm_due_at, the warned/overdue flags).
 * Call it, inside the same transaction, after anything that changes the
 * status or a deadline or resets a flag; then wake the sweeper after the
 * commit. DB_NOT_FOUND when there is no such appeal. */
int store_watch_recompute(db_conn *c, int64_t appeal_id, int64_t now);
/* next_check_at of a new appeal nobody has accepted yet (the same rule
 * as store_watch_recompute, without reading the row back). */
int64_t store_watch_first(int64_t created, int64_t reaction_due, int64_t resolution_due);
/* The share of each time at which the sweeper warns (KONTAKT_WARN_SHARE).
 * Set once at start before any thread; a value outside (0, 1) keeps the
 * default 0.75. */
void store_watch_set_warn_share(double share);
/* --- reports (store/reports.c) ---------------------------------------- */
typedef struct {
    const char *organisation, *kind; /* NULL: any */
    int64_t from, to;                /* [from, to) over violations.at; INT64_MIN/MAX: open */
    int64_t limit, offset;
} store_violation_query;
typedef struct {
    char number[16];
    char org_code[64], org_uk[256], org_en[256];
    char kind[24];
    char login[64]; /* "" when nobody was assigned */
    int64_t at;
    char *note;     /* owned, NULL when none */
} store_violation;
/* The register, newest first; *total counts all matches (no limit). */
int store_violations_list(db_conn *c, const store_violation_query *q, store_violation **out,
                          int *n, int64_t *total);
void store_violations_free(store_violation *v, int n);

typedef struct {
    char code[64], name_uk[256], name_en[256];
    dom_score_input in; /* in.to_done_ms owned */
} store_score_row;
/* Every organisation's counts: appeals registered in [from, to) (trial
 * ones left out), violations recorded in [from, to), open appeals past
 * their resolution deadline at `now` (whenever registered). Run it in a
 * read transaction so the counts agree. */
int store_scorecards(db_conn *c, int64_t from, int64_t to, int64_t now, store_score_row **rows,
                     int *n);
void store_scorecards_free(store_score_row *rows, int n);

/* --- streets and addresses (store/addresses.c) ------------------------- */
struct addr_index;
int store_streets_count(db_conn *c, int64_t *n);
/* Inserts the street (name, kind) or finds it; a known street keeps its
 * district unless it had none. */
int store_street_upsert(db_conn *c, const char *name, const char *kind, const char *district,
                        int64_t *id);
int store_street_old_name(db_conn *c, int64_t street_id, const char *old_name);
typedef struct {
    int64_t street_id;
    const char *house;
    bool has_coords;
    double lat, lon;
    const char *district; /* may be NULL */
} store_address;
/* Inserts or updates (street, house) rows, many per statement. */
int store_addresses_put(db_conn *c, const store_address *a, int n);
/* Fills the index with every street, old name and address, and finishes it. */
int store_address_index_load(db_conn *c, struct addr_index *ix);
/* Every address with a point, for demo data: fn(street name, kind, house,
 * lat, lon, ctx) in id order. */
int store_addresses_with_points(db_conn *c,
                                void (*fn)(const char *street, const char *kind,
                                           const char *house, double lat, double lon, void *ctx),
                                void *ctx);
#endif
