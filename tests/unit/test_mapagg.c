/* The map's aggregation: appeals vs clusters, counts per cell and status,
 * every filter, the feature cap, ordered inserts and replacements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/mapagg.h"

static void add(dom_mappoints *p, uint32_t id, double lat, double lon, dom_status st, int cat,
                int day, int district) {
    dom_mappoint pt = {.id = id, .seq = id, .year = 2026, .lat = lat, .lon = lon,
                       .status = (uint8_t)st, .category = (uint8_t)cat, .day = (uint16_t)day,
                       .district = (uint8_t)district};
    dom_mappoints_put(p, &pt);
}

/* 3,000 points on a 60 x 50 lattice over the city, status id % 3,
 * category id % 4, day 20000 + id % 10, district id % 2. */
static void city(dom_mappoints *p) {
    dom_mappoints_init(p);
    uint32_t id = 1;
    for (int i = 0; i < 60; i++)
        for (int j = 0; j < 50; j++, id++)
            add(p, id, 48.40 + i * 0.002, 34.95 + j * 0.003, (dom_status)(1 + id % 3), (int)(id % 4),
                20000 + (int)(id % 10), (int)(id % 2));
}

static void whole_city(dom_mapquery *q, int zoom) {
    dom_mapquery_init(q);
    q->min_lon = 34.9, q->max_lon = 35.2, q->min_lat = 48.35, q->max_lat = 48.55;
    q->zoom = zoom;
}

static uint64_t sum_counts(const dom_mapresult *r) {
    uint64_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        const dom_mapfeature *f = &r->features[i];
        if (!f->cluster) {
            n++;
            continue;
        }
        uint32_t by = 0;
        for (int s = 0; s < DOM_ST_COUNT; s++) by += f->by_status[s];
        assert_int_equal(by, f->count);
        n += f->count;
    }
    return n;
}

static void clusters_at_low_zoom(void **state) {
    (void)state;
    dom_mappoints p;
    city(&p);
    dom_mapquery q;
    whole_city(&q, 11);
    dom_mapresult r;
    dom_map_aggregate(&p, &q, &r);
    assert_true(r.clustered);
    assert_int_equal(r.total, 3000);
    assert_true(r.n > 1 && r.n < 100);
    assert_int_equal(sum_counts(&r), 3000);
    for (size_t i = 0; i < r.n; i++) { /* centres lie inside the bbox */
        assert_true(r.features[i].lat > q.min_lat && r.features[i].lat < q.max_lat);
        assert_true(r.features[i].lon > q.min_lon && r.features[i].lon < q.max_lon);
    }
    dom_mapresult_free(&r);
    /* A finer zoom: more, smaller cells, the same total. */
    whole_city(&q, 13);
    dom_map_aggregate(&p, &q, &r);
    assert_true(r.clustered);
    assert_int_equal(sum_counts(&r), 3000);
    assert_true(r.n > 100);
    dom_mapresult_free(&r);
    dom_mappoints_free(&p);
}

static void appeals_when_few_or_close(void **state) {
    (void)state;
    dom_mappoints p;
    city(&p);
    dom_mapquery q;
    dom_mapquery_init(&q);
    q.min_lon = 34.95, q.max_lon = 34.96, q.min_lat = 48.40, q.max_lat = 48.41; /* 4 x 6 points */
    q.zoom = 12;
    dom_mapresult r;
    dom_map_aggregate(&p, &q, &r);
    assert_false(r.clustered);
    assert_int_equal(r.total, 24);
    assert_int_equal(r.n, 24);
    for (size_t i = 0; i < r.n; i++) assert_false(r.features[i].cluster);
    assert_float_equal(r.features[0].lat, 48.40, 1e-6);
    assert_float_equal(r.features[0].lon, 34.95, 1e-6);
    dom_mapresult_free(&r);
    /* zoom >= 16: appeals even when many, capped */
    whole_city(&q, 16);
    q.max_features = 100;
    dom_map_aggregate(&p, &q, &r);
    assert_false(r.clustered);
    assert_int_equal(r.total, 3000);
    assert_int_equal(r.n, 100);
    assert_true(r.truncated);
    dom_mapresult_free(&r);
    dom_mappoints_free(&p);
}

static void feature_cap_holds(void **state) {
    (void)state;
    dom_mappoints p;
    city(&p);
    dom_mapquery q;
    whole_city(&q, 15); /* ~many small cells: doubled until they fit */
    q.max_features = 50;
    dom_mapresult r;
    dom_map_aggregate(&p, &q, &r);
    assert_true(r.clustered);
    assert_true(r.n <= 50);
    assert_int_equal(sum_counts(&r), 3000);
    dom_mapresult_free(&r);
    dom_mappoints_free(&p);
}

static uint64_t total_of(const dom_mappoints *p, const dom_mapquery *q) {
    dom_mapresult r;
    dom_map_aggregate(p, q, &r);
    uint64_t t = r.total;
    assert_int_equal(sum_counts(&r), r.clustered ? t : r.n);
    dom_mapresult_free(&r);
    return t;
}

static void filters(void **state) {
    (void)state;
    dom_mappoints p;
    city(&p);
    dom_mapquery q;
    whole_city(&q, 11);
    q.any_status = false;
    q.status[DOM_ST_REGISTERED] = true; /* id % 3 == 0 */
    assert_int_equal(total_of(&p, &q), 1000);
    q.status[DOM_ST_ASSIGNED] = true;
    assert_int_equal(total_of(&p, &q), 2000);
    whole_city(&q, 11);
    q.any_category = false;
    q.category[1] = true;
    assert_int_equal(total_of(&p, &q), 750);
    whole_city(&q, 11);
    q.day_from = 20002, q.day_to = 20003;
    assert_int_equal(total_of(&p, &q), 600);
    q.day_to = -1;
    assert_int_equal(total_of(&p, &q), 2400);
    whole_city(&q, 11);
    q.district = 1;
    assert_int_equal(total_of(&p, &q), 1500);
    /* all at once */
    q.any_category = false;
    q.category[0] = true; /* id % 4 == 0 and odd: none */
    assert_int_equal(total_of(&p, &q), 0);
    dom_mappoints_free(&p);
}

static void put_keeps_order_and_replaces(void **state) {
    (void)state;
    dom_mappoints p;
    dom_mappoints_init(&p);
    add(&p, 10, 48.45, 35.0, DOM_ST_REGISTERED, 0, 1, MAP_NO_CODE);
    add(&p, 30, 48.46, 35.0, DOM_ST_REGISTERED, 0, 1, MAP_NO_CODE);
    add(&p, 20, 48.47, 35.0, DOM_ST_REGISTERED, 0, 1, MAP_NO_CODE);
    assert_int_equal(p.n, 3);
    assert_int_equal(p.id[1], 20);
    assert_int_equal(dom_mappoints_find(&p, 30), 2);
    assert_int_equal(dom_mappoints_find(&p, 25), -1);
    add(&p, 20, 48.47, 35.0, DOM_ST_DONE, 0, 1, MAP_NO_CODE);
    assert_int_equal(p.n, 3);
    assert_int_equal(p.status[1], DOM_ST_DONE);
    assert_true(dom_mappoints_bytes(&p) > 0);
    dom_mappoints_free(&p);
}

static void dates_and_projection(void **state) {
    (void)state;
    int d = 0;
    assert_true(dom_map_date_days(1970, 1, 1, &d));
    assert_int_equal(d, 0);
    assert_true(dom_map_date_days(2026, 3, 1, &d));
    assert_int_equal(d, 20513);
    assert_true(dom_map_date_days(2024, 2, 29, &d));
    assert_false(dom_map_date_days(2026, 2, 29, &d));
    assert_false(dom_map_date_days(2026, 13, 1, &d));
    assert_false(dom_map_date_days(2026, 4, 31, &d));
    assert_float_equal(dom_map_lat(dom_map_y(48.4647)), 48.4647, 1e-6);
    assert_float_equal(dom_map_lon(dom_map_x(35.0462)), 35.0462, 1e-6);
    assert_true(dom_map_y(48.5) < dom_map_y(48.4)); /* y grows south */
}

/* The spatial index answers exactly what the plain scan answers. */
static void index_matches_scan(void **state) {
    (void)state;
    dom_mappoints plain, fast;
    city(&plain);
    city(&fast);
    dom_mappoints_index(&fast);
    assert_false(dom_mappoints_index_due(&fast));
    add(&fast, 5000, 48.45, 35.05, DOM_ST_DONE, 1, 20001, 0); /* pending, after the index */
    add(&plain, 5000, 48.45, 35.05, DOM_ST_DONE, 1, 20001, 0);
    add(&fast, 7, 48.40 + 0.002 * 0, 34.95 + 0.003 * 6, DOM_ST_CLOSED, 3, 20007, 1); /* a status change */
    add(&plain, 7, 48.40, 34.968, DOM_ST_CLOSED, 3, 20007, 1);
    assert_false(fast.stale);
    const double boxes[][4] = {{34.9, 48.35, 35.2, 48.55}, {34.97, 48.42, 35.05, 48.47},
                               {35.0, 48.44, 35.01, 48.45}, {34.951, 48.401, 35.1, 48.5}};
    const int zooms[] = {9, 11, 12, 13, 14, 16, 18};
    for (size_t bi = 0; bi < sizeof boxes / sizeof boxes[0]; bi++)
        for (size_t zi = 0; zi < sizeof zooms / sizeof zooms[0]; zi++)
            for (int f = 0; f < 3; f++) {
                dom_mapquery q;
                dom_mapquery_init(&q);
                q.min_lon = boxes[bi][0], q.min_lat = boxes[bi][1];
                q.max_lon = boxes[bi][2], q.max_lat = boxes[bi][3];
                q.zoom = zooms[zi];
                if (f == 1) q.any_status = false, q.status[DOM_ST_CLOSED] = q.status[DOM_ST_DONE] = true;
                if (f == 2) q.district = 1;
                dom_mapresult a, b;
                dom_map_aggregate(&plain, &q, &a);
                dom_map_aggregate(&fast, &q, &b);
                assert_int_equal(a.total, b.total);
                assert_int_equal(a.clustered, b.clustered);
                assert_int_equal(a.n, b.n);
                assert_int_equal(sum_counts(&a), sum_counts(&b));
                dom_mapresult_free(&a);
                dom_mapresult_free(&b);
            }
    /* a build is installed only when nothing changed meanwhile */
    dom_mapindex_build b;
    dom_mapindex_make(&fast, &b);
    add(&fast, 6000, 48.45, 35.05, DOM_ST_DONE, 1, 20001, 0);
    assert_false(dom_mapindex_install(&fast, &b));
    dom_mapindex_make(&fast, &b);
    assert_true(dom_mapindex_install(&fast, &b));
    assert_int_equal(fast.indexed, fast.n);
    /* an insert among indexed points makes the index stale, not wrong */
    add(&fast, 3, 48.45, 35.05, DOM_ST_DONE, 1, 20001, 0);
    assert_true(fast.stale);
    assert_true(dom_mappoints_index_due(&fast));
    dom_mappoints_free(&plain);
    dom_mappoints_free(&fast);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clusters_at_low_zoom),
        cmocka_unit_test(appeals_when_few_or_close),
        cmocka_unit_test(feature_cap_holds),
        cmocka_unit_test(filters),
        cmocka_unit_test(put_keeps_order_and_replaces),
        cmocka_unit_test(dates_and_projection),
        cmocka_unit_test(index_matches_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
