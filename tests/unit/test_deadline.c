/* Deadline calculator at its edges: month ends, leap years, both 2026 DST
 * changes in Kyiv, the legal caps and every duration refusal. The suite
 * runs with TZ=UTC in the environment on purpose: dom_tz_init must switch
 * to Kyiv on its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "domain/deadline.h"

#define HOUR_MS (3600LL * 1000)
#define DAY_MS (24 * HOUR_MS)

/* A UTC instant in ms from its calendar fields. */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    return (int64_t)timegm(&tm) * 1000;
}

static dom_duration dur(const char *text)
{
    dom_duration d = {0, DOM_UNIT_HOURS};
    assert_true(dom_duration_parse(text, &d));
    return d;
}

static int setup(void **state)
{
    (void)state;
    return dom_tz_init() ? 0 : -1;
}

static void test_tz_init_switches_to_kyiv(void **state)
{
    (void)state;
    assert_true(dom_tz_init()); /* idempotent */
    struct tm tm;
    time_t summer = (time_t)(utc(2026, 7, 1, 12, 0) / 1000);
    assert_non_null(localtime_r(&summer, &tm));
    assert_int_equal(tm.tm_gmtoff, 3 * 3600);
    assert_int_equal(tm.tm_hour, 15);
}

static void test_month_end_clamps(void **state)
{
    (void)state;
    /* 31 Jan 10:00 Kyiv (+02:00) */
    assert_int_equal(dom_add_duration(utc(2026, 1, 31, 8, 0), dur("1mo")), utc(2026, 2, 28, 8, 0));
    assert_int_equal(dom_add_duration(utc(2028, 1, 31, 8, 0), dur("1mo")), utc(2028, 2, 29, 8, 0));
    assert_int_equal(dom_add_duration(utc(2026, 1, 30, 8, 0), dur("1mo")), utc(2026, 2, 28, 8, 0));
    assert_int_equal(dom_add_duration(utc(2028, 1, 30, 8, 0), dur("1mo")), utc(2028, 2, 29, 8, 0));
    /* 31 Mar (summer) + 1mo = 30 Apr */
    assert_int_equal(dom_add_duration(utc(2026, 3, 31, 7, 0), dur("1mo")), utc(2026, 4, 30, 7, 0));
    /* across the year end, clamped: 31 Dec + 2mo = 28 Feb */
    assert_int_equal(dom_add_duration(utc(2026, 12, 31, 8, 0), dur("2mo")), utc(2027, 2, 28, 8, 0));
    assert_int_equal(dom_add_duration(utc(2026, 11, 15, 8, 0), dur("3mo")), utc(2027, 2, 15, 8, 0));
}

static void test_leap_day(void **state)
{
    (void)state;
    int64_t leap = utc(2028, 2, 29, 8, 0); /* 10:00 Kyiv, winter */
    /* DST starts 26 Mar 2028, so 29 Mar 10:00 Kyiv is 07:00Z */
    assert_int_equal(dom_add_duration(leap, dur("1mo")), utc(2028, 3, 29, 7, 0));
    assert_int_equal(dom_add_duration(leap, dur("12mo")), utc(2029, 2, 28, 8, 0));
    assert_int_equal(dom_add_duration(leap, dur("48mo")), utc(2032, 2, 29, 8, 0));
    assert_int_equal(dom_add_duration(leap, dur("1d")), utc(2028, 3, 1, 8, 0));
    assert_int_equal(dom_add_duration(utc(2028, 2, 28, 8, 0), dur("1d")), leap);
    assert_int_equal(dom_add_duration(utc(2026, 2, 28, 8, 0), dur("1d")), utc(2026, 3, 1, 8, 0));
    assert_int_equal(dom_add_duration(utc(2028, 1, 29, 8, 0), dur("1mo")), leap);
    assert_int_equal(dom_add_duration(leap, dur("366d")), utc(2029, 3, 1, 8, 0));
}

static void test_day_across_spring_forward(void **state)
{
    (void)state;
    /* 2026-03-28 10:00 Kyiv (+02) -> 2026-03-29 10:00 Kyiv (+03) */
    int64_t from = utc(2026, 3, 28, 8, 0);
    int64_t due = dom_add_duration(from, dur("1d"));
    assert_int_equal(due, utc(2026, 3, 29, 7, 0));
    assert_int_equal(due - from, 23 * HOUR_MS);
    assert_int_equal(dom_add_duration(from, dur("24h")) - from, DAY_MS);
    assert_int_equal(dom_add_duration(from, dur("24h")), utc(2026, 3, 29, 8, 0));
}

static void test_day_across_fall_back(void **state)
{
    (void)state;
    /* 2026-10-24 10:00 Kyiv (+03) -> 2026-10-25 10:00 Kyiv (+02) */
    int64_t from = utc(2026, 10, 24, 7, 0);
    int64_t due = dom_add_duration(from, dur("1d"));
    assert_int_equal(due, utc(2026, 10, 25, 8, 0));
    assert_int_equal(due - from, 25 * HOUR_MS);
    assert_int_equal(dom_add_duration(from, dur("24h")) - from, DAY_MS);
    assert_int_equal(dom_add_duration(from, dur("24h")), utc(2026, 10, 25, 7, 0));
}

static void test_gap_moves_forward(void **state)
{
    (void)state;
    /* 2026-03-28 03:30 Kyiv (01:30Z) + 1d = 2026-03-29 03:30, which does
     * not exist (03:00 -> 04:00 at 01:00Z): it becomes 04:30 Kyiv = 01:30Z. */
    assert_int_equal(dom_add_duration(utc(2026, 3, 28, 1, 30), dur("1d")), utc(2026, 3, 29, 1, 30));
    /* 03:00 exactly is also in the gap: becomes 04:00 Kyiv = 01:00Z */
    assert_int_equal(dom_add_duration(utc(2026, 3, 28, 1, 0), dur("1d")), utc(2026, 3, 29, 1, 0));
    /* 02:59 exists (+02): 00:59Z */
    assert_int_equal(dom_add_duration(utc(2026, 3, 28, 0, 59), dur("1d")), utc(2026, 3, 29, 0, 59));
    /* 04:00 exists (+03): 01:00Z */
    assert_int_equal(dom_add_duration(utc(2026, 3, 28, 2, 0), dur("1d")), utc(2026, 3, 29, 1, 0));
}

static void test_ambiguous_takes_first(void **state)
{
    (void)state;
    /* 2026-10-24 03:30 Kyiv (+03, 00:30Z) + 1d = 2026-10-25 03:30, which
     * happens twice (00:30Z at +03 and 01:30Z at +02): the first wins. */
    assert_int_equal(dom_add_duration(utc(2026, 10, 24, 0, 30), dur("1d")), utc(2026, 10, 25, 0, 30));
    /* From the second occurrence (01:30Z, +02) going back is not possible,
     * but from it +1d is 2026-10-26 03:30 (+02) = 01:30Z. */
    assert_int_equal(dom_add_duration(utc(2026, 10, 25, 1, 30), dur("1d")), utc(2026, 10, 26, 1, 30));
    assert_int_equal(dom_add_duration(utc(2026, 10, 25, 0, 30), dur("1d")), utc(2026, 10, 26, 1, 30));
}

static void test_milliseconds_kept(void **state)
{
    (void)state;
    int64_t from = utc(2026, 3, 28, 8, 0) + 123;
    assert_int_equal(dom_add_duration(from, dur("1d")), utc(2026, 3, 29, 7, 0) + 123);
    assert_int_equal(dom_add_duration(from, dur("1mo")), utc(2026, 4, 28, 7, 0) + 123);
    assert_int_equal(dom_add_duration(from, dur("1h")), from + HOUR_MS);
    assert_int_equal(dom_add_duration(from + 876, dur("3d")), utc(2026, 3, 31, 7, 0) + 999);
}

static void test_resolution_cap(void **state)
{
    (void)state;
    int64_t reg = utc(2026, 1, 15, 8, 0); /* 10:00 Kyiv */
    int64_t month = utc(2026, 2, 15, 8, 0);
    assert_int_equal(dom_resolution_due(reg, dur("2mo")), month);
    assert_int_equal(dom_resolution_due(reg, dur("1mo")), month);
    assert_int_equal(dom_resolution_due(reg, dur("45d")), month);
    assert_int_equal(dom_resolution_due(reg, dur("10000h")), month);
    assert_int_equal(dom_resolution_due(reg, dur("15d")), utc(2026, 1, 30, 8, 0));
    assert_int_equal(dom_resolution_due(reg, dur("24h")), reg + DAY_MS);
    /* cap follows the month-end clamp: 31 Jan -> 28 Feb */
    assert_int_equal(dom_resolution_due(utc(2026, 1, 31, 8, 0), dur("30d")), utc(2026, 2, 28, 8, 0));
    /* reaction deadlines are not capped */
    assert_int_equal(dom_reaction_due(reg, dur("2mo")), utc(2026, 3, 15, 8, 0));
    assert_int_equal(dom_reaction_due(reg, dur("1h")), reg + HOUR_MS);
}

static void test_extension_limit(void **state)
{
    (void)state;
    /* 1 Mar 10:00 Kyiv (+02) + 45 days = 15 Apr 10:00 Kyiv (+03) */
    assert_int_equal(dom_extension_limit(utc(2026, 3, 1, 8, 0)), utc(2026, 4, 15, 7, 0));
    assert_int_equal(dom_extension_limit(utc(2026, 1, 15, 8, 0)), utc(2026, 3, 1, 8, 0));
    assert_true(dom_extension_limit(utc(2026, 1, 15, 8, 0)) >
                dom_resolution_due(utc(2026, 1, 15, 8, 0), dur("2mo")));
}

static void test_parse_format_round_trip(void **state)
{
    (void)state;
    static const char *const ok[] = {"1h", "2h", "24h", "3d", "15d", "45d", "1mo", "12mo", "10000d", "10000h"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        dom_duration d;
        char buf[16];
        assert_true(dom_duration_parse(ok[i], &d));
        dom_duration_format(d, buf, (int)sizeof buf);
        assert_string_equal(buf, ok[i]);
    }
    dom_duration d;
    assert_true(dom_duration_parse("24h", &d));
    assert_int_equal(d.amount, 24);
    assert_int_equal(d.unit, DOM_UNIT_HOURS);
    assert_true(dom_duration_parse("3d", &d));
    assert_int_equal(d.unit, DOM_UNIT_DAYS);
    assert_true(dom_duration_parse("1mo", &d));
    assert_int_equal(d.unit, DOM_UNIT_MONTHS);
}

static void test_parse_refusals(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "0h", "-1d", "5", "5x", "1.5h", "10001d", " 1h", "1h ",
                                      "+1h", "01h", "1H", "1m", "1mon", "h", "mo", "1d1h",
                                      "99999999999999999999h", "1\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dom_duration d = {7, DOM_UNIT_DAYS};
        if (dom_duration_parse(bad[i], &d))
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(d.amount, 7); /* untouched on refusal */
    }
    dom_duration d;
    assert_false(dom_duration_parse(NULL, &d));
}

static void test_priority_names(void **state)
{
    (void)state;
    for (int i = 0; i < DOM_PRIO_COUNT; i++) {
        dom_priority p;
        assert_true(dom_priority_parse(dom_priority_name((dom_priority)i), &p));
        assert_int_equal(p, i);
    }
    assert_string_equal(dom_priority_name(DOM_PRIO_EMERGENCY), "emergency");
    assert_string_equal(dom_priority_name(DOM_PRIO_URGENT), "urgent");
    assert_string_equal(dom_priority_name(DOM_PRIO_NORMAL), "normal");
    dom_priority p;
    assert_false(dom_priority_parse("Emergency", &p));
    assert_false(dom_priority_parse("", &p));
    assert_false(dom_priority_parse(NULL, &p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tz_init_switches_to_kyiv),
        cmocka_unit_test(test_month_end_clamps),
        cmocka_unit_test(test_leap_day),
        cmocka_unit_test(test_day_across_spring_forward),
        cmocka_unit_test(test_day_across_fall_back),
        cmocka_unit_test(test_gap_moves_forward),
        cmocka_unit_test(test_ambiguous_takes_first),
        cmocka_unit_test(test_milliseconds_kept),
        cmocka_unit_test(test_resolution_cap),
        cmocka_unit_test(test_extension_limit),
        cmocka_unit_test(test_parse_format_round_trip),
        cmocka_unit_test(test_parse_refusals),
        cmocka_unit_test(test_priority_names),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
