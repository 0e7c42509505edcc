/* Passwords and TOTP (see secret.h). */
#include "util/secret.h"
#include "util/buf.h"
#include <ctype.h>
#include <nettle/hmac.h>
#include <pthread.h>
#include <sodium.h>
#include <stddef.h>
#include <crack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

bool pw_hash(const char *password, char out[PW_HASH_CAP]) {
    _Static_assert(PW_HASH_CAP >= crypto_pwhash_STRBYTES, "hash buffer");
    return crypto_pwhash_str_alg(out, password, strlen(password),
                                 crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) == 0;
}

bool pw_verify(const char *stored_hash, const char *password) {
    if (!stored_hash || !*stored_hash) return false;
    return crypto_pwhash_str_verify(stored_hash, password, strlen(password)) == 0;
}

/* --- common passwords: a sorted array of lower-case lines, binary search */
struct pw_list {
    char **words;
    size_t n;
};

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lower_ascii(char *s) {
    for (; *s; s++) *s = (char)tolower((unsigned char)*s);
}

pw_list *pw_list_load(const char *path, char *err, size_t err_cap) {
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_cap, "cannot open %s", path);
        return NULL;
    }
    pw_list *l = xcalloc(1, sizeof *l);
    size_t cap = 4096;
    l->words = xcalloc(cap, sizeof *l->words);
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' && line[1] == '!') continue; /* john's comment lines */
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0]) continue;
        if (l->n == cap) {
            cap *= 2;
            char **grown = realloc(l->words, cap * sizeof *grown);
            if (!grown) abort();
            l->words = grown;
        }
        lower_ascii(line);
        l->words[l->n++] = xstrdup(line);
    }
    fclose(f);
    qsort(l->words, l->n, sizeof *l->words, cmp_str);
    return l;
}

void pw_list_free(pw_list *l) {
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) free(l->words[i]);
    free(l->words);
    free(l);
}

size_t pw_list_size(const pw_list *l) { return l ? l->n : 0; }

static bool listed(const pw_list *l, const char *word) {
    if (!l || !*word) return false;
    return bsearch(&word, l->words, l->n, sizeof *l->words, cmp_str) != NULL;
}

static size_t code_points(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

pw_verdict pw_policy(const pw_list *list, const char *password, char *reason, size_t reason_cap) {
    if (reason && reason_cap) reason[0] = '\0';
    if (strlen(password) > PASSWORD_MAX) return PW_TOO_LONG;
    if (code_points(password) < PASSWORD_MIN) return PW_TOO_SHORT;
    char low[PASSWORD_MAX + 1];
    str_copy(low, sizeof low, password);
    lower_ascii(low);
    if (listed(list, low)) return PW_COMMON;
    /* "password1234", "qwerty2026!": a common word dressed with a tail;
     * looked up without the punctuation, then without the digits too. */
    size_t n = strlen(low);
    while (n > 0 && ispunct((unsigned char)low[n - 1])) low[--n] = '\0';
    if (listed(list, low)) return PW_COMMON;
    while (n > 0 && (isdigit((unsigned char)low[n - 1]) || ispunct((unsigned char)low[n - 1])))
        low[--n] = '\0';
    if (listed(list, low)) return PW_COMMON;
    /* cracklib keeps its dictionary in static state: one caller at a time. */
    static pthread_mutex_t crack_mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&crack_mu);
    const char *why = FascistCheck(password, NULL);
    if (why && reason) str_copy(reason, reason_cap, why);
    pthread_mutex_unlock(&crack_mu);
    return why ? PW_WEAK : PW_OK;
}

/* --- TOTP --------------------------------------------------------------- */
static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void totp_new_secret(char out[TOTP_SECRET_TEXT]) {
    unsigned char raw[TOTP_SECRET_BYTES];
    randombytes_buf(raw, sizeof raw);
    size_t o = 0;
    for (size_t i = 0; i < sizeof raw; i += 5) { /* 5 bytes -> 8 characters */
        uint64_t v = 0;
        for (int k = 0; k < 5; k++) v = (v << 8) | raw[i + (size_t)k];
        for (int k = 7; k >= 0; k--) out[o++] = B32[(v >> (k * 5)) & 31];
    }
    out[o] = '\0';
    sodium_memzero(raw, sizeof raw);
}

static int b32_decode(const char *in, unsigned char *out, size_t cap) {
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    for (; *in; in++) {
        if (*in == '=' || *in == ' ') continue;
        const char *p = strchr(B32, toupper((unsigned char)*in));
        if (!p || !*p) return -1;
        acc = (acc << 5) | (uint32_t)(p - B32);
        bits += 5;
        if (bits >= 8) {
            if (n == cap) return -1;
            out[n++] = (unsigned char)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    return (int)n;
}

bool totp_code(const char *secret_b32, int64_t unix_s, char out[7]) {
    unsigned char key[64];
    int klen = b32_decode(secret_b32, key, sizeof key);
    if (klen < 10) return false;
    uint64_t step = (uint64_t)(unix_s / 30);
    unsigned char msg[8];
    for (int i = 7; i >= 0; i--, step >>= 8) msg[i] = (unsigned char)(step & 0xff);
    struct hmac_sha1_ctx ctx;
    unsigned char mac[SHA1_DIGEST_SIZE];
    hmac_sha1_set_key(&ctx, (size_t)klen, key);
    hmac_sha1_update(&ctx, sizeof msg, msg);
    hmac_sha1_digest(&ctx, sizeof mac, mac);
    sodium_memzero(key, sizeof key);
    int off = mac[SHA1_DIGEST_SIZE - 1] & 0x0f; /* RFC 4226 dynamic truncation */
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    snprintf(out, 7, "%06u", (unsigned)(bin % 1000000u));
    return true;
}

bool totp_verify(const char *secret_b32, const char *code, int64_t unix_s, int64_t after_step,
                 int64_t *step) {
    if (!code || strlen(code) != 6) return false;
    bool ok = false;
    for (int d = -1; d <= 1; d++) {
        char want[7];
        int64_t s = unix_s / 30 + d;
        if (!totp_code(secret_b32, s * 30, want)) return false;
        if (sodium_memcmp(want, code, 6) == 0 && s > after_step) {
            ok = true;
            *step = s;
        }
    }
    return ok;
}

bool totp_uri(const char *login, const char *secret_b32, char *out, size_t cap) {
    /* Logins are [a-z0-9._-] (checked on creation): nothing to escape. */
    int n = snprintf(out, cap,
                     "otpauth://totp/Kontakt:%s?secret=%s&issuer=Kontakt&algorithm=SHA1&digits=6"
                     "&period=30",
                     login, secret_b32);
    return n > 0 && (size_t)n < cap;
}
