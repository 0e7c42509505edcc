/* demo: realistic appeals for trying Kontakt and for benchmarks. The
 * category mix follows the shares in data/categories.json (MISSION.md);
 * times follow the day's rhythm; statuses follow each appeal's age and its
 * deadlines, with a realistic share of late work. Deterministic per seed. */
#include "cli/cli.h"
#include "domain/address.h"
#include "domain/deadline.h"
#include "domain/lifecycle.h"
#include "store/outbox.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/rand.h"
#include "util/timeutil.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define BATCH 5000

typedef struct {
    uint64_t s;
} rng;
static uint64_t rnext(rng *r) { /* splitmix64 */
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double runif(rng *r) { return (double)(rnext(r) >> 11) / 9007199254740992.0; }
static int rint_below(rng *r, int n) { return (int)(runif(r) * n); }
static double rnorm(rng *r) {
    double u = runif(r) + 1e-12, v = runif(r);
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

/* Where people live and file: rough centres of Dnipro's districts. */
static const double centres[][2] = {
    {48.4647, 35.0462}, {48.4500, 35.0100}, {48.4280, 35.0250}, {48.5050, 35.0850},
    {48.4820, 35.0000}, {48.5200, 34.9800}, {48.4400, 35.1100}, {48.4050, 34.9800},
    {48.4900, 35.1400}, {48.5300, 35.0300}, {48.4150, 35.0650}, {48.4700, 34.9300},
};
static const char *streets[] = {
    "просп. Дмитра Яворницького", "вул. Січеславська Набережна", "просп. Науки",
    "вул. Робоча", "просп. Слобожанський", "вул. Титова", "вул. Калинова",
    "вул. Набережна Перемоги", "просп. Мануйлівський", "вул. Старокозацька",
    "вул. Шолом-Алейхема", "просп. Олександра Поля", "вул. Святослава Хороброго",
    "вул. Академіка Белелюбського", "вул. Паникахи", "просп. Богдана Хмельницького",
};
static const char *first_names[] = {"Олена", "Іван", "Марія", "Андрій", "Наталія", "Олександр",
                                    "Тетяна", "Сергій", "Ірина", "Віктор", "Юлія", "Дмитро"};
static const char *last_names[] = {"Коваль", "Шевченко", "Бондаренко", "Ткаченко", "Кравченко",
                                   "Мельник", "Олійник", "Литвиненко", "Поліщук", "Савченко"};
static const char *phrases[] = {
    "Проблема триває з ранку, прошу вжити заходів.",
    "Мешканці будинку скаржаться вже другий день.",
    "Звертаюся повторно, ситуація не змінюється.",
    "Прошу терміново направити бригаду.",
    "Небезпечно для дітей і літніх людей.",
};

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Registration times: more by day than by night (Kyiv ~ UTC+2). */
static int64_t *draw_times(rng *r, long n, int64_t from, int64_t to) {
    static const double hour_weight[24] = {0.2, 0.15, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 1.0, 1.0,
                                           1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.7,
                                           0.6, 0.5, 0.4, 0.3};
    int64_t *t = xmalloc((size_t)n * sizeof *t);
    for (long i = 0; i < n;) {
        int64_t x = from + (int64_t)(runif(r) * (double)(to - from));
        int hour = (int)(((x / 3600000) + 2) % 24);
        if (runif(r) < hour_weight[hour]) t[i++] = x;
    }
    qsort(t, (size_t)n, sizeof *t, cmp_i64);
    return t;
}

static const dom_category *draw_category(rng *r, const dom_catalog *cat, double total) {
    double x = runif(r) * total;
    for (size_t i = 0; i < cat->n_cats; i++) {
        x -= cat->cats[i].demo_share;
        if (x <= 0) return &cat->cats[i];
    }
    return &cat->cats[cat->n_cats - 1];
}

static const dom_type *draw_type(rng *r, const dom_category *c) {
    /* The first types of a category are the common ones. */
    double total = 0;
    for (size_t i = 0; i < c->n_types; i++) total += 1.0 / (double)(i + 1);
    double x = runif(r) * total;
    for (size_t i = 0; i < c->n_types; i++) {
        x -= 1.0 / (double)(i + 1);
        if (x <= 0) return &c->types[i];
    }
    return &c->types[c->n_types - 1];
}

/* A real address with its point (the city's register, when loaded). */
typedef struct {
    char text[160];
    double lat, lon;
} demo_place;

/* The places in a grid of ~400 m cells (counting sort), to find the
 * building nearest to a drawn point. */
#define PLACE_CELL_LAT 0.0036
#define PLACE_CELL_LON 0.0054
#define PLACE_NEAR_M 350.0
typedef struct {
    demo_place *items;
    size_t n, cap;
    double lat0, lon0;
    int rows, cols;
    uint32_t *start; /* cell c: order[start[c] .. start[c + 1]) */
    uint32_t *order;
} demo_places;

static int place_cell(const demo_places *p, double lat, double lon, int *row, int *col) {
    *row = (int)floor((lat - p->lat0) / PLACE_CELL_LAT);
    *col = (int)floor((lon - p->lon0) / PLACE_CELL_LON);
    return *row >= 0 && *row < p->rows && *col >= 0 && *col < p->cols ? *row * p->cols + *col : -1;
}

static void places_index(demo_places *p) {
    if (!p->n) return;
    double lat1 = p->items[0].lat, lon1 = p->items[0].lon;
    p->lat0 = lat1, p->lon0 = lon1;
    for (size_t i = 0; i < p->n; i++) {
        p->lat0 = fmin(p->lat0, p->items[i].lat), lat1 = fmax(lat1, p->items[i].lat);
        p->lon0 = fmin(p->lon0, p->items[i].lon), lon1 = fmax(lon1, p->items[i].lon);
    }
    p->rows = (int)((lat1 - p->lat0) / PLACE_CELL_LAT) + 1;
    p->cols = (int)((lon1 - p->lon0) / PLACE_CELL_LON) + 1;
    if ((long)p->rows * p->cols > 4000000) { /* not a city: no snapping */
        p->n = 0;
        return;
    }
    size_t cells = (size_t)p->rows * (size_t)p->cols;
    p->start = xcalloc(cells + 1, sizeof *p->start);
    p->order = xmalloc(p->n * sizeof *p->order);
    int row, col;
    for (size_t i = 0; i < p->n; i++)
        p->start[place_cell(p, p->items[i].lat, p->items[i].lon, &row, &col) + 1]++;
    for (size_t c = 0; c < cells; c++) p->start[c + 1] += p->start[c];
    uint32_t *next = xmalloc(cells * sizeof *next);
    memcpy(next, p->start, cells * sizeof *next);
    for (size_t i = 0; i < p->n; i++)
        p->order[next[place_cell(p, p->items[i].lat, p->items[i].lon, &row, &col)]++] = (uint32_t)i;
    free(next);
}

/* The address nearest to a point, within PLACE_NEAR_M; NULL when none. */
static const demo_place *place_near(const demo_places *p, double lat, double lon) {
    if (!p->n) return NULL;
    int row, col;
    place_cell(p, lat, lon, &row, &col);
    const demo_place *best = NULL;
    double best_m = PLACE_NEAR_M;
    for (int r = row - 1; r <= row + 1; r++)
        for (int c = col - 1; c <= col + 1; c++) {
            if (r < 0 || r >= p->rows || c < 0 || c >= p->cols) continue;
            int cell = r * p->cols + c;
            for (uint32_t k = p->start[cell]; k < p->start[cell + 1]; k++) {
                const demo_place *d = &p->items[p->order[k]];
                double m = addr_distance_m(lat, lon, d->lat, d->lon);
                if (m < best_m) best_m = m, best = d;
            }
        }
    return best;
}

static void add_place(const char *street, const char *kind, const char *house, double lat,
                      double lon, void *ctx) {
    demo_places *p = ctx;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 4096;
        p->items = xrealloc(p->items, p->cap * sizeof *p->items);
    }
    demo_place *d = &p->items[p->n++];
    char label[128];
    addr_street_label(addr_kind_parse(kind), street, label, sizeof label);
    snprintf(d->text, sizeof d->text, "%s, %s", label, house);
    d->lat = lat;
    d->lon = lon;
}

/* Problem buildings: some appeals repeat the category and address of a
 * recent one (the same building's pipe again), as real cities see. */
#define DEMO_REPEAT_SHARE 0.04
#define DEMO_RECENT 512

typedef struct {
    const dom_catalog *cat;
    const dom_districts *districts; /* the same point-in-polygon and routing as intake */
    const demo_places *places;      /* empty: made-up addresses around district centres */
    const dom_routing *routing;
    const kontakt_config *cfg;
    rng r;
    const int64_t *times;
    long from, to;
    int64_t now;
    double total_share;
} demo_batch;


typedef struct {
    int64_t at;
    const char *kind, *status;
    bool public;
    const char *actor;
} demo_event;

/* How far an appeal of this age has got, with realistic lateness. */
static int simulate(rng *r, const dom_type *type, int64_t created, int64_t reaction_due,
                    int64_t resolution_due, int64_t now, demo_event *ev, store_state *st) {
    int n = 0;
    int64_t span = resolution_due - created, rspan = reaction_due - created;
    double fate = runif(r);
    st->status = "registered";
    if (fate < 0.03 || fate > 0.985) { /* not subject to consideration / outside competence */
        int64_t at = created + (int64_t)(runif(r) * (double)rspan);
        if (at > now) return 0;
        st->status = fate < 0.03 ? "rejected" : "forwarded";
        ev[n++] = (demo_event){at, st->status, st->status, true, "dispatcher"};
        st->updated_at = at;
        return n;
    }
    int64_t assigned = created + 60000 + (int64_t)(runif(r) * 15 * 60000);
    bool late_reaction = runif(r) < 0.08;
    int64_t reacted = created + (int64_t)((late_reaction ? 1.0 + runif(r) : 0.1 + 0.8 * runif(r)) *
                                          (double)rspan);
    if (reacted < assigned) reacted = assigned + 60000;
    bool late_done = runif(r) < (type->priority == DOM_PRIO_NORMAL ? 0.18 : 0.10);
    int64_t done = created + (int64_t)((late_done ? 1.0 + 0.6 * runif(r) : 0.15 + 0.8 * runif(r)) *
                                       (double)span);
    if (done <= reacted) done = reacted + 30 * 60000;
    int64_t closed = done + (int64_t)(runif(r) * 3.2 * 86400000.0);
    if (assigned <= now) {
        st->status = "assigned";
        ev[n++] = (demo_event){assigned, "assigned", "assigned", true, "dispatcher"};
    }
    if (!late_reaction || reaction_due > now) {
    } else {
        ev[n++] = (demo_event){reaction_due, "reaction_overdue", st->status, true, "system"};
        st->reaction_overdue = true;
    }
    if (reacted <= now) {
        st->status = "in_progress";
        st->reacted_at = reacted;
        ev[n++] = (demo_event){reacted, "in_progress", "in_progress", true, "executor"};
    }
    if (resolution_due <= now && (done > resolution_due)) {
        ev[n++] = (demo_event){resolution_due, "resolution_overdue", st->status, true, "system"};
        st->resolution_overdue = true;
    }
    /* Some residents dispute the work: reopened, then done again a day or two later. */
    if (done <= now && runif(r) < 0.05) {
        int64_t reopened = done + (int64_t)((0.1 + runif(r)) * 86400000.0);
        int64_t again = reopened + (int64_t)((0.5 + 1.5 * runif(r)) * 86400000.0);
        if (again <= now) {
            ev[n++] = (demo_event){done, "done", "done", true, "executor"};
            ev[n++] = (demo_event){reopened, "reopened", "reopened", true, "applicant"};
            st->reopen_count = 1;
            closed += again - done;
            done = again;
        }
    }
    if (done <= now) {
        st->status = "done";
        st->done_at = done;
        ev[n++] = (demo_event){done, "done", "done", true, "executor"};
    }
    if (closed <= now) {
        st->status = "closed";
        st->closed_at = closed;
        /* A third rate the work: mostly well, worse when it was late or disputed. */
        if (runif(r) < 0.3) {
            double u = runif(r) - (done > resolution_due ? 0.35 : 0) - (st->reopen_count ? 0.3 : 0);
            st->rating = u > 0.45 ? 5 : u > 0.2 ? 4 : u > 0.05 ? 3 : u > -0.2 ? 2 : 1;
        }
        ev[n++] = (demo_event){closed, "closed", "closed", true,
                               closed - done > 3 * 86400000LL ? "system" : "applicant"};
    }
    st->updated_at = n ? ev[n - 1].at : created;
    return n;
}

static int cmp_event(const void *a, const void *b) {
    int64_t x = ((const demo_event *)a)->at, y = ((const demo_event *)b)->at;
    return (x > y) - (x < y);
}

/* place: a building to repeat (NULL: a new point, near some building). */
static int insert_one(db_conn *c, rng *r, const demo_batch *b, const dom_category *cat,
                      const dom_type *type, int64_t created, const demo_place *place,
                      const demo_place **used) {
    char desc[768], addr[160], name[96], phone[16], email[64], token[TOKEN_TEXT_LEN + 1];
    char hash[HASH_HEX_LEN + 1];
    snprintf(desc, sizeof desc, "%s. %s", type->name_uk, phrases[rint_below(r, 5)]);
    snprintf(addr, sizeof addr, "%s, %d", streets[rint_below(r, 16)], 1 + rint_below(r, 120));
    snprintf(name, sizeof name, "%s %s", first_names[rint_below(r, 12)],
             last_names[rint_below(r, 10)]);
    static const char *const ops[] = {"50", "66", "67", "68", "73", "93", "95", "96", "97", "98"};
    snprintf(phone, sizeof phone, "+380%s%07d", ops[rint_below(r, 10)], rint_below(r, 10000000));
    snprintf(email, sizeof email, "demo%ld@example.com", (long)(rnext(r) % 1000000));
    rand_token(token, sizeof token);
    hash_hex(token, strlen(token), hash, sizeof hash);
    const dom_bounds *bd = &b->cfg->bounds;
    double lat, lon;
    if (!place) { /* a point around a district's centre, and the building nearest it */
        const double *ctr = centres[rint_below(r, 12)];
        lat = ctr[0] + rnorm(r) * 0.012;
        lon = ctr[1] + rnorm(r) * 0.018;
        place = place_near(b->places, lat, lon);
    }
    if (place) { /* the building's point, a few metres off */
        str_copy(addr, sizeof addr, place->text);
        lat = place->lat + rnorm(r) * 0.00005;
        lon = place->lon + rnorm(r) * 0.00007;
    }
    *used = place;
    lat = fmin(fmax(lat, bd->min_lat), bd->max_lat);
    lon = fmin(fmax(lon, bd->min_lon), bd->max_lon);
    double ch = runif(r);
    const dom_district *dist = dom_district_at(b->districts, lon, lat);
    const char *dcode = dist ? dist->code : NULL;
    int64_t reaction_due = dom_reaction_due(created, type->reaction);
    int64_t resolution_due = dom_resolution_due(created, type->resolution);
    store_new_appeal a = {
        .category = cat->code, .type = type->code, .priority = dom_priority_name(type->priority),
        .organisation = dom_route(b->routing, cat->code, type->code, dcode, type->organisation),
        .district = dcode, .channel = ch < 0.6 ? "phone" : ch < 0.95 ? "web" : "mobile",
        .description = desc, .address = addr, .name = name, .phone = phone,
        .email = runif(r) < 0.3 ? email : NULL, .lat = lat, .lon = lon, .created_at = created,
        .reaction_due_at = reaction_due, .resolution_due_at = resolution_due,
        .tracking_hash = hash, .trial = 0, .year = dom_local_year(created),
    };
    int64_t id;
    char number[16];
    int rc = store_appeal_insert(c, &a, &id, number);
    if (rc != DB_OK) return rc;
    demo_event ev[10];
    store_state st = {0};
    int n = simulate(r, type, created, reaction_due, resolution_due, b->now, ev, &st);
    if (n == 0) return DB_OK; /* still just registered: as inserted */
    qsort(ev, (size_t)n, sizeof ev[0], cmp_event);
    for (int i = 0; i < n && rc == DB_OK; i++)
        rc = store_event_add(c, id, ev[i].at, ev[i].kind, ev[i].status, ev[i].public,
                             ev[i].actor, NULL, NULL);
    return rc == DB_OK ? store_appeal_set_state(c, id, &st) : rc;
}

static int demo_tx(db_conn *c, void *ctx) {
    demo_batch *b = ctx;
    /* Each batch draws from its own stream: a retried batch draws the same appeals. */
    rng r = {b->r.s ^ ((uint64_t)b->from * 0x9E3779B97F4A7C15ull)};
    /* The batch's recent appeals: (category, place) pairs a repeat draws from. */
    struct {
        const dom_category *cat;
        const demo_place *place;
    } recent[DEMO_RECENT];
    int n_recent = 0;
    for (long i = b->from; i < b->to; i++) {
        const dom_category *cat = draw_category(&r, b->cat, b->total_share);
        const demo_place *place = NULL;
        if (n_recent && runif(&r) < DEMO_REPEAT_SHARE) {
            int k = rint_below(&r, n_recent < DEMO_RECENT ? n_recent : DEMO_RECENT);
            if (recent[k].place) cat = recent[k].cat, place = recent[k].place;
        }
        const dom_type *type = draw_type(&r, cat);
        int rc = insert_one(c, &r, b, cat, type, b->times[i], place, &place);
        recent[n_recent % DEMO_RECENT].cat = cat;
        recent[n_recent % DEMO_RECENT].place = place;
        n_recent++;
        if (rc != DB_OK) return rc;
    }
    return DB_OK;
}

int cmd_demo(int argc, char **argv) {
    kontakt_config cfg;
    cli_config_defaults(&cfg);
    long count = 2000, days = 90, seed = 1;
    bool if_empty = false;
    const cli_flag flags[] = {
        {"--db", "URL", "SQLite file or postgresql:// URL (default var/kontakt.db)", &cfg.db_url,
         NULL, 0, 0, NULL},
        {"--count", "N", "appeals to add (default 2000, up to 10000000)", NULL, &count, 1,
         10000000, NULL},
        {"--days", "D", "spread over the last D days (default 90)", NULL, &days, 1, 3650, NULL},
        {"--seed", "S", "random seed: the same seed gives the same appeals (default 1)", NULL,
         &seed, 0, 2147483647, NULL},
        {"--if-empty", NULL, "add demo appeals only when the database has none", NULL, NULL, 0,
         0, &if_empty},
        {0},
    };
    const char *pos[1];
    int n_pos;
    int r = cli_parse(cli_find("demo"), flags, argc, argv, pos, 0, &n_pos);
    if (r) return r > 0 ? 0 : 2;
    db_conn c;
    /* Made-up applicants are told nothing: no outbox rows for demo appeals. */
    store_outbox_set_enabled(false);
    if (!cli_open(cfg.db_url, &c)) return 1;
    int64_t existing = 0;
    if (if_empty && store_count_appeals(&c, &existing) == DB_OK && existing > 0) {
        fprintf(stderr, "kontakt demo: the database already has %lld appeals; none added\n",
                (long long)existing);
        cli_close(&c);
        return 0;
    }
    dom_catalog cat;
    if (!cli_catalog_from_db(&c, "demo", &cat)) {
        cli_close(&c);
        return 1;
    }
    dom_districts districts;
    dom_routing routing;
    if (!cli_places_from_db(&c, "demo", &districts, &routing)) {
        dom_catalog_free(&cat);
        cli_close(&c);
        return 1;
    }
    demo_places places = {0};
    if (store_addresses_with_points(&c, add_place, &places) != DB_OK) places.n = 0;
    places_index(&places);
    demo_batch b = {.cat = &cat, .districts = &districts, .places = &places, .routing = &routing, .cfg = &cfg, .r = {(uint64_t)seed * 7919 + 17},
                    .now = time_now_ms()};
    for (size_t i = 0; i < cat.n_cats; i++) b.total_share += cat.cats[i].demo_share;
    if (c.drv->kind == DB_KIND_SQLITE) {
        /* A bulk load: a crash mid-way loses only demo data, so skip the
         * fsyncs and keep the WAL from checkpointing every few pages. */
        c.drv->exec_script(c.conn, "PRAGMA synchronous=OFF; PRAGMA wal_autocheckpoint=100000;"
                                   "PRAGMA cache_size=-65536;");
    }
    int64_t *times = draw_times(&b.r, count, b.now - days * 86400000LL, b.now - 60000);
    b.times = times;
    int64_t t0 = time_monotonic_us();
    int rc = DB_OK;
    for (long from = 0; from < count && rc == DB_OK; from += BATCH) {
        b.from = from;
        b.to = from + BATCH < count ? from + BATCH : count;
        rc = store_tx(&c, true, demo_tx, &b);
    }
    double secs = (double)(time_monotonic_us() - t0) / 1e6;
    if (rc == DB_OK)
        fprintf(stderr, "kontakt demo: %ld appeals in %.1f s (%.0f/s)\n", count, secs,
                (double)count / secs);
    else
        fprintf(stderr, "kontakt demo: failed (database error %d); the last batch was not stored\n", rc);
    free(times);
    free(places.items);
    free(places.start);
    free(places.order);
    dom_districts_free(&districts);
    dom_routing_free(&routing);
    dom_catalog_free(&cat);
    cli_close(&c);
    return rc == DB_OK ? 0 : 1;
}
