/* SMS through TurboSMS (sms.h). The provider answers HTTP 200 to every
 * valid request and tells the outcome in response_code: 0 / 800-803 is
 * success; a status naming the recipient or the phone (an invalid number)
 * will never pass; anything else (money, the service, HTTP 5xx, the
 * connection) is worth a retry. */
#include "notify/sms.h"
#include "util/buf.h"
#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define ANSWER_MAX (64 * 1024)

int notify_sms_recipient(const char *phone, char *out, size_t cap) {
    const char *p = phone && *phone == '+' ? phone + 1 : phone;
    size_t n = p ? strlen(p) : 0;
    if (n < 10 || n > 15 || n + 1 > cap) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)p[i])) return 0;
    memcpy(out, p, n + 1);
    return 1;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *arg) {
    buf *b = arg;
    size_t n = size * nmemb;
    return buf_append(b, data, n) ? n : 0;
}

static bool success_code(long long code) { return code == 0 || (code >= 800 && code <= 803); }

static bool about_recipient(const char *status) {
    return status && (strstr(status, "RECIPIENT") || strstr(status, "PHONE") ||
                      strstr(status, "NUMBER"));
}

/* The provider's JSON answer → the outcome. */
static notify_result judge(const char *answer, char *err, size_t err_cap) {
    json_t *j = json_loads(answer, 0, NULL);
    json_t *code = json_object_get(j, "response_code");
    const char *status = json_string_value(json_object_get(j, "response_status"));
    notify_result res;
    if (!json_is_integer(code)) {
        snprintf(err, err_cap, "sms: no response_code in the answer");
        res = NOTIFY_RETRY;
    } else if (!success_code(json_integer_value(code))) {
        snprintf(err, err_cap, "sms: response_code %lld %.40s", (long long)json_integer_value(code),
                 status ? status : "");
        res = about_recipient(status) ? NOTIFY_PERMANENT : NOTIFY_RETRY;
    } else {
        /* Per-recipient results: [{"phone", "response_code", "message_id", "response_status"}]. */
        json_t *first = json_array_get(json_object_get(j, "response_result"), 0);
        json_t *rc = json_object_get(first, "response_code");
        const char *rs = json_string_value(json_object_get(first, "response_status"));
        if (json_is_integer(rc) && !success_code(json_integer_value(rc))) {
            snprintf(err, err_cap, "sms: recipient response_code %lld %.40s",
                     (long long)json_integer_value(rc), rs ? rs : "");
            res = about_recipient(rs) ? NOTIFY_PERMANENT : NOTIFY_RETRY;
        } else {
            res = NOTIFY_OK;
        }
    }
    json_decref(j);
    return res;
}

notify_result notify_sms_send(const notify_sms_config *cfg, int64_t id, const char *phone,
                              const char *text, char *err, size_t err_cap) {
    (void)id;
    err[0] = 0;
    char to[24];
    if (!notify_sms_recipient(phone, to, sizeof to)) {
        snprintf(err, err_cap, "sms: not a phone number");
        return NOTIFY_PERMANENT;
    }
    json_t *req = json_pack("{s:[s], s:{s:s, s:s}}", "recipients", to, "sms", "sender",
                            cfg->sender ? cfg->sender : "", "text", text ? text : "");
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    CURL *h = body ? curl_easy_init() : NULL;
    if (!h) {
        free(body);
        snprintf(err, err_cap, "sms: request not built");
        return NOTIFY_RETRY;
    }
    char auth[600];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", cfg->token ? cfg->token : "");
    struct curl_slist *hdr = curl_slist_append(NULL, auth);
    hdr = curl_slist_append(hdr, "Content-Type: application/json; charset=utf-8");
    hdr = curl_slist_append(hdr, "Accept: application/json");
    buf answer;
    buf_init(&answer, ANSWER_MAX);
    curl_easy_setopt(h, CURLOPT_URL, cfg->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, cfg->timeout_ms < 10000 ? cfg->timeout_ms : 10000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    free(body);
    notify_result res;
    if (rc != CURLE_OK) {
        snprintf(err, err_cap, "sms: curl %d (%s)", (int)rc, curl_easy_strerror(rc));
        res = NOTIFY_RETRY;
    } else if (status < 200 || status > 299) {
        snprintf(err, err_cap, "sms: HTTP %ld", status);
        res = NOTIFY_RETRY;
    } else {
        res = judge(answer.data ? answer.data : "", err, err_cap);
    }
    buf_free(&answer);
    return res;
}
