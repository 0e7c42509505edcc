/* Notification texts (docs/RESIDENTS.md, Notifications): Ukrainian and
 * English, for email (subject + plain text body) and SMS (one short text).
 * Pure: no I/O; instants are passed in the params and shown in Europe/Kyiv
 * (dom_tz_init must have run, as for domain/deadline.h).
 *
 * Templates and their params (a JSON object; unknown members are ignored):
 *   registered  number, token (the tracking token: the link), due_at (ms)
 *   assigned    number, org_uk, org_en
 *   extension   number, due_at (the new date, ms), reason
 *   done        number, note (the executor's public comment)
 *   reopened    number, reason
 *   closed      number
 *   overdue     number, expected_at (ms; 0 or absent: no date promised)
 *   login_code  code
 *   registered also takes due_at; done takes confirm_by (ms).
 * Every appeal template also takes own: the recipient's own appeal number
 * when it was merged into `number` (the message is about `number`). */
#ifndef KONTAKT_DOMAIN_TEMPLATES_H
#define KONTAKT_DOMAIN_TEMPLATES_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *subject; /* owned; UTF-8, one line */
    char *body;    /* owned; UTF-8 plain text, '\n' line ends */
    char *sms;     /* owned; UTF-8, short (one or two SMS segments as a rule) */
} tpl_message;

/* True when `name` is a known template. */
bool tpl_known(const char *name);

/* Renders `name` in `lang` ("uk"; "en"; anything else falls back to uk).
 * public_url is the base of links (no trailing slash needed), e.g.
 * "https://kontakt.example.ua". False, with a reason in err (no personal
 * data), when the template is unknown or a required param is missing. */
bool tpl_render(const char *name, const char *lang, const json_t *params, const char *public_url,
                tpl_message *out, char *err, size_t err_cap);
void tpl_message_free(tpl_message *m);

/* "01.12.2026 14:30" in Europe/Kyiv; cap >= 20. */
void tpl_format_local(long long ms, char *out, size_t cap);
#endif
