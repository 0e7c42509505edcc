/* What the deadline sweeper watches on one appeal: pure decisions about
 * when to look again and what is due at a given instant.
 *
 * Duties, in the order an appeal meets them:
 *  - a warning at `warn_share` of the reaction time (created → reaction
 *    due, until the executor reacts) and of the resolution time (created →
 *    resolution due, while the appeal is open);
 *  - overdue at the deadline itself (reaction: until reacted; resolution:
 *    while open);
 *  - for a `done` appeal, closing it when the applicant's confirmation
 *    window (confirm_due) lapses.
 * A warning whose deadline has already passed is skipped: the overdue
 * mark says more (a sweeper that was down does not warn after the fact). */
#ifndef KONTAKT_DOMAIN_WATCH_H
#define KONTAKT_DOMAIN_WATCH_H
#include <stdbool.h>
#include <stdint.h>

#define DOM_WARN_SHARE_DEFAULT 0.75

typedef struct {
    bool open;             /* dom_status_is_open(status) */
    bool done;             /* status is done: waiting for the applicant */
    bool reacted;          /* the executor accepted it */
    int64_t created;       /* the start of both times */
    int64_t reaction_due, resolution_due;
    int64_t confirm_due;   /* 0: none */
    bool reaction_warned, resolution_warned;
    bool reaction_overdue, resolution_overdue;
    double warn_share;     /* in (0, 1); anything else: no warnings */
} dom_watch;

/* What is due at an instant and not yet done. */
typedef struct {
    bool reaction_warning, resolution_warning;
    bool reaction_overdue, resolution_overdue;
    bool autoclose;
} dom_watch_duties;

#define DOM_WATCH_NONE INT64_MIN

/* True when share is a usable warning share: 0 < share < 1. */
bool dom_warn_share_ok(double share);
/* The warning instant of a time from `created` to `due`, or DOM_WATCH_NONE
 * when share is not usable. Rounded down to the millisecond. */
int64_t dom_watch_warn_at(int64_t created, int64_t due, double share);
/* The next instant a duty falls due, or DOM_WATCH_NONE. May lie in the
 * past (a duty the sweeper has not done yet). */
int64_t dom_watch_next(const dom_watch *w);
/* The duties due at `now`. */
dom_watch_duties dom_watch_due(const dom_watch *w, int64_t now);
/* Any duty at all. */
bool dom_watch_any(const dom_watch_duties *d);
#endif
