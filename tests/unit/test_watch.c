/* The sweeper's pure decisions (domain/watch.h): when to look again and
 * what is due, with the clock as an argument. */
#include "domain/watch.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define T0 1795000000000LL
#define MIN 60000LL
#define HOUR (60 * MIN)

static dom_watch fresh(void) {
    return (dom_watch){.open = true, .created = T0, .reaction_due = T0 + 4 * HOUR,
                       .resolution_due = T0 + 100 * HOUR, .warn_share = 0.75};
}

static void test_warn_at(void **state) {
    (void)state;
    assert_true(dom_watch_warn_at(T0, T0 + 4 * HOUR, 0.75) == T0 + 3 * HOUR);
    assert_true(dom_watch_warn_at(T0, T0 + 1000, 0.5) == T0 + 500);
    assert_true(dom_watch_warn_at(T0, T0 + 3, 0.5) == T0 + 1); /* rounded down */
    assert_true(dom_watch_warn_at(T0, T0 + HOUR, 0) == DOM_WATCH_NONE);
    assert_true(dom_watch_warn_at(T0, T0 + HOUR, 1) == DOM_WATCH_NONE);
    assert_true(dom_watch_warn_at(T0, T0 - 5, 0.75) == T0 - 5);
    assert_false(dom_warn_share_ok(-0.1));
    assert_true(dom_warn_share_ok(0.9));
}

static void test_next_walks_the_duties_in_order(void **state) {
    (void)state;
    dom_watch w = fresh();
    assert_true(dom_watch_next(&w) == T0 + 3 * HOUR); /* reaction warning */
    w.reaction_warned = true;
    assert_true(dom_watch_next(&w) == T0 + 4 * HOUR); /* reaction due */
    w.reaction_overdue = true;
    assert_true(dom_watch_next(&w) == T0 + 75 * HOUR); /* resolution warning */
    w.resolution_warned = true;
    assert_true(dom_watch_next(&w) == T0 + 100 * HOUR);
    w.resolution_overdue = true;
    assert_true(dom_watch_next(&w) == DOM_WATCH_NONE);
}

static void test_reacted_drops_the_reaction_duties(void **state) {
    (void)state;
    dom_watch w = fresh();
    w.reacted = true;
    assert_true(dom_watch_next(&w) == T0 + 75 * HOUR);
    dom_watch_duties d = dom_watch_due(&w, T0 + 5 * HOUR);
    assert_false(dom_watch_any(&d));
}

static void test_due_warning_then_overdue(void **state) {
    (void)state;
    dom_watch w = fresh();
    dom_watch_duties d = dom_watch_due(&w, T0 + 3 * HOUR - 1);
    assert_false(dom_watch_any(&d));
    d = dom_watch_due(&w, T0 + 3 * HOUR);
    assert_true(d.reaction_warning);
    assert_false(d.reaction_overdue || d.resolution_warning || d.autoclose);
    w.reaction_warned = true;
    d = dom_watch_due(&w, T0 + 4 * HOUR);
    assert_true(d.reaction_overdue);
    assert_false(d.reaction_warning);
}

static void test_late_sweep_skips_the_warning(void **state) {
    (void)state;
    dom_watch w = fresh(); /* nothing warned, and the sweeper comes after the deadline */
    dom_watch_duties d = dom_watch_due(&w, T0 + 80 * HOUR);
    assert_true(d.reaction_overdue);
    assert_false(d.reaction_warning);
    assert_true(d.resolution_warning); /* 75 h passed, 100 h not yet */
    assert_false(d.resolution_overdue);
    d = dom_watch_due(&w, T0 + 100 * HOUR);
    assert_true(d.resolution_overdue);
    assert_false(d.resolution_warning);
}

static void test_done_waits_for_confirmation(void **state) {
    (void)state;
    dom_watch w = fresh();
    w.open = false;
    w.done = true;
    w.reacted = true;
    w.confirm_due = T0 + 72 * HOUR;
    assert_true(dom_watch_next(&w) == T0 + 72 * HOUR);
    dom_watch_duties d = dom_watch_due(&w, T0 + 72 * HOUR - 1);
    assert_false(dom_watch_any(&d));
    d = dom_watch_due(&w, T0 + 72 * HOUR);
    assert_true(d.autoclose);
    assert_false(d.resolution_overdue); /* a done appeal is not overdue */
    w.done = false;                     /* closed: nothing left */
    assert_true(dom_watch_next(&w) == DOM_WATCH_NONE);
}

static void test_no_share_no_warnings(void **state) {
    (void)state;
    dom_watch w = fresh();
    w.warn_share = 0;
    assert_true(dom_watch_next(&w) == T0 + 4 * HOUR);
    dom_watch_duties d = dom_watch_due(&w, T0 + 3 * HOUR);
    assert_false(dom_watch_any(&d));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_warn_at),
        cmocka_unit_test(test_next_walks_the_duties_in_order),
        cmocka_unit_test(test_reacted_drops_the_reaction_duties),
        cmocka_unit_test(test_due_warning_then_overdue),
        cmocka_unit_test(test_late_sweep_skips_the_warning),
        cmocka_unit_test(test_done_waits_for_confirmation),
        cmocka_unit_test(test_no_share_no_warnings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
