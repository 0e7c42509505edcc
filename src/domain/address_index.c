/* The in-memory address register: name search and the nearest house. */
#include "domain/address_index.h"
#include "util/buf.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define CELL_LAT 0.003  /* ~333 m */
#define CELL_LON 0.0045 /* ~333 m at 48.5° N: 3x3 cells cover 300 m */

typedef struct {
    int64_t id;
    char *name, *district;
    addr_kind kind;
    int *houses; /* address indices, natural order after finish */
    int n_houses, cap_houses;
    bool has_center;
    double lat, lon;
    int order; /* position by name, for stable ranking */
} street;

typedef struct {
    int street;
    char *old_name; /* NULL: the current name */
    addr_tokens tokens;
} name_entry;

typedef struct {
    int street;
    char *house, *norm, *district;
    bool has_coords;
    double lat, lon;
} address;

typedef struct {
    int64_t key;
    int addr;
} cell_ref;

struct addr_index {
    street *streets;
    size_t n_streets, cap_streets;
    name_entry *names;
    size_t n_names, cap_names;
    address *addrs;
    size_t n_addrs, cap_addrs;
    cell_ref *cells;
    size_t n_cells;
};

#define GROW(arr, n, cap)                                            \
    do {                                                             \
        if ((n) == (cap)) {                                          \
            (cap) = (cap) ? (cap) * 2 : 64;                          \
            (arr) = xrealloc((arr), sizeof *(arr) * (cap));          \
        }                                                            \
    } while (0)

addr_index *addr_index_new(void) { return xcalloc(1, sizeof(addr_index)); }

void addr_index_free(addr_index *ix) {
    if (!ix) return;
    for (size_t i = 0; i < ix->n_streets; i++) {
        free(ix->streets[i].name);
        free(ix->streets[i].district);
        free(ix->streets[i].houses);
    }
    for (size_t i = 0; i < ix->n_names; i++) free(ix->names[i].old_name);
    for (size_t i = 0; i < ix->n_addrs; i++) {
        free(ix->addrs[i].house);
        free(ix->addrs[i].norm);
        free(ix->addrs[i].district);
    }
    free(ix->streets);
    free(ix->names);
    free(ix->addrs);
    free(ix->cells);
    free(ix);
}

size_t addr_index_street_count(const addr_index *ix) { return ix->n_streets; }
size_t addr_index_address_count(const addr_index *ix) { return ix->n_addrs; }

static int street_by_id(const addr_index *ix, int64_t id) {
    size_t lo = 0, hi = ix->n_streets;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ix->streets[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < ix->n_streets && ix->streets[lo].id == id ? (int)lo : -1;
}

static void add_name(addr_index *ix, int s, const char *text, bool old) {
    GROW(ix->names, ix->n_names, ix->cap_names);
    name_entry *e = &ix->names[ix->n_names++];
    e->street = s;
    e->old_name = old ? xstrdup(text) : NULL;
    addr_tokenize(text, strlen(text), false, &e->tokens);
}

void addr_index_add_street(addr_index *ix, int64_t id, const char *name, const char *kind,
                           const char *district) {
    if (ix->n_streets && ix->streets[ix->n_streets - 1].id >= id) return; /* ids ascend */
    GROW(ix->streets, ix->n_streets, ix->cap_streets);
    street *s = &ix->streets[ix->n_streets++];
    memset(s, 0, sizeof *s);
    s->id = id;
    s->name = xstrdup(name);
    s->district = district && *district ? xstrdup(district) : NULL;
    s->kind = addr_kind_parse(kind);
    if (s->kind == ADDR_KIND_NONE) s->kind = ADDR_STREET;
    add_name(ix, (int)ix->n_streets - 1, name, false);
}

void addr_index_add_old_name(addr_index *ix, int64_t street_id, const char *old_name) {
    int s = street_by_id(ix, street_id);
    if (s >= 0 && old_name && *old_name) add_name(ix, s, old_name, true);
}

void addr_index_add_address(addr_index *ix, int64_t street_id, const char *house, bool has_coords,
                            double lat, double lon, const char *district) {
    int s = street_by_id(ix, street_id);
    if (s < 0 || !house || !*house) return;
    GROW(ix->addrs, ix->n_addrs, ix->cap_addrs);
    address *a = &ix->addrs[ix->n_addrs];
    char norm[ADDR_HOUSE_MAX];
    addr_house_norm(house, strlen(house), norm, sizeof norm);
    *a = (address){.street = s, .house = xstrdup(house), .norm = xstrdup(norm),
                   .district = district && *district ? xstrdup(district) : NULL,
                   .has_coords = has_coords && isfinite(lat) && isfinite(lon),
                   .lat = lat, .lon = lon};
    street *st = &ix->streets[s];
    GROW(st->houses, st->n_houses, st->cap_houses);
    st->houses[st->n_houses++] = (int)ix->n_addrs++;
}

static bool same_tokens(const addr_tokens *a, const addr_tokens *b) {
    if (a->n != b->n) return false;
    for (int i = 0; i < a->n; i++)
        if (a->t[i].len != b->t[i].len ||
            memcmp(a->t[i].cp, b->t[i].cp, sizeof(uint32_t) * (size_t)a->t[i].len) != 0)
            return false;
    return true;
}

int64_t addr_index_find_street(const addr_index *ix, const char *name, addr_kind kind) {
    addr_tokens t;
    addr_tokenize(name, strlen(name), false, &t);
    int best = -1, best_score = 99;
    for (size_t e = 0; e < ix->n_names; e++) {
        const name_entry *ne = &ix->names[e];
        if (!same_tokens(&t, &ne->tokens)) continue;
        const street *s = &ix->streets[ne->street];
        int score = (kind != ADDR_KIND_NONE && kind != s->kind ? 2 : 0) + (ne->old_name ? 1 : 0);
        if (score < best_score) best = ne->street, best_score = score;
    }
    if (best < 0 || (kind != ADDR_KIND_NONE && best_score >= 2 && kind != ADDR_STREET)) return -1;
    return ix->streets[best].id;
}

int64_t addr_index_find_exact(const addr_index *ix, const char *name, addr_kind kind) {
    addr_tokens t;
    addr_tokenize(name, strlen(name), false, &t);
    for (size_t e = 0; e < ix->n_names; e++) {
        const name_entry *ne = &ix->names[e];
        if (!ne->old_name && ix->streets[ne->street].kind == kind && same_tokens(&t, &ne->tokens))
            return ix->streets[ne->street].id;
    }
    return -1;
}

/* qsort has no context argument: the finishing thread sets this. */
static _Thread_local const addr_index *sorting;

static int cmp_house(const void *a, const void *b) {
    const address *x = &sorting->addrs[*(const int *)a], *y = &sorting->addrs[*(const int *)b];
    int c = addr_house_cmp(x->norm, y->norm);
    return c ? c : (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

static int cmp_street_name(const void *a, const void *b) {
    const street *x = &sorting->streets[*(const int *)a], *y = &sorting->streets[*(const int *)b];
    int c = strcmp(x->name, y->name);
    if (c) return c;
    return (x->kind > y->kind) - (x->kind < y->kind);
}

static int64_t cell_key(double lat, double lon) {
    int64_t y = (int64_t)floor(lat / CELL_LAT), x = (int64_t)floor(lon / CELL_LON);
    return y * 1000000 + x;
}

static int cmp_cell(const void *a, const void *b) {
    const cell_ref *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->addr > y->addr) - (x->addr < y->addr);
}

void addr_index_finish(addr_index *ix) {
    sorting = ix;
    int *order = xmalloc(sizeof(int) * (ix->n_streets + 1));
    for (size_t i = 0; i < ix->n_streets; i++) {
        street *s = &ix->streets[i];
        order[i] = (int)i;
        if (s->n_houses > 1) qsort(s->houses, (size_t)s->n_houses, sizeof(int), cmp_house);
        double lat = 0, lon = 0;
        int n = 0;
        for (int h = 0; h < s->n_houses; h++) {
            const address *a = &ix->addrs[s->houses[h]];
            if (!a->has_coords) continue;
            lat += a->lat;
            lon += a->lon;
            n++;
        }
        s->has_center = n > 0;
        if (n) s->lat = lat / n, s->lon = lon / n;
    }
    qsort(order, ix->n_streets, sizeof(int), cmp_street_name);
    for (size_t i = 0; i < ix->n_streets; i++) ix->streets[order[i]].order = (int)i;
    free(order);
    free(ix->cells);
    ix->cells = xmalloc(sizeof(cell_ref) * (ix->n_addrs + 1));
    ix->n_cells = 0;
    for (size_t i = 0; i < ix->n_addrs; i++)
        if (ix->addrs[i].has_coords)
            ix->cells[ix->n_cells++] =
                (cell_ref){cell_key(ix->addrs[i].lat, ix->addrs[i].lon), (int)i};
    qsort(ix->cells, ix->n_cells, sizeof(cell_ref), cmp_cell);
    sorting = NULL;
}

/* --- search ----------------------------------------------------------------- */

typedef struct {
    int street, rank, entry;
    int order;
} hit;

static int cmp_hit(const void *a, const void *b) {
    const hit *x = a, *y = b;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

static void fill_street(const addr_index *ix, const hit *h, int match, addr_suggestion *o) {
    const street *s = &ix->streets[h->street];
    *o = (addr_suggestion){.street = s->name, .kind = s->kind, .district = s->district,
                           .has_coords = s->has_center, .lat = s->lat, .lon = s->lon,
                           .old_name = ix->names[h->entry].old_name, .match = match};
}

/* The street's houses equal to, then starting with, house. */
static int emit_houses(const addr_index *ix, const hit *h, int match, const char *house,
                       addr_suggestion *out, int room) {
    const street *s = &ix->streets[h->street];
    size_t hl = strlen(house);
    int n = 0;
    for (int pass = 0; pass < 2 && n < room; pass++) {
        for (int i = 0; i < s->n_houses && n < room; i++) {
            const address *a = &ix->addrs[s->houses[i]];
            bool eq = strcmp(a->norm, house) == 0;
            if (pass == 0 ? !eq : (eq || strncmp(a->norm, house, hl) != 0)) continue;
            fill_street(ix, h, match, &out[n]);
            out[n].house = a->house;
            out[n].has_coords = a->has_coords;
            out[n].lat = a->lat;
            out[n].lon = a->lon;
            if (a->district) out[n].district = a->district;
            n++;
        }
    }
    return n;
}

static int rank_hits(const addr_index *ix, const addr_tokens *q, hit *hits) {
    int n = 0;
    for (size_t i = 0; i < ix->n_streets; i++) hits[i].rank = -1;
    for (size_t e = 0; e < ix->n_names; e++) {
        const name_entry *ne = &ix->names[e];
        int m = addr_tokens_match(q, &ne->tokens);
        if (m == ADDR_NO_MATCH) continue;
        const street *s = &ix->streets[ne->street];
        int rank = m * 4 + (ne->old_name ? 2 : 0) +
                   (q->kind != ADDR_KIND_NONE && q->kind != s->kind ? 1 : 0);
        hit *h = &hits[ne->street];
        if (h->rank < 0 || rank < h->rank)
            *h = (hit){.street = ne->street, .rank = rank, .entry = (int)e, .order = s->order};
    }
    for (size_t i = 0; i < ix->n_streets; i++)
        if (hits[i].rank >= 0) hits[n++] = hits[i];
    qsort(hits, (size_t)n, sizeof(hit), cmp_hit);
    return n;
}

int addr_index_search(const addr_index *ix, const char *q, addr_suggestion *out, int limit,
                      char *house_buf, size_t house_cap) {
    if (limit > ADDR_SUGGEST_MAX) limit = ADDR_SUGGEST_MAX;
    if (limit <= 0 || !ix->n_streets) return 0;
    size_t street_len;
    char house[ADDR_HOUSE_MAX];
    addr_split_house(q, &street_len, house, sizeof house);
    addr_tokens qt;
    addr_tokenize(q, street_len, true, &qt);
    if (qt.n == 0) return 0;
    str_copy(house_buf, house_cap, q + street_len);
    hit *hits = xmalloc(sizeof(hit) * ix->n_streets);
    int n_hits = rank_hits(ix, &qt, hits), n = 0;
    for (int i = 0; i < n_hits && n < limit; i++) {
        int match = hits[i].rank / 4;
        if (*house) {
            int got = emit_houses(ix, &hits[i], match, house, out + n, limit - n);
            if (got == 0) {
                fill_street(ix, &hits[i], match, &out[n]);
                out[n].house = house_buf;
                out[n].has_coords = false;
                got = 1;
            }
            n += got;
        } else {
            fill_street(ix, &hits[i], match, &out[n++]);
        }
    }
    free(hits);
    return n;
}

bool addr_index_nearest(const addr_index *ix, double lat, double lon, double max_m,
                        addr_suggestion *out, double *distance_m) {
    if (!isfinite(lat) || !isfinite(lon) || !ix->n_cells) return false;
    int best = -1;
    double best_d = max_m;
    int64_t cy = (int64_t)floor(lat / CELL_LAT), cx = (int64_t)floor(lon / CELL_LON);
    for (int64_t dy = -1; dy <= 1; dy++) {
        for (int64_t dx = -1; dx <= 1; dx++) {
            int64_t key = (cy + dy) * 1000000 + cx + dx;
            size_t lo = 0, hi = ix->n_cells;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (ix->cells[mid].key < key) lo = mid + 1;
                else hi = mid;
            }
            for (size_t i = lo; i < ix->n_cells && ix->cells[i].key == key; i++) {
                const address *a = &ix->addrs[ix->cells[i].addr];
                double d = addr_distance_m(lat, lon, a->lat, a->lon);
                if (d <= best_d && (best < 0 || d < best_d || ix->cells[i].addr < best)) {
                    best = ix->cells[i].addr;
                    best_d = d;
                }
            }
        }
    }
    if (best < 0) return false;
    const address *a = &ix->addrs[best];
    const street *s = &ix->streets[a->street];
    *out = (addr_suggestion){.street = s->name, .kind = s->kind, .house = a->house,
                             .district = a->district ? a->district : s->district,
                             .has_coords = true, .lat = a->lat, .lon = a->lon};
    *distance_m = best_d;
    return true;
}
