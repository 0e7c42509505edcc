/* Report periods (domain/period.h) and the scorecard arithmetic
 * (domain/scorecard.h). */
#include "domain/deadline.h"
#include "domain/period.h"
#include "domain/scorecard.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static void test_dates_are_kyiv_days(void **state) {
    (void)state;
    int64_t t;
    /* winter: UTC+2, so local midnight of 15 January is 22:00 UTC the day before */
    assert_true(dom_period_bound("2026-01-15", false, &t));
    assert_true(t == 1768428000000LL); /* 2026-01-14T22:00:00Z */
    assert_true(dom_period_bound("2026-01-15", true, &t));
    assert_true(t == 1768428000000LL + 24 * 3600000LL);
    /* summer: UTC+3; the end of 31 July is 1 August's local midnight */
    assert_true(dom_period_bound("2026-07-31", true, &t));
    assert_true(t == 1785531600000LL); /* 2026-07-31T21:00:00Z */
    assert_true(dom_period_bound("2026-03-01T10:00:00Z", true, &t));
    assert_true(t == 1772359200000LL);
    assert_false(dom_period_bound("2026-02-29", false, &t));
    assert_true(dom_period_bound("2028-02-29", false, &t));
    assert_false(dom_period_bound("2026-13-01", false, &t));
    assert_false(dom_period_bound("2026-1-01", false, &t));
    assert_false(dom_period_bound("yesterday", false, &t));
    assert_false(dom_period_bound("", false, &t));
}

static void test_scorecard_shares_and_median(void **state) {
    (void)state;
    int64_t to_done[] = {5 * 3600000LL, 1 * 3600000LL, 3 * 3600000LL, 7 * 3600000LL};
    dom_score_input in = {.appeals = 10, .finished = 4, .on_time = 3, .reopened = 1,
                          .rating_sum = 9, .rating_count = 2, .overdue_now = 2,
                          .violations = 5, .to_done_ms = to_done, .n_to_done = 4};
    dom_scorecard s;
    dom_scorecard_compute(&in, &s);
    assert_true(s.has_on_time && s.on_time_share == 0.75);
    assert_true(s.has_reopen && s.reopen_share == 0.25);
    assert_true(s.has_rating && s.average_rating == 4.5);
    assert_true(s.has_median && s.median_hours_to_done == 4.0); /* (3 + 5) / 2 */
    assert_int_equal(s.appeals, 10);
    assert_int_equal(s.overdue_now, 2);
    assert_int_equal(s.violations, 5);
    in.n_to_done = 3; /* 1, 3, 5 after the sort */
    dom_scorecard_compute(&in, &s);
    assert_true(s.median_hours_to_done == 3.0);
    dom_score_input none = {.appeals = 3};
    dom_scorecard_compute(&none, &s);
    assert_false(s.has_on_time || s.has_reopen || s.has_rating || s.has_median);
}

int main(void) {
    dom_tz_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates_are_kyiv_days),
        cmocka_unit_test(test_scorecard_shares_and_median),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
