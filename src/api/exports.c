/* Export jobs and downloads (docs/ANALYTICS.md, "Exports"):
 *   POST /api/v1/stats/exports            a job: {format, view, query} → 202
 *   GET  /api/v1/stats/exports/{id}       its progress
 *   GET  /api/v1/stats/exports/{id}/file  its file
 *   GET  /api/v1/stats/export.csv?…       a CSV table streamed as it is read
 *   GET  /api/v1/stats/export.xlsx?…      a workbook: a job, the request parked
 *                                         (http_suspend) until it is done
 * One background thread makes one file at a time; at most EXPORTS_QUEUE_MAX
 * wait, at most EXPORTS_PER_USER per user. Files live under
 * <var_dir>/exports/<128-bit random hex>.<ext> (a temporary name, then a
 * rename) for an hour, and only their maker may see them. */
#include "api/exports.h"
#include "api/staff.h"
#include "api/views.h"
#include "jobs/wait.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/timeutil.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/banned.h"

#define CT_XLSX "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define CT_CSV "text/csv; charset=utf-8"

typedef enum { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED } job_state;
static const char *const STATES[] = {"queued", "running", "done", "failed"};

typedef struct job {
    char id[33]; /* 128 random bits, hex: the file's name too */
    int64_t user_id;
    bool xlsx;
    export_view view;
    api_stats_query q;
    job_state state;
    int64_t rows_done, rows_total, bytes;
    int64_t created_at, finished_at;
    char error[160];
    char path[1100];
    char filename[128]; /* what the browser saves it as */
    http_req *waiter;   /* a parked export.xlsx request, resumed when done */
    struct job *next;
} job;

struct exports {
    app_ctx *app;
    char dir[1024];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool stopping, joined;
    job *jobs; /* newest first */
};

/* --- the job thread --------------------------------------------------- */
static void report(void *ctx, int64_t done, int64_t total) {
    void **a = ctx;
    exports *x = a[0];
    job *j = a[1];
    pthread_mutex_lock(&x->mu);
    j->rows_done = done;
    j->rows_total = total;
    pthread_mutex_unlock(&x->mu);
}

static bool cancelled(void *ctx) {
    exports *x = ((void **)ctx)[0];
    pthread_mutex_lock(&x->mu);
    bool stop = x->stopping;
    pthread_mutex_unlock(&x->mu);
    return stop;
}

static bool write_csv(exports *x, job *j, const char *tmp, export_progress *p, char *err,
                      size_t cap) {
    FILE *f = fopen(tmp, "wbx");
    if (!f) {
        snprintf(err, cap, "cannot create the file");
        return false;
    }
    export_csv *c = export_csv_new(x->app, &j->q, j->view, p);
    static char block[HTTP_STREAM_BLOCK]; /* the one job thread's */
    size_t n;
    bool ok = true;
    while (ok && (n = export_csv_read(c, block, sizeof block)) != 0) {
        if (n == HTTP_STREAM_ERROR) {
            snprintf(err, cap, cancelled(p->ctx) ? "the server is stopping" : "database error");
            ok = false;
        } else if (fwrite(block, 1, n, f) != n) {
            snprintf(err, cap, "cannot write the file");
            ok = false;
        }
    }
    export_csv_free(c);
    if (fclose(f) != 0 && ok) {
        snprintf(err, cap, "cannot write the file");
        ok = false;
    }
    return ok;
}

/* Makes j's file (outside the lock); the result in j under the lock. */
static void run(exports *x, job *j) {
    char tmp[1200], err[160] = "";
    snprintf(tmp, sizeof tmp, "%s/%s.part.%s", x->dir, j->id, j->xlsx ? "xlsx" : "csv");
    void *ctx[2] = {x, j};
    export_progress p = {.report = report, .cancelled = cancelled, .ctx = ctx};
    int64_t t0 = time_monotonic_us();
    bool ok = j->xlsx ? export_xlsx_write(x->app, &j->q, tmp, x->dir, &p, err, sizeof err)
                      : write_csv(x, j, tmp, &p, err, sizeof err);
    struct stat st = {0};
    if (ok && (rename(tmp, j->path) != 0 || stat(j->path, &st) != 0)) {
        snprintf(err, sizeof err, "cannot store the file");
        ok = false;
    }
    if (!ok) unlink(tmp);
    pthread_mutex_lock(&x->mu);
    j->state = ok ? JOB_DONE : JOB_FAILED;
    j->bytes = ok ? (int64_t)st.st_size : 0;
    j->finished_at = time_now_ms();
    str_copy(j->error, sizeof j->error, ok ? "" : err);
    if (j->waiter) {
        http_resume(j->waiter);
        j->waiter = NULL;
    }
    pthread_mutex_unlock(&x->mu);
    log_info("export", "\"format\":\"%s\",\"view\":\"%s\",\"rows\":%lld,\"ok\":%s,\"ms\":%lld",
             j->xlsx ? "xlsx" : "csv", export_view_name(j->view), (long long)j->rows_done,
             ok ? "true" : "false", (long long)((time_monotonic_us() - t0) / 1000));
}

/* Removes finished jobs (and their files) an hour old; under the lock. */
static void expire(exports *x, int64_t now) {
    for (job **pp = &x->jobs; *pp;) {
        job *j = *pp;
        bool old = (j->state == JOB_DONE || j->state == JOB_FAILED) && !j->waiter &&
                   j->finished_at + EXPORTS_KEEP_MS <= now;
        if (!old) {
            pp = &j->next;
            continue;
        }
        if (j->state == JOB_DONE) unlink(j->path);
        *pp = j->next;
        free(j);
    }
}

static job *oldest_queued(exports *x) {
    job *found = NULL;
    for (job *j = x->jobs; j; j = j->next)
        if (j->state == JOB_QUEUED) found = j; /* newest first: the last one is the oldest */
    return found;
}

static void *thread_main(void *arg) {
    exports *x = arg;
    pthread_mutex_lock(&x->mu);
    while (!x->stopping) {
        expire(x, time_now_ms());
        job *j = oldest_queued(x);
        if (!j) {
            job_wait_ms(&x->cv, &x->mu, 60000); /* the expiry's pace when idle */
            continue;
        }
        j->state = JOB_RUNNING;
        pthread_mutex_unlock(&x->mu);
        run(x, j);
        pthread_mutex_lock(&x->mu);
    }
    pthread_mutex_unlock(&x->mu);
    return NULL;
}

/* Empties the directory of what an earlier run left (files only). */
static void clean_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

exports *exports_start(app_ctx *app) {
    exports *x = xcalloc(1, sizeof *x);
    x->app = app;
    snprintf(x->dir, sizeof x->dir, "%s/exports", app->cfg->var_dir);
    if (mkdir(x->dir, 0700) != 0 && errno != EEXIST) {
        log_error("cannot make the exports directory", NULL);
        free(x);
        return NULL;
    }
    clean_dir(x->dir);
    pthread_mutex_init(&x->mu, NULL);
    job_cond_init(&x->cv);
    if (pthread_create(&x->thread, NULL, thread_main, x) != 0) {
        pthread_mutex_destroy(&x->mu);
        pthread_cond_destroy(&x->cv);
        free(x);
        return NULL;
    }
    return x;
}

void exports_shutdown(exports *x) {
    if (!x || x->joined) return;
    pthread_mutex_lock(&x->mu);
    x->stopping = true;
    pthread_cond_broadcast(&x->cv);
    pthread_mutex_unlock(&x->mu);
    pthread_join(x->thread, NULL);
    x->joined = true;
    pthread_mutex_lock(&x->mu);
    for (job *j = x->jobs; j; j = j->next) {
        if (j->state == JOB_QUEUED) {
            j->state = JOB_FAILED;
            j->finished_at = time_now_ms();
            str_copy(j->error, sizeof j->error, "the server is stopping");
        }
        if (j->waiter) { /* answered by the handler, from a worker thread */
            http_resume(j->waiter);
            j->waiter = NULL;
        }
    }
    pthread_mutex_unlock(&x->mu);
}

void exports_free(exports *x) {
    if (!x) return;
    exports_shutdown(x);
    for (job *j = x->jobs, *n; j; j = n) {
        n = j->next;
        if (j->state == JOB_DONE) unlink(j->path);
        free(j);
    }
    pthread_mutex_destroy(&x->mu);
    pthread_cond_destroy(&x->cv);
    free(x);
}

/* --- admission --------------------------------------------------------- */
/* A new job for who, queued; under the lock. NULL after answering 429/503. */
static job *admit(http_req *req, exports *x, const api_staff *who, bool xlsx, export_view view,
                  const api_stats_query *q) {
    if (x->stopping) {
        http_reply_error(req, "not_ready", NULL);
        return NULL;
    }
    int mine = 0, queued = 0;
    for (job *j = x->jobs; j; j = j->next) {
        bool active = j->state == JOB_QUEUED || j->state == JOB_RUNNING;
        mine += active && j->user_id == who->id;
        queued += j->state == JOB_QUEUED;
    }
    if (mine >= EXPORTS_PER_USER) {
        http_add_header(req, "Retry-After", "30");
        http_reply_error(req, "too_many_exports", NULL);
        return NULL;
    }
    if (queued >= EXPORTS_QUEUE_MAX) {
        http_add_header(req, "Retry-After", "60");
        http_reply_error(req, "exports_busy", NULL);
        return NULL;
    }
    job *j = xcalloc(1, sizeof *j);
    rand_hex(j->id, sizeof j->id, 16);
    j->user_id = who->id;
    j->xlsx = xlsx;
    j->view = view;
    j->q = *q;
    j->state = JOB_QUEUED;
    j->created_at = time_now_ms();
    const char *ext = xlsx ? "xlsx" : "csv";
    snprintf(j->path, sizeof j->path, "%s/%s.%s", x->dir, j->id, ext);
    if (xlsx || view == EXPORT_VIEW_APPEALS)
        snprintf(j->filename, sizeof j->filename, "kontakt-%s_%s.%s", q->from, q->to, ext);
    else
        snprintf(j->filename, sizeof j->filename, "kontakt-%s-%s_%s.%s", export_view_name(view),
                 q->from, q->to, ext);
    j->next = x->jobs;
    x->jobs = j;
    pthread_cond_signal(&x->cv);
    return j;
}

static job *find(exports *x, const char *id, int64_t user_id) {
    for (job *j = x->jobs; j; j = j->next)
        if (strcmp(j->id, id) == 0 && j->user_id == user_id) return j;
    return NULL;
}

static json_t *job_json(const job *j) {
    char progress[96], file[96];
    snprintf(progress, sizeof progress, "/api/v1/stats/exports/%s", j->id);
    snprintf(file, sizeof file, "/api/v1/stats/exports/%s/file", j->id);
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:o, s:o, s:s, s:s}", "id", j->id,
                     "state", STATES[j->state], "format", j->xlsx ? "xlsx" : "csv", "view",
                     export_view_name(j->view), "rows_done", (json_int_t)j->rows_done,
                     "rows_total", (json_int_t)j->rows_total, "bytes", (json_int_t)j->bytes,
                     "created_at", view_time(j->created_at), "finished_at",
                     j->finished_at ? view_time(j->finished_at) : json_null(), "error",
                     j->error[0] ? json_string(j->error) : json_null(), "progress_url", progress,
                     "file_url", file);
}

/* Answers with j's file (under the lock: the expiry cannot remove it
 * between the check and the open; the open descriptor keeps it). */
static void reply_file(http_req *req, const job *j) {
    if (j->state != JOB_DONE) {
        http_reply_error(req, j->state == JOB_FAILED ? "export_failed" : "export_not_ready", NULL);
        return;
    }
    int fd = open(j->path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0) close(fd);
        http_reply_error(req, "export_not_found", NULL);
        return;
    }
    char disp[192];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", j->filename);
    http_add_header(req, "Content-Disposition", disp);
    http_set_idle_timeout(req, EXPORTS_IDLE_S);
    http_reply_fd(req, 200, j->xlsx ? CT_XLSX : CT_CSV, fd, (uint64_t)st.st_size);
}

/* --- the handlers ------------------------------------------------------ */
static const in_field create_spec[] = {
    {"format", IN_STRING, true, 1, 8, NULL},
    {"view", IN_STRING, false, 1, 16, NULL},
    {"query", IN_STRING, false, 0, HTTP_QUERY_SET_MAX, NULL},
    {0},
};

/* The view of a CSV ("appeals" when absent); a workbook has every view. */
static bool view_of(http_req *req, const char *name, bool xlsx, json_t *fields, const char *path,
                    export_view *v) {
    *v = EXPORT_VIEW_APPEALS;
    if (!name) return true;
    if (!export_view_parse(name, v) || (xlsx && *v != EXPORT_VIEW_APPEALS)) {
        http_field_error(req, fields, path, "invalid_value",
                         xlsx ? "a workbook has every view: leave view out"
                              : "appeals, categories, types, districts, organisations, channels, "
                                "hours, trend, problems");
        return false;
    }
    return true;
}

/* The view's query given in the body: parsed as the dashboard's own, its
 * errors named query.<parameter>. */
static bool body_query(http_req *req, const char *text, json_t *fields, api_stats_query *q) {
    if (!http_set_query(req, text ? text : "")) {
        http_field_error(req, fields, "query", "invalid_value", "a URL query string");
        return false;
    }
    json_t *qf = json_object();
    bool ok = api_stats_query_parse(req, qf, q);
    const char *k;
    json_t *v;
    json_object_foreach(qf, k, v) {
        char name[96];
        snprintf(name, sizeof name, "query.%s", k);
        const char *code = json_string_value(json_object_get(v, "code"));
        http_field_error(req, fields, name, code ? code : "invalid_value", NULL);
    }
    json_decref(qf);
    return ok && !json_object_size(fields);
}

void api_export_create(http_req *req) {
    app_ctx *app = req->app;
    api_staff who;
    if (!api_staff_require(req, DOM_RIGHT_REPORTS, &who)) return;
    json_t *body = http_json_object(req);
    if (!body) return;
    json_t *fields = json_object();
    bool xlsx = false;
    export_view view = EXPORT_VIEW_APPEALS;
    api_stats_query q;
    if (http_input_check(req, body, create_spec, "", fields)) {
        const char *format = json_string_value(json_object_get(body, "format"));
        xlsx = strcmp(format, "xlsx") == 0;
        if (!xlsx && strcmp(format, "csv") != 0)
            http_field_error(req, fields, "format", "invalid_value", "xlsx, csv");
        view_of(req, json_string_value(json_object_get(body, "view")), xlsx, fields, "view", &view);
        body_query(req, json_string_value(json_object_get(body, "query")), fields, &q);
    }
    json_decref(body);
    if (json_object_size(fields)) {
        http_reply_error(req, "validation_failed", fields);
        json_decref(fields);
        return;
    }
    json_decref(fields);
    exports *x = app->exports;
    pthread_mutex_lock(&x->mu);
    job *j = admit(req, x, &who, xlsx, view, &q);
    json_t *answer = j ? job_json(j) : NULL;
    pthread_mutex_unlock(&x->mu);
    if (answer) {
        http_reply_json(req, 202, answer);
        json_decref(answer);
    }
}

void api_export_get(http_req *req) {
    app_ctx *app = req->app;
    api_staff who;
    if (!api_staff_require(req, DOM_RIGHT_REPORTS, &who)) return;
    exports *x = app->exports;
    pthread_mutex_lock(&x->mu);
    job *j = find(x, req->params[0], who.id);
    json_t *answer = j ? job_json(j) : NULL;
    pthread_mutex_unlock(&x->mu);
    if (!answer) {
        http_reply_error(req, "export_not_found", NULL);
        return;
    }
    http_reply_json(req, 200, answer);
    json_decref(answer);
}

void api_export_file(http_req *req) {
    app_ctx *app = req->app;
    api_staff who;
    if (!api_staff_require(req, DOM_RIGHT_REPORTS, &who)) return;
    exports *x = app->exports;
    pthread_mutex_lock(&x->mu);
    job *j = find(x, req->params[0], who.id);
    if (j) reply_file(req, j);
    else http_reply_error(req, "export_not_found", NULL);
    pthread_mutex_unlock(&x->mu);
}

/* The direct downloads' query: the dashboard's parameters (+ view for CSV);
 * false after answering 400 invalid_query. */
static bool url_query(http_req *req, bool xlsx, api_stats_query *q, export_view *view) {
    json_t *fields = json_object();
    api_stats_query_parse(req, fields, q);
    view_of(req, http_query(req, "view"), xlsx, fields, "view", view);
    bool ok = !json_object_size(fields);
    if (!ok) http_reply_error(req, "invalid_query", fields);
    json_decref(fields);
    return ok;
}

void api_export_csv(http_req *req) {
    app_ctx *app = req->app;
    api_staff who;
    if (!api_staff_require(req, DOM_RIGHT_REPORTS, &who)) return;
    api_stats_query q;
    export_view view;
    if (!url_query(req, false, &q, &view)) return;
    char disp[192];
    if (view == EXPORT_VIEW_APPEALS)
        snprintf(disp, sizeof disp, "attachment; filename=\"kontakt-%s_%s.csv\"", q.from, q.to);
    else
        snprintf(disp, sizeof disp, "attachment; filename=\"kontakt-%s-%s_%s.csv\"",
                 export_view_name(view), q.from, q.to);
    http_add_header(req, "Content-Disposition", disp);
    /* A client may read slowly (a spreadsheet on a phone): no idle cut
     * while it still reads; a page is made only when it asks for more. */
    http_set_idle_timeout(req, EXPORTS_IDLE_S);
    http_reply_stream(req, 200, CT_CSV, export_csv_read, export_csv_free,
                      export_csv_new(app, &q, view, NULL));
}

/* export.xlsx: a job like POST's, the request parked until it is done, so
 * no worker thread waits the half minute a million rows take. */
void api_export_xlsx(http_req *req) {
    app_ctx *app = req->app;
    exports *x = app->exports;
    char *id = http_resumed(req);
    if (id) {
        pthread_mutex_lock(&x->mu);
        job *j = NULL;
        for (job *k = x->jobs; k && !j; k = k->next)
            if (strcmp(k->id, id) == 0) j = k;
        if (!j) http_reply_error(req, "export_not_found", NULL);
        else if (j->state == JOB_FAILED && x->stopping) http_reply_error(req, "not_ready", NULL);
        else reply_file(req, j);
        pthread_mutex_unlock(&x->mu);
        free(id);
        return;
    }
    api_staff who;
    if (!api_staff_require(req, DOM_RIGHT_REPORTS, &who)) return;
    api_stats_query q;
    export_view view;
    if (!url_query(req, true, &q, &view)) return;
    pthread_mutex_lock(&x->mu);
    job *j = admit(req, x, &who, true, EXPORT_VIEW_APPEALS, &q);
    if (j) {
        /* under the lock: the job cannot finish (and resume) before this */
        j->waiter = req;
        http_suspend(req, xstrdup(j->id));
    }
    pthread_mutex_unlock(&x->mu);
}
