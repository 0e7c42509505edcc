/* GET /api/v1/violations: the register of missed deadlines, reopened work
 * and low ratings, as JSON pages or as one CSV file for spreadsheets.
 * Supervisors, analysts, admins (DOM_RIGHT_REPORTS). */
#include "api/api.h"
#include "api/staff.h"
#include "api/views.h"
#include "export/csv.h"
#include "store/store.h"
#include "util/timeutil.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define LIMIT_DEFAULT 100
#define LIMIT_MAX 1000
#define CSV_ROWS_MAX 100000      /* one export; a larger register is filtered by period */
#define CSV_MAX (64u << 20)

static const char *const KINDS[] = {"reaction_missed", "resolution_missed", "reopened",
                                    "low_rating"};

typedef struct {
    store_violation_query q;
    bool csv;
    char org[64], kind[24];
} vquery;

static bool code_ok(const char *s) {
    size_t n = strlen(s);
    if (!n || n > 63) return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-') return false;
    return true;
}

static bool kind_ok(const char *s) {
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (strcmp(s, KINDS[i]) == 0) return true;
    return false;
}

static void parse_int(http_req *req, json_t *fields, const char *name, long long min,
                      long long max, int64_t *out) {
    const char *v = http_query(req, name);
    long long n;
    if (!v || !*v) return;
    if (!str_to_ll(v, min, max, &n)) http_field_error(req, fields, name, "invalid_value", NULL);
    else *out = n;
}

static void parse_query(http_req *req, vquery *v, json_t *fields) {
    const char *s;
    v->q = (store_violation_query){.from = INT64_MIN, .to = INT64_MAX, .limit = LIMIT_DEFAULT};
    if ((s = http_query(req, "organisation")) && *s) {
        if (!code_ok(s)) http_field_error(req, fields, "organisation", "invalid_value", NULL);
        str_copy(v->org, sizeof v->org, s);
        v->q.organisation = v->org;
    }
    if ((s = http_query(req, "kind")) && *s) {
        if (!kind_ok(s)) http_field_error(req, fields, "kind", "invalid_value", NULL);
        str_copy(v->kind, sizeof v->kind, s);
        v->q.kind = v->kind;
    }
    if ((s = http_query(req, "format")) && *s) {
        if (strcmp(s, "csv") == 0) v->csv = true;
        else if (strcmp(s, "json") != 0) http_field_error(req, fields, "format", "invalid_value", "json, csv");
    }
    parse_int(req, fields, "limit", 1, LIMIT_MAX, &v->q.limit);
    parse_int(req, fields, "offset", 0, 1000000000, &v->q.offset);
    api_period(req, fields, &v->q.from, &v->q.to);
    if (v->csv) { /* one file with everything the filters match */
        v->q.limit = CSV_ROWS_MAX;
        v->q.offset = 0;
    }
}

static json_t *item_json(const store_violation *v) {
    return json_pack("{s:s, s:o, s:s, s:o, s:o, s:o}", "appeal", v->number, "organisation",
                     api_named(v->org_code, v->org_uk, v->org_en), "kind", v->kind, "user",
                     view_opt(v->login), "at", view_time(v->at),
                     "note", view_opt(v->note));
}

/* One CSV cell: export/csv.h (RFC 4180, formula-safe). */
static void csv_cell(buf *b, const char *s, bool last) { csv_text(b, s, last); }

static void reply_csv(http_req *req, const store_violation *v, int n) {
    buf b;
    buf_init(&b, CSV_MAX);
    csv_begin(&b); /* the BOM: Excel then reads the file as UTF-8 */
    static const char *const head_uk[] = {"Звернення", "Організація", "Код організації",
                                          "Порушення", "Відповідальний", "Коли (UTC)", "Примітка"};
    static const char *const head_en[] = {"Appeal", "Organisation", "Organisation code",
                                          "Violation", "Responsible", "When (UTC)", "Note"};
    for (int i = 0; i < 7; i++) csv_cell(&b, (req->english ? head_en : head_uk)[i], i == 6);
    for (int i = 0; i < n; i++) {
        char at[32];
        time_format_iso(v[i].at, at, sizeof at);
        csv_cell(&b, v[i].number, false);
        csv_cell(&b, req->english ? v[i].org_en : v[i].org_uk, false);
        csv_cell(&b, v[i].org_code, false);
        csv_cell(&b, v[i].kind, false);
        csv_cell(&b, v[i].login, false);
        csv_cell(&b, at, false);
        csv_cell(&b, v[i].note ? v[i].note : "", true);
    }
    if (b.overflow) {
        buf_free(&b);
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    char name[96], day[32];
    time_format_iso(time_now_ms(), day, sizeof day);
    snprintf(name, sizeof name, "attachment; filename=\"violations-%.10s.csv\"", day);
    http_add_header(req, "Content-Disposition", name);
    size_t len = b.len;
    http_reply_text(req, 200, "text/csv; charset=utf-8", buf_steal(&b), len);
}

void api_violations(http_req *req) {
    app_ctx *app = req->app;
    api_staff who;
    if (!api_staff_require(req, DOM_RIGHT_REPORTS, &who)) return;
    vquery v = {0};
    json_t *fields = json_object();
    parse_query(req, &v, fields);
    if (json_object_size(fields)) {
        http_reply_error(req, "invalid_query", fields);
        json_decref(fields);
        return;
    }
    json_decref(fields);
    store_violation *items = NULL;
    int n = 0;
    int64_t total = 0;
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_violations_list(c, &v.q, &items, &n, &total);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    if (v.csv) {
        reply_csv(req, items, n);
    } else {
        json_t *list = json_array();
        for (int i = 0; i < n; i++) json_array_append_new(list, item_json(&items[i]));
        json_t *j = json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)total, "limit",
                              (json_int_t)v.q.limit, "offset", (json_int_t)v.q.offset, "items",
                              list);
        http_reply_json(req, 200, j);
        json_decref(j);
    }
    store_violations_free(items, n);
}
