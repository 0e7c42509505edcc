/* GET /api/v1/stats/dashboard (staff with the reports right) and
 * GET /api/v1/stats/public (anyone): the figures of docs/ANALYTICS.md,
 * computed from the statistics index (api/statindex.h), never from a scan
 * of the appeals table. Only the problem points' names (≤ 100 appeals by
 * id) are read from the database. */
#include "api/stats.h"
#include "api/staff.h"
#include "api/statindex.h"
#include "api/views.h"
#include "domain/lifecycle.h"
#include "domain/mapagg.h"
#include "store/map_store.h"
#include "store/store.h"
#include "util/timeutil.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define PARAM_MAX 64
#define PUBLIC_WEEKS_FROM_DAYS 92 /* longer public periods trend by week */

static const struct {
    const char *code, *uk, *en;
} channel_names[] = {
    {"web", "Сайт", "Website"},
    {"mobile", "Мобільний застосунок", "Mobile app"},
    {"phone", "Гаряча лінія", "Hotline"},
    {"email", "Електронна пошта", "Email"},
    {"open311", "Open311", "Open311"},
};

static int today_kyiv(void) { return dom_map_day_of(time_now_ms()); }

/* A code parameter: "" when absent; false (field error added) when too long. */
static bool code_param(http_req *req, json_t *fields, const char *name, char *out, size_t cap) {
    const char *v = http_query(req, name);
    out[0] = 0;
    if (!v || !*v) return true;
    if (strlen(v) >= cap || strlen(v) > PARAM_MAX) {
        http_field_error(req, fields, name, "too_long", NULL);
        return false;
    }
    str_copy(out, cap, v);
    return true;
}

/* from/to as Kyiv days; defaults: the last `default_days` days up to today. */
bool api_stats_period(http_req *req, json_t *fields, int max_days, int default_days, char *from,
                      char *to, int *day_from, int *day_to) {
    const char *f = http_query(req, "from"), *t = http_query(req, "to");
    bool ok = true;
    *day_to = today_kyiv();
    if (t && *t && (strlen(t) > PARAM_MAX || !dom_stat_day_parse(t, day_to))) {
        http_field_error(req, fields, "to", "invalid_date", "YYYY-MM-DD");
        ok = false;
    }
    *day_from = *day_to - (default_days - 1);
    if (f && *f && (strlen(f) > PARAM_MAX || !dom_stat_day_parse(f, day_from))) {
        http_field_error(req, fields, "from", "invalid_date", "YYYY-MM-DD");
        ok = false;
    }
    if (ok && *day_from > *day_to) {
        http_field_error(req, fields, "to", "date_order", NULL);
        ok = false;
    } else if (ok && *day_to - *day_from + 1 > max_days) {
        char limit[16];
        snprintf(limit, sizeof limit, "%d", max_days);
        http_field_error(req, fields, "to", "period_too_long", limit);
        ok = false;
    }
    if (ok) {
        dom_stat_day_text(*day_from, from, 11);
        dom_stat_day_text(*day_to, to, 11);
    }
    return ok;
}

bool api_stats_query_parse(http_req *req, json_t *fields, api_stats_query *q) {
    app_ctx *app = req->app;
    memset(q, 0, sizeof *q);
    q->min_repeats = STATS_MIN_REPEATS_DEFAULT;
    bool ok = api_stats_period(req, fields, STATS_PERIOD_MAX_DAYS, STATS_PERIOD_DEFAULT_DAYS, q->from,
                           q->to, &q->day_from, &q->day_to);
    ok = code_param(req, fields, "category", q->category, sizeof q->category) && ok;
    ok = code_param(req, fields, "type", q->type, sizeof q->type) && ok;
    ok = code_param(req, fields, "district", q->district, sizeof q->district) && ok;
    ok = code_param(req, fields, "organisation", q->organisation, sizeof q->organisation) && ok;
    ok = code_param(req, fields, "channel", q->channel, sizeof q->channel) && ok;
    const dom_category *cat = q->category[0] ? dom_catalog_category(&app->catalog, q->category) : NULL;
    if (q->category[0] && !cat) {
        http_field_error(req, fields, "category", "unknown_category", NULL);
        ok = false;
    }
    if (q->type[0]) {
        bool found = cat ? dom_catalog_type(cat, q->type) != NULL : false;
        for (size_t i = 0; !q->category[0] && !found && i < app->catalog.n_cats; i++)
            found = dom_catalog_type(&app->catalog.cats[i], q->type) != NULL;
        if (!found) {
            http_field_error(req, fields, "type", "unknown_type", NULL);
            ok = false;
        }
    }
    if (q->district[0] && strcmp(q->district, "none") != 0) {
        bool found = false;
        for (size_t i = 0; i < app->districts.n && !found; i++)
            found = strcmp(app->districts.items[i].code, q->district) == 0;
        if (!found) {
            http_field_error(req, fields, "district", "unknown_district", NULL);
            ok = false;
        }
    }
    if (q->organisation[0] && !dom_catalog_org(&app->catalog, q->organisation)) {
        http_field_error(req, fields, "organisation", "unknown_organisation", NULL);
        ok = false;
    }
    if (q->channel[0] && statindex_channel(q->channel) < 0) {
        http_field_error(req, fields, "channel", "invalid_value", "web, mobile, phone, email, open311");
        ok = false;
    }
    const char *g = http_query(req, "group");
    if (g && *g && strcmp(g, "day") != 0 && strcmp(g, "week") != 0) {
        http_field_error(req, fields, "group", "invalid_value", "day, week");
        ok = false;
    }
    q->by_week = g && strcmp(g, "week") == 0;
    const char *tr = http_query(req, "include_trial");
    if (tr && *tr) {
        if (strcmp(tr, "1") == 0 || strcmp(tr, "true") == 0) q->include_trial = true;
        else if (strcmp(tr, "0") != 0 && strcmp(tr, "false") != 0) {
            http_field_error(req, fields, "include_trial", "invalid_value", "0, 1");
            ok = false;
        }
    }
    const char *mr = http_query(req, "min_repeats");
    if (mr && *mr) {
        char *end = NULL;
        long v = strlen(mr) <= 4 ? strtol(mr, &end, 10) : -1;
        if (!end || *end || v < 2 || v > 100) {
            http_field_error(req, fields, "min_repeats", "out_of_range", "2–100");
            ok = false;
        } else {
            q->min_repeats = (int)v;
        }
    }
    return ok;
}

/* --- shaping --------------------------------------------------------------- */

static json_t *share(uint64_t part, uint64_t whole) {
    return whole ? json_real((double)part / (double)whole) : json_null();
}

static json_t *opt_real(bool has, double v) { return has ? json_real(v) : json_null(); }

static json_t *opt_code(const char *code) { return code && *code ? json_string(code) : json_null(); }

static json_t *day_json(int day) {
    char t[16];
    dom_stat_day_text(day, t, sizeof t);
    return json_string(t);
}

/* Entries with appeals > 0, most first (then by code). */
static int cmp_entry(const void *a, const void *b) {
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t ax = json_integer_value(json_object_get(x, "appeals")),
               ay = json_integer_value(json_object_get(y, "appeals"));
    if (ax != ay) return ax > ay ? -1 : 1;
    const char *cx = json_string_value(json_object_get(x, "code")),
               *cy = json_string_value(json_object_get(y, "code"));
    return strcmp(cx ? cx : "~", cy ? cy : "~");
}

static json_t *sorted(json_t **items, size_t n) {
    qsort(items, n, sizeof *items, cmp_entry);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, items[i]);
    free(items);
    return a;
}

static json_t *entry(const char *code, const char *uk, const char *en, uint64_t appeals,
                     uint64_t total) {
    return json_pack("{s:o, s:s, s:s, s:I, s:o}", "code", opt_code(code), "name_uk", uk,
                     "name_en", en, "appeals", (json_int_t)appeals, "share", share(appeals, total));
}

static json_t *by_category(statindex *s, const dom_statresult *r) {
    json_t **items = xmalloc(256 * sizeof *items);
    size_t n = 0;
    for (int i = 0; i < 256; i++) {
        if (!r->by_category[i]) continue;
        const dom_category *c = statindex_category_at(s, i);
        items[n++] = entry(c ? c->code : "unknown", c ? c->name_uk : "Невідома категорія",
                           c ? c->name_en : "Unknown category", r->by_category[i], r->appeals);
    }
    return sorted(items, n);
}

static json_t *by_type(statindex *s, const dom_statresult *r) {
    json_t **items = xmalloc(256 * sizeof *items);
    size_t n = 0;
    for (int i = 0; i < 256; i++) {
        if (!r->by_type[i]) continue;
        const dom_category *c = NULL;
        const dom_type *t = statindex_type_at(s, i, &c);
        json_t *e = entry(t ? t->code : "unknown", t ? t->name_uk : "Невідомий тип",
                          t ? t->name_en : "Unknown type", r->by_type[i], r->appeals);
        json_object_set_new(e, "category", opt_code(c ? c->code : NULL));
        items[n++] = e;
    }
    return sorted(items, n);
}

static json_t *by_district(statindex *s, const dom_statresult *r) {
    json_t **items = xmalloc(256 * sizeof *items);
    size_t n = 0;
    for (int i = 0; i < 256; i++) {
        if (!r->by_district[i]) continue;
        const dom_district *d = statindex_district_at(s, i);
        items[n++] = entry(d ? d->code : NULL, d ? d->name_uk : "Поза районами",
                           d ? d->name_en : "Outside the districts", r->by_district[i], r->appeals);
    }
    return sorted(items, n);
}

static json_t *by_org(statindex *s, const dom_statresult *r, bool with_now) {
    json_t **items = xmalloc(256 * sizeof *items);
    size_t n = 0;
    for (int i = 0; i < 256; i++) {
        if (!r->by_org[i] && !(with_now && r->org_overdue_now[i])) continue;
        const dom_org *o = statindex_org_at(s, i);
        json_t *e = entry(o ? o->code : "unknown", o ? o->name_uk : "Невідома організація",
                          o ? o->name_en : "Unknown organisation", r->by_org[i], r->appeals);
        json_object_set_new(e, "finished", json_integer((json_int_t)r->org_finished[i]));
        json_object_set_new(e, "on_time_share", share(r->org_on_time[i], r->org_finished[i]));
        if (with_now)
            json_object_set_new(e, "overdue_now", json_integer((json_int_t)r->org_overdue_now[i]));
        items[n++] = e;
    }
    return sorted(items, n);
}

static json_t *by_channel(const dom_statresult *r) {
    json_t **items = xmalloc(256 * sizeof *items);
    size_t n = 0;
    for (size_t i = 0; i < sizeof channel_names / sizeof channel_names[0]; i++)
        if (r->by_channel[i])
            items[n++] = entry(channel_names[i].code, channel_names[i].uk, channel_names[i].en,
                               r->by_channel[i], r->appeals);
    return sorted(items, n);
}

static json_t *by_hour(const dom_statresult *r) {
    json_t *a = json_array();
    for (int h = 0; h < 24; h++)
        json_array_append_new(a, json_pack("{s:i, s:I}", "hour", h, "appeals",
                                           (json_int_t)r->by_hour[h]));
    return a;
}

static json_t *trend(const dom_statresult *r, bool by_week) {
    json_t *a = json_array();
    for (int i = 0; i < r->n_trend; i++)
        json_array_append_new(a, json_pack("{s:o, s:I}", "date",
                                           day_json(r->trend_day0 + (by_week ? 7 * i : i)),
                                           "appeals", (json_int_t)r->trend[i]));
    return a;
}

static json_t *category_named(statindex *s, int i) {
    const dom_category *c = statindex_category_at(s, i);
    return c ? api_named(c->code, c->name_uk, c->name_en) : json_null();
}

/* Where a problem point's sample appeal is (address, point, district). */
typedef struct {
    store_appeal_place *places;
    const int64_t *ids;
    int n;
} places_ctx;

static int places_tx(db_conn *c, void *ctx) {
    places_ctx *p = ctx;
    return store_appeal_places(c, p->ids, p->n, p->places);
}

static json_t *problem_points(app_ctx *app, statindex *s, const dom_statresult *r,
                              int min_repeats) {
    int n = r->n_addresses + r->n_areas;
    int64_t *ids = xmalloc(((size_t)n + 1) * sizeof *ids);
    for (int i = 0; i < r->n_addresses; i++) ids[i] = r->addresses[i].sample;
    for (int i = 0; i < r->n_areas; i++) ids[r->n_addresses + i] = r->areas[i].sample;
    places_ctx p = {.places = xcalloc((size_t)n + 1, sizeof *p.places), .ids = ids, .n = n};
    if (n) {
        db_conn *c = db_pool_acquire(app->pool);
        if (store_tx(c, false, places_tx, &p) != DB_OK) memset(p.places, 0, (size_t)n * sizeof *p.places);
        db_pool_release(app->pool, c);
    }
    json_t *addresses = json_array(), *areas = json_array(), *heat = json_array();
    for (int i = 0; i < r->n_addresses; i++) {
        const dom_statpoint *pt = &r->addresses[i];
        const store_appeal_place *pl = &p.places[i];
        json_array_append_new(
            addresses,
            json_pack("{s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o}", "category",
                      category_named(s, pt->category), "address", opt_code(pl->address),
                      "district", opt_code(pl->district), "lat",
                      pl->found ? json_real(pl->lat) : json_null(), "lon",
                      pl->found ? json_real(pl->lon) : json_null(), "appeals",
                      (json_int_t)pt->appeals, "first", day_json(pt->first_day), "last",
                      day_json(pt->last_day)));
    }
    for (int i = 0; i < r->n_areas; i++) {
        const dom_statpoint *pt = &r->areas[i];
        const store_appeal_place *pl = &p.places[r->n_addresses + i];
        double lat, lon;
        statindex_area_center(s, pt->key, 0, &lat, &lon);
        json_array_append_new(
            areas, json_pack("{s:o, s:f, s:f, s:I, s:o, s:o, s:o, s:o}", "category",
                             category_named(s, pt->category), "lat", lat, "lon", lon, "appeals",
                             (json_int_t)pt->appeals, "first", day_json(pt->first_day), "last",
                             day_json(pt->last_day), "address", opt_code(pl->address),
                             "district", opt_code(pl->district)));
    }
    for (int i = 0; i < r->n_heat; i++) {
        double lat, lon;
        statindex_area_center(s, r->heat[i].area, 0, &lat, &lon);
        json_array_append_new(heat, json_pack("{s:f, s:f, s:I}", "lat", lat, "lon", lon, "weight",
                                              (json_int_t)r->heat[i].weight));
    }
    free(ids);
    free(p.places);
    return json_pack("{s:i, s:o, s:o, s:o}", "min_repeats", min_repeats, "addresses", addresses,
                     "areas", areas, "heat", heat);
}

static json_t *totals(const dom_statresult *r) {
    return json_pack(
        "{s:I, s:I, s:o, s:o, s:o, s:I, s:o, s:o, s:I, s:I, s:I}", "appeals",
        (json_int_t)r->appeals, "finished", (json_int_t)r->finished, "on_time_share",
        share(r->on_time, r->finished), "reopen_share", share(r->reopened, r->finished),
        "average_rating",
        r->ratings ? json_real((double)r->rating_sum / (double)r->ratings) : json_null(),
        "ratings", (json_int_t)r->ratings, "median_hours_to_done",
        opt_real(r->has_durations, r->median_hours), "p90_hours_to_done",
        opt_real(r->has_durations, r->p90_hours), "open_now", (json_int_t)r->open_now,
        "overdue_now", (json_int_t)r->overdue_now, "trial_left_out",
        (json_int_t)r->trial_left_out);
}

static void fill_query(statindex *s, const api_stats_query *in, dom_statquery *q) {
    dom_statquery_init(q);
    q->day_from = in->day_from;
    q->day_to = in->day_to;
    q->by_week = in->by_week;
    q->include_trial = in->include_trial;
    q->min_repeats = in->min_repeats;
    q->now_min = (uint32_t)(time_now_ms() / 60000);
    /* Unknown codes were refused by the parser; one missing from the index
     * (a catalogue past 254 entries) matches nothing rather than anything. */
    if (in->category[0]) q->category = statindex_category(s, in->category);
    if (in->type[0]) q->type = statindex_type(s, in->category[0] ? in->category : NULL, in->type);
    if (in->district[0])
        q->district = strcmp(in->district, "none") == 0 ? STAT_NO_CODE
                                                        : statindex_district(s, in->district);
    if (in->organisation[0]) q->org = statindex_org(s, in->organisation);
    if (in->channel[0]) q->channel = statindex_channel(in->channel);
    if ((in->category[0] && q->category < 0) || (in->type[0] && q->type < 0) ||
        (in->district[0] && q->district < 0) || (in->organisation[0] && q->org < 0))
        q->day_to = q->day_from - 1; /* nothing */
}

json_t *api_stats_dashboard(app_ctx *app, const api_stats_query *in) {
    statindex *s = app->stats;
    if (!s) return NULL;
    dom_statquery q;
    fill_query(s, in, &q);
    dom_statresult r;
    statindex_compute(s, &q, &r);
    json_t *filters = json_pack("{s:o, s:o, s:o, s:o, s:o}", "category", opt_code(in->category),
                                "type", opt_code(in->type), "district", opt_code(in->district),
                                "organisation", opt_code(in->organisation), "channel",
                                opt_code(in->channel));
    json_t *j = json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:o}", "from", in->from, "to", in->to,
                          "group", in->by_week ? "week" : "day", "include_trial",
                          in->include_trial, "filters", filters, "generated_at",
                          view_time(time_now_ms()), "totals", totals(&r));
    json_object_set_new(j, "by_category", by_category(s, &r));
    json_object_set_new(j, "by_type", by_type(s, &r));
    json_object_set_new(j, "by_district", by_district(s, &r));
    json_object_set_new(j, "by_organisation", by_org(s, &r, true));
    json_object_set_new(j, "by_channel", by_channel(&r));
    json_object_set_new(j, "by_hour", by_hour(&r));
    json_object_set_new(j, "trend", trend(&r, in->by_week));
    json_object_set_new(j, "problem_points", problem_points(app, s, &r, in->min_repeats));
    dom_statresult_free(&r);
    return j;
}

json_t *api_stats_public(app_ctx *app, int day_from, int day_to) {
    statindex *s = app->stats;
    if (!s) return NULL;
    dom_statquery q;
    dom_statquery_init(&q);
    q.day_from = day_from;
    q.day_to = day_to;
    q.by_week = day_to - day_from + 1 > PUBLIC_WEEKS_FROM_DAYS;
    q.now_min = (uint32_t)(time_now_ms() / 60000);
    dom_statresult r;
    statindex_compute(s, &q, &r);
    json_t *orgs = by_org(s, &r, false), *kept = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(orgs, i, o) {
        if (json_integer_value(json_object_get(o, "appeals")) < STATS_PUBLIC_MIN_ORG) continue;
        json_object_del(o, "share");
        json_array_append(kept, o);
    }
    json_decref(orgs);
    json_t *j = json_pack(
        "{s:o, s:o, s:o, s:s, s:I, s:I, s:o, s:o, s:o, s:i, s:o, s:o}", "from", day_json(day_from),
        "to", day_json(day_to), "generated_at", view_time(time_now_ms()), "group",
        q.by_week ? "week" : "day", "appeals", (json_int_t)r.appeals, "finished",
        (json_int_t)r.finished, "on_time_share", share(r.on_time, r.finished), "by_category",
        by_category(s, &r), "by_district", by_district(s, &r), "organisations_min_appeals",
        STATS_PUBLIC_MIN_ORG, "organisations", kept, "trend", trend(&r, q.by_week));
    dom_statresult_free(&r);
    return j;
}

/* --- handlers ---------------------------------------------------------------- */

void api_stats_dashboard_get(http_req *req) {
    api_staff who;
    if (!api_staff_require(req, DOM_RIGHT_REPORTS, &who)) return;
    json_t *fields = json_object();
    api_stats_query q;
    if (!api_stats_query_parse(req, fields, &q)) {
        http_reply_error(req, "invalid_query", fields);
        json_decref(fields);
        return;
    }
    json_decref(fields);
    json_t *j = api_stats_dashboard(req->app, &q);
    if (!j) {
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    http_reply_json(req, 200, j);
    json_decref(j);
}

/* The public answers of the last ten seconds, by period: everyone who opens the
 * page sees the default period, so most views cost a copy. */
#define PUBLIC_CACHE 32
#define PUBLIC_CACHE_MS 10000
static struct {
    int day_from, day_to;
    int64_t at;     /* 0: empty */
    char *text;
    size_t len;
} public_cache[PUBLIC_CACHE];
static pthread_mutex_t public_mu = PTHREAD_MUTEX_INITIALIZER;

static char *public_cached(int day_from, int day_to, int64_t now, size_t *len) {
    char *copy = NULL;
    pthread_mutex_lock(&public_mu);
    for (int i = 0; i < PUBLIC_CACHE && !copy; i++)
        if (public_cache[i].at && now - public_cache[i].at < PUBLIC_CACHE_MS &&
            public_cache[i].day_from == day_from && public_cache[i].day_to == day_to) {
            copy = xmalloc(public_cache[i].len + 1);
            memcpy(copy, public_cache[i].text, public_cache[i].len + 1);
            *len = public_cache[i].len;
        }
    pthread_mutex_unlock(&public_mu);
    return copy;
}

static void public_keep(int day_from, int day_to, int64_t now, const char *text, size_t len) {
    pthread_mutex_lock(&public_mu);
    int slot = 0; /* the oldest (or an empty one) */
    for (int i = 1; i < PUBLIC_CACHE; i++)
        if (public_cache[i].at < public_cache[slot].at) slot = i;
    free(public_cache[slot].text);
    public_cache[slot].text = xmalloc(len + 1);
    memcpy(public_cache[slot].text, text, len + 1);
    public_cache[slot].len = len;
    public_cache[slot].day_from = day_from;
    public_cache[slot].day_to = day_to;
    public_cache[slot].at = now;
    pthread_mutex_unlock(&public_mu);
}

void api_stats_public_get(http_req *req) {
    json_t *fields = json_object();
    char from[11], to[11];
    int day_from, day_to;
    if (!api_stats_period(req, fields, STATS_PERIOD_MAX_DAYS, STATS_PERIOD_DEFAULT_DAYS, from, to,
                      &day_from, &day_to)) {
        http_reply_error(req, "invalid_query", fields);
        json_decref(fields);
        return;
    }
    json_decref(fields);
    /* Public figures change slowly: ten seconds here and in shared caches is fine. */
    http_add_header(req, "Cache-Control", "public, max-age=10");
    int64_t now = time_now_ms();
    size_t len = 0;
    char *text = public_cached(day_from, day_to, now, &len);
    if (!text) {
        json_t *j = api_stats_public(req->app, day_from, day_to);
        text = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
        json_decref(j);
        if (!text) {
            http_reply_error(req, "internal_error", NULL);
            return;
        }
        len = strlen(text);
        public_keep(day_from, day_to, now, text, len);
    }
    http_reply_text(req, 200, "application/json; charset=utf-8", text, len);
}
