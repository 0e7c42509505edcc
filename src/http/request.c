/* Request data beyond what MHD parses (a view's query string carried in a
 * JSON body) and parked requests (suspend/resume) for answers a job makes. */
#include "http/http.h"
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

struct http_query_set {
    char text[HTTP_QUERY_SET_MAX + 1];
    const char *name[HTTP_QUERY_SET_PARAMS], *value[HTTP_QUERY_SET_PARAMS];
    int n;
};

static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes s in place (+ is a space, %XX a byte; %00 and bad escapes fail). */
static bool unescape(char *s) {
    char *o = s;
    for (const char *p = s; *p; p++) {
        if (*p == '+') {
            *o++ = ' ';
        } else if (*p == '%') {
            int h = hex(p[1]), l = h < 0 ? -1 : hex(p[2]);
            if (l < 0 || (h == 0 && l == 0)) return false;
            *o++ = (char)(h * 16 + l);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return true;
}

bool http_set_query(http_req *req, const char *query) {
    if (strlen(query) > HTTP_QUERY_SET_MAX) return false;
    struct http_query_set *qs = xcalloc(1, sizeof *qs);
    str_copy(qs->text, sizeof qs->text, query[0] == '?' ? query + 1 : query);
    char *p = qs->text;
    while (*p) {
        char *amp = strchr(p, '&');
        if (amp) *amp = '\0';
        if (*p) {
            char *eq = strchr(p, '=');
            if (eq) *eq = '\0';
            /* no "=": an empty value, the name's own end (writable, unlike "") */
            char *value = eq ? eq + 1 : p + strlen(p);
            if (qs->n == HTTP_QUERY_SET_PARAMS || !unescape(p) || !unescape(value)) {
                free(qs);
                return false;
            }
            qs->name[qs->n] = p;
            qs->value[qs->n++] = value;
        }
        if (!amp) break;
        p = amp + 1;
    }
    free(req->query_set);
    req->query_set = qs;
    return true;
}

/* The URL's parameter, or the replaced query's (the first of a name). */
const char *http_query(http_req *req, const char *name) {
    const struct http_query_set *qs = req->query_set;
    if (!qs) return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
    for (int i = 0; i < qs->n; i++)
        if (strcmp(qs->name[i], name) == 0) return qs->value[i];
    return NULL;
}

void http_suspend(http_req *req, void *ctx) {
    req->suspended_ctx = ctx;
    req->suspended = true;
    MHD_suspend_connection(req->conn);
}

void http_resume(http_req *req) { MHD_resume_connection(req->conn); }

void *http_resumed(http_req *req) { return req->resumed ? req->suspended_ctx : NULL; }

void http_on_complete(http_req *req, void (*fn)(void *ctx), void *ctx) {
    req->on_complete = fn;
    req->on_complete_ctx = ctx;
}

void http_set_idle_timeout(http_req *req, unsigned seconds) {
    MHD_set_connection_option(req->conn, MHD_CONNECTION_OPTION_TIMEOUT, seconds);
}
