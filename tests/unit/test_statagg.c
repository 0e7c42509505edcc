/* The analytics' arithmetic (domain/statagg.h) on a fixture whose every
 * figure is known: counts and shares by dimension, the period, the trend by
 * day and by week, percentiles, on-time and reopen shares, ratings, open
 * and overdue now, trial left out, problem points, and the day index kept
 * right through appends, replacements and inserts out of order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/lifecycle.h"
#include "domain/statagg.h"

#define DAY0 20400 /* 2025-11-08, a Saturday */
#define LAT 48.4647
#define LON 35.0462

static dom_statfact fact(uint32_t id, int day, int cat, dom_status st) {
    return (dom_statfact){.id = id, .day = (uint16_t)day, .category = (uint8_t)cat,
                          .type = (uint8_t)(cat * 2), .district = (uint8_t)(id % 2),
                          .org = (uint8_t)cat, .channel = (uint8_t)(id % 3), .status = (uint8_t)st,
                          .hour = (uint8_t)(id % 24), .to_done_s = STAT_NOT_DONE,
                          .due_min = 1000000};
}

/* Ten appeals over three days:
 *   ids 1..4: category 0, day DAY0, done in 1, 2, 3, 4 hours; 1..3 on time; 2 reopened
 *   ids 5..7: category 1, day DAY0+1, open (assigned); 5 overdue (due 100 < now)
 *   id 8:     category 1, day DAY0+2, closed, 10 hours, rating 5
 *   id 9:     category 2, day DAY0+2, rejected, rating 2
 *   id 10:    category 0, day DAY0+2, trial, done in 100 hours */
static void fixture(dom_statfacts *s) {
    dom_statfacts_init(s, LAT, LON);
    for (uint32_t id = 1; id <= 4; id++) {
        dom_statfact f = fact(id, DAY0, 0, DOM_ST_DONE);
        f.to_done_s = id * 3600;
        if (id <= 3) f.flags |= STAT_F_ON_TIME;
        if (id == 2) f.flags |= STAT_F_REOPENED;
        dom_statfacts_put(s, &f);
    }
    for (uint32_t id = 5; id <= 7; id++) {
        dom_statfact f = fact(id, DAY0 + 1, 1, DOM_ST_ASSIGNED);
        if (id == 5) f.due_min = 100;
        dom_statfacts_put(s, &f);
    }
    dom_statfact f8 = fact(8, DAY0 + 2, 1, DOM_ST_CLOSED);
    f8.to_done_s = 10 * 3600;
    f8.rating = 5;
    dom_statfacts_put(s, &f8);
    dom_statfact f9 = fact(9, DAY0 + 2, 2, DOM_ST_REJECTED);
    f9.rating = 2;
    dom_statfacts_put(s, &f9);
    dom_statfact f10 = fact(10, DAY0 + 2, 0, DOM_ST_DONE);
    f10.flags |= STAT_F_TRIAL;
    f10.to_done_s = 100 * 3600;
    dom_statfacts_put(s, &f10);
}

static void period(dom_statquery *q, int from, int to) {
    dom_statquery_init(q);
    q->day_from = from;
    q->day_to = to;
    q->now_min = 5000;
}

static void check_whole(const dom_statresult *r) {
    assert_int_equal(r->appeals, 9);
    assert_int_equal(r->trial_left_out, 1);
    assert_int_equal(r->by_category[0], 4);
    assert_int_equal(r->by_category[1], 4);
    assert_int_equal(r->by_category[2], 1);
    assert_int_equal(r->by_type[2], 4);
    assert_int_equal(r->finished, 5); /* 1..4 done, 8 closed */
    assert_int_equal(r->on_time, 3);
    assert_int_equal(r->reopened, 1);
    assert_int_equal(r->ratings, 2);
    assert_int_equal(r->rating_sum, 7);
    /* durations 1, 2, 3, 4, 10 h: median 3, p90 = ceil(4.5) = 5th = 10 */
    assert_true(r->has_durations);
    assert_true(r->median_hours == 3.0);
    assert_true(r->p90_hours == 10.0);
    assert_int_equal(r->open_now, 3);
    assert_int_equal(r->overdue_now, 1);
    assert_int_equal(r->org_overdue_now[1], 1);
    assert_int_equal(r->org_finished[0], 4);
    assert_int_equal(r->org_on_time[0], 3);
    uint64_t hours = 0, channels = 0, districts = 0;
    for (int h = 0; h < 24; h++) hours += r->by_hour[h];
    for (int c = 0; c < 256; c++) channels += r->by_channel[c], districts += r->by_district[c];
    assert_int_equal(hours, 9);
    assert_int_equal(channels, 9);
    assert_int_equal(districts, 9);
    assert_int_equal(r->by_hour[5], 1);
    assert_int_equal(r->n_trend, 3);
    assert_int_equal(r->trend[0], 4);
    assert_int_equal(r->trend[1], 3);
    assert_int_equal(r->trend[2], 2);
}

static void figures_before_and_after_index(void **state) {
    (void)state;
    dom_statfacts s;
    fixture(&s);
    dom_statquery q;
    period(&q, DAY0, DAY0 + 2);
    dom_statresult r;
    dom_stat_compute(&s, &q, NULL, &r); /* all in the tail: no index yet */
    check_whole(&r);
    dom_statresult_free(&r);
    dom_statfacts_index(&s);
    assert_int_equal(s.indexed, 10);
    dom_stat_compute(&s, &q, NULL, &r);
    check_whole(&r);
    dom_statresult_free(&r);
    /* working memory kept between views gives the same figures */
    dom_statscratch w = {0};
    for (int i = 0; i < 3; i++) {
        q.min_repeats = i + 2;
        dom_stat_compute(&s, &q, &w, &r);
        check_whole(&r);
        dom_statresult_free(&r);
    }
    assert_true(dom_statscratch_bytes(&w) > 0);
    dom_statscratch_free(&w);
    dom_statfacts_free(&s);
}

static void period_and_filters(void **state) {
    (void)state;
    dom_statfacts s;
    fixture(&s);
    dom_statfacts_index(&s);
    dom_statquery q;
    dom_statresult r;
    period(&q, DAY0 + 1, DAY0 + 1);
    dom_stat_compute(&s, &q, NULL, &r);
    assert_int_equal(r.appeals, 3);
    assert_int_equal(r.finished, 0);
    assert_false(r.has_durations);
    assert_int_equal(r.open_now, 3); /* open now ignores the period */
    dom_statresult_free(&r);

    period(&q, DAY0, DAY0 + 2);
    q.category = 0;
    q.include_trial = true;
    dom_stat_compute(&s, &q, NULL, &r);
    assert_int_equal(r.appeals, 5);
    assert_int_equal(r.trial_left_out, 0);
    /* 1, 2, 3, 4, 100 h: median 3, p90 = 5th = 100 */
    assert_true(r.median_hours == 3.0);
    assert_true(r.p90_hours == 100.0);
    assert_int_equal(r.open_now, 0);
    dom_statresult_free(&r);

    period(&q, DAY0, DAY0 + 2);
    q.district = 1; /* odd ids: 1, 3, 5, 7, 9 */
    q.channel = 0;  /* ids divisible by 3: 3, 9 */
    dom_stat_compute(&s, &q, NULL, &r);
    assert_int_equal(r.appeals, 2);
    dom_statresult_free(&r);

    period(&q, DAY0 + 3, DAY0 + 40); /* after the data */
    dom_stat_compute(&s, &q, NULL, &r);
    assert_int_equal(r.appeals, 0);
    assert_int_equal(r.n_trend, 38);
    dom_statresult_free(&r);
    dom_statfacts_free(&s);
}

static void weeks(void **state) {
    (void)state;
    dom_statfacts s;
    fixture(&s);
    dom_statquery q;
    period(&q, DAY0, DAY0 + 2); /* Sat, Sun | Mon */
    q.by_week = true;
    dom_statresult r;
    dom_stat_compute(&s, &q, NULL, &r);
    assert_int_equal(r.trend_day0, DAY0 - 5); /* Monday 2025-11-03 */
    assert_int_equal(r.n_trend, 2);
    assert_int_equal(r.trend[0], 7);
    assert_int_equal(r.trend[1], 2);
    dom_statresult_free(&r);
    assert_int_equal(dom_stat_week_start(4), 4); /* 1970-01-05, a Monday */
    assert_int_equal(dom_stat_week_start(0), -3);
    assert_int_equal(dom_stat_week_start(10), 4);
    assert_int_equal(dom_stat_week_start(11), 11);
    char t[16];
    dom_stat_day_text(DAY0, t, sizeof t);
    assert_string_equal(t, "2025-11-08");
    int d = 0;
    assert_true(dom_stat_day_parse("2025-11-08", &d));
    assert_int_equal(d, DAY0);
    assert_false(dom_stat_day_parse("2025-02-29", &d));
    assert_false(dom_stat_day_parse("2025-1-08", &d));
    assert_false(dom_stat_day_parse("2025-11-08x", &d));
    dom_statfacts_free(&s);
}

static void changes_keep_the_index_right(void **state) {
    (void)state;
    dom_statfacts s;
    fixture(&s);
    dom_statfacts_index(&s);
    dom_statquery q;
    period(&q, DAY0, DAY0 + 5);
    dom_statresult r;
    /* 6 is done now: open 2; a reopened done appeal is open again */
    dom_statfact f6 = fact(6, DAY0 + 1, 1, DOM_ST_DONE);
    f6.to_done_s = 7200;
    dom_statfacts_put(&s, &f6);
    dom_statfact f1 = fact(1, DAY0, 0, DOM_ST_REOPENED);
    f1.flags |= STAT_F_REOPENED;
    dom_statfacts_put(&s, &f1);
    /* appended after the index, on a later day */
    dom_statfact f11 = fact(11, DAY0 + 5, 2, DOM_ST_REGISTERED);
    dom_statfacts_put(&s, &f11);
    assert_false(s.stale);
    dom_stat_compute(&s, &q, NULL, &r);
    assert_int_equal(r.appeals, 10);
    assert_int_equal(r.open_now, 4); /* 1, 5, 7, 11 */
    assert_int_equal(r.by_category[2], 2);
    dom_statresult_free(&r);
    /* an id below the last one: out of order, the index is stale, still right */
    dom_statfacts_free(&s);
    dom_statfacts_init(&s, LAT, LON);
    dom_statfact a = fact(20, DAY0, 0, DOM_ST_ASSIGNED), b = fact(10, DAY0 + 1, 1, DOM_ST_ASSIGNED);
    dom_statfacts_put(&s, &a);
    dom_statfacts_index(&s);
    dom_statfacts_put(&s, &b);
    assert_true(s.stale);
    assert_true(dom_statfacts_index_due(&s));
    dom_stat_compute(&s, &q, NULL, &r);
    assert_int_equal(r.appeals, 2);
    assert_int_equal(r.open_now, 2);
    dom_statresult_free(&r);
    dom_statfacts_index(&s);
    assert_false(s.stale);
    assert_int_equal(s.f[0].id, 10);
    dom_stat_compute(&s, &q, NULL, &r);
    assert_int_equal(r.appeals, 2);
    assert_int_equal(r.open_now, 2);
    dom_statresult_free(&r);
    dom_statfacts_free(&s);
}

static void percentiles(void **state) {
    (void)state;
    double med, p90;
    uint32_t none[1];
    assert_false(dom_stat_percentiles(none, 0, &med, &p90));
    uint32_t one[] = {7};
    assert_true(dom_stat_percentiles(one, 1, &med, &p90));
    assert_true(med == 7 && p90 == 7);
    uint32_t two[] = {9, 3};
    dom_stat_percentiles(two, 2, &med, &p90);
    assert_true(med == 6 && p90 == 9);
    /* 1..100 shuffled: median 50.5, p90 90 */
    uint32_t v[100];
    for (uint32_t i = 0; i < 100; i++) v[i] = (i * 37) % 100 + 1;
    dom_stat_percentiles(v, 100, &med, &p90);
    assert_true(med == 50.5);
    assert_true(p90 == 90);
    /* many equal values */
    uint32_t eq[11] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 1};
    dom_stat_percentiles(eq, 11, &med, &p90);
    assert_true(med == 5 && p90 == 5);
}

static void problem_points(void **state) {
    (void)state;
    dom_statfacts s;
    dom_statfacts_init(&s, LAT, LON);
    uint32_t building = dom_stat_addr_hash("вул. Харківська, 12");
    assert_int_equal(building, dom_stat_addr_hash("  вул Харківська  12 "));
    assert_int_equal(dom_stat_addr_hash(""), 0);
    assert_int_equal(dom_stat_addr_hash(NULL), 0);
    double lat, lon;
    dom_stat_area_center(&s, dom_stat_area(&s, LAT, LON), 0, &lat, &lon);
    assert_true(lat > LAT - 0.001 && lat < LAT + 0.001 && lon > LON - 0.0015 && lon < LON + 0.0015);
    /* ~30 m either side of a square's centre: the same square */
    uint32_t here = dom_stat_area(&s, lat + 0.0002, lon - 0.0003),
             near = dom_stat_area(&s, lat - 0.0002, lon + 0.0003), far = dom_stat_area(&s, 48.50, 35.10);
    assert_int_equal(here, near);
    assert_int_equal(here, dom_stat_area(&s, lat, lon));
    assert_int_not_equal(here, far);
    /* 4 x 4 squares (open data's ~400 m): the centre of the coarse square */
    double clat, clon;
    dom_stat_area_center(&s, here, 2, &clat, &clon);
    assert_true(clat > lat - 0.004 && clat < lat + 0.004 && clon > lon - 0.006 && clon < lon + 0.006);
    /* the building: 3 water appeals and 1 heating; the square: 2 more water
     * appeals without an address; far away: 2 water appeals */
    uint32_t id = 1;
    for (int i = 0; i < 3; i++, id++) {
        dom_statfact f = fact(id, DAY0 + i * 10, 0, DOM_ST_DONE);
        f.addr = building, f.area = here;
        dom_statfacts_put(&s, &f);
    }
    dom_statfact h = fact(id++, DAY0, 1, DOM_ST_DONE);
    h.addr = building, h.area = here;
    dom_statfacts_put(&s, &h);
    for (int i = 0; i < 2; i++, id++) {
        dom_statfact f = fact(id, DAY0 + 1, 0, DOM_ST_DONE);
        f.area = near;
        dom_statfacts_put(&s, &f);
    }
    for (int i = 0; i < 2; i++, id++) {
        dom_statfact f = fact(id, DAY0 + 1, 0, DOM_ST_DONE);
        f.area = far;
        dom_statfacts_put(&s, &f);
    }
    dom_statfacts_index(&s);
    dom_statquery q;
    period(&q, DAY0, DAY0 + 30);
    q.min_repeats = 3;
    dom_statresult r;
    dom_stat_compute(&s, &q, NULL, &r);
    assert_int_equal(r.n_addresses, 1);
    assert_int_equal(r.addresses[0].key, building);
    assert_int_equal(r.addresses[0].appeals, 3);
    assert_int_equal(r.addresses[0].category, 0);
    assert_int_equal(r.addresses[0].first_day, DAY0);
    assert_int_equal(r.addresses[0].last_day, DAY0 + 20);
    assert_int_equal(r.addresses[0].sample, 3); /* the latest */
    assert_int_equal(r.n_areas, 1);
    assert_int_equal(r.areas[0].key, here);
    assert_int_equal(r.areas[0].appeals, 5);
    assert_int_equal(r.n_heat, 1);
    assert_int_equal(r.heat[0].area, here);
    assert_int_equal(r.heat[0].weight, 5);
    dom_statresult_free(&r);
    q.min_repeats = 2; /* now the far pair counts too, and heat orders by weight */
    dom_stat_compute(&s, &q, NULL, &r);
    assert_int_equal(r.n_areas, 2);
    assert_int_equal(r.areas[1].key, far);
    assert_int_equal(r.n_heat, 2);
    assert_int_equal(r.heat[0].weight, 5);
    assert_int_equal(r.heat[1].weight, 2);
    dom_statresult_free(&r);
    dom_statfacts_free(&s);
}

/* Many distinct places: the group tables grow; lists stop at their caps. */
static void many_places(void **state) {
    (void)state;
    dom_statfacts s;
    dom_statfacts_init(&s, LAT, LON);
    uint32_t id = 1;
    for (uint32_t place = 1; place <= 3000; place++)
        for (int k = 0; k < (place == 77 ? 4 : 3); k++, id++) {
            dom_statfact f = fact(id, DAY0 + k, (int)(place % 5), DOM_ST_DONE);
            f.addr = place * 2654435761u;
            f.area = place;
            dom_statfacts_put(&s, &f);
        }
    dom_statquery q;
    period(&q, DAY0, DAY0 + 5);
    q.min_repeats = 3;
    dom_statresult r;
    dom_stat_compute(&s, &q, NULL, &r);
    assert_int_equal(r.appeals, 9001);
    assert_int_equal(r.n_addresses, STAT_MAX_POINTS);
    assert_int_equal(r.n_areas, STAT_MAX_POINTS);
    assert_int_equal(r.addresses[0].appeals, 4); /* place 77 first */
    assert_int_equal(r.addresses[0].key, 77 * 2654435761u);
    assert_int_equal(r.addresses[1].appeals, 3);
    assert_int_equal(r.n_heat, STAT_MAX_HEAT); /* of 3000 */
    assert_int_equal(r.heat[0].area, 77);
    dom_statresult_free(&r);
    dom_statfacts_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(figures_before_and_after_index),
        cmocka_unit_test(period_and_filters),
        cmocka_unit_test(weeks),
        cmocka_unit_test(changes_keep_the_index_right),
        cmocka_unit_test(percentiles),
        cmocka_unit_test(problem_points),
        cmocka_unit_test(many_places),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
