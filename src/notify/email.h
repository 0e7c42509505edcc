/* Email: SMTP through libcurl, or (without an SMTP URL) a local Maildir
 * for a developer's `make run`. */
#ifndef KONTAKT_NOTIFY_EMAIL_H
#define KONTAKT_NOTIFY_EMAIL_H
#include "notify/notify.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *smtp_url;  /* smtp://host:port or smtps://host:port; NULL: the Maildir */
    const char *from;      /* the envelope and From address */
    const char *user, *password; /* AUTH; NULL: none */
    const char *tls;       /* "try" (STARTTLS when offered), "require", "off" */
    const char *ca;        /* a CA bundle file; NULL: the system's */
    const char *maildir;   /* <var_dir>/mail: tmp/, new/, cur/ */
    long timeout_ms;       /* the whole transaction */
} notify_email_config;

typedef struct {
    int64_t id, created_at; /* the outbox row: the stable Message-ID and Date */
    const char *to, *subject, *body; /* UTF-8; body with '\n' line ends */
} notify_email;

/* Creates the Maildir's folders when no SMTP URL is set. */
bool notify_email_prepare(const notify_email_config *cfg, char *err, size_t err_cap);

notify_result notify_email_send(const notify_email_config *cfg, const notify_email *m, char *err,
                                size_t err_cap);

/* The RFC 5322 message (headers, base64 UTF-8 body), lines ended by CRLF
 * (crlf) or LF (a Maildir file); NULL when an address holds a line break.
 * The caller frees it. Message-ID: <outbox-ID.CREATED@kontakt>. */
char *notify_email_format(const char *from, const notify_email *m, bool crlf);
#endif
