/* Delivery of one message by one channel (email.h, sms.h). The callers
 * (jobs/outbox.c) decide what to do with the outcome. Nothing here logs
 * or returns personal data: error texts name codes, never recipients. */
#ifndef KONTAKT_NOTIFY_NOTIFY_H
#define KONTAKT_NOTIFY_NOTIFY_H

typedef enum {
    NOTIFY_OK,        /* the receiver took it */
    NOTIFY_RETRY,     /* a transient failure: try again later */
    NOTIFY_PERMANENT, /* it will never go (a refused address, an invalid number) */
} notify_result;

/* Once, before any thread (curl_global_init); and at exit. */
void notify_global_init(void);
void notify_global_cleanup(void);
#endif
