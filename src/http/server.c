/* The libmicrohttpd daemon: one access handler, limits, the request log.
 * A response is queued only on the final call of the access handler (never
 * the first), which keeps HTTP/1.1 keep-alive working. */
#include "http/http.h"
#include "http/ratelimit.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/timeutil.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "util/banned.h"

struct http_server {
    struct MHD_Daemon *daemon;
    http_config cfg;
    ratelimit *limit;
    bool has_proxy;
    unsigned char proxy[16]; /* the trusted reverse proxy's address */
    pthread_mutex_t upload_mu;
    size_t upload_inflight; /* bytes of the upload bodies being received */
};

/* An IPv4 or IPv6 literal as 16 bytes (IPv4 mapped into IPv6). */
static bool parse_addr(const char *text, unsigned char out[16]) {
    memset(out, 0, 16);
    struct in_addr a4;
    if (inet_pton(AF_INET, text, &a4) == 1) {
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &a4, 4);
        return true;
    }
    return inet_pton(AF_INET6, text, out) == 1;
}

/* The last X-Forwarded-For line: a proxy that appends its own header line
 * (rather than extending the client's) puts the true address there. */
static enum MHD_Result last_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value) {
    (void)kind;
    if (key && value && strcasecmp(key, "X-Forwarded-For") == 0) *(const char **)cls = value;
    return MHD_YES;
}

/* Behind the trusted proxy the client is the right-most address of the
 * last X-Forwarded-For (the one the proxy itself added): whatever a client
 * wrote there comes before it. */
static void forwarded_for(struct MHD_Connection *conn, unsigned char out[16]) {
    const char *xff = NULL;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, last_xff, &xff);
    if (!xff) return;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ') last++;
    char text[64];
    if (!str_copy(text, sizeof text, last)) return;
    text[strcspn(text, " ")] = '\0';
    unsigned char a[16];
    if (parse_addr(text, a)) memcpy(out, a, 16);
}

/* The peer's address as 16 bytes (IPv4 mapped into IPv6). */
static void peer_addr(struct MHD_Connection *conn, unsigned char out[16]) {
    memset(out, 0, 16);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr) return;
    if (ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)ci->client_addr;
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &a->sin_addr, 4);
    } else if (ci->client_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)ci->client_addr;
        memcpy(out, &a->sin6_addr, 16);
    }
}

/* The client's address and whether it used TLS: behind the trusted proxy,
 * from its X-Forwarded-For and X-Forwarded-Proto; only the proxy's word
 * counts, since a direct client could send the headers too. */
static void client_of(const http_server *s, http_req *req) {
    peer_addr(req->conn, req->client);
    if (!s->has_proxy || memcmp(req->client, s->proxy, 16) != 0) return;
    forwarded_for(req->conn, req->client);
    const char *proto =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
    req->https = proto && strcmp(proto, "https") == 0;
}

/* The language of messages: Ukrainian unless ?lang=en or Accept-Language
 * prefers English over Ukrainian. */
static bool wants_english(struct MHD_Connection *conn) {
    const char *q = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "lang");
    if (q) return strcmp(q, "en") == 0;
    const char *header = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Language");
    if (!header) return false;
    /* Only the first 256 bytes count: enough for any real browser, and the
     * parse stays linear and cheap whatever a client sends. */
    char al[257];
    str_copy(al, sizeof al, header);
    double best_en = -1, best_uk = -1;
    const char *p = al;
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        const char *tag = p;
        while (*p && *p != ',' && *p != ';') p++;
        size_t tag_len = (size_t)(p - tag);
        double qv = 1.0;
        if (*p == ';') {
            const char *end = p;
            while (*end && *end != ',') end++;
            const char *qs = strstr(p, "q=");
            if (qs && qs < end) qv = strtod(qs + 2, NULL);
            if (!(qv >= 0 && qv <= 1)) qv = 0; /* nan, inf, out of range */
            p = end;
        }
        /* Language tags are case-insensitive (RFC 4647). */
        if (tag_len >= 2 && strncasecmp(tag, "en", 2) == 0 && (tag_len == 2 || tag[2] == '-'))
            best_en = qv > best_en ? qv : best_en;
        if (tag_len >= 2 && strncasecmp(tag, "uk", 2) == 0 && (tag_len == 2 || tag[2] == '-'))
            best_uk = qv > best_uk ? qv : best_uk;
    }
    return best_en > 0 && best_en > best_uk;
}

/* MHD's messages quote URLs and header values (a tracking token is in a
 * URL): log only MHD's own format text, never its arguments. */
static void log_mhd(void *cls, const char *fmt, va_list ap) {
    (void)cls;
    (void)ap;
    char msg[256];
    str_copy(msg, sizeof msg, fmt);
    for (char *c = msg; *c; c++)
        if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
            *c = ' ';
    log_warn("microhttpd", "\"detail\":\"%s\"", msg);
}

/* The method as logged: a fixed name, never the client's bytes. */
static const char *method_name(const char *m) {
    static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(m, known[i]) == 0) return known[i];
    return "OTHER";
}

static void dispatch_unrouted(http_server *s, http_req *req, bool path_found, const char *allow) {
    if (path_found) {
        http_add_header(req, "Allow", allow);
        if (strcmp(req->method, "OPTIONS") == 0)
            http_reply_text(req, 204, "text/plain; charset=utf-8", NULL, 0);
        else
            http_reply_error(req, "method_not_allowed", NULL);
        return;
    }
    bool get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    if (get && strncmp(req->path, "/api/", 5) != 0 &&
        http_static(req, s->cfg.web_dir, s->cfg.vendor_dir))
        return;
    http_reply_error(req, "not_found", NULL);
}

/* 413 body_too_large; for an upload route it also names the limit, which
 * is the server's setting rather than a fixed number in the docs. */
static void reply_too_large(http_req *req) {
    if (!req->route || !req->route->multipart) {
        http_reply_error(req, "body_too_large", NULL);
        return;
    }
    char limit[48];
    snprintf(limit, sizeof limit, "<= %zu bytes", req->body.max);
    json_t *fields = json_object();
    http_field_error(req, fields, "body", "too_long", limit);
    http_reply_error(req, "body_too_large", fields);
    json_decref(fields);
}

/* Takes one from the client's rate budget on a rate-limited route (once
 * per request); false after answering 429. */
static bool rate_ok(http_server *s, http_req *req) {
    if (!req->route->rate_limited || !s->limit || req->rate_taken) return true;
    req->rate_taken = true;
    bool exempt = s->cfg.rate_exempt && s->cfg.rate_exempt(req);
    if (exempt || ratelimit_take(s->limit, req->client, time_now_ms())) return true;
    char retry[16];
    unsigned secs = (60 + s->cfg.rate_per_minute - 1) / s->cfg.rate_per_minute;
    snprintf(retry, sizeof retry, "%u", secs ? secs : 1);
    http_add_header(req, "Retry-After", retry);
    http_reply_error(req, "too_many_requests", NULL);
    return false;
}

/* The first call of an upload, before any of its body is read: the rate
 * limit, the api's check of the right to upload, then room for the body
 * (only an admitted upload takes room: refused bodies are not kept). */
static void admit_checks(http_server *s, http_req *req, size_t len) {
    if (!rate_ok(s, req)) return;
    if (s->cfg.upload_admit && !s->cfg.upload_admit(req)) return;
    if (!s->cfg.upload_inflight_max) return;
    pthread_mutex_lock(&s->upload_mu);
    bool room = s->upload_inflight + len <= s->cfg.upload_inflight_max;
    if (room) s->upload_inflight += len;
    pthread_mutex_unlock(&s->upload_mu);
    if (room) {
        req->reserved = len;
        return;
    }
    http_add_header(req, "Retry-After", "10");
    http_reply_error(req, "uploads_busy", NULL);
}

/* A refusal is held until the body has arrived (read and dropped, never
 * kept): the client sees the answer, and the server holds no memory. */
static void admit_upload(http_server *s, http_req *req, size_t len) {
    req->hold_answer = true;
    admit_checks(s, req, len);
    req->hold_answer = false;
}

static void dispatch(http_server *s, http_req *req) {
    if (!req->route) {
        char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX];
        int n = 0;
        bool found = false;
        char allow[128] = "";
        http_route_match(s->cfg.routes, s->cfg.n_routes, req->method, req->path, params, &n,
                         &found, allow, sizeof allow);
        dispatch_unrouted(s, req, found, allow);
        return;
    }
    if (req->body_too_large) {
        reply_too_large(req);
        return;
    }
    if (!rate_ok(s, req)) return;
    if (req->route->json_body) {
        const char *ct = http_header(req, "Content-Type");
        if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
            (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
            http_reply_error(req, "unsupported_media_type", NULL);
            return;
        }
    }
    req->route->handler(req);
    if (!req->answered && !req->suspended) http_reply_error(req, "internal_error", NULL);
}

static http_req *req_new(http_server *s, struct MHD_Connection *conn, const char *url,
                         const char *method) {
    http_req *req = xcalloc(1, sizeof *req);
    req->conn = conn;
    req->app = s->cfg.app;
    req->csp = s->cfg.csp;
    req->method = method;
    req->start_us = time_monotonic_us();
    rand_hex(req->request_id, sizeof req->request_id, 16);
    if (!str_copy(req->path, sizeof req->path, url)) req->path[0] = '\0';
    req->english = wants_english(conn);
    client_of(s, req);
    bool found = false;
    char allow[128];
    req->route = http_route_match(s->cfg.routes, s->cfg.n_routes, method, req->path, req->params,
                                  &req->n_params, &found, allow, sizeof allow);
    size_t max = req->route ? req->route->body_max : 0;
    if (req->route && req->route->multipart && s->cfg.multipart_max) max = s->cfg.multipart_max;
    buf_init(&req->body, max);
    return req;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size,
                                 void **con_cls) {
    (void)version;
    http_server *s = cls;
    http_req *req = *con_cls;
    if (!req) {
        req = req_new(s, conn, url, method);
        *con_cls = req;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        long long len = 0;
        bool has_len = cl && str_to_ll(cl, 0, INT64_MAX, &len);
        if (has_len && (size_t)len > req->body.max && req->route) {
            /* Refuse before reading: the connection closes after this answer. */
            reply_too_large(req);
        } else if (req->route && req->route->multipart) {
            /* A chunked upload may grow to the cap: count the cap. */
            admit_upload(s, req, has_len ? (size_t)len : req->body.max);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        req->received += *upload_data_size;
        /* Answered already (an upload refused before its body): keep nothing. */
        if (!req->answered && !req->body_too_large &&
            !buf_append(&req->body, upload_data, *upload_data_size))
            req->body_too_large = true;
        *upload_data_size = 0;
        /* Chunked bodies far past the limit: stop reading, drop the connection. */
        return req->received > req->body.max + (1u << 20) ? MHD_NO : MHD_YES;
    }
    if (req->suspended) {
        /* The call after http_resume: the handler answers now. */
        req->suspended = false;
        req->resumed = true;
        req->route->handler(req);
        if (!req->answered && !req->suspended) http_reply_error(req, "internal_error", NULL);
    } else if (!req->answered) {
        dispatch(s, req);
    } else if (req->held) {
        MHD_queue_response(conn, (unsigned)req->status, req->held);
        MHD_destroy_response(req->held);
        req->held = NULL;
    }
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)conn;
    http_req *req = *con_cls;
    if (!req) return;
    double ms = (double)(time_monotonic_us() - req->start_us) / 1000.0;
    const char *route = req->route ? req->route->pattern
                        : req->status == 200 || req->status == 304 ? "static" : "-";
    log_info("request", "\"id\":\"%s\",\"method\":\"%s\",\"route\":\"%s\",\"status\":%d,"
                        "\"ms\":%.2f%s",
             req->request_id, method_name(req->method), route, req->status, ms,
             toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : ",\"aborted\":true");
    if (req->reserved) {
        http_server *s = cls;
        pthread_mutex_lock(&s->upload_mu);
        s->upload_inflight -= req->reserved;
        pthread_mutex_unlock(&s->upload_mu);
    }
    if (req->held) MHD_destroy_response(req->held);
    free(req->query_set);
    buf_free(&req->body);
    free(req);
    *con_cls = NULL;
}

http_server *http_start(const http_config *cfg, int *port) {
    http_server *s = xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    s->limit = ratelimit_new(cfg->rate_per_minute);
    pthread_mutex_init(&s->upload_mu, NULL);
    if (cfg->trusted_proxy && *cfg->trusted_proxy) {
        s->has_proxy = parse_addr(cfg->trusted_proxy, s->proxy);
        if (!s->has_proxy) log_warn("KONTAKT_TRUSTED_PROXY is not an IP address; ignored", NULL);
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port)};
    if (inet_pton(AF_INET, cfg->bind, &addr.sin_addr) != 1) {
        log_error("bad bind address", NULL);
        ratelimit_free(s->limit);
        free(s);
        return NULL;
    }
    /* Suspend/resume: answers a job makes (an XLSX export) park their
     * request instead of holding a worker thread (http_suspend). */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                     MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_access, s,
        MHD_OPTION_EXTERNAL_LOGGER, log_mhd, s, /* first: it applies to the options after it */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
        MHD_OPTION_CONNECTION_LIMIT, cfg->conn_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->header_max,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_END);
    if (!s->daemon) {
        ratelimit_free(s->limit);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : cfg->port;
    return s;
}

void http_stop(http_server *s) {
    if (!s) return;
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    MHD_stop_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET) close(fd);
    ratelimit_free(s->limit);
    pthread_mutex_destroy(&s->upload_mu);
    free(s);
}
