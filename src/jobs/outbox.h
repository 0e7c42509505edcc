/* The notification sender: a thread that sends due outbox rows by email
 * (SMTP via libcurl, or a Maildir) and SMS (an HTTP gateway), with retries.
 *
 * Each message is sent at most once in the normal course and at least
 * once across crashes: a row is claimed with a lease (store/outbox.h) and
 * sent outside any transaction; a process that dies mid-send leaves the
 * row 'sending' and another pass (this process restarted, or another
 * server) claims it again only when the lease has run out. SMTP commits a
 * message when the server acknowledges the end of DATA, so a death before
 * that leaves nothing at the receiver. What remains is the instant between
 * the server's "250" and our commit of 'sent': a death exactly there sends
 * the message twice, and the second copy has the same Message-ID
 * (<outbox-ID.CREATED@kontakt>) and Date, so a mail system or a reader can
 * tell it is the same message. A Maildir delivery replaces its own file. */
#ifndef KONTAKT_JOBS_OUTBOX_H
#define KONTAKT_JOBS_OUTBOX_H
#include "notify/email.h"
#include "notify/sms.h"
#include "store/db.h"
#include <stdint.h>

typedef struct {
    const char *public_url; /* the base of links in messages; NULL: wait for outbox_set_public_url */
    notify_email_config email;
    notify_sms_config sms;  /* sms.url NULL: SMS rows are marked 'skipped' */
    int64_t first_retry_ms; /* the first backoff step (1 min; KONTAKT_OUTBOX_RETRY_MS) */
    int64_t lease_ms;       /* how long a claimed row is ours (KONTAKT_OUTBOX_LEASE_MS) */
} outbox_config;

struct outbox_job;
typedef struct outbox_job outbox_job;

/* Starts the thread; cfg's strings must outlive it. The pool should have a
 * connection to spare for it (it holds one only while it claims or marks). */
outbox_job *outbox_start(db_pool *pool, const outbox_config *cfg);
/* The base of links, once known (the server's own address when
 * KONTAKT_PUBLIC_URL is unset: known after it listens); the first pass
 * waits for it. url must outlive the job. */
void outbox_set_public_url(outbox_job *j, const char *url);
/* Wakes the sender: a message was queued and should go now. NULL is allowed. */
void outbox_wake(struct outbox_job *job);
/* Finishes the message in hand and stops. NULL is allowed. */
void outbox_stop(outbox_job *job);

/* One pass at `now`: claims and sends what is due, marks each outcome.
 * Returns the number of rows handled, < 0 on a database error. */
int outbox_run_once(outbox_job *job, int64_t now);
#endif
