/* bench-ref: the bare reference for `make bench`.
 *
 * The least a server can do for GET /appeals/{number}: libmicrohttpd with
 * the same daemon flags as src/http/server.c (internal polling thread,
 * epoll, a thread pool of one thread per core), one SQLite point lookup
 * through a statement prepared once per thread, and a small JSON built
 * with snprintf. No router, no JSON library, no logging, no headers beyond
 * Content-Type. Kontakt's GET is measured against this.
 *
 *   bench-ref --db FILE --port N      (127.0.0.1; port 0: any free one)
 *
 * Prints {"msg":"listening","port":N} on stderr once it listens; stops on
 * SIGINT/SIGTERM. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* gmtime_r, sigwait, pthread_sigmask */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *SQL =
    "SELECT number, status, category, type, priority, organisation, created_at,"
    " reaction_due_at, resolution_due_at, lat, lon FROM appeals WHERE number = ?";

static const char *db_path;

/* One connection and one prepared statement per worker thread; all of them
 * are listed so main can close them after the daemon stops. */
typedef struct worker_db {
    sqlite3 *h;
    sqlite3_stmt *st;
    struct worker_db *next;
} worker_db;

static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static worker_db *all_dbs;
static _Thread_local worker_db *tl_db;

static worker_db *thread_db(void) {
    if (tl_db) return tl_db;
    worker_db *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    if (sqlite3_open_v2(db_path, &w->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_busy_timeout(w->h, 10000) != SQLITE_OK ||
        sqlite3_prepare_v3(w->h, SQL, -1, SQLITE_PREPARE_PERSISTENT, &w->st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench-ref: %s: %s\n", db_path, w->h ? sqlite3_errmsg(w->h) : "no memory");
        sqlite3_finalize(w->st);
        sqlite3_close(w->h);
        free(w);
        return NULL;
    }
    pthread_mutex_lock(&all_lock);
    w->next = all_dbs;
    all_dbs = w;
    pthread_mutex_unlock(&all_lock);
    tl_db = w;
    return w;
}

static void close_all(void) {
    pthread_mutex_lock(&all_lock);
    while (all_dbs) {
        worker_db *w = all_dbs;
        all_dbs = w->next;
        sqlite3_finalize(w->st);
        sqlite3_close(w->h);
        free(w);
    }
    pthread_mutex_unlock(&all_lock);
}

/* YYYY-NNNNNN */
static bool valid_number(const char *s) {
    if (strlen(s) != 11 || s[4] != '-') return false;
    for (int i = 0; i < 11; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9')) return false;
    return true;
}

/* ISO 8601 UTC with milliseconds, as the API writes instants. */
#define ISO_CAP 96 /* room for any int fields, so no truncation is possible */
static void iso_time(int64_t ms, char out[ISO_CAP]) {
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm)) {
        snprintf(out, ISO_CAP, "null");
        return;
    }
    snprintf(out, ISO_CAP, "\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\"", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/* The stored codes are plain ASCII identifiers; anything else is dropped
 * rather than escaped, which keeps the output valid JSON. */
static const char *col_code(sqlite3_stmt *st, int col, char *buf, size_t cap) {
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = 0;
    for (; t && *t && n + 1 < cap; t++)
        if (*t >= 0x20 && *t < 0x7f && *t != '"' && *t != '\\') buf[n++] = (char)*t;
    buf[n] = '\0';
    return buf;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *body,
                             size_t len) {
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result lookup(struct MHD_Connection *conn, const char *number) {
    static const char not_found[] = "{\"error\":{\"code\":\"appeal_not_found\"}}";
    static const char failed[] = "{\"error\":{\"code\":\"internal_error\"}}";
    worker_db *w = thread_db();
    if (!w) return reply(conn, 500, failed, sizeof failed - 1);
    sqlite3_stmt *st = w->st;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE) return reply(conn, 404, not_found, sizeof not_found - 1);
        return reply(conn, 500, failed, sizeof failed - 1);
    }
    char num[16], status[32], cat[64], type[64], prio[32], org[64];
    char created[ISO_CAP], reaction[ISO_CAP], resolution[ISO_CAP];
    iso_time(sqlite3_column_int64(st, 6), created);
    iso_time(sqlite3_column_int64(st, 7), reaction);
    iso_time(sqlite3_column_int64(st, 8), resolution);
    char body[1024];
    int n = snprintf(body, sizeof body,
                     "{\"number\":\"%s\",\"status\":\"%s\",\"category\":\"%s\",\"type\":\"%s\","
                     "\"priority\":\"%s\",\"organisation\":\"%s\",\"created_at\":%s,"
                     "\"reaction_due_at\":%s,\"resolution_due_at\":%s,"
                     "\"location\":{\"lat\":%.4f,\"lon\":%.4f}}",
                     col_code(st, 0, num, sizeof num), col_code(st, 1, status, sizeof status),
                     col_code(st, 2, cat, sizeof cat), col_code(st, 3, type, sizeof type),
                     col_code(st, 4, prio, sizeof prio), col_code(st, 5, org, sizeof org),
                     created, reaction, resolution, sqlite3_column_double(st, 9),
                     sqlite3_column_double(st, 10));
    sqlite3_reset(st);
    if (n < 0 || (size_t)n >= sizeof body) return reply(conn, 500, failed, sizeof failed - 1);
    return reply(conn, 200, body, (size_t)n);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size,
                                 void **con_cls) {
    (void)cls;
    (void)version;
    (void)upload_data;
    static int first_call_marker;
    if (!*con_cls) { /* first call: headers only; answer on the next one (keep-alive) */
        *con_cls = &first_call_marker;
        return MHD_YES;
    }
    if (*upload_data_size) { /* no bodies here: discard */
        *upload_data_size = 0;
        return MHD_YES;
    }
    static const char bad[] = "{\"error\":{\"code\":\"invalid_number\"}}";
    static const char none[] = "{\"error\":{\"code\":\"not_found\"}}";
    static const char prefix[] = "/appeals/";
    if (strcmp(method, "GET") != 0 || strncmp(url, prefix, sizeof prefix - 1) != 0)
        return reply(conn, 404, none, sizeof none - 1);
    const char *number = url + sizeof prefix - 1;
    if (!valid_number(number)) return reply(conn, 400, bad, sizeof bad - 1);
    return lookup(conn, number);
}

static void usage(void) { fprintf(stderr, "usage: bench-ref --db FILE --port N\n"); }

int main(int argc, char **argv) {
    long port = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db_path = argv[++i];
        } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            char *end = NULL;
            errno = 0;
            port = strtol(argv[++i], &end, 10);
            if (errno || !end || *end || port < 0 || port > 65535) {
                usage();
                return 2;
            }
        } else {
            usage();
            return 2;
        }
    }
    if (!db_path || port < 0) {
        usage();
        return 2;
    }
    /* Fail early on a missing file or schema, not on the first request. */
    sqlite3 *probe = NULL;
    sqlite3_stmt *pst = NULL;
    if (sqlite3_open_v2(db_path, &probe, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(probe, SQL, -1, &pst, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench-ref: %s: %s\n", db_path,
                probe ? sqlite3_errmsg(probe) : "cannot open");
        sqlite3_close(probe);
        return 1;
    }
    sqlite3_finalize(pst);
    sqlite3_close(probe);

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1) cores = 1;
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* Loopback only: this is a benchmark fixture, not a service. */
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_access, NULL, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)cores, MHD_OPTION_CONNECTION_LIMIT, 1024u, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bench-ref: cannot listen on port %ld\n", port);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    fprintf(stderr, "{\"msg\":\"listening\",\"port\":%u,\"threads\":%ld}\n",
            info ? (unsigned)info->port : (unsigned)port, cores);
    int sig = 0;
    sigwait(&sigs, &sig);
    MHD_stop_daemon(d);
    close_all();
    return 0;
}
