/* Open data (docs/ANALYTICS.md "Open data"): GET /api/v1/opendata/appeals.csv
 * and .json, one row per non-trial appeal registered in a period of at most
 * 366 Kyiv calendar days. No sign-in. Nothing that could single out a
 * resident leaves: no number, text, address, name, contact or time of day,
 * and the place is only the centre of a ~400 m square.
 *
 * The answer is streamed: the rows are read in keyset pages
 * (store/opendata.c), a connection taken per page and given back, and
 * formatted as the client takes them, so a year of a big city is never
 * held in memory. */
#include "api/api.h"
#include "api/stats.h"
#include "domain/mapagg.h"
#include "domain/period.h"
#include "domain/scorecard.h"
#include "domain/statagg.h"
#include "store/opendata.h"
#include "util/buf.h"
#include "util/log.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define OPENDATA_DEFAULT_DAYS 30
#define OPENDATA_MAX_DAYS 366
/* The grid of the coarse location: 0.0036° of latitude is 400 m; 0.0054°
 * of longitude is 400 m at 48.4° N (Dnipro), 385 m at 50.5° N (Kyiv). The
 * same grid everywhere, so a file can be joined with another city's. */
#define OPENDATA_GRID_LAT 0.0036
#define OPENDATA_GRID_LON 0.0054
#define ROW_TEXT_MAX 16384 /* one formatted row: names are ≤ 256 bytes each */

/* --- the period ----------------------------------------------------------- */

typedef struct {
    char from[11], to[11];  /* Kyiv days, both included */
    int64_t from_ms, to_ms; /* [from's midnight, the midnight after to) */
} od_period;

/* ?from=&to= as the statistics read them (api_stats_period): to defaults
 * to today (Kyiv), from to the 30 days up to to; at most 366 days. */
static bool parse_period(http_req *req, json_t *fields, od_period *p) {
    int day_from, day_to;
    if (!api_stats_period(req, fields, OPENDATA_MAX_DAYS, OPENDATA_DEFAULT_DAYS, p->from, p->to,
                          &day_from, &day_to))
        return false;
    return dom_period_bound(p->from, false, &p->from_ms) && dom_period_bound(p->to, true, &p->to_ms);
}

/* --- one row ------------------------------------------------------------- */

/* The centre of the grid square holding v, to 4 decimals (the centres are
 * odd multiples of half a step, exact at that precision). */
static double grid_centre(double v, double step) {
    double c = (floor(v / step) + 0.5) * step;
    return round(c * 10000.0) / 10000.0;
}

typedef struct {
    const char *category_name, *type_name, *district_name, *org_name;
    char registered[11], done[11];
    int on_time; /* 1, 0, -1: not finished */
    double lat, lon;
} od_fields;

static void row_fields(const app_ctx *app, const store_opendata_row *r, od_fields *f) {
    const dom_category *cat = dom_catalog_category(&app->catalog, r->category);
    const dom_type *type = cat ? dom_catalog_type(cat, r->type) : NULL;
    const dom_org *org = dom_catalog_org(&app->catalog, r->organisation);
    const dom_district *dist = r->district[0] ? dom_district_find(&app->districts, r->district) : NULL;
    f->category_name = cat ? cat->name_uk : "";
    f->type_name = type ? type->name_uk : "";
    f->org_name = org ? org->name_uk : "";
    f->district_name = dist ? dist->name_uk : "";
    dom_stat_day_text(dom_map_day_of(r->created_at), f->registered, sizeof f->registered);
    f->done[0] = '\0';
    if (r->has_done) dom_stat_day_text(dom_map_day_of(r->done_at), f->done, sizeof f->done);
    /* The scorecards' rule; not finished: unknown yet. */
    dom_status st = DOM_ST_NEW;
    dom_status_parse(r->status, &st);
    f->on_time = dom_on_time(st, r->has_done ? r->done_at : 0, r->resolution_due_at);
    f->lat = grid_centre(r->lat, OPENDATA_GRID_LAT);
    f->lon = grid_centre(r->lon, OPENDATA_GRID_LON);
}

static const char CSV_HEADER[] =
    "\xEF\xBB\xBF"
    "category,category_name,type,type_name,district,district_name,organisation,"
    "organisation_name,channel,registered,done,status,on_time,lat,lon\r\n";

/* One CSV cell (RFC 4180): quoted when it holds a comma, quote, CR or LF,
 * quotes doubled. The names are the city's data, but a cell a spreadsheet
 * would run as a formula (= + - @, tab, CR first) still gets a leading
 * apostrophe, as in the violations register (api/violations.c). */
static void csv_field(buf *b, const char *s) {
    bool formula = s[0] && strchr("=+-@\t\r", s[0]);
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (quote) buf_puts(b, "\"");
    if (formula) buf_puts(b, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '"') buf_puts(b, "\"\"");
        else buf_append(b, p, 1);
    }
    if (quote) buf_puts(b, "\"");
    buf_puts(b, ",");
}

static void csv_row(buf *b, const store_opendata_row *r, const od_fields *f) {
    const char *on_time = f->on_time < 0 ? "" : f->on_time ? "true" : "false";
    const char *cols[] = {r->category, f->category_name, r->type, f->type_name, r->district,
                          f->district_name, r->organisation, f->org_name, r->channel,
                          f->registered, f->done, r->status, on_time};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) csv_field(b, cols[i]);
    buf_printf(b, "%.4f,%.4f\r\n", f->lat, f->lon);
}

static json_t *text_or_null(const char *s) { return *s ? json_string(s) : json_null(); }

static void json_row(buf *b, const store_opendata_row *r, const od_fields *f, bool first) {
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:f, s:f}",
        "category", r->category, "category_name", f->category_name, "type", r->type,
        "type_name", f->type_name, "district", text_or_null(r->district),
        "district_name", text_or_null(f->district_name), "organisation", r->organisation,
        "organisation_name", f->org_name, "channel", r->channel, "registered", f->registered,
        "done", text_or_null(f->done), "status", r->status,
        "on_time", f->on_time < 0 ? json_null() : json_boolean(f->on_time), "lat", f->lat,
        "lon", f->lon);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(9)) : NULL;
    json_decref(o);
    buf_puts(b, first ? "\n" : ",\n");
    if (text) buf_puts(b, text);
    else b->overflow = true; /* invalid UTF-8 in a name: cut the answer short */
    free(text);
}

/* --- the stream ------------------------------------------------------------ */

typedef struct {
    app_ctx *app;
    bool json;
    od_period period;
    store_opendata_key key;
    store_opendata_row *rows; /* the current page */
    int n, next;
    bool last_page; /* the page was short: no more rows */
    bool ended;     /* the trailer is in `out` */
    bool failed;    /* a page could not be read: the answer is cut */
    int64_t written;
    buf out;        /* formatted, not yet taken by the client */
    size_t sent;    /* of out */
} od_stream;

/* Reads the next page with a connection of its own. */
static int fetch_page(od_stream *s) {
    db_conn *c = db_pool_acquire(s->app->pool);
    int rc = store_opendata_page(c, s->period.from_ms, s->period.to_ms, &s->key, s->rows,
                                 STORE_OPENDATA_PAGE, &s->n);
    db_pool_release(s->app->pool, c);
    s->next = 0;
    s->last_page = rc != DB_OK || s->n < STORE_OPENDATA_PAGE;
    return rc;
}

/* Puts the next piece (a row or the trailer) into s->out; false at the end
 * or on an error (s->out.overflow set for an error). */
static bool produce(od_stream *s) {
    if (s->ended) return false;
    if (s->next == s->n && !s->last_page && fetch_page(s) != DB_OK) {
        log_error("opendata: reading a page failed", NULL);
        s->failed = true;
        return false;
    }
    if (s->next < s->n) {
        const store_opendata_row *r = &s->rows[s->next++];
        od_fields f;
        row_fields(s->app, r, &f);
        if (s->json) json_row(&s->out, r, &f, s->written == 0);
        else csv_row(&s->out, r, &f);
        s->written++;
        s->failed = s->out.overflow; /* cannot happen: names are bounded */
        return !s->failed;
    }
    s->ended = true;
    if (s->json) buf_puts(&s->out, s->written ? "\n]\n" : "]\n");
    return true;
}

static size_t od_read(void *ctx, char *out, size_t cap) {
    od_stream *s = ctx;
    size_t w = 0;
    while (w < cap && !s->failed) {
        if (s->sent < s->out.len) {
            size_t k = s->out.len - s->sent;
            if (k > cap - w) k = cap - w;
            memcpy(out + w, s->out.data + s->sent, k);
            w += k, s->sent += k;
            continue;
        }
        buf_reset(&s->out);
        s->sent = 0;
        if (!produce(s)) break;
    }
    /* An error: the connection is closed without the last chunk, so the
     * client cannot take a cut file for a whole one. */
    return s->failed && w == 0 ? HTTP_STREAM_ERROR : w;
}

static void od_free(void *ctx) {
    od_stream *s = ctx;
    if (!s) return;
    buf_free(&s->out);
    free(s->rows);
    free(s);
}

static void opendata(http_req *req, bool json) {
    app_ctx *app = req->app;
    json_t *fields = json_object();
    od_period p;
    if (!parse_period(req, fields, &p)) {
        http_reply_error(req, "invalid_query", fields);
        json_decref(fields);
        return;
    }
    json_decref(fields);
    od_stream *s = xcalloc(1, sizeof *s);
    s->app = app, s->json = json, s->period = p;
    s->key = (store_opendata_key){p.from_ms, -1};
    s->rows = xmalloc(sizeof *s->rows * STORE_OPENDATA_PAGE);
    buf_init(&s->out, ROW_TEXT_MAX);
    /* The first page before the answer: a database that fails at once is
     * a 500, not a cut file. */
    if (fetch_page(s) != DB_OK) {
        od_free(s);
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    buf_puts(&s->out, json ? "[" : CSV_HEADER);
    char disposition[96];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"kontakt-appeals-%s-%s.%s\"",
             p.from, p.to, json ? "json" : "csv");
    http_add_header(req, "Content-Disposition", disposition);
    http_reply_stream(req, 200, json ? "application/json; charset=utf-8" : "text/csv; charset=utf-8",
                      od_read, od_free, s);
}

void api_opendata_csv(http_req *req) { opendata(req, false); }
void api_opendata_json(http_req *req) { opendata(req, true); }
