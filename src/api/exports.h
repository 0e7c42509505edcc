/* Exports of the dashboard's views (docs/ANALYTICS.md, "Exports").
 *
 * export_data.c makes the files: an XLSX workbook (a summary, one sheet per
 * section of the dashboard's answer, then the appeals) or one CSV table (a
 * view), the appeals read page by page (store/exports.h) with no personal
 * data. exports.c runs them as jobs on one background thread and answers
 * the routes. */
#ifndef KONTAKT_API_EXPORTS_H
#define KONTAKT_API_EXPORTS_H
#include "api/api.h"
#include "api/stats.h"
#include <stdbool.h>
#include <stdint.h>

typedef enum {
    EXPORT_VIEW_APPEALS,
    EXPORT_VIEW_CATEGORIES,
    EXPORT_VIEW_TYPES,
    EXPORT_VIEW_DISTRICTS,
    EXPORT_VIEW_ORGANISATIONS,
    EXPORT_VIEW_CHANNELS,
    EXPORT_VIEW_HOURS,
    EXPORT_VIEW_TREND,
    EXPORT_VIEW_PROBLEMS,
    EXPORT_VIEW_COUNT
} export_view;

/* "appeals", "categories", … <-> the enum; false when unknown. */
bool export_view_parse(const char *name, export_view *out);
const char *export_view_name(export_view v);

/* Progress, read by the job's status while a file is made. */
typedef struct {
    volatile int64_t rows_done, rows_total; /* written under the jobs' lock by the caller */
    void (*report)(void *ctx, int64_t done, int64_t total); /* may be NULL */
    bool (*cancelled)(void *ctx);                           /* may be NULL */
    void *ctx;
} export_progress;

/* A CSV table made as it is read: the BOM and the header, then the rows
 * (the appeals a page at a time, a connection taken per page and given
 * back; other views from the dashboard's answer). */
typedef struct export_csv export_csv;
export_csv *export_csv_new(app_ctx *app, const api_stats_query *q, export_view view,
                           export_progress *progress);
/* Up to cap bytes into out; 0 at the end; HTTP_STREAM_ERROR on a failure
 * (logged). Fits http_stream_fn. */
size_t export_csv_read(void *csv, char *out, size_t cap);
void export_csv_free(void *csv);

/* The whole workbook for q into path (temporary files of libxlsxwriter in
 * tmpdir). False with a reason in err. */
bool export_xlsx_write(app_ctx *app, const api_stats_query *q, const char *path,
                       const char *tmpdir, export_progress *progress, char *err, size_t err_cap);

/* The jobs (exports.c), hung on app_ctx.exports. */
typedef struct exports exports;
/* Makes <var_dir>/exports, removes what a previous run left there, starts
 * the thread. NULL when the directory cannot be made. */
exports *exports_start(app_ctx *app);
/* Before http_stop: stops the thread (a running export fails at its next
 * page), fails the queued ones and resumes every parked download. */
void exports_shutdown(exports *x);
/* After http_stop: removes the files and frees everything. */
void exports_free(exports *x);

/* Handlers (routes.c) */
void api_export_create(http_req *req);
void api_export_get(http_req *req);
void api_export_file(http_req *req);
void api_export_csv(http_req *req);
void api_export_xlsx(http_req *req);

/* Limits */
#define EXPORTS_QUEUE_MAX 8     /* queued (not running) exports, all users */
#define EXPORTS_PER_USER 2      /* queued or running exports of one user */
#define EXPORTS_KEEP_MS (3600 * 1000LL) /* a finished file is deleted after an hour */
#define EXPORTS_IDLE_S 600      /* idle timeout of a download connection */
#endif
