#include "domain/watch.h"
#include "util/banned.h"

bool dom_warn_share_ok(double share) { return share > 0.0 && share < 1.0; }

int64_t dom_watch_warn_at(int64_t created, int64_t due, double share) {
    if (!dom_warn_share_ok(share)) return DOM_WATCH_NONE;
    if (due <= created) return due;
    /* a double holds any span of ms we meet (< 2^53) exactly */
    return created + (int64_t)((double)(due - created) * share);
}

static void earliest(int64_t *next, int64_t at) {
    if (at != DOM_WATCH_NONE && (*next == DOM_WATCH_NONE || at < *next)) *next = at;
}

int64_t dom_watch_next(const dom_watch *w) {
    int64_t next = DOM_WATCH_NONE;
    if (w->open && !w->reacted && !w->reaction_overdue) {
        if (!w->reaction_warned)
            earliest(&next, dom_watch_warn_at(w->created, w->reaction_due, w->warn_share));
        earliest(&next, w->reaction_due);
    }
    if (w->open && !w->resolution_overdue) {
        if (!w->resolution_warned)
            earliest(&next, dom_watch_warn_at(w->created, w->resolution_due, w->warn_share));
        earliest(&next, w->resolution_due);
    }
    if (w->done && w->confirm_due) earliest(&next, w->confirm_due);
    return next;
}

/* A warning is due from its instant until the deadline itself. */
static bool warning_due(int64_t created, int64_t due, double share, int64_t now) {
    int64_t at = dom_watch_warn_at(created, due, share);
    return at != DOM_WATCH_NONE && at <= now && now < due;
}

dom_watch_duties dom_watch_due(const dom_watch *w, int64_t now) {
    dom_watch_duties d = {0};
    if (w->open && !w->reacted && !w->reaction_overdue) {
        d.reaction_overdue = w->reaction_due <= now;
        d.reaction_warning = !w->reaction_warned &&
                             warning_due(w->created, w->reaction_due, w->warn_share, now);
    }
    if (w->open && !w->resolution_overdue) {
        d.resolution_overdue = w->resolution_due <= now;
        d.resolution_warning = !w->resolution_warned &&
                               warning_due(w->created, w->resolution_due, w->warn_share, now);
    }
    d.autoclose = w->done && w->confirm_due && w->confirm_due <= now;
    return d;
}

bool dom_watch_any(const dom_watch_duties *d) {
    return d->reaction_warning || d->resolution_warning || d->reaction_overdue ||
           d->resolution_overdue || d->autoclose;
}
