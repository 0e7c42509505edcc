/* Deadline calculator: a pure function of a rule and the registration
 * instant. No I/O; time is passed in.
 *
 * Durations are written in data files as "<n>h" (hours on a 24/7 clock),
 * "<n>d" (calendar days) or "<n>mo" (calendar months); days and months are
 * counted in Europe/Kyiv local time, keeping the local time of day, so a
 * deadline of "1d" registered at 10:00 Kyiv time is due at 10:00 Kyiv time
 * the next day even across a DST change. Adding months clamps to the end of
 * the month (31 Jan + 1mo = 28/29 Feb). A local time that does not exist
 * (spring-forward gap) moves forward by the gap.
 *
 * The process must have called dom_tz_init() once before any other call
 * (it sets TZ for localtime_r/mktime). */
#ifndef KONTAKT_DOMAIN_DEADLINE_H
#define KONTAKT_DOMAIN_DEADLINE_H
#include <stdbool.h>
#include <stdint.h>

typedef enum { DOM_UNIT_HOURS, DOM_UNIT_DAYS, DOM_UNIT_MONTHS } dom_unit;

typedef struct {
    int amount; /* 1..10000 */
    dom_unit unit;
} dom_duration;

typedef enum { DOM_PRIO_EMERGENCY, DOM_PRIO_URGENT, DOM_PRIO_NORMAL, DOM_PRIO_COUNT } dom_priority;

/* Legal terms (Law of Ukraine "On citizens' appeals", Art. 20 and 7). */
#define DOM_LEGAL_MAX_MONTHS 1     /* initial resolution term: one calendar month at most */
#define DOM_LEGAL_MAX_TOTAL_DAYS 45 /* with extensions: 45 calendar days at most */
#define DOM_FORWARD_DAYS 5          /* Art. 7: outside competence, forwarded within 5 days */
#define DOM_FORWARD_DAYS 5          /* forwarding outside competence: 5 calendar days */

/* Sets TZ to Europe/Kyiv (falls back to Europe/Kiev). Returns false when
 * the zone data is missing. Idempotent. */
bool dom_tz_init(void);

/* Parses "24h", "3d", "15d", "1mo". Returns false on anything else
 * (empty, zero, negative, > 10000, trailing garbage, unknown unit). */
bool dom_duration_parse(const char *text, dom_duration *out);

/* Writes the canonical text ("24h", "3d", "1mo") into out (cap >= 16). */
void dom_duration_format(dom_duration d, char *out, int cap);

/* Instant (UTC ms) when a duration that starts at `from_ms` ends. */
int64_t dom_add_duration(int64_t from_ms, dom_duration d);

/* Resolution deadline for a rule registered at `registered_ms`, capped by
 * the legal term (registration + 1 calendar month). */
int64_t dom_resolution_due(int64_t registered_ms, dom_duration rule);

/* Reaction deadline (the executor must accept): not capped. */
int64_t dom_reaction_due(int64_t registered_ms, dom_duration rule);

/* Latest instant an extension may move the resolution deadline to:
 * registration + 45 calendar days (Kyiv time). */
int64_t dom_extension_limit(int64_t registered_ms);
/* Art. 7: the last instant to forward an appeal outside the city's
 * competence (5 calendar days after registration). */
int64_t dom_forward_due(int64_t registered_ms);

/* The calendar year in Europe/Kyiv at an instant: appeal numbers restart
 * on 1 January local time. */
int dom_local_year(int64_t ms);

/* "emergency" | "urgent" | "normal" <-> enum. parse returns false if unknown. */
bool dom_priority_parse(const char *text, dom_priority *out);
const char *dom_priority_name(dom_priority p);
#endif
