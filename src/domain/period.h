/* Report periods: a bound given as a local date (Europe/Kyiv, the city's
 * calendar) or as an exact instant. Needs dom_tz_init() (deadline.h). */
#ifndef KONTAKT_DOMAIN_PERIOD_H
#define KONTAKT_DOMAIN_PERIOD_H
#include <stdbool.h>
#include <stdint.h>

/* "YYYY-MM-DD" (a real calendar day) or "YYYY-MM-DDTHH:MM:SS[.mmm]Z".
 * A date as a start is its local midnight; as an end (`end` true) it is
 * the next local midnight, so the period includes the whole day. An instant
 * is itself either way. Periods are half-open: [start, end). */
bool dom_period_bound(const char *text, bool end, int64_t *out);
#endif
