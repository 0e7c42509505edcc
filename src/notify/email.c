/* Email by SMTP (libcurl) or into a Maildir. The message is built here
 * whole (RFC 5322 + MIME, base64 UTF-8 body); curl does the SMTP dialogue,
 * STARTTLS and the dot-stuffing. SMTP commits a message only when the
 * server acknowledges the final "." of DATA, so a process that dies before
 * that leaves nothing at the receiver. */
#include "notify/email.h"
#include "util/buf.h"
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "util/banned.h"

#define MAIL_MAX (256 * 1024)

void notify_global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }
void notify_global_cleanup(void) { curl_global_cleanup(); }

static bool has_break(const char *s) { return s && strpbrk(s, "\r\n") != NULL; }

/* The bare address of "Name <a@b>" or "a@b". */
static void bare_address(const char *from, char *out, size_t cap) {
    const char *lt = strchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt) snprintf(out, cap, "%.*s", (int)(gt - lt - 1), lt + 1);
    else str_copy(out, cap, from);
}

static void b64(buf *out, const unsigned char *p, size_t n) {
    char tmp[128];
    while (n > 0) { /* 57 bytes → one 76-character line */
        size_t k = n > 57 ? 57 : n;
        sodium_bin2base64(tmp, sizeof tmp, p, k, sodium_base64_VARIANT_ORIGINAL);
        buf_puts(out, tmp);
        p += k;
        n -= k;
        if (n > 0) buf_puts(out, "\n");
    }
}

/* RFC 2047: encoded words of at most 45 bytes each, cut between characters. */
static void subject_words(buf *out, const char *s) {
    size_t n = strlen(s);
    bool first = true;
    while (n > 0 || first) {
        size_t k = n > 45 ? 45 : n;
        while (k < n && k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
        if (k == 0) k = n > 45 ? 45 : n; /* not UTF-8 at all: cut anyway, never loop */
        char tmp[96];
        sodium_bin2base64(tmp, sizeof tmp, (const unsigned char *)s, k,
                          sodium_base64_VARIANT_ORIGINAL);
        buf_printf(out, "%s=?UTF-8?B?%s?=", first ? "" : "\n ", tmp);
        s += k;
        n -= k;
        first = false;
    }
}

/* "Tue, 01 Dec 2026 09:28:52 +0000" without the locale's names. */
static void rfc5322_date(int64_t ms, char *out, size_t cap) {
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, cap, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Every '\n' of in becomes eol in out. */
static char *with_eol(const char *in, const char *eol) {
    buf b;
    buf_init(&b, MAIL_MAX * 2);
    for (const char *p = in; *p; p++) {
        if (*p == '\n') buf_puts(&b, eol);
        else if (*p != '\r') buf_append(&b, p, 1);
    }
    return buf_steal(&b);
}

char *notify_email_format(const char *from, const notify_email *m, bool crlf) {
    if (has_break(from) || has_break(m->to) || !m->to || !*m->to) return NULL;
    buf h;
    buf_init(&h, MAIL_MAX);
    char date[48];
    rfc5322_date(m->created_at, date, sizeof date);
    buf_printf(&h, "From: %s\nTo: %s\nSubject: ", from, m->to);
    subject_words(&h, m->subject ? m->subject : "");
    buf_printf(&h,
               "\nDate: %s\nMessage-ID: <outbox-%lld.%lld@kontakt>\nMIME-Version: 1.0\n"
               "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n"
               "Auto-Submitted: auto-generated\n\n",
               date, (long long)m->id, (long long)m->created_at);
    char *body = with_eol(m->body ? m->body : "", "\r\n"); /* text's canonical form */
    b64(&h, (const unsigned char *)body, strlen(body));
    free(body);
    buf_puts(&h, "\n");
    if (h.overflow) {
        buf_free(&h);
        return NULL;
    }
    char *out = with_eol(h.data, crlf ? "\r\n" : "\n");
    buf_free(&h);
    return out;
}

/* --- the Maildir --------------------------------------------------------- */

static bool mkdir_p(const char *path) {
    char tmp[1024];
    if (!str_copy(tmp, sizeof tmp, path)) return false;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST) return false;
        *p = '/';
    }
    return mkdir(tmp, 0700) == 0 || errno == EEXIST;
}

bool notify_email_prepare(const notify_email_config *cfg, char *err, size_t err_cap) {
    if (cfg->smtp_url) return true;
    static const char *const sub[] = {"tmp", "new", "cur"};
    for (size_t i = 0; i < 3; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", cfg->maildir, sub[i]);
        if (!mkdir_p(path)) {
            snprintf(err, err_cap, "cannot create the Maildir folders (%s)", strerror(errno));
            return false;
        }
    }
    return true;
}

/* tmp/ then rename to new/: a reader never sees half a file. The name is
 * the row's, so a second delivery of the same row replaces the first. */
static notify_result maildir_deliver(const notify_email_config *cfg, const notify_email *m,
                                     char *err, size_t err_cap) {
    char *text = notify_email_format(cfg->from, m, false);
    if (!text) {
        snprintf(err, err_cap, "message not formatted");
        return NOTIFY_PERMANENT;
    }
    char name[96], tmp[1200], dst[1200];
    snprintf(name, sizeof name, "%lld.outbox-%lld.kontakt", (long long)(m->created_at / 1000),
             (long long)m->id);
    snprintf(tmp, sizeof tmp, "%s/tmp/%s", cfg->maildir, name);
    snprintf(dst, sizeof dst, "%s/new/%s", cfg->maildir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t len = strlen(text), done = 0;
    while (fd >= 0 && done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w <= 0) break;
        done += (size_t)w;
    }
    bool ok = fd >= 0 && done == len && fsync(fd) == 0;
    if (fd >= 0) ok = close(fd) == 0 && ok;
    ok = ok && rename(tmp, dst) == 0;
    free(text);
    if (!ok) {
        snprintf(err, err_cap, "maildir: %s", strerror(errno));
        unlink(tmp);
        return NOTIFY_RETRY;
    }
    return NOTIFY_OK;
}

/* --- SMTP ------------------------------------------------------------------ */

typedef struct {
    const char *data;
    size_t len, off;
} reader;

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *arg) {
    reader *r = arg;
    size_t room = size * nmemb, left = r->len - r->off;
    size_t n = left < room ? left : room;
    memcpy(dst, r->data + r->off, n);
    r->off += n;
    return n;
}

/* A refusal that names the mailbox or the message is for good; anything
 * else (4xx, the connection, TLS, authentication) may pass later. */
static bool permanent_reply(long code) {
    return code == 501 || code == 550 || code == 551 || code == 552 || code == 553 ||
           code == 554;
}

static void set_tls(CURL *h, const notify_email_config *cfg) {
    const char *tls = cfg->tls ? cfg->tls : "try";
    long use = strcmp(tls, "require") == 0 ? (long)CURLUSESSL_ALL
               : strcmp(tls, "off") == 0   ? (long)CURLUSESSL_NONE
                                           : (long)CURLUSESSL_TRY;
    curl_easy_setopt(h, CURLOPT_USE_SSL, use);
    if (cfg->ca) curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca);
}

static notify_result smtp_send(const notify_email_config *cfg, const notify_email *m, char *err,
                               size_t err_cap) {
    char *text = notify_email_format(cfg->from, m, true);
    if (!text) {
        snprintf(err, err_cap, "message not formatted");
        return NOTIFY_PERMANENT;
    }
    CURL *h = curl_easy_init();
    if (!h) {
        free(text);
        snprintf(err, err_cap, "curl init failed");
        return NOTIFY_RETRY;
    }
    char from[320], rcpt[320];
    bare_address(cfg->from, from, sizeof from);
    snprintf(rcpt, sizeof rcpt, "<%s>", m->to);
    char mail_from[330];
    snprintf(mail_from, sizeof mail_from, "<%s>", from);
    struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
    reader rd = {.data = text, .len = strlen(text)};
    curl_easy_setopt(h, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &rd);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, cfg->timeout_ms < 10000 ? cfg->timeout_ms : 10000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
    if (cfg->user) curl_easy_setopt(h, CURLOPT_USERNAME, cfg->user);
    if (cfg->password) curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->password);
    set_tls(h, cfg);
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(h);
    free(text);
    if (rc == CURLE_OK) return NOTIFY_OK;
    snprintf(err, err_cap, "smtp: reply %ld, curl %d (%s)", code, (int)rc, curl_easy_strerror(rc));
    return permanent_reply(code) ? NOTIFY_PERMANENT : NOTIFY_RETRY;
}

notify_result notify_email_send(const notify_email_config *cfg, const notify_email *m, char *err,
                                size_t err_cap) {
    err[0] = 0;
    return cfg->smtp_url ? smtp_send(cfg, m, err, err_cap) : maildir_deliver(cfg, m, err, err_cap);
}
