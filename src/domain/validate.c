/* Validators for typed fields (see validate.h). Everything here is strict on
 * purpose: a value that passes is stored and later shown to staff, so a
 * lenient check here becomes a data-quality problem everywhere else. */
#include "domain/validate.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define PHONE_INPUT_MAX 64 /* longer input is not a phone number someone typed */
#define PHONE_DIGITS_MAX 16
#define NATIONAL_DIGITS 9 /* after "+380" */

/* Collects the digits of a phone spelling. A '+' is allowed only as the
 * first non-space character; the separators are the ones people actually
 * type. Returns the digit count, or -1 for anything else. */
static int phone_digits(const char *in, char *digits, bool *plus)
{
    int n = 0;
    bool seen_digit = false;
    *plus = false;
    for (const char *p = in; *p; p++) {
        char c = *p;
        if (c >= '0' && c <= '9') {
            if (n >= PHONE_DIGITS_MAX)
                return -1;
            digits[n++] = c;
            seen_digit = true;
        } else if (c == '+') {
            if (*plus || seen_digit)
                return -1;
            *plus = true;
        } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
            return -1;
        }
    }
    return n;
}

bool dom_phone_normalize(const char *in, char *out, size_t cap)
{
    if (!in || !out || cap < 14 || strlen(in) > PHONE_INPUT_MAX)
        return false;
    char d[PHONE_DIGITS_MAX + 1];
    bool plus;
    int n = phone_digits(in, d, &plus);
    if (n < 0)
        return false;
    d[n] = '\0';
    /* Find where the 9 national digits start, by the prefix spelled. */
    const char *national = NULL;
    if (plus) {
        if (n == 12 && memcmp(d, "380", 3) == 0)
            national = d + 3; /* +380 67 ..., +38 (067) ... */
    } else if (n == 12 && memcmp(d, "380", 3) == 0) {
        national = d + 3; /* 380671234567 */
    } else if (n == 14 && memcmp(d, "00380", 5) == 0) {
        national = d + 5; /* international prefix 00 */
    } else if (n == 11 && memcmp(d, "80", 2) == 0) {
        national = d + 2; /* old long-distance prefix: 8 067 ... */
    } else if (n == 10 && d[0] == '0') {
        national = d + 1; /* 067 ..., 056 ... */
    }
    if (!national || national[0] == '0')
        return false;
    snprintf(out, cap, "+380%s", national);
    return true;
}

static bool is_atext(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* Dot-atom local part: atext runs separated by single dots. */
static bool email_local_valid(const char *s, size_t len)
{
    if (len == 0 || len > 64 || s[0] == '.' || s[len - 1] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (s[i + 1] == '.')
                return false;
        } else if (!is_atext(c)) {
            return false;
        }
    }
    return true;
}

static bool email_domain_valid(const char *s, size_t len)
{
    if (len == 0 || len > 253)
        return false;
    size_t label = 0, labels = 0;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? s[i] : '.';
        if (c == '.') {
            if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-')
                return false;
            labels++;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-') {
            label++;
        } else {
            return false;
        }
    }
    return labels >= 2;
}

bool dom_email_valid(const char *s)
{
    if (!s)
        return false;
    size_t len = strlen(s);
    if (len == 0 || len > 254)
        return false;
    const char *at = strchr(s, '@');
    if (!at || strchr(at + 1, '@'))
        return false;
    size_t local = (size_t)(at - s);
    return email_local_valid(s, local) && email_domain_valid(at + 1, len - local - 1);
}

/* Decodes one UTF-8 sequence at s[0..left). Returns its byte length, or 0
 * when it is invalid: bad lead byte, bad or missing continuation, overlong
 * form, surrogate, or beyond U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, cp = c & 0x1Fu, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, cp = c & 0x0Fu, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, cp = c & 0x07u, min = 0x10000;
    } else {
        return 0; /* continuation byte, C0/C1 overlong lead, or F5..FF */
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0u) != 0x80u)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

long dom_utf8_length(const char *s, size_t len)
{
    if (!s)
        return len == 0 ? 0 : -1;
    const unsigned char *u = (const unsigned char *)s;
    long count = 0;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(u + i, len - i);
        if (n == 0)
            return -1;
        i += n;
        count++;
    }
    return count;
}

/* C0 controls (but \t \n \r), DEL and the C1 controls U+0080..U+009F
 * (encoded C2 80..C2 9F): invisible, and some of them drive terminals. */
bool dom_has_control_chars(const char *s, size_t len)
{
    if (!s)
        return false;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = u[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
            return true;
        if (c == 0xC2 && i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F)
            return true;
    }
    return false;
}

/* One decimal number of the bounds list: optional spaces, a plain decimal
 * (no hex, inf or nan: strtod would take them), optional spaces. */
static bool parse_coord(const char **pp, double *out)
{
    const char *p = *pp;
    while (*p == ' ')
        p++;
    const char *start = p;
    if (*p == '-' || *p == '+')
        p++;
    if (!(*p >= '0' && *p <= '9'))
        return false;
    while ((*p >= '0' && *p <= '9') || *p == '.')
        p++;
    char buf[48];
    size_t n = (size_t)(p - start);
    if (n >= sizeof buf)
        return false;
    memcpy(buf, start, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v))
        return false;
    while (*p == ' ')
        p++;
    *out = v;
    *pp = p;
    return true;
}

bool dom_bounds_parse(const char *text, dom_bounds *out)
{
    if (!text || !out)
        return false;
    double v[4];
    const char *p = text;
    for (int i = 0; i < 4; i++) {
        if (!parse_coord(&p, &v[i]))
            return false;
        if (i < 3 && *p++ != ',')
            return false;
    }
    if (*p != '\0')
        return false;
    if (v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90 || v[0] >= v[2] || v[1] >= v[3])
        return false;
    out->min_lon = v[0];
    out->min_lat = v[1];
    out->max_lon = v[2];
    out->max_lat = v[3];
    return true;
}

bool dom_bounds_contains(const dom_bounds *b, double lat, double lon)
{
    if (!b || !isfinite(lat) || !isfinite(lon))
        return false;
    return lon >= b->min_lon && lon <= b->max_lon && lat >= b->min_lat && lat <= b->max_lat;
}

bool dom_number_parse(const char *s, int *year, long *seq)
{
    /* YYYY-NNNNNN: six digits, zero-padded; a year past 999,999 appeals
     * (a city of Kyiv's size) grows to seven to nine digits, never padded. */
    size_t len = s ? strlen(s) : 0;
    if (len < 11 || len > 14 || s[4] != '-')
        return false;
    if (len > 11 && s[5] == '0')
        return false;
    int y = 0;
    long n = 0;
    for (size_t i = 0; i < len; i++) {
        if (i == 4)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (i < 4)
            y = y * 10 + (s[i] - '0');
        else
            n = n * 10 + (s[i] - '0');
    }
    if (y < 2000 || n < 1)
        return false;
    *year = y;
    *seq = n;
    return true;
}

void dom_number_format(int year, long seq, char *out, size_t cap)
{
    if (!out || cap == 0)
        return;
    snprintf(out, cap, "%04d-%06ld", year, seq);
}
