/* See mapindex.h. */
#include "api/mapindex.h"
#include "store/map_store.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timeutil.h"
#include <errno.h>
#include <math.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "util/banned.h"

#define LOAD_PAGE 20000
#define REFRESH_PAGE 2000
#define MAX_DISTRICTS 254
#define DISTRICT_CODE_MAX 32

struct mapindex {
    db_pool *pool;
    const dom_catalog *cat;
    pthread_rwlock_t lock;
    dom_mappoints pts;
    char districts[MAX_DISTRICTS][DISTRICT_CODE_MAX];
    int n_districts;
    int64_t since;    /* the latest updated_at seen */
    int64_t last_id;  /* while loading: the last id read */
    mapindex_observer obs; /* .row NULL: none */
    /* the refresh thread */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, started;
};

static uint8_t category_code(const mapindex *m, const char *code) {
    for (size_t i = 0; i < m->cat->n_cats && i < MAP_NO_CODE; i++)
        if (strcmp(m->cat->cats[i].code, code) == 0) return (uint8_t)i;
    return MAP_NO_CODE;
}

/* Caller holds the write lock. */
static uint8_t district_code(mapindex *m, const char *code) {
    if (!*code) return MAP_NO_CODE;
    for (int i = 0; i < m->n_districts; i++)
        if (strcmp(m->districts[i], code) == 0) return (uint8_t)i;
    if (m->n_districts == MAX_DISTRICTS || strlen(code) >= DISTRICT_CODE_MAX) return MAP_NO_CODE;
    str_copy(m->districts[m->n_districts], DISTRICT_CODE_MAX, code);
    return (uint8_t)m->n_districts++;
}

/* Caller holds the write lock (or is alone, while loading). */
static void put_row(const store_map_row *row, void *ctx) {
    mapindex *m = ctx;
    dom_status st = DOM_ST_NEW;
    dom_status_parse(row->status, &st);
    int day = dom_map_day_of(row->created_at);
    dom_mappoint pt = {
        .id = (uint32_t)row->id, .seq = (uint32_t)row->seq,
        .lat = row->lat, .lon = row->lon,
        .year = (uint16_t)row->year, .day = (uint16_t)(day > 0 ? day : 0),
        .status = (uint8_t)st, .category = category_code(m, row->category),
        .district = district_code(m, row->district),
    };
    dom_mappoints_put(&m->pts, &pt);
    if (row->updated_at > m->since) m->since = row->updated_at;
    m->last_id = row->id;
    if (m->obs.row) m->obs.row(m->obs.ctx, row);
}

static bool load_all(mapindex *m) {
    db_conn *c = db_pool_acquire(m->pool);
    int64_t total = 0;
    int rc = store_count_appeals(c, &total);
    if (rc == DB_OK) dom_mappoints_reserve(&m->pts, (size_t)total + (size_t)total / 16 + 1024);
    int n = LOAD_PAGE;
    while (rc == DB_OK && n == LOAD_PAGE)
        rc = store_map_page(c, m->last_id, LOAD_PAGE, put_row, m, &n);
    db_pool_release(m->pool, c);
    if (rc == DB_OK) dom_mappoints_index(&m->pts);
    if (rc == DB_OK && m->obs.pass_done) m->obs.pass_done(m->obs.ctx);
    malloc_trim(0);
    return rc == DB_OK;
}

/* A page of changed rows, read without the lock, applied under it. */
typedef struct {
    const mapindex *m;
    dom_mappoint *pts;
    char (*districts)[DISTRICT_CODE_MAX];
    int64_t max_updated, last_id;
    int n;
} change_page;

static void collect_row(const store_map_row *row, void *ctx) {
    change_page *pg = ctx;
    dom_status st = DOM_ST_NEW;
    dom_status_parse(row->status, &st);
    int day = dom_map_day_of(row->created_at);
    pg->pts[pg->n] = (dom_mappoint){
        .id = (uint32_t)row->id, .seq = (uint32_t)row->seq, .lat = row->lat, .lon = row->lon,
        .year = (uint16_t)row->year, .day = (uint16_t)(day > 0 ? day : 0),
        .status = (uint8_t)st, .category = category_code(pg->m, row->category),
    };
    str_copy(pg->districts[pg->n], DISTRICT_CODE_MAX, row->district);
    pg->n++;
    if (pg->m->obs.row) pg->m->obs.row(pg->m->obs.ctx, row);
    if (row->updated_at > pg->max_updated) pg->max_updated = row->updated_at;
    pg->last_id = row->id;
}

/* One refresh pass: everything changed since the last one seen (less the
 * slack for transactions that committed late), page by page. */
static void refresh(mapindex *m) {
    pthread_rwlock_rdlock(&m->lock);
    int64_t since = m->since - MAPINDEX_SLACK_MS, after = 0;
    pthread_rwlock_unlock(&m->lock);
    change_page pg = {.m = m, .pts = xmalloc(REFRESH_PAGE * sizeof *pg.pts),
                      .districts = xmalloc(REFRESH_PAGE * sizeof *pg.districts)};
    db_conn *c = db_pool_acquire(m->pool);
    int rc = DB_OK;
    do {
        pg.n = 0;
        pg.max_updated = since;
        rc = store_map_changed(c, since, after, REFRESH_PAGE, collect_row, &pg, NULL);
        if (rc != DB_OK || !pg.n) break;
        pthread_rwlock_wrlock(&m->lock);
        for (int i = 0; i < pg.n; i++) {
            pg.pts[i].district = district_code(m, pg.districts[i]);
            dom_mappoints_put(&m->pts, &pg.pts[i]);
        }
        if (pg.max_updated > m->since) m->since = pg.max_updated;
        pthread_rwlock_unlock(&m->lock);
        since = pg.max_updated;
        after = pg.last_id;
    } while (pg.n == REFRESH_PAGE);
    db_pool_release(m->pool, c);
    free(pg.pts);
    free(pg.districts);
    if (rc != DB_OK) log_error("map refresh failed", "\"rc\":%d", rc);
    if (m->obs.pass_done) m->obs.pass_done(m->obs.ctx);
}

/* A new spatial index when due: built under the read lock (maps go on
 * answering), installed under the write lock unless a put came meanwhile. */
static void rebuild(mapindex *m) {
    pthread_rwlock_rdlock(&m->lock);
    bool due = dom_mappoints_index_due(&m->pts);
    dom_mapindex_build b = {0};
    if (due) dom_mapindex_make(&m->pts, &b);
    pthread_rwlock_unlock(&m->lock);
    if (!due) return;
    pthread_rwlock_wrlock(&m->lock);
    bool ok = dom_mapindex_install(&m->pts, &b);
    pthread_rwlock_unlock(&m->lock);
    malloc_trim(0); /* this thread's arena keeps the freed build memory otherwise */
    if (!ok) log_info("map index changed while building; next time", NULL);
}

static void *run(void *arg) {
    mapindex *m = arg;
    pthread_mutex_lock(&m->mu);
    while (!m->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += MAPINDEX_REFRESH_MS / 1000;
        int rc = 0;
        while (!m->stop && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&m->cv, &m->mu, &ts);
        if (m->stop) break;
        pthread_mutex_unlock(&m->mu);
        refresh(m);
        rebuild(m);
        pthread_mutex_lock(&m->mu);
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

mapindex *mapindex_start(db_pool *pool, const dom_catalog *cat, const mapindex_observer *obs) {
    mapindex *m = xcalloc(1, sizeof *m);
    m->pool = pool;
    m->cat = cat;
    if (obs) m->obs = *obs;
    dom_mappoints_init(&m->pts);
    pthread_rwlock_init(&m->lock, NULL);
    pthread_mutex_init(&m->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->cv, &ca);
    pthread_condattr_destroy(&ca);
    int64_t t0 = time_monotonic_us();
    if (!load_all(m)) {
        mapindex_stop(m);
        return NULL;
    }
    log_info("map index loaded", "\"appeals\":%zu,\"bytes\":%zu,\"ms\":%lld", m->pts.n,
             dom_mappoints_bytes(&m->pts), (long long)((time_monotonic_us() - t0) / 1000));
    m->started = pthread_create(&m->thread, NULL, run, m) == 0;
    return m;
}

void mapindex_stop(mapindex *m) {
    if (!m) return;
    if (m->started) {
        pthread_mutex_lock(&m->mu);
        m->stop = true;
        pthread_cond_signal(&m->cv);
        pthread_mutex_unlock(&m->mu);
        pthread_join(m->thread, NULL);
    }
    pthread_cond_destroy(&m->cv);
    pthread_mutex_destroy(&m->mu);
    pthread_rwlock_destroy(&m->lock);
    dom_mappoints_free(&m->pts);
    free(m);
}

void mapindex_added(mapindex *m, const store_map_row *row) {
    if (!m) return;
    dom_mappoint pt;
    char district[1][DISTRICT_CODE_MAX];
    change_page pg = {.m = m, .pts = &pt, .districts = district};
    collect_row(row, &pg); /* the intake hands its row over: no read back */
    pthread_rwlock_wrlock(&m->lock);
    pt.district = district_code(m, district[0]);
    dom_mappoints_put(&m->pts, &pt); /* `since` stays: it follows other servers' writes */
    pthread_rwlock_unlock(&m->lock);
}

int mapindex_district(mapindex *m, const char *code) {
    int found = -1;
    pthread_rwlock_rdlock(&m->lock);
    for (int i = 0; i < m->n_districts && found < 0; i++)
        if (strcmp(m->districts[i], code) == 0) found = i;
    pthread_rwlock_unlock(&m->lock);
    return found;
}

size_t mapindex_count(mapindex *m) {
    pthread_rwlock_rdlock(&m->lock);
    size_t n = m->pts.n;
    pthread_rwlock_unlock(&m->lock);
    return n;
}

/* Integers and 4-decimal coordinates without printf: a street view writes
 * 2,000 features. */
static void put_uint(buf *out, uint64_t v, int min_digits) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v || n < min_digits);
    char rev[24];
    for (int i = 0; i < n; i++) rev[i] = tmp[n - 1 - i];
    buf_append(out, rev, (size_t)n);
}

static void put_coord(buf *out, double v) {
    long long r = llround(v * 1e4); /* as the public view rounds */
    if (r < 0) {
        buf_append(out, "-", 1);
        r = -r;
    }
    put_uint(out, (uint64_t)(r / 10000), 1);
    buf_append(out, ".", 1);
    put_uint(out, (uint64_t)(r % 10000), 4);
}

static void write_feature(const mapindex *m, const dom_mapfeature *f, buf *out) {
    buf_puts(out, "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[");
    put_coord(out, f->lon);
    buf_append(out, ",", 1);
    put_coord(out, f->lat);
    buf_puts(out, "]},\"properties\":{");
    if (f->cluster) {
        buf_puts(out, "\"kind\":\"cluster\",\"count\":");
        put_uint(out, f->count, 1);
        buf_puts(out, ",\"by_status\":{");
        bool first = true;
        for (int s = 0; s < DOM_ST_COUNT; s++) {
            if (!f->by_status[s]) continue;
            buf_printf(out, "%s\"%s\":%u", first ? "" : ",", dom_status_name((dom_status)s),
                       f->by_status[s]);
            first = false;
        }
        buf_puts(out, "}}}");
        return;
    }
    const dom_mappoints *p = &m->pts;
    uint32_t i = f->index;
    uint8_t cat = p->category[i];
    buf_puts(out, "\"kind\":\"appeal\",\"number\":\"");
    put_uint(out, p->year[i], 4);
    buf_append(out, "-", 1);
    put_uint(out, p->seq[i], 6);
    buf_puts(out, "\",\"category\":\"");
    buf_puts(out, cat < m->cat->n_cats ? m->cat->cats[cat].code : "");
    buf_puts(out, "\",\"status\":\"");
    buf_puts(out, dom_status_name((dom_status)p->status[i]));
    buf_puts(out, "\"}}");
}

void mapindex_geojson(mapindex *m, const dom_mapquery *q, buf *out) {
    dom_mapresult r;
    pthread_rwlock_rdlock(&m->lock);
    dom_map_aggregate(&m->pts, q, &r);
    buf_printf(out, "{\"type\":\"FeatureCollection\",\"total\":%llu,\"truncated\":%s,"
                    "\"clustered\":%s,\"zoom\":%d,\"features\":[",
               (unsigned long long)r.total, r.truncated ? "true" : "false",
               r.clustered ? "true" : "false", q->zoom);
    for (size_t i = 0; i < r.n; i++) {
        if (i) buf_puts(out, ",");
        write_feature(m, &r.features[i], out);
    }
    pthread_rwlock_unlock(&m->lock);
    buf_puts(out, "]}");
    dom_mapresult_free(&r);
}
