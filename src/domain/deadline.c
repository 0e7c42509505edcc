/* Deadline calculator (see deadline.h).
 *
 * Hours are plain additions to the UTC instant: an emergency clock runs
 * 24/7 and a "24h" rule is exactly 86 400 000 ms even across a DST change.
 * Days and months are calendar arithmetic on the Europe/Kyiv wall clock,
 * because the law counts calendar days and residents read "due tomorrow at
 * 10:00" in local time.
 *
 * Converting a wall time back to an instant has two awkward cases:
 *  - the spring-forward gap (last Sunday of March, 03:00 -> 04:00 Kyiv):
 *    the wall time does not exist; we move it forward by the gap
 *    (03:30 -> 04:30), so a deadline is never earlier than the rule says;
 *  - the autumn fall-back (last Sunday of October, 04:00 -> 03:00 Kyiv):
 *    03:00..03:59 happens twice; we pick the FIRST occurrence (summer
 *    time, +03:00). Picking the earlier instant keeps deadlines strict
 *    and makes the result independent of the libc's mktime heuristics.
 * We do not rely on mktime's tm_isdst guessing for either case: the zone
 * offset is read back with localtime_r (tm_gmtoff) and checked. */
#include "domain/deadline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/banned.h"

#define MS_PER_SEC 1000
#define SEC_PER_DAY 86400
#define DURATION_MAX 10000

static const char *const prio_names[DOM_PRIO_COUNT] = {"emergency", "urgent", "normal"};

bool dom_tz_init(void)
{
    /* The canonical name first; older tzdata only has the Russian spelling. */
    static const char *const zones[] = {"Europe/Kyiv", "Europe/Kiev"};
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        if (setenv("TZ", zones[i], 1) != 0)
            return false;
        tzset();
        /* glibc silently falls back to UTC for a missing zone file, so
         * check a known offset: 2024-01-15 00:00Z is +02:00 in Kyiv and
         * 2024-07-15 00:00Z is +03:00. */
        struct tm w, s;
        time_t winter = 1705276800, summer = 1721001600;
        if (localtime_r(&winter, &w) && localtime_r(&summer, &s) && w.tm_gmtoff == 7200 &&
            s.tm_gmtoff == 10800)
            return true;
    }
    return false;
}

bool dom_priority_parse(const char *text, dom_priority *out)
{
    if (!text)
        return false;
    for (int i = 0; i < DOM_PRIO_COUNT; i++) {
        if (strcmp(text, prio_names[i]) == 0) {
            *out = (dom_priority)i;
            return true;
        }
    }
    return false;
}

const char *dom_priority_name(dom_priority p)
{
    if ((int)p < 0 || p >= DOM_PRIO_COUNT)
        return "unknown";
    return prio_names[p];
}

/* Strict: digits without sign, spaces or leading zeros (so every accepted
 * text is canonical and round-trips through dom_duration_format). */
bool dom_duration_parse(const char *text, dom_duration *out)
{
    if (!text || text[0] < '1' || text[0] > '9')
        return false;
    long n = 0;
    const char *p = text;
    while (*p >= '0' && *p <= '9') {
        n = n * 10 + (*p - '0');
        if (n > DURATION_MAX)
            return false;
        p++;
    }
    dom_unit unit;
    if (strcmp(p, "h") == 0)
        unit = DOM_UNIT_HOURS;
    else if (strcmp(p, "d") == 0)
        unit = DOM_UNIT_DAYS;
    else if (strcmp(p, "mo") == 0)
        unit = DOM_UNIT_MONTHS;
    else
        return false;
    out->amount = (int)n;
    out->unit = unit;
    return true;
}

void dom_duration_format(dom_duration d, char *out, int cap)
{
    if (!out || cap <= 0)
        return;
    const char *suffix = d.unit == DOM_UNIT_HOURS ? "h" : d.unit == DOM_UNIT_DAYS ? "d" : "mo";
    snprintf(out, (size_t)cap, "%d%s", d.amount, suffix);
}

/* Proleptic Gregorian calendar <-> days since 1970-01-01 (H. Hinnant's
 * algorithms): exact for any year, no dependence on timegm. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : len[m - 1];
}

/* UTC offset (seconds) in force at instant t; 0 if localtime_r fails
 * (only for instants far outside any realistic range). */
static long offset_at(time_t t)
{
    struct tm tm;
    return localtime_r(&t, &tm) ? tm.tm_gmtoff : 0;
}

/* The instant of a Kyiv wall time given as "seconds since the epoch as if
 * the wall clock were UTC". Candidates are the offsets a day before and a
 * day after (zone transitions are months apart); a candidate is valid when
 * the offset in force at the resulting instant is that candidate. */
static time_t instant_of_wall(int64_t wall)
{
    long before = offset_at((time_t)(wall - SEC_PER_DAY));
    long after = offset_at((time_t)(wall + SEC_PER_DAY));
    time_t t1 = (time_t)(wall - before), t2 = (time_t)(wall - after);
    bool ok1 = offset_at(t1) == before, ok2 = offset_at(t2) == after;
    if (ok1 && ok2)
        return t1 < t2 ? t1 : t2; /* ambiguous: first occurrence */
    if (ok1)
        return t1;
    if (ok2)
        return t2;
    /* Gap: read the wall time with the offset from before the transition;
     * the instant lies after it, so the wall clock shows it moved forward
     * by the gap. */
    return t1;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Calendar arithmetic on the local wall clock: add `days` days, or `months`
 * months clamping the day to the end of the target month. */
static int64_t add_calendar(int64_t from_ms, int64_t days, int64_t months)
{
    int64_t secs = floor_div(from_ms, MS_PER_SEC);
    int64_t ms = from_ms - secs * MS_PER_SEC;
    int64_t wall = secs + offset_at((time_t)secs);
    int64_t day = floor_div(wall, SEC_PER_DAY);
    int64_t tod = wall - day * SEC_PER_DAY; /* local time of day, kept as is */

    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    if (months != 0) {
        int64_t idx = y * 12 + (m - 1) + months;
        y = floor_div(idx, 12);
        m = (int)(idx - y * 12) + 1;
        int last = days_in_month(y, m);
        if (d > last)
            d = last;
    }
    int64_t new_wall = (days_from_civil(y, m, d) + days) * SEC_PER_DAY + tod;
    return (int64_t)instant_of_wall(new_wall) * MS_PER_SEC + ms;
}

int64_t dom_add_duration(int64_t from_ms, dom_duration d)
{
    switch (d.unit) {
    case DOM_UNIT_HOURS:
        return from_ms + (int64_t)d.amount * 3600 * MS_PER_SEC;
    case DOM_UNIT_DAYS:
        return add_calendar(from_ms, d.amount, 0);
    case DOM_UNIT_MONTHS:
        return add_calendar(from_ms, 0, d.amount);
    }
    return from_ms; /* unreachable with a parsed duration */
}

int64_t dom_resolution_due(int64_t registered_ms, dom_duration rule)
{
    int64_t due = dom_add_duration(registered_ms, rule);
    dom_duration cap_rule = {DOM_LEGAL_MAX_MONTHS, DOM_UNIT_MONTHS};
    int64_t cap = dom_add_duration(registered_ms, cap_rule);
    return due < cap ? due : cap;
}

int64_t dom_reaction_due(int64_t registered_ms, dom_duration rule)
{
    return dom_add_duration(registered_ms, rule);
}

int64_t dom_extension_limit(int64_t registered_ms)
{
    dom_duration limit = {DOM_LEGAL_MAX_TOTAL_DAYS, DOM_UNIT_DAYS};
    return dom_add_duration(registered_ms, limit);
}

int64_t dom_forward_due(int64_t registered_ms)
{
    dom_duration d = {DOM_FORWARD_DAYS, DOM_UNIT_DAYS};
    return dom_add_duration(registered_ms, d);
}

int dom_local_year(int64_t ms)
{
    int64_t secs = floor_div(ms, 1000);
    int64_t y;
    int m, d;
    civil_from_days(floor_div(secs + offset_at((time_t)secs), 86400), &y, &m, &d);
    return (int)y;
}
