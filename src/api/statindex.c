/* See statindex.h. */
#include "api/statindex.h"
#include "domain/lifecycle.h"
#include "domain/mapagg.h"
#include "domain/scorecard.h"
#include "util/timeutil.h"
#include "util/log.h"
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "util/banned.h"

#define MAX_CODES 254 /* indices are bytes; STAT_NO_CODE is 255 */
#define SCRATCH_SLOTS 2
#define SCRATCH_KEEP (32u << 20)

struct statindex {
    pthread_rwlock_t lock;
    dom_statfacts facts;
    const dom_catalog *cat;
    const dom_districts *districts;
    const dom_category *type_cat[MAX_CODES]; /* the flattened types: their category */
    const dom_type *types[MAX_CODES];
    int n_types;
    bool loaded; /* the first pass (the load) is done */
    /* Working memory for views, kept between them (a view of two years of a
     * million appeals needs ~30 MB: faulting that in each time cost a fifth
     * of its time). One per view running at once, up to SCRATCH_SLOTS; one
     * grown past SCRATCH_KEEP is given back after its view. */
    pthread_mutex_t scratch_mu;
    dom_statscratch scratch[SCRATCH_SLOTS];
    bool scratch_busy[SCRATCH_SLOTS];
};

static const char *const channels[] = {"web", "mobile", "phone", "email", "open311"};

statindex *statindex_new(const app_ctx *app) {
    statindex *s = xcalloc(1, sizeof *s);
    pthread_rwlock_init(&s->lock, NULL);
    pthread_mutex_init(&s->scratch_mu, NULL);
    s->cat = &app->catalog;
    s->districts = &app->districts;
    dom_statfacts_init(&s->facts, app->cfg->center_lat, app->cfg->center_lon);
    for (size_t c = 0; c < s->cat->n_cats; c++)
        for (size_t t = 0; t < s->cat->cats[c].n_types && s->n_types < MAX_CODES; t++) {
            s->type_cat[s->n_types] = &s->cat->cats[c];
            s->types[s->n_types++] = &s->cat->cats[c].types[t];
        }
    return s;
}

void statindex_free(statindex *s) {
    if (!s) return;
    pthread_rwlock_destroy(&s->lock);
    pthread_mutex_destroy(&s->scratch_mu);
    for (int i = 0; i < SCRATCH_SLOTS; i++) dom_statscratch_free(&s->scratch[i]);
    dom_statfacts_free(&s->facts);
    free(s);
}

static uint8_t code8(int i) { return i < 0 || i >= MAX_CODES ? STAT_NO_CODE : (uint8_t)i; }

int statindex_category(const statindex *s, const char *code) {
    for (size_t i = 0; i < s->cat->n_cats && i < MAX_CODES; i++)
        if (strcmp(s->cat->cats[i].code, code) == 0) return (int)i;
    return -1;
}

int statindex_type(const statindex *s, const char *category, const char *code) {
    for (int i = 0; i < s->n_types; i++)
        if (strcmp(s->types[i]->code, code) == 0 &&
            (!category || strcmp(s->type_cat[i]->code, category) == 0))
            return i;
    return -1;
}

int statindex_org(const statindex *s, const char *code) {
    for (size_t i = 0; i < s->cat->n_orgs && i < MAX_CODES; i++)
        if (strcmp(s->cat->orgs[i].code, code) == 0) return (int)i;
    return -1;
}

int statindex_district(const statindex *s, const char *code) {
    for (size_t i = 0; i < s->districts->n && i < MAX_CODES; i++)
        if (strcmp(s->districts->items[i].code, code) == 0) return (int)i;
    return -1;
}

int statindex_channel(const char *code) {
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
        if (strcmp(channels[i], code) == 0) return (int)i;
    return -1;
}

const dom_category *statindex_category_at(const statindex *s, int i) {
    return i >= 0 && (size_t)i < s->cat->n_cats && i < MAX_CODES ? &s->cat->cats[i] : NULL;
}

const dom_type *statindex_type_at(const statindex *s, int i, const dom_category **cat) {
    if (i < 0 || i >= s->n_types) return NULL;
    if (cat) *cat = s->type_cat[i];
    return s->types[i];
}

const dom_org *statindex_org_at(const statindex *s, int i) {
    return i >= 0 && (size_t)i < s->cat->n_orgs && i < MAX_CODES ? &s->cat->orgs[i] : NULL;
}

const dom_district *statindex_district_at(const statindex *s, int i) {
    return i >= 0 && (size_t)i < s->districts->n && i < MAX_CODES ? &s->districts->items[i] : NULL;
}

/* Kyiv day (days since 1970) and hour of an instant (TZ is Europe/Kyiv). */
static void kyiv_day_hour(int64_t ms, int *day, int *hour) {
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    *day = 0;
    *hour = 0;
    if (!localtime_r(&t, &tm)) return;
    dom_map_date_days(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, day);
    *hour = tm.tm_hour;
}

static uint16_t day16(int day) { return (uint16_t)(day < 0 ? 0 : day > 0xffff ? 0xffff : day); }

static void fact_of(const statindex *s, const store_map_row *row, dom_statfact *f) {
    dom_status st = DOM_ST_NEW;
    dom_status_parse(row->status, &st);
    int day, hour, done_day = 0, ignored;
    kyiv_day_hour(row->created_at, &day, &hour);
    *f = (dom_statfact){
        .id = (uint32_t)row->id, .to_done_s = STAT_NOT_DONE,
        .due_min = (uint32_t)(row->resolution_due_at > 0 ? row->resolution_due_at / 60000 : 0),
        .area = dom_stat_area(&s->facts, row->lat, row->lon),
        .addr = dom_stat_addr_hash(row->address),
        .day = day16(day), .hour = (uint8_t)hour,
        .category = code8(statindex_category(s, row->category)),
        .type = code8(statindex_type(s, row->category, row->type)),
        .district = code8(*row->district ? statindex_district(s, row->district) : -1),
        .org = code8(statindex_org(s, row->organisation)),
        .channel = code8(statindex_channel(row->channel)),
        .status = (uint8_t)st, .rating = (uint8_t)(row->rating >= 1 && row->rating <= 5 ? row->rating : 0),
    };
    if (row->trial) f->flags |= STAT_F_TRIAL;
    if (row->reopen_count > 0) f->flags |= STAT_F_REOPENED;
    if (row->done_at > 0) {
        int64_t secs = (row->done_at - row->created_at) / 1000;
        f->to_done_s = (uint32_t)(secs < 0 ? 0 : secs >= STAT_NOT_DONE ? STAT_NOT_DONE - 1 : secs);
        kyiv_day_hour(row->done_at, &done_day, &ignored);
        f->done_day = day16(done_day);
        if (dom_on_time(st, row->done_at, row->resolution_due_at) == 1) f->flags |= STAT_F_ON_TIME;
    }
}

static void on_row(void *ctx, const store_map_row *row) {
    statindex *s = ctx;
    dom_statfact f;
    fact_of(s, row, &f);
    pthread_rwlock_wrlock(&s->lock);
    dom_statfacts_put(&s->facts, &f);
    pthread_rwlock_unlock(&s->lock);
}

static void on_pass(void *ctx) {
    statindex *s = ctx;
    pthread_rwlock_wrlock(&s->lock);
    bool due = dom_statfacts_index_due(&s->facts) || !s->loaded;
    int64_t t0 = time_monotonic_us();
    if (due) dom_statfacts_index(&s->facts);
    bool first = !s->loaded;
    s->loaded = true;
    size_t n = s->facts.n, bytes = dom_statfacts_bytes(&s->facts);
    pthread_rwlock_unlock(&s->lock);
    if (first)
        log_info("statistics index loaded", "\"appeals\":%zu,\"bytes\":%zu,\"index_ms\":%lld", n,
                 bytes, (long long)((time_monotonic_us() - t0) / 1000));
}

mapindex_observer statindex_observer(statindex *s) {
    return (mapindex_observer){.row = on_row, .pass_done = on_pass, .ctx = s};
}

void statindex_compute(statindex *s, const dom_statquery *q, dom_statresult *out) {
    int slot = -1;
    pthread_mutex_lock(&s->scratch_mu);
    for (int i = 0; i < SCRATCH_SLOTS && slot < 0; i++)
        if (!s->scratch_busy[i]) slot = i;
    if (slot >= 0) s->scratch_busy[slot] = true;
    pthread_mutex_unlock(&s->scratch_mu);
    dom_statscratch *w = slot >= 0 ? &s->scratch[slot] : NULL;
    pthread_rwlock_rdlock(&s->lock);
    dom_stat_compute(&s->facts, q, w, out);
    pthread_rwlock_unlock(&s->lock);
    if (slot < 0) return;
    if (dom_statscratch_bytes(w) > SCRATCH_KEEP) dom_statscratch_free(w);
    pthread_mutex_lock(&s->scratch_mu);
    s->scratch_busy[slot] = false;
    pthread_mutex_unlock(&s->scratch_mu);
}

void statindex_area_center(statindex *s, uint32_t area, int coarsen, double *lat, double *lon) {
    dom_stat_area_center(&s->facts, area, coarsen, lat, lon); /* base: fixed at start */
}

