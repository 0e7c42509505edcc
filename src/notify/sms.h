/* SMS through TurboSMS's HTTP API (api.turbosms.ua/message/send.json):
 * POST, "Authorization: Bearer <token>", JSON
 * {"recipients":["380…"],"sms":{"sender":"…","text":"…"}}. The answer is
 * HTTP 200 with {"response_code", "response_status", "response_result"};
 * response_code 0 or 800-803 (accepted / sent, wholly or partly) and each
 * recipient's result in the same range mean the provider took it. */
#ifndef KONTAKT_NOTIFY_SMS_H
#define KONTAKT_NOTIFY_SMS_H
#include "notify/notify.h"
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *url;    /* https://api.turbosms.ua/message/send.json (or a test receiver) */
    const char *token;  /* the Bearer token */
    const char *sender; /* the registered alpha name */
    long timeout_ms;
} notify_sms_config;

/* phone: E.164 ("+380…"). id: the outbox row (for the log only). */
notify_result notify_sms_send(const notify_sms_config *cfg, int64_t id, const char *phone,
                              const char *text, char *err, size_t err_cap);

/* "+380671234567" → "380671234567"; 0 unless an optional '+' and 10-15
 * digits. */
int notify_sms_recipient(const char *phone, char *out, size_t cap);
#endif
