/* multipart/form-data (RFC 7578) over the size-capped buffered body.
 *
 * Pure and bounded: the boundary (≤ 70 bytes), each part's header block
 * (≤ HTTP_MP_HEADERS_MAX), the number of parts, the names and filenames
 * all have hard limits, and every search is a memmem over the body, so the
 * work is linear in the body whatever a client sends. Nothing here trusts
 * a part's filename or Content-Type: the api layer looks at the content. */
#include "http/http.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "util/banned.h"

/* The boundary parameter of a Content-Type, quoted or not. */
static http_mp_status boundary_of(const char *ct, char *out, size_t cap) {
    static const char kind[] = "multipart/form-data";
    if (!ct) return HTTP_MP_NOT_MULTIPART;
    while (*ct == ' ') ct++;
    if (strncasecmp(ct, kind, sizeof kind - 1) != 0) return HTTP_MP_NOT_MULTIPART;
    const char *p = ct + sizeof kind - 1;
    if (*p != '\0' && *p != ';' && *p != ' ') return HTTP_MP_NOT_MULTIPART;
    while (*p) {
        while (*p == ';' || *p == ' ' || *p == '\t') p++;
        const char *key = p;
        while (*p && *p != '=' && *p != ';') p++;
        size_t klen = (size_t)(p - key);
        while (klen && (key[klen - 1] == ' ' || key[klen - 1] == '\t')) klen--;
        if (*p != '=') continue;
        p++;
        bool quoted = *p == '"';
        if (quoted) p++;
        const char *val = p;
        while (*p && (quoted ? *p != '"' : (*p != ';' && *p != ' '))) p++;
        size_t vlen = (size_t)(p - val);
        if (quoted && *p != '"') return HTTP_MP_NO_BOUNDARY;
        if (quoted) p++;
        if (klen == 8 && strncasecmp(key, "boundary", 8) == 0) {
            if (vlen == 0 || vlen > HTTP_MP_BOUNDARY_MAX || vlen >= cap) return HTTP_MP_NO_BOUNDARY;
            for (size_t i = 0; i < vlen; i++)
                if ((unsigned char)val[i] < 0x20 || (unsigned char)val[i] > 0x7e)
                    return HTTP_MP_NO_BOUNDARY;
            memcpy(out, val, vlen);
            out[vlen] = '\0';
            return HTTP_MP_OK;
        }
    }
    return HTTP_MP_NO_BOUNDARY;
}

/* A header parameter value (name="..." or name=token) into out; false
 * when it does not fit or holds a control character. */
static bool param_value(const char *p, const char *end, char *out, size_t cap) {
    size_t n = 0;
    bool quoted = p < end && *p == '"';
    if (quoted) p++;
    while (p < end) {
        char ch = *p;
        if (quoted && ch == '"') break;
        if (!quoted && (ch == ';' || ch == ' ' || ch == '\t')) break;
        if (quoted && ch == '\\' && p + 1 < end) ch = *++p;
        if ((unsigned char)ch < 0x20 || ch == 0x7f || n + 1 >= cap) return false;
        out[n++] = ch;
        p++;
    }
    if (quoted && (p >= end || *p != '"')) return false;
    out[n] = '\0';
    return true;
}

/* Content-Disposition: form-data; name="..."; filename="..." */
static bool disposition(const char *v, const char *end, http_part *part) {
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    if ((size_t)(end - v) < 9 || strncasecmp(v, "form-data", 9) != 0) return false;
    const char *p = v + 9;
    while (p < end) {
        while (p < end && (*p == ';' || *p == ' ' || *p == '\t')) p++;
        const char *key = p;
        while (p < end && *p != '=' && *p != ';') p++;
        if (p >= end || *p != '=') continue;
        size_t klen = (size_t)(p - key);
        p++;
        bool name = klen == 4 && strncasecmp(key, "name", 4) == 0;
        bool file = klen == 8 && strncasecmp(key, "filename", 8) == 0;
        char ignored[HTTP_MP_FILENAME_MAX];
        char *dst = name ? part->name : file ? part->filename : ignored;
        size_t cap = name ? sizeof part->name : file ? sizeof part->filename : sizeof ignored;
        if (!param_value(p, end, dst, cap)) return false;
        /* Skip the value just read. */
        if (p < end && *p == '"') {
            p++;
            while (p < end && *p != '"') p += (*p == '\\' && p + 1 < end) ? 2 : 1;
            if (p < end) p++;
        } else {
            while (p < end && *p != ';') p++;
        }
    }
    return part->name[0] != '\0';
}

/* The header block of one part: [h, end) without the final CRLF CRLF. */
static bool part_headers(const char *h, const char *end, http_part *part) {
    bool seen_disposition = false;
    while (h < end) {
        const char *eol = memmem(h, (size_t)(end - h), "\r\n", 2);
        if (!eol) eol = end;
        const char *colon = memchr(h, ':', (size_t)(eol - h));
        if (!colon) return false;
        size_t klen = (size_t)(colon - h);
        const char *v = colon + 1;
        for (const char *c = h; c < eol; c++)
            if ((unsigned char)*c < 0x20 && *c != '\t') return false;
        if (klen == 19 && strncasecmp(h, "Content-Disposition", 19) == 0) {
            if (seen_disposition || !disposition(v, eol, part)) return false;
            seen_disposition = true;
        } else if (klen == 12 && strncasecmp(h, "Content-Type", 12) == 0) {
            while (v < eol && *v == ' ') v++;
            size_t vlen = (size_t)(eol - v);
            if (vlen >= sizeof part->content_type) vlen = sizeof part->content_type - 1;
            memcpy(part->content_type, v, vlen);
            part->content_type[vlen] = '\0';
        }
        h = eol == end ? end : eol + 2;
    }
    return seen_disposition;
}

http_mp_status http_multipart_parse(const char *content_type, const char *body, size_t len,
                                    http_part *parts, int max_parts, int *n) {
    *n = 0;
    char boundary[HTTP_MP_BOUNDARY_MAX + 1];
    http_mp_status st = boundary_of(content_type, boundary, sizeof boundary);
    if (st != HTTP_MP_OK) return st;
    /* "\r\n--" + boundary: the delimiter inside the body. */
    char delim[HTTP_MP_BOUNDARY_MAX + 5] = "\r\n--";
    size_t blen = strlen(boundary), dlen = blen + 4;
    memcpy(delim + 4, boundary, blen + 1);
    const char *end = body + len, *p;
    if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
        p = body + dlen - 2; /* the body starts with the first delimiter */
    } else {
        const char *first = body ? memmem(body, len, delim, dlen) : NULL;
        if (!first) return HTTP_MP_MALFORMED;
        p = first + dlen; /* after a preamble */
    }
    for (;;) {
        /* After a delimiter: "--" closes, else optional padding and CRLF. */
        if (end - p >= 2 && p[0] == '-' && p[1] == '-') return *n > 0 ? HTTP_MP_OK : HTTP_MP_MALFORMED;
        while (p < end && (*p == ' ' || *p == '\t')) p++;
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n') return HTTP_MP_MALFORMED;
        p += 2;
        if (*n >= max_parts) return HTTP_MP_TOO_MANY_PARTS;
        http_part *part = &parts[*n];
        memset(part, 0, sizeof *part);
        size_t window = (size_t)(end - p) < HTTP_MP_HEADERS_MAX + 4 ? (size_t)(end - p)
                                                                     : HTTP_MP_HEADERS_MAX + 4;
        const char *hend = memmem(p, window, "\r\n\r\n", 4);
        if (!hend) return window == HTTP_MP_HEADERS_MAX + 4 ? HTTP_MP_HEADERS_TOO_LONG
                                                            : HTTP_MP_MALFORMED;
        if (!part_headers(p, hend, part)) return HTTP_MP_MALFORMED;
        const char *data = hend + 4;
        const char *next = memmem(data, (size_t)(end - data), delim, dlen);
        if (!next) return HTTP_MP_MALFORMED; /* truncated: no closing delimiter */
        part->data = data;
        part->len = (size_t)(next - data);
        (*n)++;
        p = next + dlen;
    }
}

bool http_multipart(http_req *req, http_part *parts, int max_parts, int *n) {
    http_mp_status st = http_multipart_parse(http_header(req, "Content-Type"), req->body.data,
                                             req->body.len, parts, max_parts, n);
    if (st == HTTP_MP_OK) return true;
    char why[64];
    switch (st) {
    case HTTP_MP_NOT_MULTIPART: str_copy(why, sizeof why, "Content-Type: multipart/form-data"); break;
    case HTTP_MP_NO_BOUNDARY: str_copy(why, sizeof why, "boundary: 1-70 characters"); break;
    case HTTP_MP_HEADERS_TOO_LONG:
        snprintf(why, sizeof why, "part headers <= %d bytes", HTTP_MP_HEADERS_MAX);
        break;
    case HTTP_MP_TOO_MANY_PARTS: snprintf(why, sizeof why, "parts <= %d", max_parts); break;
    default: str_copy(why, sizeof why, "truncated or malformed multipart/form-data"); break;
    }
    json_t *fields = json_object();
    http_field_error(req, fields, "body", "invalid_value", why);
    http_reply_error(req, "multipart_invalid", fields);
    json_decref(fields);
    return false;
}
