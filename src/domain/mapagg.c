/* See mapagg.h. */
#include "domain/mapagg.h"
#include "util/buf.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "util/banned.h"

#define CELL_PX 64.0

void dom_mappoints_init(dom_mappoints *p) { memset(p, 0, sizeof *p); }

#define GROW(field) p->field = xrealloc(p->field, cap * sizeof *p->field)

void dom_mappoints_reserve(dom_mappoints *p, size_t cap) {
    if (cap <= p->cap) return;
    GROW(id);
    GROW(lat);
    GROW(lon);
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
    free(p->lat);
    free(p->lon);
    free(p->seq);
    free(p->year);
    free(p->day);
    free(p->status);
    free(p->category);
    free(p->district);
    dom_mappoints_init(p);
}

size_t dom_mappoints_bytes(const dom_mappoints *p) {
    return p->cap * (sizeof *p->id + sizeof *p->lat + sizeof *p->lon + sizeof *p->seq +
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

void dom_mappoints_put(dom_mappoints *p, const dom_mappoint *pt) {
    size_t i = p->n && p->id[p->n - 1] < pt->id ? p->n : lower_bound(p, pt->id);
    if (i == p->n || p->id[i] != pt->id) {
        if (p->n == p->cap) dom_mappoints_reserve(p, p->cap ? p->cap + p->cap / 4 + 1024 : 1024);
        if (i < p->n) { /* out of order: rare (another server's earlier commit) */
            SHIFT(id);
            SHIFT(lat);
            SHIFT(lon);
            SHIFT(seq);
            SHIFT(year);
            SHIFT(day);
            SHIFT(status);
            SHIFT(category);
            SHIFT(district);
        }
        p->n++;
    }
    p->id[i] = pt->id;
    p->lat[i] = pt->lat;
    p->lon[i] = pt->lon;
    p->seq[i] = pt->seq;
    p->year[i] = pt->year;
    p->day[i] = pt->day;
    p->status[i] = pt->status;
    p->category[i] = pt->category;
    p->district[i] = pt->district;
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

/* Web Mercator, in pixels of a world `w` pixels wide. */
static double merc_x(double lon, double w) { return (lon + 180.0) / 360.0 * w; }
static double merc_y(double lat, double w) {
    if (lat > 85.0511) lat = 85.0511;
    if (lat < -85.0511) lat = -85.0511;
    double r = lat * M_PI / 180.0;
    return (1.0 - log(tan(r) + 1.0 / cos(r)) / M_PI) / 2.0 * w;
}
static double merc_lat(double y, double w) {
    return atan(sinh(M_PI * (1.0 - 2.0 * y / w))) * 180.0 / M_PI;
}

typedef struct {
    double w, s;      /* world width and cell size in pixels */
    long x0, y0;      /* first cell column/row */
    long nx, ny;
    double *row_lat;  /* row r holds lat in [row_lat[r], top): descending */
} grid;

static void grid_make(grid *g, const dom_mapquery *q, long max_cells) {
    g->w = 256.0 * ldexp(1.0, q->zoom);
    g->s = CELL_PX;
    for (;;) {
        g->x0 = (long)floor(merc_x(q->min_lon, g->w) / g->s);
        long x1 = (long)floor(merc_x(q->max_lon, g->w) / g->s);
        g->y0 = (long)floor(merc_y(q->max_lat, g->w) / g->s);
        long y1 = (long)floor(merc_y(q->min_lat, g->w) / g->s);
        g->nx = x1 - g->x0 + 1;
        g->ny = y1 - g->y0 + 1;
        if (g->nx * g->ny <= max_cells) break;
        g->s *= 2;
    }
    g->row_lat = xmalloc((size_t)g->ny * sizeof *g->row_lat);
    for (long r = 0; r < g->ny; r++) g->row_lat[r] = merc_lat((double)(g->y0 + r + 1) * g->s, g->w);
}

static long grid_cell(const grid *g, double lat, double lon) {
    long cx = (long)floor(merc_x(lon, g->w) / g->s) - g->x0;
    if (cx < 0) cx = 0;
    if (cx >= g->nx) cx = g->nx - 1;
    long lo = 0, hi = g->ny - 1; /* first row whose bottom latitude <= lat */
    while (lo < hi) {
        long mid = (lo + hi) / 2;
        if (g->row_lat[mid] <= lat) hi = mid;
        else lo = mid + 1;
    }
    return lo * g->nx + cx;
}

static bool matches(const dom_mappoints *p, size_t i, const dom_mapquery *q, const float b[4]) {
    float lat = p->lat[i], lon = p->lon[i];
    if (lon < b[0] || lat < b[1] || lon > b[2] || lat > b[3]) return false;
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
    double sum_lat, sum_lon;
} cell;

static void emit_clusters(const dom_mappoints *p, const cell *cells, long n, dom_mapresult *out) {
    for (long c = 0; c < n; c++) {
        const cell *k = &cells[c];
        if (!k->count) continue;
        dom_mapfeature *f = &out->features[out->n++];
        memset(f, 0, sizeof *f);
        if (k->count == 1) { /* a lone appeal is shown as itself */
            f->index = k->last;
            f->lat = p->lat[k->last];
            f->lon = p->lon[k->last];
            continue;
        }
        f->cluster = true;
        f->count = k->count;
        memcpy(f->by_status, k->by_status, sizeof f->by_status);
        f->lat = k->sum_lat / k->count;
        f->lon = k->sum_lon / k->count;
    }
}

void dom_map_aggregate(const dom_mappoints *p, const dom_mapquery *q, dom_mapresult *out) {
    memset(out, 0, sizeof *out);
    long max = q->max_features > 0 ? q->max_features : MAP_MAX_FEATURES;
    bool appeals_only = q->zoom >= MAP_APPEAL_ZOOM;
    grid g = {0};
    cell *cells = NULL;
    if (!appeals_only) {
        grid_make(&g, q, max);
        cells = calloc((size_t)(g.nx * g.ny), sizeof *cells);
        if (!cells) abort();
    }
    uint32_t *picked = xmalloc((size_t)max * sizeof *picked);
    size_t n_picked = 0;
    const float b[4] = {(float)q->min_lon, (float)q->min_lat, (float)q->max_lon, (float)q->max_lat};
    for (size_t i = 0; i < p->n; i++) {
        if (!matches(p, i, q, b)) continue;
        out->total++;
        if (n_picked < (size_t)max) picked[n_picked++] = (uint32_t)i;
        if (!cells) continue;
        cell *k = &cells[grid_cell(&g, p->lat[i], p->lon[i])];
        k->count++;
        k->last = (uint32_t)i;
        k->by_status[p->status[i] < DOM_ST_COUNT ? p->status[i] : 0]++;
        k->sum_lat += p->lat[i];
        k->sum_lon += p->lon[i];
    }
    out->features = xmalloc((size_t)max * sizeof *out->features);
    if (appeals_only || out->total <= (uint64_t)max) {
        for (size_t j = 0; j < n_picked; j++) {
            dom_mapfeature *f = &out->features[out->n++];
            memset(f, 0, sizeof *f);
            f->index = picked[j];
            f->lat = p->lat[picked[j]];
            f->lon = p->lon[picked[j]];
        }
        out->truncated = out->total > n_picked;
    } else {
        out->clustered = true;
        emit_clusters(p, cells, g.nx * g.ny, out);
    }
    free(picked);
    free(cells);
    free(g.row_lat);
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
