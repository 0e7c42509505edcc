/* Declarative checks of JSON input: a field that fails never reaches the
 * handler. Strings are trimmed of surrounding white space for the length
 * check and counted in code points. */
#include "domain/validate.h"
#include "http/http.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "util/banned.h"

static const char *type_name(in_type t) {
    return t == IN_STRING || t == IN_TEXT ? "string"
           : t == IN_NUMBER               ? "number"
           : t == IN_BOOL                 ? "boolean"
                                          : "object";
}

/* Invisible formatting characters that can make a text read differently
 * from what it is (bidi overrides, zero-width marks, BOM): never accepted. */
static bool has_invisible(const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i + 3 <= len; i++) {
        unsigned a = p[i], b = p[i + 1], c = p[i + 2];
        if (a == 0xE2 && b == 0x80 && ((c >= 0x8B && c <= 0x8F) || (c >= 0xAA && c <= 0xAE)))
            return true; /* U+200B..200F, U+202A..202E */
        if (a == 0xE2 && b == 0x81 && ((c >= 0xA0 && c <= 0xA4) || (c >= 0xA6 && c <= 0xA9)))
            return true; /* U+2060..2064, U+2066..2069 */
        if (a == 0xEF && b == 0xBB && c == 0xBF) return true; /* U+FEFF */
    }
    return false;
}

static bool type_ok(const json_t *v, in_type t) {
    switch (t) {
    case IN_STRING:
    case IN_TEXT: return json_is_string(v);
    case IN_NUMBER: return json_is_number(v);
    case IN_OBJECT: return json_is_object(v);
    case IN_BOOL: return json_is_boolean(v);
    }
    return false;
}

static void join(char *out, size_t cap, const char *prefix, const char *name) {
    if (prefix && *prefix)
        snprintf(out, cap, "%s.%s", prefix, name);
    else
        snprintf(out, cap, "%s", name);
}

static void check_string(http_req *req, const json_t *v, const in_field *f, const char *path,
                         json_t *fields) {
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    while (len && isspace((unsigned char)*s)) s++, len--;
    while (len && isspace((unsigned char)s[len - 1])) len--;
    bool line_break = f->type == IN_STRING && (memchr(s, '\n', len) || memchr(s, '\r', len) ||
                                               memchr(s, '\t', len));
    if (memchr(json_string_value(v), '\0', json_string_length(v)) ||
        dom_has_control_chars(s, len) || line_break || has_invisible(s, len)) {
        http_field_error(req, fields, path, "control_chars", NULL);
        return;
    }
    long cps = dom_utf8_length(s, len);
    char detail[64];
    snprintf(detail, sizeof detail, "%ld–%ld", f->min_len, f->max_len);
    if (cps < 0)
        http_field_error(req, fields, path, "invalid_utf8", NULL);
    else if (f->required && cps == 0)
        http_field_error(req, fields, path, "required", NULL);
    else if (cps < f->min_len)
        http_field_error(req, fields, path, "too_short", detail);
    else if (f->max_len && cps > f->max_len)
        http_field_error(req, fields, path, "too_long", detail);
}

bool http_input_check(http_req *req, const json_t *obj, const in_field *spec, const char *prefix,
                      json_t *fields) {
    size_t before = json_object_size(fields);
    char path[256];
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        const in_field *f = spec;
        while (f->name && strcmp(f->name, key) != 0) f++;
        if (!f->name) {
            join(path, sizeof path, prefix, key);
            http_field_error(req, fields, path, "unknown_field", NULL);
        }
    }
    for (const in_field *f = spec; f->name; f++) {
        join(path, sizeof path, prefix, f->name);
        v = json_object_get(obj, f->name);
        if (!v || json_is_null(v)) {
            if (f->required) http_field_error(req, fields, path, "required", NULL);
            continue;
        }
        if (!type_ok(v, f->type)) {
            http_field_error(req, fields, path, "wrong_type", type_name(f->type));
            continue;
        }
        if (f->type == IN_STRING || f->type == IN_TEXT) check_string(req, v, f, path, fields);
        if (f->type == IN_OBJECT && f->children)
            http_input_check(req, v, f->children, path, fields);
    }
    return json_object_size(fields) == before;
}

json_t *http_json_object(http_req *req) {
    json_t *body = json_loadb(req->body.data ? req->body.data : "", req->body.len,
                              JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
    if (!json_is_object(body)) {
        json_decref(body);
        http_reply_error(req, "invalid_json", NULL);
        return NULL;
    }
    return body;
}

bool http_query_number(http_req *req, const char *name, json_t *fields, double *out) {
    const char *v = http_query(req, name);
    if (!v || !*v) {
        http_field_error(req, fields, name, "required", NULL);
        return false;
    }
    char *end = NULL;
    errno = 0;
    *out = strtod(v, &end);
    if (errno || *end || !isfinite(*out)) {
        http_field_error(req, fields, name, "wrong_type", "number");
        return false;
    }
    return true;
}

char *http_json_trimmed(const json_t *v) {
    if (!json_is_string(v)) return NULL;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    while (len && isspace((unsigned char)*s)) s++, len--;
    while (len && isspace((unsigned char)s[len - 1])) len--;
    if (!len) return NULL;
    char *out = xmalloc(len + 1);
    memcpy(out, s, len);
    out[len] = '\0';
    return out;
}
