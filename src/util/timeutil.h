/* Instants are int64 UTC milliseconds. */
#ifndef KONTAKT_UTIL_TIMEUTIL_H
#define KONTAKT_UTIL_TIMEUTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int64_t time_now_ms(void);      /* wall clock (CLOCK_REALTIME) */
int64_t time_monotonic_us(void); /* for durations */
/* "2026-11-28T10:15:00.123Z"; cap >= 25. */
void time_format_iso(int64_t ms, char *out, size_t cap);
/* Parses "YYYY-MM-DDTHH:MM:SS[.mmm]Z"; false otherwise. */
bool time_parse_iso(const char *s, int64_t *out);
/* UTC calendar year of an instant. */
int time_year_utc(int64_t ms);
#endif
