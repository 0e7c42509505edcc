/* Transport: the libmicrohttpd daemon, the routing table, request parsing,
 * limits and responses. api/ declares routes and handlers; handlers get an
 * http_req and answer with exactly one http_reply_* call. */
#ifndef KONTAKT_HTTP_HTTP_H
#define KONTAKT_HTTP_HTTP_H
#include "util/buf.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct MHD_Connection;
typedef struct http_req http_req;
typedef void (*http_handler)(http_req *req);

#define HTTP_MAX_PARAMS 4
#define HTTP_PARAM_MAX 128

typedef struct {
    const char *method;  /* "GET", "POST" */
    const char *pattern; /* "/api/v1/appeals/{number}": {x} matches one segment */
    http_handler handler;
    size_t body_max;     /* 0: no body accepted */
    bool json_body;      /* requires Content-Type: application/json */
    bool rate_limited;   /* counts against the per-address rate limit */
    bool multipart;      /* multipart/form-data (uploads); body cap: http_config.multipart_max */
} http_route;

struct http_req {
    struct MHD_Connection *conn;
    void *app;                 /* the api layer's context */
    const char *method;
    char path[1024];           /* decoded path, no query */
    const http_route *route;   /* NULL: static file or 404/405 */
    char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX];
    int n_params;
    buf body;
    bool body_too_large;
    bool english;              /* messages in English */
    char request_id[33];
    int64_t start_us;
    int status;                /* answered status, for the log */
    bool answered;
    size_t received;           /* body bytes seen, kept or not */
    char extra[4][2][192];     /* extra response headers: name, value */
    int n_extra;
    const char *csp;           /* from the config */
    unsigned char client[16];  /* the client's address (IPv4 mapped), after the proxy */
    bool https;                /* the trusted proxy says the client used TLS */
    bool rate_taken;           /* the rate limit was already counted (uploads) */
    /* An upload refused before its body: the answer is held (and the body
     * read and dropped) until the request is complete, so that the client,
     * still sending, sees the answer rather than a reset connection. */
    bool hold_answer;
    struct MHD_Response *held;
    size_t reserved;           /* upload bytes counted in flight, given back at the end */
    /* Suspended (http_suspend): the handler's context, handed back by
     * http_resumed() on the call after http_resume. */
    void *suspended_ctx;
    bool suspended;            /* between http_suspend and the resumed call */
    bool resumed;              /* this call of the handler follows a resume */
    struct http_query_set *query_set; /* http_set_query: replaces the URL's query */
};

typedef struct {
    const char *bind;          /* "127.0.0.1" */
    int port;                  /* 0: any free port */
    int threads;               /* thread pool size */
    unsigned conn_limit;       /* total connections */
    unsigned per_ip_limit;     /* connections per client address */
    unsigned timeout_s;        /* idle connection timeout */
    size_t header_max;         /* memory for headers per connection */
    const http_route *routes;
    size_t n_routes;
    void *app;
    const char *web_dir;       /* static pages */
    const char *vendor_dir;    /* served under /vendor/ */
    const char *csp;           /* Content-Security-Policy value */
    unsigned rate_per_minute;  /* rate-limited routes, per client address; 0: off */
    const char *trusted_proxy; /* its X-Forwarded-For names the client; NULL: none */
    /* Asked before the rate limit: true exempts the request (signed-in
     * hotline staff share one address behind the city's NAT). May be NULL. */
    bool (*rate_exempt)(http_req *req);
    /* Body cap of multipart routes (uploads: photo count × size + a
     * little); 0 keeps the route's body_max. */
    size_t multipart_max;
    /* Uploads are judged before their body is read, so nobody can make
     * the server hold megabytes without the right to upload: the rate
     * limit is taken, upload_admit (may be NULL) checks the session or
     * link and answers when it refuses (returns false), and the bodies of
     * all admitted uploads in flight together may not pass
     * upload_inflight_max bytes (0: no cap), or 503 uploads_busy. */
    bool (*upload_admit)(http_req *req);
    size_t upload_inflight_max;
} http_config;

typedef struct http_server http_server;
/* Starts the daemon; *port receives the bound port. NULL on failure. */
http_server *http_start(const http_config *cfg, int *port);
void http_stop(http_server *s);

/* --- answering (exactly one per request) ------------------------------ */
/* Takes ownership of body (a malloc'd JSON text). */
void http_reply_text(http_req *req, int status, const char *content_type, char *body, size_t len);
/* Answers with the bytes of an open regular file (takes fd: closed when
 * sent, or at once when the answer cannot be queued). */
void http_reply_fd(http_req *req, int status, const char *content_type, int fd, uint64_t size);
/* Answers with bytes made on demand, as the client takes them (chunked):
 * fn writes up to `cap` bytes to out and returns how many, 0 at the end;
 * done(ctx) runs once when the answer is finished or abandoned (also when
 * it could not be queued). For big downloads made from memory or pages of
 * rows: nothing is held but the producer's state. */
#define HTTP_STREAM_BLOCK 65536
#define HTTP_STREAM_ERROR ((size_t)-1) /* fn failed: the connection is closed without the
                                        * final chunk, so the client sees a broken download */
typedef size_t (*http_stream_fn)(void *ctx, char *out, size_t cap);
typedef void (*http_stream_free_fn)(void *ctx);
void http_reply_stream(http_req *req, int status, const char *content_type, http_stream_fn fn,
                       http_stream_free_fn done, void *ctx);
/* Serialises j (does not steal it). */
void http_reply_json(http_req *req, int status, const json_t *j);
/* The one error shape. fields may be NULL; it is not stolen. */
void http_reply_error(http_req *req, const char *code, json_t *fields);
/* An extra response header for the answer that follows (copied). */
void http_add_header(http_req *req, const char *name, const char *value);

/* --- long answers ---------------------------------------------------- */
/* Parks the request without answering: the handler returns, the worker
 * thread is free, and no idle timeout runs while parked. Another thread
 * (a job) calls http_resume(req) once (exactly once, and only after
 * http_suspend has returned: hold the lock both sides use); the handler is
 * then called again for the same request, http_resumed(req) giving back
 * ctx, and answers. Every suspended request must be resumed before
 * http_stop. Only from a handler. */
void http_suspend(http_req *req, void *ctx);
void http_resume(http_req *req);
/* The ctx given to http_suspend when this call follows a resume, else NULL. */
void *http_resumed(http_req *req);
/* Sets this connection's idle timeout (seconds; 0: none) for a long
 * download whose client may pause; the daemon's default otherwise. */
void http_set_idle_timeout(http_req *req, unsigned seconds);

/* --- request data ----------------------------------------------------- */
const char *http_header(http_req *req, const char *name);
const char *http_query(http_req *req, const char *name);
/* Replaces the request's query parameters by those of `query` (a URL query
 * string without '?', percent-decoded here; at most HTTP_QUERY_SET_MAX
 * bytes and HTTP_QUERY_SET_PARAMS parameters): for an API that takes a
 * view's query string inside a JSON body. False when it is too long, has
 * too many parameters or a bad escape (nothing is replaced then). */
#define HTTP_QUERY_SET_MAX 2048
#define HTTP_QUERY_SET_PARAMS 32
bool http_set_query(http_req *req, const char *query);
/* A cookie's value, or NULL. */
const char *http_cookie(http_req *req, const char *name);

/* --- errors ----------------------------------------------------------- */
/* Adds {"path": {"code", "message"}} to fields, message in the request's
 * language naming the field. `detail` (may be NULL) is appended, e.g. the
 * limit: "10–4000". */
void http_field_error(http_req *req, json_t *fields, const char *path, const char *code,
                      const char *detail);
/* For tests of the table: the HTTP status of an error code (500 if unknown). */
int http_error_status(const char *code);

/* --- declarative JSON input specs ------------------------------------- */
/* IN_STRING is one line; IN_TEXT may hold newlines and tabs. */
typedef enum { IN_STRING, IN_TEXT, IN_NUMBER, IN_OBJECT, IN_BOOL } in_type;
typedef struct in_field {
    const char *name;
    in_type type;
    bool required;
    long min_len, max_len;           /* strings: code points after trimming */
    const struct in_field *children; /* objects: their fields, ended by {0} */
} in_field;

/* Checks obj against the spec (ended by an entry with name NULL): required,
 * types, unknown fields, lengths, control characters, valid UTF-8. Adds
 * field errors to fields under prefix (e.g. "" or "location"). Returns true
 * when no error was added. */
bool http_input_check(http_req *req, const json_t *obj, const in_field *spec,
                      const char *prefix, json_t *fields);

/* The body as a JSON object, parsed strictly (duplicate keys, trailing
 * data, invalid UTF-8 refused; NUL kept so the input spec can name the
 * field). NULL after answering 400 invalid_json. The caller owns it. */
json_t *http_json_object(http_req *req);

/* A JSON string without surrounding white space, as a malloc'd copy the
 * caller frees; NULL when v is not a string or only white space. */
char *http_json_trimmed(const json_t *v);

/* A query parameter as a finite number. Adds a field error under `name`
 * (required / wrong_type) to fields and returns false otherwise. */
bool http_query_number(http_req *req, const char *name, json_t *fields, double *out);

/* --- multipart/form-data (multipart.c) ------------------------------- */
/* Hard bounds of the parser: whatever a client sends, it stays linear and
 * small. A body beyond them is refused as a whole. */
#define HTTP_MP_MAX_PARTS 16
#define HTTP_MP_BOUNDARY_MAX 70  /* RFC 2046 */
#define HTTP_MP_HEADERS_MAX 2048 /* all header lines of one part */
#define HTTP_MP_NAME_MAX 64
#define HTTP_MP_FILENAME_MAX 256

typedef struct {
    char name[HTTP_MP_NAME_MAX];         /* the form field's name */
    char filename[HTTP_MP_FILENAME_MAX]; /* "" when none; never trusted (shown only) */
    char content_type[128];              /* "" when none; never trusted */
    const char *data;                    /* into the body: not owned, not NUL-terminated */
    size_t len;
} http_part;

typedef enum {
    HTTP_MP_OK,
    HTTP_MP_NOT_MULTIPART, /* Content-Type is not multipart/form-data */
    HTTP_MP_NO_BOUNDARY,   /* no boundary parameter, or an empty / overlong one */
    HTTP_MP_MALFORMED,     /* a delimiter, header or the closing delimiter is wrong or missing */
    HTTP_MP_HEADERS_TOO_LONG,
    HTTP_MP_TOO_MANY_PARTS,
} http_mp_status;

/* Parses a multipart/form-data body (pure: no I/O, no allocation). The
 * parts point into body, which must outlive them. Names and filenames
 * longer than their fields, or with control characters, are malformed. */
http_mp_status http_multipart_parse(const char *content_type, const char *body, size_t len,
                                    http_part *parts, int max_parts, int *n);
/* The request's body parts: false after answering 400 multipart_invalid
 * (the reason in fields.body). */
bool http_multipart(http_req *req, http_part *parts, int max_parts, int *n);

/* --- router (exposed for `kontakt routes` and tests) ------------------ */
/* Finds the route; *method_ok false when the path exists with another
 * method (allow gets "GET, POST"). */
const http_route *http_route_match(const http_route *routes, size_t n, const char *method,
                                   const char *path, char params[][HTTP_PARAM_MAX],
                                   int *n_params, bool *path_found, char *allow,
                                   size_t allow_cap);

/* Serves a static file under web_dir or vendor_dir; false when none. */
bool http_static(http_req *req, const char *web_dir, const char *vendor_dir);
#endif
