/* See statagg.h. */
#include "domain/statagg.h"
#include "domain/lifecycle.h"
#include "domain/mapagg.h"
#include "domain/scorecard.h"
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

/* --- problem points: sorted keys, not hash tables ------------------------
 * Each fact of the view gives a key per kind of place:
 *   category << 48 | place (address hash or area, 32 bits) << 16 | day.
 * A radix sort (four 16-bit digits) lines the keys up by (category, place),
 * days ascending within: a run is a group, its first and last keys give its
 * days. Sorting keeps the memory access sequential; hashing a million keys
 * into tables of millions of slots was five times slower. */

#define KEY_GROUP(k) ((k) >> 16)
#define KEY_DAY(k) ((uint16_t)((k) & 0xffff))

typedef struct {
    uint64_t *k;
    size_t n, cap;
} keys;

static void keys_push(keys *a, uint64_t k) {
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 4096;
        a->k = xrealloc(a->k, a->cap * sizeof *a->k);
    }
    a->k[a->n++] = k;
}

/* Sorts by the group (bits 16..63); the day in bits 0..15 rides along
 * unsorted (a run's first and last days are its minimum and maximum).
 * tmp: room for n keys; count: 65536 counters. */
static void radix_sort(uint64_t *v, size_t n, uint64_t *tmp, uint32_t *count) {
    if (n < 2) return;
    uint64_t *src = v, *dst = tmp;
    for (int shift = 16; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++) count[(src[i] >> shift) & 0xffff]++;
        if (count[(src[0] >> shift) & 0xffff] == n) continue; /* one digit value: in order already */
        uint32_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            uint32_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) dst[count[(src[i] >> shift) & 0xffff]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, n * sizeof *v);
}

/* Better first: more appeals, then lower category, then lower key. */
static bool point_before(const dom_statpoint *x, const dom_statpoint *y) {
    if (x->appeals != y->appeals) return x->appeals > y->appeals;
    if (x->category != y->category) return x->category < y->category;
    return x->key < y->key;
}

/* Keeps the best `cap` points in order (insertion into a short list). */
static void top_insert(dom_statpoint *top, int *n, int cap, const dom_statpoint *p) {
    if (*n == cap && !point_before(p, &top[cap - 1])) return;
    int i = *n < cap ? (*n)++ : cap - 1;
    while (i > 0 && point_before(p, &top[i - 1])) {
        top[i] = top[i - 1];
        i--;
    }
    top[i] = *p;
}

typedef struct {
    uint32_t area, weight;
} area_weight;

static int cmp_area(const void *a, const void *b) {
    uint32_t x = ((const area_weight *)a)->area, y = ((const area_weight *)b)->area;
    return (x > y) - (x < y);
}

static int cmp_heat(const void *a, const void *b) {
    const dom_statheat *x = a, *y = b;
    if (x->weight != y->weight) return x->weight > y->weight ? -1 : 1;
    return (x->area > y->area) - (x->area < y->area);
}

/* The runs of sorted keys with at least min appeals: the best STAT_MAX_POINTS
 * into top; with `heat`, every such run's appeals added to its area. */
static dom_statpoint *runs(keys *a, uint64_t *tmp, uint32_t *count, uint32_t min, int *n_top,
                           area_weight **heat, size_t *n_heat) {
    radix_sort(a->k, a->n, tmp, count);
    dom_statpoint *top = xmalloc(STAT_MAX_POINTS * sizeof *top);
    *n_top = 0;
    size_t heat_cap = 0;
    for (size_t i = 0; i < a->n;) {
        size_t j = i + 1;
        uint64_t g = KEY_GROUP(a->k[i]);
        uint16_t first = KEY_DAY(a->k[i]), last = first;
        for (; j < a->n && KEY_GROUP(a->k[j]) == g; j++) {
            uint16_t d = KEY_DAY(a->k[j]);
            if (d < first) first = d;
            if (d > last) last = d;
        }
        uint32_t appeals = (uint32_t)(j - i);
        if (appeals >= min) {
            dom_statpoint p = {.key = (uint32_t)g, .appeals = appeals, .first_day = first,
                               .last_day = last, .category = (uint8_t)(g >> 32)};
            top_insert(top, n_top, STAT_MAX_POINTS, &p);
            if (heat) {
                if (*n_heat == heat_cap) {
                    heat_cap = heat_cap ? heat_cap * 2 : 1024;
                    *heat = xrealloc(*heat, heat_cap * sizeof **heat);
                }
                (*heat)[(*n_heat)++] = (area_weight){(uint32_t)g, appeals};
            }
        }
        i = j;
    }
    return top;
}

/* The heat layer: the runs' appeals summed per area, heaviest first. */
static dom_statheat *heat_of(area_weight *w, size_t n, int *n_out) {
    if (n) qsort(w, n, sizeof *w, cmp_area); /* w is NULL when no place repeats */
    dom_statheat *h = xmalloc((n ? n : 1) * sizeof *h);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && h[k - 1].area == w[i].area) h[k - 1].weight += w[i].weight;
        else h[k++] = (dom_statheat){w[i].area, w[i].weight};
    }
    qsort(h, k, sizeof *h, cmp_heat);
    *n_out = (int)(k < STAT_MAX_HEAT ? k : STAT_MAX_HEAT);
    return h;
}

/* The selected points' names: for each, the latest of its appeals (a small
 * table: at most 2 × STAT_MAX_POINTS entries). */
#define PICK_SLOTS 256
typedef struct {
    uint64_t group[PICK_SLOTS]; /* category << 32 | place; UINT64_MAX: empty */
    dom_statpoint *point[PICK_SLOTS];
} pick_table;

static void pick_init(pick_table *t) {
    for (int i = 0; i < PICK_SLOTS; i++) t->group[i] = UINT64_MAX;
}

static size_t pick_slot(const pick_table *t, uint64_t g) {
    size_t i = (size_t)((g * 0x9E3779B97F4A7C15ull) >> 56);
    while (t->group[i] != UINT64_MAX && t->group[i] != g) i = (i + 1) % PICK_SLOTS;
    return i;
}

static void pick_add(pick_table *t, uint64_t g, dom_statpoint *p) {
    size_t i = pick_slot(t, g);
    t->group[i] = g;
    t->point[i] = p;
    p->sample = 0;
}

static void pick_see(const pick_table *t, uint64_t g, const dom_statfact *f) {
    size_t i = pick_slot(t, g);
    if (t->group[i] != g) return;
    dom_statpoint *p = t->point[i];
    if (f->day == p->last_day && f->id > p->sample) p->sample = f->id;
}

/* --- the view ------------------------------------------------------------ */

static bool dims_match(const dom_statfact *f, const dom_statquery *q) {
    return (q->category < 0 || f->category == q->category) && (q->type < 0 || f->type == q->type) &&
           (q->district < 0 || f->district == q->district) && (q->org < 0 || f->org == q->org) &&
           (q->channel < 0 || f->channel == q->channel);
}

typedef struct pass pass;
typedef void (*fact_fn)(pass *p, const dom_statfact *f);

struct pass {
    const dom_statquery *q;
    dom_statresult *r;
    uint32_t *durations;
    size_t n_durations, cap_durations;
    keys addrs, areas;
    pick_table pick_addr, pick_area;
    uint64_t *last_days; /* bitmap over the period's days: a named point's last day */
};

/* Calls fn for every fact of the view's period (and only those). */
static void each_in_period(const dom_statfacts *s, const dom_statquery *q, pass *p, fact_fn fn) {
    if (s->stale) {
        for (size_t i = 0; i < s->n; i++)
            if (s->f[i].day >= q->day_from && s->f[i].day <= q->day_to) fn(p, &s->f[i]);
        return;
    }
    if (s->n_days) {
        int d0 = q->day_from > s->day0 ? q->day_from - s->day0 : 0;
        int d1 = q->day_to - s->day0 < s->n_days - 1 ? q->day_to - s->day0 : s->n_days - 1;
        for (int d = d0; d <= d1; d++)
            for (uint32_t k = s->day_start[d]; k < s->day_start[d + 1]; k++) fn(p, &s->f[s->order[k]]);
    }
    for (size_t i = s->indexed; i < s->n; i++)
        if (s->f[i].day >= q->day_from && s->f[i].day <= q->day_to) fn(p, &s->f[i]);
}

static bool counted(const pass *p, const dom_statfact *f) {
    return dims_match(f, p->q) && (!(f->flags & STAT_F_TRIAL) || p->q->include_trial);
}

static void count_fact(pass *p, const dom_statfact *f) {
    const dom_statquery *q = p->q;
    if (!dims_match(f, q)) return;
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
    if (dom_finished((dom_status)f->status)) {
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
        uint64_t cat = (uint64_t)f->category << 48;
        if (f->addr) keys_push(&p->addrs, cat | (uint64_t)f->addr << 16 | f->day);
        keys_push(&p->areas, cat | (uint64_t)f->area << 16 | f->day);
    }
}

static void name_fact(pass *p, const dom_statfact *f) {
    unsigned d = (unsigned)(f->day - p->q->day_from);
    if (!(p->last_days[d >> 6] >> (d & 63) & 1) || !counted(p, f)) return;
    uint64_t cat = (uint64_t)f->category << 32;
    if (f->addr) pick_see(&p->pick_addr, cat | f->addr, f);
    pick_see(&p->pick_area, cat | f->area, f);
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

static void problem_points(const dom_statfacts *s, const dom_statquery *q, pass *p,
                           dom_statscratch *w, dom_statresult *out) {
    uint32_t min = (uint32_t)q->min_repeats;
    area_weight *aw = NULL;
    size_t n_aw = 0;
    size_t need = p->areas.n > p->addrs.n ? p->areas.n : p->addrs.n;
    if (w->tmp_cap < need) {
        free(w->tmp);
        w->tmp = xmalloc((need + 1) * sizeof *w->tmp);
        w->tmp_cap = need + 1;
    }
    if (!w->count) w->count = xmalloc(65536 * sizeof *w->count);
    out->addresses = runs(&p->addrs, w->tmp, w->count, min, &out->n_addresses, NULL, NULL);
    out->areas = runs(&p->areas, w->tmp, w->count, min, &out->n_areas, &aw, &n_aw);
    out->heat = heat_of(aw, n_aw, &out->n_heat);
    free(aw);
    pick_init(&p->pick_addr);
    pick_init(&p->pick_area);
    size_t days = (size_t)(q->day_to - q->day_from) + 1;
    p->last_days = xcalloc((days + 63) / 64, sizeof *p->last_days);
    for (int i = 0; i < out->n_addresses; i++) {
        dom_statpoint *pt = &out->addresses[i];
        pick_add(&p->pick_addr, (uint64_t)pt->category << 32 | pt->key, pt);
        unsigned d = (unsigned)(pt->last_day - q->day_from);
        p->last_days[d >> 6] |= 1ull << (d & 63);
    }
    for (int i = 0; i < out->n_areas; i++) {
        dom_statpoint *pt = &out->areas[i];
        pick_add(&p->pick_area, (uint64_t)pt->category << 32 | pt->key, pt);
        unsigned d = (unsigned)(pt->last_day - q->day_from);
        p->last_days[d >> 6] |= 1ull << (d & 63);
    }
    if (out->n_addresses || out->n_areas) each_in_period(s, q, p, name_fact);
    free(p->last_days);
}

void dom_statscratch_free(dom_statscratch *w) {
    free(w->addr_keys);
    free(w->area_keys);
    free(w->tmp);
    free(w->count);
    free(w->durations);
    memset(w, 0, sizeof *w);
}

size_t dom_statscratch_bytes(const dom_statscratch *w) {
    return (w->addr_cap + w->area_cap + w->tmp_cap) * sizeof(uint64_t) +
           (w->count ? 65536 * sizeof(uint32_t) : 0) + w->durations_cap * sizeof(uint32_t);
}

void dom_stat_compute(const dom_statfacts *s, const dom_statquery *q, dom_statscratch *scratch,
                      dom_statresult *out) {
    memset(out, 0, sizeof *out);
    if (q->day_to < q->day_from) return;
    dom_statscratch own = {0};
    dom_statscratch *w = scratch ? scratch : &own;
    out->trend_day0 = q->by_week ? dom_stat_week_start(q->day_from) : q->day_from;
    out->n_trend = q->by_week ? (dom_stat_week_start(q->day_to) - out->trend_day0) / 7 + 1
                              : q->day_to - q->day_from + 1;
    out->trend = xcalloc((size_t)out->n_trend, sizeof *out->trend);
    pass p = {.q = q, .r = out, .durations = w->durations, .cap_durations = w->durations_cap};
    if (q->min_repeats > 0) { /* the period's facts bound the keys: no growing on the way */
        size_t expect = s->stale ? s->n : s->n - s->indexed;
        if (!s->stale && s->n_days) {
            int d0 = q->day_from > s->day0 ? q->day_from - s->day0 : 0;
            int d1 = q->day_to - s->day0 < s->n_days - 1 ? q->day_to - s->day0 : s->n_days - 1;
            if (d1 >= d0) expect += s->day_start[d1 + 1] - s->day_start[d0];
        }
        if (w->addr_cap < expect + 1) {
            free(w->addr_keys);
            free(w->area_keys);
            w->addr_cap = w->area_cap = expect + 1;
            w->addr_keys = xmalloc(w->addr_cap * sizeof *w->addr_keys);
            w->area_keys = xmalloc(w->area_cap * sizeof *w->area_keys);
        }
        p.addrs = (keys){w->addr_keys, 0, w->addr_cap};
        p.areas = (keys){w->area_keys, 0, w->area_cap};
    }
    each_in_period(s, q, &p, count_fact);
    if (s->stale) {
        for (size_t i = 0; i < s->n; i++) count_open(&s->f[i], q, out);
    } else {
        for (size_t k = 0; k < s->n_open; k++) count_open(&s->f[s->open[k]], q, out);
    }
    double med, p90;
    if (dom_stat_percentiles(p.durations, p.n_durations, &med, &p90)) {
        out->has_durations = true;
        out->median_hours = med / 3600.0;
        out->p90_hours = p90 / 3600.0;
    }
    w->durations = p.durations; /* possibly grown */
    w->durations_cap = p.cap_durations;
    if (q->min_repeats > 0) {
        w->addr_keys = p.addrs.k, w->addr_cap = p.addrs.cap;
        w->area_keys = p.areas.k, w->area_cap = p.areas.cap;
        problem_points(s, q, &p, w, out);
    }
    if (!scratch) dom_statscratch_free(&own);
}

void dom_statresult_free(dom_statresult *r) {
    free(r->trend);
    free(r->addresses);
    free(r->areas);
    free(r->heat);
    memset(r, 0, sizeof *r);
}
