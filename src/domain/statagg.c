/* See statagg.h. */
#include "domain/statagg.h"
#include "domain/lifecycle.h"
#include "domain/mapagg.h"
#include "util/buf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define AREA_HALF 32768

void dom_statfacts_init(dom_statfacts *s, double center_lat, double center_lon) {
    memset(s, 0, sizeof *s);
    s->base_x = dom_map_x(center_lon) >> STAT_AREA_SHIFT;
    s->base_y = dom_map_y(center_lat) >> STAT_AREA_SHIFT;
}

void dom_statfacts_free(dom_statfacts *s) {
    free(s->f);
    free(s->order);
    free(s->day_start);
    free(s->open);
    memset(s, 0, sizeof *s);
}

void dom_statfacts_reserve(dom_statfacts *s, size_t cap) {
    if (cap <= s->cap) return;
    s->f = xrealloc(s->f, cap * sizeof *s->f);
    s->cap = cap;
}

static void list_open(dom_statfacts *s, size_t i) {
    if (s->n_open == s->open_cap) {
        s->open_cap = s->open_cap ? s->open_cap * 2 : 1024;
        s->open = xrealloc(s->open, s->open_cap * sizeof *s->open);
    }
    s->open[s->n_open++] = (uint32_t)i;
    s->f[i].flags |= STAT_F_LISTED;
}

static long find(const dom_statfacts *s, uint32_t id, size_t *at) {
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->f[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    *at = lo;
    return lo < s->n && s->f[lo].id == id ? (long)lo : -1;
}

void dom_statfacts_put(dom_statfacts *s, const dom_statfact *fact) {
    size_t at;
    long i = s->n && fact->id > s->f[s->n - 1].id ? -1 : find(s, fact->id, &at);
    if (s->n && fact->id > s->f[s->n - 1].id) at = s->n;
    bool open = dom_status_is_open((dom_status)fact->status);
    if (i >= 0) {
        dom_statfact *f = &s->f[i];
        if (f->day != fact->day) s->stale = true; /* its place in the day index moved */
        uint8_t listed = f->flags & STAT_F_LISTED;
        *f = *fact;
        f->flags = (uint8_t)((f->flags & ~STAT_F_LISTED) | listed);
        if (open && !listed && !s->stale) list_open(s, (size_t)i);
        return;
    }
    if (s->n == s->cap) dom_statfacts_reserve(s, s->cap ? s->cap + s->cap / 2 : 1024);
    if (at < s->n) {
        memmove(&s->f[at + 1], &s->f[at], (s->n - at) * sizeof *s->f);
        s->stale = true; /* indices past `at` moved */
    }
    s->f[at] = *fact;
    s->f[at].flags &= (uint8_t)~STAT_F_LISTED;
    s->n++;
    if (open && !s->stale) list_open(s, at);
}

void dom_statfacts_index(dom_statfacts *s) {
    free(s->order);
    free(s->day_start);
    s->order = NULL;
    s->day_start = NULL;
    s->n_days = 0;
    s->n_open = 0;
    int lo = 0, hi = -1;
    for (size_t i = 0; i < s->n; i++) {
        int d = s->f[i].day;
        if (i == 0 || d < lo) lo = d;
        if (i == 0 || d > hi) hi = d;
        s->f[i].flags &= (uint8_t)~STAT_F_LISTED;
    }
    if (s->n) {
        s->day0 = lo;
        s->n_days = hi - lo + 1;
        s->day_start = xcalloc((size_t)s->n_days + 1, sizeof *s->day_start);
        s->order = xmalloc(s->n * sizeof *s->order);
        for (size_t i = 0; i < s->n; i++) s->day_start[s->f[i].day - lo + 1]++;
        for (int d = 0; d < s->n_days; d++) s->day_start[d + 1] += s->day_start[d];
        uint32_t *next = xmalloc((size_t)s->n_days * sizeof *next);
        memcpy(next, s->day_start, (size_t)s->n_days * sizeof *next);
        for (size_t i = 0; i < s->n; i++) s->order[next[s->f[i].day - lo]++] = (uint32_t)i;
        free(next);
    }
    for (size_t i = 0; i < s->n; i++)
        if (dom_status_is_open((dom_status)s->f[i].status)) list_open(s, i);
    s->indexed = s->n;
    s->stale = false;
}

bool dom_statfacts_index_due(const dom_statfacts *s) {
    return s->stale || s->n - s->indexed >= STAT_INDEX_TAIL;
}

size_t dom_statfacts_bytes(const dom_statfacts *s) {
    return s->cap * sizeof *s->f + s->n * sizeof *s->order +
           (s->day_start ? ((size_t)s->n_days + 1) * sizeof *s->day_start : 0) +
           s->open_cap * sizeof *s->open;
}

static uint32_t rel(uint32_t v, uint32_t base) {
    int64_t r = (int64_t)v - (int64_t)base + AREA_HALF;
    return (uint32_t)(r < 0 ? 0 : r > 0xffff ? 0xffff : r);
}

uint32_t dom_stat_area(const dom_statfacts *s, double lat, double lon) {
    uint32_t x = dom_map_x(lon) >> STAT_AREA_SHIFT, y = dom_map_y(lat) >> STAT_AREA_SHIFT;
    return rel(x, s->base_x) << 16 | rel(y, s->base_y);
}

void dom_stat_area_center(const dom_statfacts *s, uint32_t area, int coarsen, double *lat,
                          double *lon) {
    uint32_t rx = (area >> 16) >> coarsen << coarsen, ry = (area & 0xffff) >> coarsen << coarsen;
    uint64_t half = 1ull << (STAT_AREA_SHIFT - 1 + coarsen);
    uint64_t x = ((uint64_t)(rx + s->base_x - AREA_HALF) << STAT_AREA_SHIFT) + half;
    uint64_t y = ((uint64_t)(ry + s->base_y - AREA_HALF) << STAT_AREA_SHIFT) + half;
    *lon = dom_map_lon((double)x);
    *lat = dom_map_lat((double)y);
}

uint32_t dom_stat_addr_hash(const char *a) {
    if (!a) return 0;
    uint32_t h = 2166136261u;
    bool any = false, gap = false;
    for (const unsigned char *p = (const unsigned char *)a; *p; p++) {
        unsigned char c = *p;
        if (c == ' ' || c == ',' || c == '.' || c == '\t') {
            gap = any;
            continue;
        }
        if (gap) {
            h = (h ^ ' ') * 16777619u;
            gap = false;
        }
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
        h = (h ^ c) * 16777619u;
        any = true;
    }
    return any ? (h ? h : 1) : 0;
}

int dom_stat_week_start(int day) {
    int r = (day + 3) % 7;
    if (r < 0) r += 7;
    return day - r;
}

void dom_stat_day_text(int day, char *out, size_t cap) {
    /* civil_from_days (H. Hinnant) */
    int64_t z = (int64_t)day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int64_t y = yoe + era * 400 + (m <= 2);
    snprintf(out, cap, "%04lld-%02d-%02d", (long long)y, m, d);
}

bool dom_stat_day_parse(const char *t, int *day) {
    if (!t || strlen(t) != 10 || t[4] != '-' || t[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (t[i] < '0' || t[i] > '9')) return false;
    int y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
    int m = (t[5] - '0') * 10 + (t[6] - '0'), d = (t[8] - '0') * 10 + (t[9] - '0');
    return y >= 1970 && y < 2150 && dom_map_date_days(y, m, d, day);
}

void dom_statquery_init(dom_statquery *q) {
    *q = (dom_statquery){.category = -1, .type = -1, .district = -1, .org = -1, .channel = -1};
}

/* --- percentiles ------------------------------------------------------- */

static void swap32(uint32_t *a, uint32_t *b) {
    uint32_t t = *a;
    *a = *b;
    *b = t;
}

/* Reorders v so that v[k] is the k-th smallest, smaller ones before it. */
static void select_kth(uint32_t *v, size_t n, size_t k) {
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo]) swap32(&v[mid], &v[lo]);
        if (v[hi] < v[lo]) swap32(&v[hi], &v[lo]);
        if (v[hi] < v[mid]) swap32(&v[hi], &v[mid]);
        uint32_t pivot = v[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                swap32(&v[i], &v[j]);
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return;
    }
}

bool dom_stat_percentiles(uint32_t *v, size_t n, double *median, double *p90) {
    if (!n) return false;
    size_t k = (n * 9 + 9) / 10 - 1; /* nearest rank: ceil(0.9 n) − 1 */
    select_kth(v, n, k);
    *p90 = v[k];
    size_t m = n / 2;
    select_kth(v, k + 1, m); /* the median lies in v[0 .. k] */
    double hi = v[m];
    if (n % 2) {
        *median = hi;
    } else {
        uint32_t lo = v[0];
        for (size_t i = 1; i < m; i++)
            if (v[i] > lo) lo = v[i];
        *median = ((double)lo + hi) / 2.0;
    }
    return true;
}

/* --- problem points: groups by (category, key) ------------------------- */

typedef struct {
    uint64_t key; /* category << 32 | address hash or area; UINT64_MAX: empty */
    uint32_t appeals, sample;
    uint16_t first, last;
} group;

typedef struct {
    group *g;
    size_t cap; /* a power of two */
} group_set;

static void groups_init(group_set *t, size_t expect) {
    size_t cap = 64;
    while (cap < expect * 2) cap *= 2;
    t->cap = cap;
    t->g = xmalloc(cap * sizeof *t->g);
    for (size_t i = 0; i < cap; i++) t->g[i].key = UINT64_MAX;
}

static void groups_add(group_set *t, uint64_t key, const dom_statfact *f) {
    uint64_t h = key * 0x9E3779B97F4A7C15ull;
    size_t i = (size_t)(h >> 32) & (t->cap - 1);
    while (t->g[i].key != UINT64_MAX && t->g[i].key != key) i = (i + 1) & (t->cap - 1);
    group *g = &t->g[i];
    if (g->key == UINT64_MAX) {
        *g = (group){.key = key, .appeals = 0, .sample = f->id, .first = f->day, .last = f->day};
    }
    g->appeals++;
    if (f->day < g->first) g->first = f->day;
    if (f->day >= g->last) {
        g->last = f->day;
        g->sample = f->id; /* the latest names the point */
    }
}

static int cmp_point(const void *a, const void *b) {
    const dom_statpoint *x = a, *y = b;
    if (x->appeals != y->appeals) return x->appeals > y->appeals ? -1 : 1;
    if (x->category != y->category) return x->category < y->category ? -1 : 1;
    return (x->key > y->key) - (x->key < y->key);
}

static int cmp_heat(const void *a, const void *b) {
    const dom_statheat *x = a, *y = b;
    if (x->weight != y->weight) return x->weight > y->weight ? -1 : 1;
    return (x->area > y->area) - (x->area < y->area);
}

/* The groups with at least min appeals, most first, at most cap. */
static dom_statpoint *points_of(const group_set *t, uint32_t min, int cap, int *n) {
    size_t count = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->g[i].key != UINT64_MAX && t->g[i].appeals >= min) count++;
    dom_statpoint *p = xmalloc((count ? count : 1) * sizeof *p);
    size_t k = 0;
    for (size_t i = 0; i < t->cap; i++) {
        const group *g = &t->g[i];
        if (g->key == UINT64_MAX || g->appeals < min) continue;
        p[k++] = (dom_statpoint){.key = (uint32_t)g->key, .appeals = g->appeals,
                                 .sample = g->sample, .first_day = g->first,
                                 .last_day = g->last, .category = (uint8_t)(g->key >> 32)};
    }
    qsort(p, count, sizeof *p, cmp_point);
    *n = (int)(count < (size_t)cap ? count : (size_t)cap);
    return p;
}

/* Areas weighted by the appeals of their repeated groups, heaviest first. */
static dom_statheat *heat_of(const group_set *t, uint32_t min, int *n) {
    group_set byarea;
    size_t count = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->g[i].key != UINT64_MAX && t->g[i].appeals >= min) count++;
    groups_init(&byarea, count + 1);
    for (size_t i = 0; i < t->cap; i++) {
        const group *g = &t->g[i];
        if (g->key == UINT64_MAX || g->appeals < min) continue;
        uint64_t key = (uint32_t)g->key;
        uint64_t h = key * 0x9E3779B97F4A7C15ull;
        size_t j = (size_t)(h >> 32) & (byarea.cap - 1);
        while (byarea.g[j].key != UINT64_MAX && byarea.g[j].key != key)
            j = (j + 1) & (byarea.cap - 1);
        if (byarea.g[j].key == UINT64_MAX) byarea.g[j] = (group){.key = key};
        byarea.g[j].appeals += g->appeals;
    }
    size_t k = 0;
    dom_statheat *h = xmalloc((count ? count : 1) * sizeof *h);
    for (size_t i = 0; i < byarea.cap; i++)
        if (byarea.g[i].key != UINT64_MAX)
            h[k++] = (dom_statheat){(uint32_t)byarea.g[i].key, byarea.g[i].appeals};
    free(byarea.g);
    qsort(h, k, sizeof *h, cmp_heat);
    *n = (int)(k < STAT_MAX_HEAT ? k : STAT_MAX_HEAT);
    return h;
}

/* --- the view ------------------------------------------------------------ */

static bool dims_match(const dom_statfact *f, const dom_statquery *q) {
    return (q->category < 0 || f->category == q->category) && (q->type < 0 || f->type == q->type) &&
           (q->district < 0 || f->district == q->district) && (q->org < 0 || f->org == q->org) &&
           (q->channel < 0 || f->channel == q->channel);
}

typedef struct {
    const dom_statquery *q;
    dom_statresult *r;
    uint32_t *durations;
    size_t n_durations, cap_durations;
    group_set addrs, areas;
} pass;

static void count_fact(pass *p, const dom_statfact *f) {
    const dom_statquery *q = p->q;
    if (f->day < q->day_from || f->day > q->day_to || !dims_match(f, q)) return;
    dom_statresult *r = p->r;
    if ((f->flags & STAT_F_TRIAL) && !q->include_trial) {
        r->trial_left_out++;
        return;
    }
    r->appeals++;
    r->by_category[f->category]++;
    r->by_type[f->type]++;
    r->by_district[f->district]++;
    r->by_org[f->org]++;
    r->by_channel[f->channel]++;
    r->by_hour[f->hour % 24]++;
    int b = q->by_week ? (f->day - r->trend_day0) / 7 : f->day - r->trend_day0;
    if (b >= 0 && b < r->n_trend) r->trend[b]++;
    if (f->status == DOM_ST_DONE || f->status == DOM_ST_CLOSED) {
        r->finished++;
        r->org_finished[f->org]++;
        if (f->flags & STAT_F_ON_TIME) {
            r->on_time++;
            r->org_on_time[f->org]++;
        }
        if (f->flags & STAT_F_REOPENED) r->reopened++;
        if (f->to_done_s != STAT_NOT_DONE) {
            if (p->n_durations == p->cap_durations) {
                p->cap_durations = p->cap_durations ? p->cap_durations * 2 : 1024;
                p->durations = xrealloc(p->durations, p->cap_durations * sizeof *p->durations);
            }
            p->durations[p->n_durations++] = f->to_done_s;
        }
    }
    if (f->rating) {
        r->rating_sum += f->rating;
        r->ratings++;
    }
    if (q->min_repeats > 0) {
        uint64_t cat = (uint64_t)f->category << 32;
        if (f->addr) groups_add(&p->addrs, cat | f->addr, f);
        groups_add(&p->areas, cat | f->area, f);
    }
}

static void count_open(const dom_statfact *f, const dom_statquery *q, dom_statresult *r) {
    if (!dom_status_is_open((dom_status)f->status) || !dims_match(f, q)) return;
    if ((f->flags & STAT_F_TRIAL) && !q->include_trial) return;
    r->open_now++;
    if (f->due_min <= q->now_min) {
        r->overdue_now++;
        r->org_overdue_now[f->org]++;
    }
}

void dom_stat_compute(const dom_statfacts *s, const dom_statquery *q, dom_statresult *out) {
    memset(out, 0, sizeof *out);
    if (q->day_to < q->day_from) return;
    out->trend_day0 = q->by_week ? dom_stat_week_start(q->day_from) : q->day_from;
    out->n_trend = q->by_week ? (dom_stat_week_start(q->day_to) - out->trend_day0) / 7 + 1
                              : q->day_to - q->day_from + 1;
    out->trend = xcalloc((size_t)out->n_trend, sizeof *out->trend);
    pass p = {.q = q, .r = out};

    /* The period's days in the index, then the facts appended since. */
    int d0 = 0, d1 = -1;
    size_t expect = s->n - s->indexed;
    if (s->stale) {
        expect = s->n;
    } else if (s->n_days) {
        d0 = q->day_from > s->day0 ? q->day_from - s->day0 : 0;
        d1 = q->day_to - s->day0 < s->n_days - 1 ? q->day_to - s->day0 : s->n_days - 1;
        if (d1 >= d0) expect += s->day_start[d1 + 1] - s->day_start[d0];
    }
    if (q->min_repeats > 0) {
        groups_init(&p.addrs, expect);
        groups_init(&p.areas, expect);
    }
    if (s->stale) {
        for (size_t i = 0; i < s->n; i++) count_fact(&p, &s->f[i]);
        for (size_t i = 0; i < s->n; i++) count_open(&s->f[i], q, out);
    } else {
        for (int d = d0; d <= d1; d++)
            for (uint32_t k = s->day_start[d]; k < s->day_start[d + 1]; k++)
                count_fact(&p, &s->f[s->order[k]]);
        for (size_t i = s->indexed; i < s->n; i++) count_fact(&p, &s->f[i]);
        for (size_t k = 0; k < s->n_open; k++) count_open(&s->f[s->open[k]], q, out);
    }
    double med, p90;
    if (dom_stat_percentiles(p.durations, p.n_durations, &med, &p90)) {
        out->has_durations = true;
        out->median_hours = med / 3600.0;
        out->p90_hours = p90 / 3600.0;
    }
    free(p.durations);
    if (q->min_repeats > 0) {
        uint32_t min = (uint32_t)q->min_repeats;
        out->addresses = points_of(&p.addrs, min, STAT_MAX_POINTS, &out->n_addresses);
        out->areas = points_of(&p.areas, min, STAT_MAX_POINTS, &out->n_areas);
        out->heat = heat_of(&p.areas, min, &out->n_heat);
        free(p.addrs.g);
        free(p.areas.g);
    }
}

void dom_statresult_free(dom_statresult *r) {
    free(r->trend);
    free(r->addresses);
    free(r->areas);
    free(r->heat);
    memset(r, 0, sizeof *r);
}
