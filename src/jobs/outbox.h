/* The notification sender: a thread that sends due outbox rows by email
 * (SMTP via libcurl, or a Maildir) and SMS (an HTTP gateway), with retries. */
#ifndef KONTAKT_JOBS_OUTBOX_H
#define KONTAKT_JOBS_OUTBOX_H
struct outbox_job;
/* Wakes the sender: a message was queued and should go now. NULL is allowed. */
void outbox_wake(struct outbox_job *job);
#endif
