#include "domain/watch.h"
#include "util/banned.h"

int64_t dom_watch_next(const dom_watch *w) {
    if (!w->open) return DOM_WATCH_NONE;
    int64_t next = DOM_WATCH_NONE;
    if (!w->reacted && !w->reaction_overdue) next = w->reaction_due;
    if (!w->resolution_overdue && (next == DOM_WATCH_NONE || w->resolution_due < next))
        next = w->resolution_due;
    return next;
}

void dom_watch_due(const dom_watch *w, int64_t now, bool *reaction, bool *resolution) {
    *reaction = w->open && !w->reacted && !w->reaction_overdue && w->reaction_due <= now;
    *resolution = w->open && !w->resolution_overdue && w->resolution_due <= now;
}
