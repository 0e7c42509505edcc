/* What the deadline sweeper watches on one appeal: pure decisions about
 * when to look again and what has become overdue. */
#ifndef KONTAKT_DOMAIN_WATCH_H
#define KONTAKT_DOMAIN_WATCH_H
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    bool open;             /* dom_status_is_open(status) */
    bool reacted;          /* the executor accepted it */
    int64_t reaction_due, resolution_due;
    bool reaction_overdue, resolution_overdue;
} dom_watch;

#define DOM_WATCH_NONE INT64_MIN

/* The next instant something may become overdue, or DOM_WATCH_NONE. */
int64_t dom_watch_next(const dom_watch *w);
/* Which deadlines have passed at `now` and are not yet marked. */
void dom_watch_due(const dom_watch *w, int64_t now, bool *reaction, bool *resolution);
#endif
