/* The outbox: messages written in the same transaction as what they
 * announce, sent later by jobs/outbox.c (docs/RESIDENTS.md).
 *
 * A row's life: pending → (claimed) sending, with a lease and attempts+1 →
 * sent | pending again (a retry, next_attempt_at later) | failed | skipped.
 * A row left 'sending' by a process that died is claimed again once its
 * lease has run out. */
#ifndef KONTAKT_STORE_OUTBOX_H
#define KONTAKT_STORE_OUTBOX_H
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int64_t appeal_id;      /* 0: none (a sign-in code) */
    const char *event_kind; /* NULL: none */
    const char *channel;    /* "email" or "sms" */
    const char *recipient;  /* an email address or an E.164 phone */
    const char *template_name; /* "login_code", "registered", … (domain/templates.h) */
    const char *lang;       /* "uk" or "en" */
    const char *params;     /* JSON object text: the template's values */
    int64_t now;
} store_outbox_msg;

/* Queues one message (inside the caller's transaction), due at once. */
int store_outbox_add(db_conn *c, const store_outbox_msg *m);

/* The notifications of an appeal's public event, queued inside the
 * caller's transaction (store_event_add and store_appeal_insert call it).
 * Kinds with a template: registered, assigned, extension_approved, done,
 * reopened, confirmed / autoclosed (→ closed), resolution_overdue (→
 * overdue); others queue nothing. Recipients: the applicant (by the
 * resident's preference when a resident holds the appeal's phone or email),
 * and for done / closed / extension / overdue also the "me too" subscribers
 * and the applicants of appeals merged into this one. An event the
 * applicant made (actor "applicant" or "resident:<id>") is not announced to the applicant.
 * tracking_token: the raw token of a new appeal (registered), else NULL;
 * it stays in the row's params only until the message is sent. */
int store_outbox_for_event(db_conn *c, int64_t appeal_id, const char *kind, int64_t at,
                           const char *actor, const char *note, const char *data,
                           const char *tracking_token);

/* Off: no notifications are queued for appeal events (kontakt demo fills a
 * database with made-up applicants). Set once at start before any thread. */
void store_outbox_set_enabled(bool on);

/* --- the sender (jobs/outbox.c) ---------------------------------------- */
typedef struct {
    int64_t id, appeal_id, created_at;
    int attempts; /* including this one */
    char channel[8];
    char template_name[32];
    char lang[4];
    char *recipient; /* owned */
    char *params;    /* owned JSON text */
} store_outbox_row;

/* Claims at most `limit` due rows (pending or sending, next_attempt_at <=
 * now, no lease or a lapsed one): status 'sending', lease_until = now +
 * lease_ms, attempts + 1. Its own short write transaction (PostgreSQL: FOR
 * UPDATE SKIP LOCKED, so several servers share the rows). *rows owned by
 * the caller (store_outbox_rows_free). */
int store_outbox_claim(db_conn *c, int64_t now, int64_t lease_ms, int limit,
                       store_outbox_row **rows, int *n);
void store_outbox_rows_free(store_outbox_row *rows, int n);

/* The outcome of one send, each its own write transaction. `error` is a
 * short text without personal data. Sent and the final states also strip
 * the secrets (a sign-in code, a tracking token) from the params. */
int store_outbox_sent(db_conn *c, int64_t id, int64_t now);
/* A transient failure: pending again after first_backoff_ms × 2^(attempts-1)
 * (capped at an hour); after STORE_OUTBOX_MAX_ATTEMPTS attempts 'failed'.
 * *failed tells which. */
#define STORE_OUTBOX_MAX_ATTEMPTS 8
int store_outbox_retry(db_conn *c, int64_t id, int attempts, int64_t now,
                       int64_t first_backoff_ms, const char *error, bool *failed);
/* A permanent failure ('failed') or a message with no way to go ('skipped'). */
int store_outbox_fail(db_conn *c, int64_t id, int64_t now, const char *status,
                      const char *error);
/* When the next row falls due (its retry time or the end of its lease);
 * DB_NOT_FOUND when nothing waits. */
int store_outbox_next_due(db_conn *c, int64_t *at);
#endif
