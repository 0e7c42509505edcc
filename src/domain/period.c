#include "domain/period.h"
#include "util/timeutil.h"
#include <ctype.h>
#include <string.h>
#include <time.h>
#include "util/banned.h"

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static bool parse_date(const char *s, int *y, int *m, int *d) {
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return false;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *m = (s[5] - '0') * 10 + (s[6] - '0');
    *d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (*y < 1970 || *m < 1 || *m > 12 || *d < 1) return false;
    return *d <= days[*m - 1] + (*m == 2 && leap(*y));
}

bool dom_period_bound(const char *text, bool end, int64_t *out) {
    int y, m, d;
    if (!parse_date(text, &y, &m, &d)) return time_parse_iso(text, out);
    /* local midnight; mktime normalises day 32 into the next month */
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + (end ? 1 : 0),
                    .tm_isdst = -1};
    time_t t = mktime(&tm);
    if (t == (time_t)-1) return false;
    *out = (int64_t)t * 1000;
    return true;
}
