/* See mapagg.h. */
#include "domain/mapagg.h"
#include "util/buf.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "util/banned.h"

void dom_mappoints_init(dom_mappoints *p) { memset(p, 0, sizeof *p); }

#define GROW(field) p->field = xrealloc(p->field, cap * sizeof *p->field)

void dom_mappoints_reserve(dom_mappoints *p, size_t cap) {
    if (cap <= p->cap) return;
    GROW(id);
    GROW(x);
    GROW(y);
    GROW(seq);
    GROW(year);
    GROW(day);
    GROW(status);
    GROW(category);
    GROW(district);
    p->cap = cap;
}

void dom_mappoints_free(dom_mappoints *p) {
    free(p->id);
    free(p->x);
    free(p->y);
    free(p->seq);
    free(p->year);
    free(p->day);
    free(p->status);
    free(p->category);
    free(p->district);
    free(p->order);
    free(p->cells);
    dom_mappoints_init(p);
}

size_t dom_mappoints_bytes(const dom_mappoints *p) {
    return p->cap * (sizeof *p->id + sizeof *p->x + sizeof *p->y + sizeof *p->seq +
                     sizeof *p->year + sizeof *p->day + sizeof *p->status +
                     sizeof *p->category + sizeof *p->district);
}

/* First index whose id >= id. */
static size_t lower_bound(const dom_mappoints *p, uint32_t id) {
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->id[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

long dom_mappoints_find(const dom_mappoints *p, uint32_t id) {
    size_t i = lower_bound(p, id);
    return i < p->n && p->id[i] == id ? (long)i : -1;
}

#define SHIFT(field) memmove(p->field + i + 1, p->field + i, (p->n - i) * sizeof *p->field)

static uint64_t cell_key(uint32_t x, uint32_t y) {
    return (uint64_t)(y >> MAP_FINE_SHIFT) << 32 | (x >> MAP_FINE_SHIFT);
}

static long find_cell(const dom_mapcell *cells, size_t n, uint64_t key, bool exact) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cells[mid].key < key) lo = mid + 1;
        else hi = mid;
    }
    return exact && (lo == n || cells[lo].key != key) ? -1 : (long)lo;
}

/* An indexed point changes: keep its cell's counts, or give the index up. */
static void index_update(dom_mappoints *p, size_t i, uint32_t x, uint32_t y, uint8_t status) {
    if (!p->cells || p->stale || i >= p->indexed) return;
    uint64_t key = cell_key(p->x[i], p->y[i]);
    long c = find_cell(p->cells, p->n_cells, key, true);
    if (c < 0 || key != cell_key(x, y)) {
        p->stale = true;
        return;
    }
    dom_mapcell *k = &p->cells[c];
    if (p->status[i] < DOM_ST_COUNT && k->by_status[p->status[i]]) k->by_status[p->status[i]]--;
    if (status < DOM_ST_COUNT) k->by_status[status]++;
}

void dom_mappoints_put(dom_mappoints *p, const dom_mappoint *pt) {
    p->gen++;
    size_t i = p->n && p->id[p->n - 1] < pt->id ? p->n : lower_bound(p, pt->id);
    uint32_t x = dom_map_x(pt->lon), y = dom_map_y(pt->lat);
    if (i == p->n || p->id[i] != pt->id) {
        if (p->n == p->cap) dom_mappoints_reserve(p, p->cap ? p->cap + p->cap / 4 + 1024 : 1024);
        if (i < p->n) { /* out of order: rare (another server's earlier commit) */
            if (i < p->indexed) p->stale = true;
            SHIFT(id);
            SHIFT(x);
            SHIFT(y);
            SHIFT(seq);
            SHIFT(year);
            SHIFT(day);
            SHIFT(status);
            SHIFT(category);
            SHIFT(district);
        }
        p->n++;
    } else {
        index_update(p, i, x, y, pt->status);
    }
    p->id[i] = pt->id;
    p->x[i] = x;
    p->y[i] = y;
    p->seq[i] = pt->seq;
    p->year[i] = pt->year;
    p->day[i] = pt->day;
    p->status[i] = pt->status;
    p->category[i] = pt->category;
    p->district[i] = pt->district;
}

/* Memory beyond the arrays while building: 8 bytes a point for the sort of
 * the cell keys, freed before the order (4 bytes a point) is made. */
/* Open addressing over cell keys; returns true when the key was new. */
static bool set_add(uint64_t *set, size_t cap, uint64_t key) {
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
    while (set[i] != UINT64_MAX) {
        if (set[i] == key) return false;
        i = (i + 1) & (cap - 1);
    }
    set[i] = key;
    return true;
}

static uint64_t *grow_set(uint64_t *set, size_t *cap) {
    size_t old = *cap, n = old * 2;
    uint64_t *bigger = xmalloc(n * sizeof *bigger);
    memset(bigger, 0xff, n * sizeof *bigger);
    for (size_t i = 0; i < old; i++)
        if (set[i] != UINT64_MAX) set_add(bigger, n, set[i]);
    free(set);
    *cap = n;
    return bigger;
}

static int cmp_cell_key(const void *a, const void *b) {
    uint64_t x = ((const dom_mapcell *)a)->key, y = ((const dom_mapcell *)b)->key;
    return (x > y) - (x < y);
}

void dom_mapindex_make(const dom_mappoints *p, dom_mapindex_build *b) {
    size_t n = p->n, m = 0;
    /* The distinct cells (a few thousand in a city) through a small hash
     * set: memory grows with the cells, not with the points. */
    size_t cap = 1024;
    uint64_t *set = xmalloc(cap * sizeof *set);
    memset(set, 0xff, cap * sizeof *set); /* UINT64_MAX: empty (no cell has that key) */
    for (size_t i = 0; i < n; i++) {
        if (2 * (m + 1) > cap) set = grow_set(set, &cap);
        if (set_add(set, cap, cell_key(p->x[i], p->y[i]))) m++;
    }
    dom_mapcell *cells = xcalloc(m ? m : 1, sizeof *cells);
    size_t filled = 0;
    for (size_t i = 0; i < cap; i++)
        if (set[i] != UINT64_MAX) cells[filled++].key = set[i];
    free(set);
    qsort(cells, m, sizeof *cells, cmp_cell_key);
    for (size_t i = 0; i < n; i++) {
        dom_mapcell *k = &cells[find_cell(cells, m, cell_key(p->x[i], p->y[i]), true)];
        k->len++;
        k->by_status[p->status[i] < DOM_ST_COUNT ? p->status[i] : 0]++;
        k->sum_x += p->x[i];
        k->sum_y += p->y[i];
    }
    uint32_t at = 0;
    for (size_t j = 0; j < m; j++) {
        cells[j].start = at;
        at += cells[j].len;
        cells[j].len = 0; /* counts again while filling */
    }
    uint32_t *order = xmalloc((n ? n : 1) * sizeof *order);
    for (size_t i = 0; i < n; i++) {
        dom_mapcell *k = &cells[find_cell(cells, m, cell_key(p->x[i], p->y[i]), true)];
        order[k->start + k->len++] = (uint32_t)i;
    }
    *b = (dom_mapindex_build){.order = order, .cells = cells, .n_cells = m, .indexed = n, .gen = p->gen};
}

bool dom_mapindex_install(dom_mappoints *p, dom_mapindex_build *b) {
    bool ok = b->gen == p->gen;
    if (ok) {
        free(p->order);
        free(p->cells);
        p->order = b->order;
        p->cells = b->cells;
        p->n_cells = b->n_cells;
        p->indexed = b->indexed;
        p->stale = false;
    } else {
        free(b->order);
        free(b->cells);
    }
    memset(b, 0, sizeof *b);
    return ok;
}

void dom_mappoints_index(dom_mappoints *p) {
    free(p->order); /* the old index's memory first */
    free(p->cells);
    p->order = NULL;
    p->cells = NULL;
    dom_mapindex_build b;
    dom_mapindex_make(p, &b);
    dom_mapindex_install(p, &b);
}

bool dom_mappoints_index_due(const dom_mappoints *p) {
    return !p->cells || p->stale || p->n - p->indexed > 20000;
}

void dom_mapquery_init(dom_mapquery *q) {
    memset(q, 0, sizeof *q);
    q->any_category = q->any_status = true;
    q->day_from = q->day_to = -1;
    q->district = -1;
}

void dom_mapresult_free(dom_mapresult *r) {
    free(r->features);
    memset(r, 0, sizeof *r);
}

#define WORLD 4294967296.0 /* 2^32 */
#define MERC_LAT_MAX 85.0511287798

uint32_t dom_map_x(double lon) {
    double v = (lon + 180.0) / 360.0 * WORLD;
    return v <= 0 ? 0 : v >= WORLD - 1 ? UINT32_MAX : (uint32_t)v;
}

uint32_t dom_map_y(double lat) {
    if (lat > MERC_LAT_MAX) lat = MERC_LAT_MAX;
    if (lat < -MERC_LAT_MAX) lat = -MERC_LAT_MAX;
    double r = lat * M_PI / 180.0;
    double v = (1.0 - log(tan(r) + 1.0 / cos(r)) / M_PI) / 2.0 * WORLD;
    return v <= 0 ? 0 : v >= WORLD - 1 ? UINT32_MAX : (uint32_t)v;
}

double dom_map_lon(double x) { return (x + 0.5) / WORLD * 360.0 - 180.0; }
double dom_map_lat(double y) {
    return atan(sinh(M_PI * (1.0 - 2.0 * (y + 0.5) / WORLD))) * 180.0 / M_PI;
}

typedef struct {
    int shift;       /* cell = coordinate >> shift */
    uint32_t x0, y0; /* first cell column/row */
    long nx, ny;
} grid;

/* 64-px cells at the zoom (2^(30-zoom) units), doubled until they fit. */
static void grid_make(grid *g, const uint32_t b[4], int zoom, long max_cells) {
    for (g->shift = 30 - zoom;; g->shift++) {
        g->x0 = b[0] >> g->shift;
        g->y0 = b[1] >> g->shift;
        g->nx = (long)(b[2] >> g->shift) - (long)g->x0 + 1;
        g->ny = (long)(b[3] >> g->shift) - (long)g->y0 + 1;
        if (g->nx * g->ny <= max_cells || g->shift == 31) break;
    }
}

static bool matches(const dom_mappoints *p, size_t i, const dom_mapquery *q, const uint32_t b[4]) {
    uint32_t x = p->x[i], y = p->y[i];
    if (x < b[0] || y < b[1] || x > b[2] || y > b[3]) return false;
    if (!q->any_status && !q->status[p->status[i] < DOM_ST_COUNT ? p->status[i] : 0]) return false;
    if (!q->any_category && !q->category[p->category[i]]) return false;
    if (q->day_from >= 0 && p->day[i] < q->day_from) return false;
    if (q->day_to >= 0 && p->day[i] > q->day_to) return false;
    if (q->district >= 0 && p->district[i] != q->district) return false;
    return true;
}

typedef struct {
    uint32_t count, last;
    uint32_t by_status[DOM_ST_COUNT];
    uint64_t sum_x, sum_y;
} cell;

static void emit_clusters(const dom_mappoints *p, const cell *cells, long n, dom_mapresult *out) {
    for (long c = 0; c < n; c++) {
        const cell *k = &cells[c];
        if (!k->count) continue;
        dom_mapfeature *f = &out->features[out->n++];
        memset(f, 0, sizeof *f);
        if (k->count == 1) { /* a lone appeal is shown as itself */
            f->index = k->last;
            f->lat = dom_map_lat(p->y[k->last]);
            f->lon = dom_map_lon(p->x[k->last]);
            continue;
        }
        f->cluster = true;
        f->count = k->count;
        memcpy(f->by_status, k->by_status, sizeof f->by_status);
        f->lat = dom_map_lat((double)k->sum_y / k->count);
        f->lon = dom_map_lon((double)k->sum_x / k->count);
    }
}

static void emit_appeals(const dom_mappoints *p, const uint32_t *picked, size_t n,
                         dom_mapresult *out) {
    for (size_t j = 0; j < n; j++) {
        dom_mapfeature *f = &out->features[out->n++];
        memset(f, 0, sizeof *f);
        f->index = picked[j];
        f->lat = dom_map_lat(p->y[picked[j]]);
        f->lon = dom_map_lon(p->x[picked[j]]);
    }
}

/* One pass over the points (and, with the index, the cells) in the bbox. */
typedef struct {
    const dom_mappoints *p;
    const dom_mapquery *q;
    uint32_t b[4];
    grid g;
    cell *cells; /* NULL: appeals only */
    uint32_t *picked;
    size_t n_picked, max;
    uint64_t total;
    bool used_counts; /* some cells were taken by their counts: picked is incomplete */
} scan;

static void take(scan *s, size_t i) {
    const dom_mappoints *p = s->p;
    if (!matches(p, i, s->q, s->b)) return;
    s->total++;
    if (s->n_picked < s->max) s->picked[s->n_picked++] = (uint32_t)i;
    if (!s->cells) return;
    long cx = (long)(p->x[i] >> s->g.shift) - (long)s->g.x0;
    long cy = (long)(p->y[i] >> s->g.shift) - (long)s->g.y0;
    cell *k = &s->cells[cy * s->g.nx + cx];
    k->count++;
    k->last = (uint32_t)i;
    k->by_status[p->status[i] < DOM_ST_COUNT ? p->status[i] : 0]++;
    k->sum_x += p->x[i];
    k->sum_y += p->y[i];
}

/* A cell wholly in the bbox, by its counts; false when it must be scanned. */
static bool take_counts(scan *s, const dom_mapcell *c) {
    uint32_t n = 0, all = 0;
    for (int st = 0; st < DOM_ST_COUNT; st++) {
        all += c->by_status[st];
        if (s->q->any_status || s->q->status[st]) n += c->by_status[st];
    }
    if (n < 2 || !all) return n == 0; /* a lone appeal is shown as itself: scan */
    uint32_t fx = (uint32_t)(c->key & 0xffffffffu), fy = (uint32_t)(c->key >> 32);
    long cx = (long)(((uint64_t)fx << MAP_FINE_SHIFT) >> s->g.shift) - (long)s->g.x0;
    long cy = (long)(((uint64_t)fy << MAP_FINE_SHIFT) >> s->g.shift) - (long)s->g.y0;
    cell *k = &s->cells[cy * s->g.nx + cx];
    k->count += n;
    for (int st = 0; st < DOM_ST_COUNT; st++)
        if (s->q->any_status || s->q->status[st]) k->by_status[st] += c->by_status[st];
    k->sum_x += (uint64_t)((double)c->sum_x / all * n); /* the cell's mean, n times */
    k->sum_y += (uint64_t)((double)c->sum_y / all * n);
    s->total += n;
    s->used_counts = true;
    return true;
}

static bool cell_inside(const dom_mapcell *c, const uint32_t b[4]) {
    uint64_t x0 = (c->key & 0xffffffffu) << MAP_FINE_SHIFT, y0 = (c->key >> 32) << MAP_FINE_SHIFT;
    uint64_t size = (uint64_t)1 << MAP_FINE_SHIFT;
    return x0 >= b[0] && x0 + size - 1 <= b[2] && y0 >= b[1] && y0 + size - 1 <= b[3];
}

static void run_scan(scan *s, bool counts) {
    const dom_mappoints *p = s->p;
    s->total = 0;
    s->n_picked = 0;
    s->used_counts = false;
    if (s->cells) memset(s->cells, 0, (size_t)(s->g.nx * s->g.ny) * sizeof *s->cells);
    if (!p->cells || p->stale) {
        for (size_t i = 0; i < p->n; i++) take(s, i);
        return;
    }
    const dom_mapquery *q = s->q;
    counts = counts && s->cells && s->g.shift >= MAP_FINE_SHIFT && q->any_category &&
             q->day_from < 0 && q->day_to < 0 && q->district < 0;
    uint64_t x0 = s->b[0] >> MAP_FINE_SHIFT, x1 = s->b[2] >> MAP_FINE_SHIFT;
    for (uint64_t cy = s->b[1] >> MAP_FINE_SHIFT; cy <= (s->b[3] >> MAP_FINE_SHIFT); cy++) {
        for (long c = find_cell(p->cells, p->n_cells, cy << 32 | x0, false);
             c < (long)p->n_cells && p->cells[c].key <= (cy << 32 | x1); c++) {
            const dom_mapcell *k = &p->cells[c];
            if (counts && cell_inside(k, s->b) && take_counts(s, k)) continue;
            for (uint32_t j = 0; j < k->len; j++) take(s, p->order[k->start + j]);
        }
    }
    for (size_t i = p->indexed; i < p->n; i++) take(s, i);
}

void dom_map_aggregate(const dom_mappoints *p, const dom_mapquery *q, dom_mapresult *out) {
    memset(out, 0, sizeof *out);
    scan s = {.p = p, .q = q};
    s.max = q->max_features > 0 ? (size_t)q->max_features : MAP_MAX_FEATURES;
    bool appeals_only = q->zoom >= MAP_APPEAL_ZOOM;
    /* y grows southwards: the north edge is the smaller y */
    s.b[0] = dom_map_x(q->min_lon), s.b[1] = dom_map_y(q->max_lat);
    s.b[2] = dom_map_x(q->max_lon), s.b[3] = dom_map_y(q->min_lat);
    if (!appeals_only) {
        grid_make(&s.g, s.b, q->zoom, (long)s.max);
        s.cells = xcalloc((size_t)(s.g.nx * s.g.ny), sizeof *s.cells);
    }
    s.picked = xmalloc(s.max * sizeof *s.picked);
    run_scan(&s, true);
    if (s.used_counts && s.total <= s.max) run_scan(&s, false); /* few: the appeals themselves */
    out->total = s.total;
    out->features = xmalloc(s.max * sizeof *out->features);
    if (appeals_only || s.total <= s.max) {
        emit_appeals(p, s.picked, s.n_picked, out);
        out->truncated = s.total > s.n_picked;
    } else {
        out->clustered = true;
        emit_clusters(p, s.cells, s.g.nx * s.g.ny, out);
    }
    free(s.picked);
    free(s.cells);
}

bool dom_map_date_days(int y, int m, int d, int *days) {
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || y > 2150 || m < 1 || m > 12 || d < 1) return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap)) return false;
    /* days_from_civil (H. Hinnant) */
    int yy = y - (m <= 2);
    int era = yy / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *days = era * 146097 + doe - 719468;
    return true;
}

int dom_map_day_of(int64_t ms) {
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm)) return 0;
    int days = 0;
    dom_map_date_days(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &days);
    return days;
}
