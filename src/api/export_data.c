/* The files of an export (api/exports.h): the appeals of a view, page by
 * page, and the sections of the dashboard's answer, as CSV or XLSX. No
 * personal data: no name, phone, email or description ever leaves here.
 * Headers are Ukrainian with the English in brackets, the same in both
 * formats. Times are Kyiv local. */
#include "api/exports.h"
#include "domain/period.h"
#include "domain/scorecard.h"
#include "export/csv.h"
#include "export/xlsx.h"
#include "store/exports.h"
#include "util/log.h"
#include "util/timeutil.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "util/banned.h"

#define CSV_PAGE_MAX (32u << 20) /* one page of rows as CSV; ~1 MB in practice */

static const char *const VIEWS[EXPORT_VIEW_COUNT] = {
    "appeals", "categories", "types", "districts", "organisations",
    "channels", "hours", "trend", "problems"};

bool export_view_parse(const char *name, export_view *out) {
    for (int i = 0; i < EXPORT_VIEW_COUNT; i++)
        if (strcmp(name, VIEWS[i]) == 0) {
            *out = (export_view)i;
            return true;
        }
    return false;
}

const char *export_view_name(export_view v) { return v < EXPORT_VIEW_COUNT ? VIEWS[v] : "?"; }

/* --- names ----------------------------------------------------------- */
typedef struct {
    const char *code, *uk;
} code_name;

static const code_name CHANNELS[] = {{"web", "Сайт"}, {"mobile", "Мобільний застосунок"},
                                     {"phone", "Телефон"}, {"email", "Електронна пошта"},
                                     {"open311", "Open311"}};
static const code_name STATUSES[] = {
    {"new", "Нове"}, {"registered", "Зареєстровано"}, {"assigned", "Передано виконавцю"},
    {"in_progress", "У роботі"}, {"done", "Виконано"}, {"closed", "Закрито"},
    {"rejected", "Не підлягає розгляду"}, {"forwarded", "Переслано за належністю"},
    {"duplicate", "Об’єднано з іншим"}, {"reopened", "Повернуто на доопрацювання"}};

static const char *name_of(const code_name *t, size_t n, const char *code) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].code, code) == 0) return t[i].uk;
    return code;
}
#define NAME_OF(table, code) name_of(table, sizeof table / sizeof table[0], code)

typedef struct {
    const char *category, *type, *district, *organisation, *channel, *status;
} row_names;

static row_names names_of(const app_ctx *app, const store_export_row *r) {
    const dom_category *c = dom_catalog_category(&app->catalog, r->category);
    const dom_type *t = c ? dom_catalog_type(c, r->type) : NULL;
    const dom_org *o = dom_catalog_org(&app->catalog, r->organisation);
    const dom_district *d = r->district[0] ? dom_district_find(&app->districts, r->district) : NULL;
    return (row_names){
        .category = c ? c->name_uk : r->category,
        .type = t ? t->name_uk : r->type,
        .district = d ? d->name_uk : r->district,
        .organisation = o ? o->name_uk : r->organisation,
        .channel = NAME_OF(CHANNELS, r->channel),
        .status = NAME_OF(STATUSES, r->status),
    };
}

/* Kyiv wall-clock milliseconds of an instant (TZ is Europe/Kyiv). */
static int64_t local_ms(int64_t ms) {
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm)) return ms;
    return ms + (int64_t)tm.tm_gmtoff * 1000;
}

/* "YYYY-MM-DD HH:MM", Kyiv time. */
static void local_text(int64_t ms, char *out, size_t cap) {
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm) || !strftime(out, cap, "%Y-%m-%d %H:%M", &tm)) str_copy(out, cap, "");
}

/* The store's filter for a view: the period's Kyiv days as instants. */
static bool filter_of(const api_stats_query *q, store_export_filter *f) {
    *f = (store_export_filter){.category = q->category, .type = q->type, .district = q->district,
                               .organisation = q->organisation, .channel = q->channel,
                               .include_trial = q->include_trial};
    return dom_period_bound(q->from, false, &f->from) && dom_period_bound(q->to, true, &f->to);
}

/* --- the appeals' columns -------------------------------------------- */
static const xlsx_col APPEAL_COLS[] = {
    {"Номер (Number)", XLSX_TEXT, 13},
    {"Зареєстровано (Registered at)", XLSX_DATETIME, 17},
    {"Категорія (Category)", XLSX_TEXT, 26},
    {"Код категорії (Category code)", XLSX_TEXT, 16},
    {"Тип (Type)", XLSX_TEXT, 34},
    {"Код типу (Type code)", XLSX_TEXT, 18},
    {"Район (District)", XLSX_TEXT, 20},
    {"Організація (Organisation)", XLSX_TEXT, 30},
    {"Канал (Channel)", XLSX_TEXT, 12},
    {"Статус (Status)", XLSX_TEXT, 18},
    {"Строк виконання (Resolution deadline)", XLSX_DATETIME, 17},
    {"Виконано (Done at)", XLSX_DATETIME, 17},
    {"Годин до виконання (Hours to done)", XLSX_REAL, 12},
    {"Вчасно (On time)", XLSX_TEXT, 9},
    {"Повернуто на доопрацювання (Times reopened)", XLSX_INT, 12},
    {"Оцінка (Rating)", XLSX_INT, 8},
    {"Адреса (Address)", XLSX_TEXT, 40},
};
#define N_APPEAL_COLS (int)(sizeof APPEAL_COLS / sizeof APPEAL_COLS[0])

/* The scorecards' rule (domain/scorecard.h): 1, 0, -1 not finished. */
static int on_time_of(const store_export_row *r) {
    dom_status st = DOM_ST_NEW;
    dom_status_parse(r->status, &st);
    return dom_on_time(st, r->done_at, r->resolution_due_at);
}

/* done_at − created_at in hours, for finished appeals; NAN otherwise. */
static double hours_to_done(const store_export_row *r) {
    return on_time_of(r) >= 0 ? (double)(r->done_at - r->created_at) / 3600000.0 : NAN;
}

static const char *on_time(const store_export_row *r) {
    int v = on_time_of(r);
    return v < 0 ? "" : v ? "так" : "ні";
}

static bool appeal_csv(buf *b, const app_ctx *app, const store_export_row *r) {
    row_names n = names_of(app, r);
    char created[32], due[32], done[32] = "";
    local_text(r->created_at, created, sizeof created);
    local_text(r->resolution_due_at, due, sizeof due);
    if (r->done_at) local_text(r->done_at, done, sizeof done);
    bool ok = csv_text(b, r->number, false) && csv_text(b, created, false) &&
              csv_text(b, n.category, false) && csv_text(b, r->category, false) &&
              csv_text(b, n.type, false) && csv_text(b, r->type, false) &&
              csv_text(b, n.district, false) && csv_text(b, n.organisation, false) &&
              csv_text(b, n.channel, false) && csv_text(b, n.status, false) &&
              csv_text(b, due, false) && csv_text(b, done, false) &&
              csv_real(b, hours_to_done(r), 2, false) && csv_text(b, on_time(r), false) &&
              csv_int(b, r->reopen_count, false);
    ok = ok && (r->rating ? csv_int(b, r->rating, false) : csv_text(b, "", false));
    return ok && csv_text(b, r->address, true);
}

static void appeal_xlsx(xlsx_sheet *s, const app_ctx *app, const store_export_row *r) {
    row_names n = names_of(app, r);
    xlsx_text(s, r->number);
    xlsx_datetime(s, local_ms(r->created_at));
    xlsx_text(s, n.category);
    xlsx_text(s, r->category);
    xlsx_text(s, n.type);
    xlsx_text(s, r->type);
    xlsx_text(s, n.district);
    xlsx_text(s, n.organisation);
    xlsx_text(s, n.channel);
    xlsx_text(s, n.status);
    xlsx_datetime(s, local_ms(r->resolution_due_at));
    if (r->done_at) xlsx_datetime(s, local_ms(r->done_at));
    else xlsx_blank(s);
    xlsx_real(s, hours_to_done(r));
    xlsx_text(s, on_time(r));
    xlsx_int(s, r->reopen_count);
    if (r->rating) xlsx_int(s, r->rating);
    else xlsx_blank(s);
    xlsx_text(s, r->address);
    xlsx_row_end(s);
}

/* One page of rows after *cur: a connection taken for the page and given
 * back, never held between pages. */
static int page(app_ctx *app, const store_export_filter *f, store_export_cursor *cur,
                store_export_row *rows, int *n) {
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_export_page(c, f, cur, STORE_EXPORT_PAGE, rows, n);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) log_error("export page failed", "\"rc\":%d", rc);
    return rc;
}

static bool count(app_ctx *app, const store_export_filter *f, int64_t *total) {
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_export_count(c, f, total);
    db_pool_release(app->pool, c);
    return rc == DB_OK;
}

static void progress_report(export_progress *p, int64_t done, int64_t total) {
    if (p && p->report) p->report(p->ctx, done, total);
}

static bool progress_cancelled(export_progress *p) {
    return p && p->cancelled && p->cancelled(p->ctx);
}

/* --- the sections of the dashboard's answer -------------------------- */
typedef enum { COL_TEXT, COL_INT, COL_REAL, COL_SHARE, COL_DATE, COL_COORD } col_kind;
typedef struct {
    const char *title, *key; /* key: "name_uk", "category.code" (one level deep) */
    col_kind kind;
    double width;
} sec_col;
typedef struct {
    export_view view;
    const char *sheet;
    const char *list, *list2; /* JSON paths of the rows; list2: more rows (problem areas) */
    const char *kind1, *kind2; /* a first column "Вид (Kind)" naming each list, or NULL */
    const sec_col *cols;
    int n_cols;
} section;

#define SHARE_COL {"Частка (Share)", "share", COL_SHARE, 10}
#define APPEALS_COL {"Звернень (Appeals)", "appeals", COL_INT, 11}
#define NAMED_COLS(what)                                                                   \
    {"Код (Code)", "code", COL_TEXT, 18}, {what, "name_uk", COL_TEXT, 34},                 \
        {"Англійською (In English)", "name_en", COL_TEXT, 30}
static const sec_col CAT_COLS[] = {NAMED_COLS("Категорія (Category)"), APPEALS_COL, SHARE_COL};
static const sec_col TYPE_COLS[] = {NAMED_COLS("Тип (Type)"),
                                    {"Категорія (Category)", "category", COL_TEXT, 18},
                                    APPEALS_COL, SHARE_COL};
static const sec_col DISTRICT_COLS[] = {NAMED_COLS("Район (District)"), APPEALS_COL, SHARE_COL};
static const sec_col ORG_COLS[] = {
    NAMED_COLS("Організація (Organisation)"), APPEALS_COL, SHARE_COL,
    {"Завершено (Finished)", "finished", COL_INT, 11},
    {"Частка вчасних (On-time share)", "on_time_share", COL_SHARE, 12},
    {"Прострочено зараз (Overdue now)", "overdue_now", COL_INT, 12}};
static const sec_col CHANNEL_COLS[] = {NAMED_COLS("Канал (Channel)"), APPEALS_COL, SHARE_COL};
static const sec_col HOUR_COLS[] = {{"Година (Hour)", "hour", COL_INT, 12},
                                    APPEALS_COL};
static const sec_col TREND_COLS[] = {{"Дата або тиждень з (Day or week from)", "date", COL_DATE, 14},
                                     APPEALS_COL};
static const sec_col PROBLEM_COLS[] = {
    {"Код категорії (Category code)", "category.code", COL_TEXT, 16},
    {"Категорія (Category)", "category.name_uk", COL_TEXT, 26},
    {"Адреса (Address)", "address", COL_TEXT, 36},
    {"Район (District)", "district", COL_TEXT, 18},
    {"Широта (Latitude)", "lat", COL_COORD, 11},
    {"Довгота (Longitude)", "lon", COL_COORD, 11},
    APPEALS_COL,
    {"Перше (First)", "first", COL_DATE, 12},
    {"Останнє (Last)", "last", COL_DATE, 12}};
#define SEC(v, sheet, list, cols) {v, sheet, list, NULL, NULL, NULL, cols, (int)(sizeof cols / sizeof cols[0])}
static const section SECTIONS[] = {
    SEC(EXPORT_VIEW_CATEGORIES, "Категорії", "by_category", CAT_COLS),
    SEC(EXPORT_VIEW_TYPES, "Типи", "by_type", TYPE_COLS),
    SEC(EXPORT_VIEW_DISTRICTS, "Райони", "by_district", DISTRICT_COLS),
    SEC(EXPORT_VIEW_ORGANISATIONS, "Організації", "by_organisation", ORG_COLS),
    SEC(EXPORT_VIEW_CHANNELS, "Канали", "by_channel", CHANNEL_COLS),
    SEC(EXPORT_VIEW_HOURS, "Години", "by_hour", HOUR_COLS),
    SEC(EXPORT_VIEW_TREND, "Динаміка", "trend", TREND_COLS),
    {EXPORT_VIEW_PROBLEMS, "Проблемні місця", "problem_points.addresses", "problem_points.areas",
     "адреса", "ділянка", PROBLEM_COLS, (int)(sizeof PROBLEM_COLS / sizeof PROBLEM_COLS[0])},
};
#define N_SECTIONS (sizeof SECTIONS / sizeof SECTIONS[0])
static const sec_col KIND_COL = {"Вид (Kind)", NULL, COL_TEXT, 10};

/* j at "a" or "a.b"; NULL when absent. */
static json_t *at(json_t *j, const char *path) {
    char head[64];
    const char *dot = strchr(path, '.');
    if (!dot) return json_object_get(j, path);
    snprintf(head, sizeof head, "%.*s", (int)(dot - path), path);
    return json_object_get(json_object_get(j, head), dot + 1);
}

/* "YYYY-MM-DD" → days since 1970-01-01; false when not a date. */
static bool day_of(const char *s, int *day) {
    int64_t ms;
    if (!s || strlen(s) != 10 || !dom_period_bound(s, false, &ms)) return false;
    *day = (int)((local_ms(ms) + 43200000) / 86400000); /* local midnight, rounded */
    return true;
}

static bool cell_csv(buf *b, json_t *v, col_kind k, bool last) {
    if (json_is_string(v)) return csv_text(b, json_string_value(v), last);
    if (!json_is_number(v)) return csv_text(b, "", last);
    if (k == COL_INT || json_is_integer(v)) return csv_int(b, (int64_t)json_number_value(v), last);
    return csv_real(b, json_number_value(v), k == COL_SHARE ? 4 : k == COL_COORD ? 6 : 2, last);
}

static void cell_xlsx(xlsx_sheet *s, json_t *v, col_kind k) {
    int day;
    if (k == COL_DATE && day_of(json_string_value(v), &day)) xlsx_date(s, day);
    else if (json_is_string(v)) xlsx_text(s, json_string_value(v));
    else if (json_is_number(v)) xlsx_real(s, json_number_value(v));
    else xlsx_blank(s);
}

static xlsx_kind xkind(col_kind k) {
    static const xlsx_kind map[] = {XLSX_TEXT, XLSX_INT, XLSX_REAL, XLSX_SHARE, XLSX_DATE, XLSX_INT};
    return map[k];
}

/* A problem point's district is its code: the export shows the name. */
static json_t *cell_value(const app_ctx *app, json_t *row, const sec_col *col, json_t **tmp) {
    json_t *v = at(row, col->key);
    *tmp = NULL;
    if (strcmp(col->key, "district") != 0 || !json_is_string(v)) return v;
    const dom_district *d = dom_district_find(&app->districts, json_string_value(v));
    return d ? (*tmp = json_string(d->name_uk)) : v;
}

static bool section_csv(buf *b, const app_ctx *app, const section *sec, json_t *dash) {
    bool ok = true;
    if (sec->kind1) ok = csv_text(b, KIND_COL.title, false);
    for (int i = 0; i < sec->n_cols; i++)
        ok = ok && csv_text(b, sec->cols[i].title, i == sec->n_cols - 1);
    const char *lists[] = {sec->list, sec->list2}, *kinds[] = {sec->kind1, sec->kind2};
    for (int l = 0; l < 2 && lists[l]; l++) {
        size_t i;
        json_t *row;
        json_array_foreach(at(dash, lists[l]), i, row) {
            if (kinds[l]) ok = ok && csv_text(b, kinds[l], false);
            for (int c = 0; c < sec->n_cols; c++) {
                json_t *tmp;
                json_t *v = cell_value(app, row, &sec->cols[c], &tmp);
                ok = ok && cell_csv(b, v, sec->cols[c].kind, c == sec->n_cols - 1);
                json_decref(tmp);
            }
        }
    }
    return ok;
}

static void section_xlsx(xlsx_book *book, const app_ctx *app, const section *sec, json_t *dash) {
    xlsx_col cols[16];
    int n = 0;
    if (sec->kind1) cols[n++] = (xlsx_col){KIND_COL.title, XLSX_TEXT, KIND_COL.width};
    for (int i = 0; i < sec->n_cols && n < 16; i++)
        cols[n++] = (xlsx_col){sec->cols[i].title, xkind(sec->cols[i].kind), sec->cols[i].width};
    xlsx_sheet *s = xlsx_sheet_add(book, sec->sheet, cols, n);
    const char *lists[] = {sec->list, sec->list2}, *kinds[] = {sec->kind1, sec->kind2};
    for (int l = 0; l < 2 && lists[l]; l++) {
        size_t i;
        json_t *row;
        json_array_foreach(at(dash, lists[l]), i, row) {
            if (kinds[l]) xlsx_text(s, kinds[l]);
            for (int c = 0; c < sec->n_cols; c++) {
                json_t *tmp;
                cell_xlsx(s, cell_value(app, row, &sec->cols[c], &tmp), sec->cols[c].kind);
                json_decref(tmp);
            }
            xlsx_row_end(s);
        }
    }
}

/* --- the summary sheet ------------------------------------------------ */
static const xlsx_col SUMMARY_COLS[] = {{"Показник (Indicator)", XLSX_TEXT, 46},
                                        {"Значення (Value)", XLSX_TEXT, 40},
                                        {"Ключ (Key)", XLSX_TEXT, 20}};

/* A filter's value: "Назва (code)", or "усі (all)". */
static void filter_text(const app_ctx *app, const char *field, const char *code, char *out,
                        size_t cap) {
    const char *name = NULL;
    if (!code[0]) {
        str_copy(out, cap, "усі (all)");
        return;
    }
    if (strcmp(field, "category") == 0) {
        const dom_category *c = dom_catalog_category(&app->catalog, code);
        name = c ? c->name_uk : NULL;
    } else if (strcmp(field, "type") == 0) {
        for (size_t i = 0; i < app->catalog.n_cats && !name; i++) {
            const dom_type *t = dom_catalog_type(&app->catalog.cats[i], code);
            name = t ? t->name_uk : NULL;
        }
    } else if (strcmp(field, "district") == 0) {
        const dom_district *d = dom_district_find(&app->districts, code);
        name = d ? d->name_uk : NULL;
    } else if (strcmp(field, "organisation") == 0) {
        const dom_org *o = dom_catalog_org(&app->catalog, code);
        name = o ? o->name_uk : NULL;
    } else {
        name = NAME_OF(CHANNELS, code);
    }
    snprintf(out, cap, "%s (%s)", name ? name : code, code);
}

static void summary_row(xlsx_sheet *s, const char *title) { xlsx_text(s, title); }

static void summary_end(xlsx_sheet *s, const char *key) {
    xlsx_text(s, key);
    xlsx_row_end(s);
}

typedef struct {
    const char *title, *key;
    col_kind kind;
} total_def;

static const total_def TOTALS[] = {
    {"Звернень за період (Appeals in the period)", "appeals", COL_INT},
    {"Завершено (Finished)", "finished", COL_INT},
    {"Вчасно, частка завершених (On-time share)", "on_time_share", COL_SHARE},
    {"Повернуто на доопрацювання, частка (Reopen share)", "reopen_share", COL_SHARE},
    {"Середня оцінка (Average rating)", "average_rating", COL_REAL},
    {"Оцінок (Ratings)", "ratings", COL_INT},
    {"Медіана годин до виконання (Median hours to done)", "median_hours_to_done", COL_REAL},
    {"90-й перцентиль годин до виконання (90th percentile hours)", "p90_hours_to_done", COL_REAL},
    {"Відкрито зараз (Open now)", "open_now", COL_INT},
    {"Прострочено зараз (Overdue now)", "overdue_now", COL_INT},
    {"Пробних не враховано (Trial appeals left out)", "trial_left_out", COL_INT},
};

static void summary_xlsx(xlsx_book *b, const app_ctx *app, const api_stats_query *q, json_t *dash,
                         int64_t rows) {
    xlsx_sheet *s = xlsx_sheet_add(b, "Зведення", SUMMARY_COLS, 3);
    int day;
    summary_row(s, "Період з (Period from)");
    if (day_of(q->from, &day)) xlsx_date(s, day);
    else xlsx_text(s, q->from);
    summary_end(s, "from");
    summary_row(s, "Період по, включно (Period to, inclusive)");
    if (day_of(q->to, &day)) xlsx_date(s, day);
    else xlsx_text(s, q->to);
    summary_end(s, "to");
    const struct {
        const char *title, *key, *code;
    } filters[] = {{"Категорія (Category)", "category", q->category},
                   {"Тип (Type)", "type", q->type},
                   {"Район (District)", "district", q->district},
                   {"Організація (Organisation)", "organisation", q->organisation},
                   {"Канал (Channel)", "channel", q->channel}};
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
        char text[DOM_NAME_MAX + DOM_CODE_MAX + 8];
        filter_text(app, filters[i].key, filters[i].code, text, sizeof text);
        summary_row(s, filters[i].title);
        xlsx_text(s, text);
        summary_end(s, filters[i].key);
    }
    summary_row(s, "Пробні звернення (Trial appeals)");
    xlsx_text(s, q->include_trial ? "враховано (included)" : "не враховано (left out)");
    summary_end(s, "include_trial");
    int64_t gen;
    summary_row(s, "Сформовано, київський час (Generated at, Kyiv time)");
    const char *generated = json_string_value(json_object_get(dash, "generated_at"));
    if (generated && time_parse_iso(generated, &gen))
        xlsx_datetime(s, local_ms(gen));
    else xlsx_datetime(s, local_ms(time_now_ms()));
    summary_end(s, "generated_at");
    json_t *totals = json_object_get(dash, "totals");
    for (size_t i = 0; i < sizeof TOTALS / sizeof TOTALS[0]; i++) {
        json_t *v = json_object_get(totals, TOTALS[i].key);
        summary_row(s, TOTALS[i].title);
        if (!json_is_number(v)) xlsx_blank(s);
        else if (TOTALS[i].kind == COL_SHARE) xlsx_share(s, json_number_value(v));
        else xlsx_real(s, json_number_value(v));
        summary_end(s, TOTALS[i].key);
    }
    summary_row(s, "Рядків на аркуші «Звернення» (Rows on the appeals sheet)");
    xlsx_int(s, rows);
    summary_end(s, "rows");
}

/* --- the workbook ----------------------------------------------------- */
static bool appeals_xlsx(xlsx_book *b, app_ctx *app, const store_export_filter *f,
                         int64_t total, export_progress *progress, char *err, size_t err_cap) {
    xlsx_sheet *s = xlsx_sheet_add(b, "Звернення", APPEAL_COLS, N_APPEAL_COLS);
    store_export_row *rows = xcalloc(STORE_EXPORT_PAGE, sizeof *rows);
    store_export_cursor cur = {INT64_MIN, 0};
    int64_t done = 0;
    bool ok = true;
    for (int n = STORE_EXPORT_PAGE; ok && n == STORE_EXPORT_PAGE;) {
        if (progress_cancelled(progress)) {
            snprintf(err, err_cap, "the server is stopping");
            ok = false;
        } else if (page(app, f, &cur, rows, &n) != DB_OK) {
            snprintf(err, err_cap, "database error");
            ok = false;
        } else {
            for (int i = 0; i < n; i++) appeal_xlsx(s, app, &rows[i]);
            store_export_rows_free(rows, n);
            done += n;
            progress_report(progress, done, total > done ? total : done);
        }
    }
    free(rows);
    return ok;
}

bool export_xlsx_write(app_ctx *app, const api_stats_query *q, const char *path,
                       const char *tmpdir, export_progress *progress, char *err, size_t err_cap) {
    store_export_filter f;
    int64_t total = 0;
    if (!filter_of(q, &f)) {
        snprintf(err, err_cap, "bad period");
        return false;
    }
    json_t *dash = api_stats_dashboard(app, q);
    if (!dash) {
        snprintf(err, err_cap, "the statistics are not loaded");
        return false;
    }
    if (!count(app, &f, &total)) {
        json_decref(dash);
        snprintf(err, err_cap, "database error");
        return false;
    }
    progress_report(progress, 0, total);
    xlsx_book *b = xlsx_open(path, tmpdir);
    if (!b) {
        json_decref(dash);
        snprintf(err, err_cap, "cannot start the workbook");
        return false;
    }
    summary_xlsx(b, app, q, dash, total);
    for (size_t i = 0; i < N_SECTIONS; i++) section_xlsx(b, app, &SECTIONS[i], dash);
    json_decref(dash);
    bool ok = appeals_xlsx(b, app, &f, total, progress, err, err_cap);
    char close_err[256] = "";
    bool closed = xlsx_close(b, close_err, sizeof close_err);
    if (ok && !closed) snprintf(err, err_cap, "%s", close_err);
    return ok && closed;
}

/* --- CSV, made as it is read ------------------------------------------ */
struct export_csv {
    app_ctx *app;
    api_stats_query q;
    export_view view;
    export_progress *progress;
    store_export_filter f;
    store_export_cursor cur;
    store_export_row *rows;
    int64_t done, total;
    buf out;
    size_t pos;
    bool started, end;
};

export_csv *export_csv_new(app_ctx *app, const api_stats_query *q, export_view view,
                           export_progress *progress) {
    export_csv *c = xcalloc(1, sizeof *c);
    c->app = app;
    c->q = *q;
    c->view = view;
    c->progress = progress;
    c->cur = (store_export_cursor){INT64_MIN, 0};
    /* the filter's strings point into c->q, which lives as long as c */
    filter_of(&c->q, &c->f);
    buf_init(&c->out, CSV_PAGE_MAX);
    return c;
}

void export_csv_free(void *ctx) {
    export_csv *c = ctx;
    if (!c) return;
    buf_free(&c->out);
    free(c->rows);
    free(c);
}

/* The first bytes: the BOM, the header; a section's whole table. */
static bool csv_start(export_csv *c) {
    bool ok = csv_begin(&c->out);
    if (c->view == EXPORT_VIEW_APPEALS) {
        for (int i = 0; i < N_APPEAL_COLS; i++)
            ok = ok && csv_text(&c->out, APPEAL_COLS[i].title, i == N_APPEAL_COLS - 1);
        c->rows = xcalloc(STORE_EXPORT_PAGE, sizeof *c->rows);
        if (c->progress) {
            if (!count(c->app, &c->f, &c->total)) return false;
            progress_report(c->progress, 0, c->total);
        }
        return ok;
    }
    json_t *dash = api_stats_dashboard(c->app, &c->q);
    if (!dash) return false;
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (SECTIONS[i].view == c->view) ok = ok && section_csv(&c->out, c->app, &SECTIONS[i], dash);
    json_decref(dash);
    c->end = true;
    return ok;
}

static bool csv_next_page(export_csv *c) {
    int n = 0;
    if (progress_cancelled(c->progress) || page(c->app, &c->f, &c->cur, c->rows, &n) != DB_OK)
        return false;
    bool ok = true;
    for (int i = 0; i < n; i++) ok = ok && appeal_csv(&c->out, c->app, &c->rows[i]);
    store_export_rows_free(c->rows, n);
    c->done += n;
    progress_report(c->progress, c->done, c->total > c->done ? c->total : c->done);
    if (n < STORE_EXPORT_PAGE) c->end = true;
    return ok;
}

size_t export_csv_read(void *ctx, char *out, size_t cap) {
    export_csv *c = ctx;
    while (c->pos == c->out.len) {
        if (c->started && c->end) return 0;
        buf_reset(&c->out);
        c->pos = 0;
        bool ok = c->started ? csv_next_page(c) : csv_start(c);
        c->started = true;
        if (!ok) {
            log_error("export: CSV failed", "\"view\":\"%s\"", export_view_name(c->view));
            return HTTP_STREAM_ERROR;
        }
    }
    size_t n = c->out.len - c->pos < cap ? c->out.len - c->pos : cap;
    memcpy(out, c->out.data + c->pos, n);
    c->pos += n;
    return n;
}
