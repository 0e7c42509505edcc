/* The appeal lifecycle of MISSION.md as a state machine. Pure: no I/O.
 *
 * new -> registered -> assigned -> in_progress -> done -> closed, with
 * rejected, forwarded, duplicate, reopened. A rating is not a move: the
 * applicant rates a done or closed appeal once (api/track_actions.c). */
#ifndef KONTAKT_DOMAIN_LIFECYCLE_H
#define KONTAKT_DOMAIN_LIFECYCLE_H
#include <stdbool.h>

typedef enum {
    DOM_ST_NEW,
    DOM_ST_REGISTERED,
    DOM_ST_ASSIGNED,
    DOM_ST_IN_PROGRESS,
    DOM_ST_DONE,
    DOM_ST_CLOSED,
    DOM_ST_REJECTED,
    DOM_ST_FORWARDED,
    DOM_ST_DUPLICATE,
    DOM_ST_REOPENED,
    DOM_ST_COUNT
} dom_status;

typedef enum {
    DOM_ACT_REGISTER,  /* new -> registered (intake) */
    DOM_ACT_ASSIGN,    /* registered|reopened -> assigned; assigned -> assigned (reassign) */
    DOM_ACT_ACCEPT,    /* assigned -> in_progress is "start"; accept keeps assigned but marks reaction */
    DOM_ACT_START,     /* assigned|reopened -> in_progress */
    DOM_ACT_DONE,      /* in_progress|assigned|reopened -> done */
    DOM_ACT_RETURN,    /* assigned|in_progress -> registered (back to the dispatcher) */
    DOM_ACT_REJECT,    /* registered|assigned -> rejected */
    DOM_ACT_FORWARD,   /* registered -> forwarded */
    DOM_ACT_MERGE,     /* registered|assigned -> duplicate */
    DOM_ACT_CONFIRM,   /* done -> closed (applicant) */
    DOM_ACT_DISPUTE,   /* done -> reopened (applicant) */
    DOM_ACT_AUTOCLOSE, /* done -> closed (confirmation window lapsed) */
    /* The staff workflow (docs/STAFF.md); these keep the status unless noted. */
    DOM_ACT_RECLASSIFY,        /* open -> same: new category/type, deadlines recomputed */
    DOM_ACT_REQUEST_EXTENSION, /* assigned|in_progress|reopened -> same */
    DOM_ACT_APPROVE_EXTENSION, /* same states -> same: the new deadline applies */
    DOM_ACT_REFUSE_EXTENSION,  /* same states -> same */
    DOM_ACT_REOPEN,            /* done -> reopened (a supervisor found the work poor) */
    DOM_ACT_COUNT
} dom_action;

const char *dom_status_name(dom_status s);           /* "registered", ... */
bool dom_status_parse(const char *text, dom_status *out);
const char *dom_action_name(dom_action a);           /* "assign", ... */
bool dom_action_parse(const char *text, dom_action *out);

/* The status after `a` in state `from`; false when not allowed. */
bool dom_transition(dom_status from, dom_action a, dom_status *to);

/* What an appeal's state allows beyond its status: the rules the staff
 * card (which actions to offer) and the actions endpoint (what to refuse)
 * must agree on, so they live here once. */
typedef struct {
    bool reacted;           /* an executor accepted it already */
    bool extension_pending; /* a request waits for a supervisor */
} dom_appeal_facts;

typedef enum {
    DOM_MAY,                  /* allowed; *to is the status after */
    DOM_MAY_NOT_STATE,        /* the lifecycle table refuses it */
    DOM_MAY_NOT_ACCEPTED,     /* accept: accepted already */
    DOM_MAY_NOT_PENDING,      /* request_extension: one waits already */
    DOM_MAY_NOT_NO_EXTENSION, /* approve/refuse: nothing waits */
} dom_may;

dom_may dom_action_check(dom_status from, dom_action a, const dom_appeal_facts *f,
                         dom_status *to);

/* Open = the deadlines still run (not done/closed/rejected/forwarded/duplicate). */
bool dom_status_is_open(dom_status s);
/* Final = nothing more can happen (closed, rejected, forwarded, duplicate). */
bool dom_status_is_final(dom_status s);
#endif
