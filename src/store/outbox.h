/* The outbox: messages written in the same transaction as what they
 * announce, sent later by jobs/outbox.c (docs/RESIDENTS.md). */
#ifndef KONTAKT_STORE_OUTBOX_H
#define KONTAKT_STORE_OUTBOX_H
#include "store/db.h"
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
#endif
