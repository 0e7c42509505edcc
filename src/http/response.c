/* Responses: every answer carries the request id, the language and the
 * security headers. */
#include "http/http.h"
#include "util/log.h"
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "util/banned.h"

void http_add_header(http_req *req, const char *name, const char *value) {
    if (req->n_extra >= 4) return;
    str_copy(req->extra[req->n_extra][0], sizeof req->extra[0][0], name);
    str_copy(req->extra[req->n_extra][1], sizeof req->extra[0][1], value);
    req->n_extra++;
}

static void queue(http_req *req, int status, const char *content_type, struct MHD_Response *r);

void http_reply_text(http_req *req, int status, const char *content_type, char *body, size_t len) {
    if (req->answered) {
        free(body);
        return;
    }
    struct MHD_Response *r =
        body ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE)
             : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(body);
        return;
    }
    queue(req, status, content_type, r);
}

void http_reply_fd(http_req *req, int status, const char *content_type, int fd, uint64_t size) {
    struct MHD_Response *r = req->answered ? NULL : MHD_create_response_from_fd64(size, fd);
    if (!r) {
        close(fd);
        return;
    }
    queue(req, status, content_type, r);
}

/* MHD's reader: fn fills up to max bytes; 0 means "the end" here (never
 * "nothing yet": the producer always has its next bytes at hand). */
typedef struct {
    http_stream_fn fn;
    http_stream_free_fn done;
    void *ctx;
} stream_ctx;

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max) {
    (void)pos;
    stream_ctx *s = cls;
    size_t n = s->fn(s->ctx, out, max);
    if (n == HTTP_STREAM_ERROR) return MHD_CONTENT_READER_END_WITH_ERROR;
    return n ? (ssize_t)n : MHD_CONTENT_READER_END_OF_STREAM;
}

static void stream_free(void *cls) {
    stream_ctx *s = cls;
    if (s->done) s->done(s->ctx);
    free(s);
}

void http_reply_stream(http_req *req, int status, const char *content_type, http_stream_fn fn,
                       http_stream_free_fn done, void *ctx) {
    stream_ctx *s = xmalloc(sizeof *s);
    *s = (stream_ctx){fn, done, ctx};
    struct MHD_Response *r = req->answered ? NULL
        : MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, HTTP_STREAM_BLOCK, stream_read, s,
                                            stream_free);
    if (!r) {
        stream_free(s);
        return;
    }
    queue(req, status, content_type, r);
}

static void queue(http_req *req, int status, const char *content_type, struct MHD_Response *r) {
    if (content_type) MHD_add_response_header(r, "Content-Type", content_type);
    MHD_add_response_header(r, "X-Request-Id", req->request_id);
    MHD_add_response_header(r, "Content-Language", req->english ? "en" : "uk");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Content-Security-Policy", req->csp ? req->csp : "default-src 'self'");
    bool own_cache = false; /* a handler's Cache-Control (photos) replaces the default */
    for (int i = 0; i < req->n_extra; i++) {
        MHD_add_response_header(r, req->extra[i][0], req->extra[i][1]);
        own_cache = own_cache || strcasecmp(req->extra[i][0], "Cache-Control") == 0;
    }
    if (!own_cache && strncmp(req->path, "/api/", 5) == 0)
        MHD_add_response_header(r, "Cache-Control", "no-store");
    if (req->hold_answer && !req->held) {
        req->held = r; /* queued by the server when the body has arrived */
        req->answered = true;
        req->status = status;
        return;
    }
    if (MHD_queue_response(req->conn, (unsigned)status, r) == MHD_YES) {
        req->answered = true;
        req->status = status;
    }
    MHD_destroy_response(r);
}

void http_reply_json(http_req *req, int status, const json_t *j) {
    char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10));
    if (!text) {
        log_error("json_dumps failed", NULL);
        return;
    }
    /* jansson allocates with malloc: MHD frees it with free(). */
    http_reply_text(req, status, "application/json; charset=utf-8", text, strlen(text));
}

const char *http_header(http_req *req, const char *name) {
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(http_req *req, const char *name) {
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

