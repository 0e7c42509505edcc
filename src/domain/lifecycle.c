/* The appeal lifecycle as one table (see lifecycle.h). A table rather than
 * a switch so that the whole state machine can be read, and tested
 * exhaustively, in one place. */
#include "domain/lifecycle.h"

#include <stddef.h>
#include <string.h>

#include "util/banned.h"

/* Names are the wire and database spelling: never rename, only add. */
static const char *const status_names[DOM_ST_COUNT] = {
    [DOM_ST_NEW] = "new",
    [DOM_ST_REGISTERED] = "registered",
    [DOM_ST_ASSIGNED] = "assigned",
    [DOM_ST_IN_PROGRESS] = "in_progress",
    [DOM_ST_DONE] = "done",
    [DOM_ST_CLOSED] = "closed",
    [DOM_ST_REJECTED] = "rejected",
    [DOM_ST_FORWARDED] = "forwarded",
    [DOM_ST_DUPLICATE] = "duplicate",
    [DOM_ST_REOPENED] = "reopened",
};

static const char *const action_names[DOM_ACT_COUNT] = {
    [DOM_ACT_REGISTER] = "register",
    [DOM_ACT_ASSIGN] = "assign",
    [DOM_ACT_ACCEPT] = "accept",
    [DOM_ACT_START] = "start",
    [DOM_ACT_DONE] = "done",
    [DOM_ACT_RETURN] = "return",
    [DOM_ACT_REJECT] = "reject",
    [DOM_ACT_FORWARD] = "forward",
    [DOM_ACT_MERGE] = "merge",
    [DOM_ACT_CONFIRM] = "confirm",
    [DOM_ACT_DISPUTE] = "dispute",
    [DOM_ACT_AUTOCLOSE] = "autoclose",
    [DOM_ACT_RECLASSIFY] = "reclassify",
    [DOM_ACT_REQUEST_EXTENSION] = "request_extension",
    [DOM_ACT_APPROVE_EXTENSION] = "approve_extension",
    [DOM_ACT_REFUSE_EXTENSION] = "refuse_extension",
    [DOM_ACT_REOPEN] = "reopen",
};

/* Every allowed move, one line each; anything not listed is refused.
 * A list rather than a [status][action] matrix because it reads like the
 * lifecycle in MISSION.md and a missing line is visible in review. */
static const struct {
    dom_status from;
    dom_action act;
    dom_status to;
} moves[] = {
    {DOM_ST_NEW, DOM_ACT_REGISTER, DOM_ST_REGISTERED},
    /* dispatcher: route, or take it out of the queue */
    {DOM_ST_REGISTERED, DOM_ACT_ASSIGN, DOM_ST_ASSIGNED},
    {DOM_ST_REOPENED, DOM_ACT_ASSIGN, DOM_ST_ASSIGNED},
    {DOM_ST_ASSIGNED, DOM_ACT_ASSIGN, DOM_ST_ASSIGNED}, /* reassign */
    {DOM_ST_IN_PROGRESS, DOM_ACT_ASSIGN, DOM_ST_ASSIGNED}, /* reassign work under way */
    {DOM_ST_REGISTERED, DOM_ACT_REJECT, DOM_ST_REJECTED},
    {DOM_ST_ASSIGNED, DOM_ACT_REJECT, DOM_ST_REJECTED},
    {DOM_ST_REGISTERED, DOM_ACT_FORWARD, DOM_ST_FORWARDED},
    {DOM_ST_ASSIGNED, DOM_ACT_FORWARD, DOM_ST_FORWARDED}, /* routed at intake, then found foreign */
    {DOM_ST_REGISTERED, DOM_ACT_MERGE, DOM_ST_DUPLICATE},
    {DOM_ST_ASSIGNED, DOM_ACT_MERGE, DOM_ST_DUPLICATE},
    /* executor: accepting stops the reaction clock but keeps the status */
    {DOM_ST_ASSIGNED, DOM_ACT_ACCEPT, DOM_ST_ASSIGNED},
    {DOM_ST_ASSIGNED, DOM_ACT_START, DOM_ST_IN_PROGRESS},
    {DOM_ST_REOPENED, DOM_ACT_START, DOM_ST_IN_PROGRESS},
    {DOM_ST_ASSIGNED, DOM_ACT_DONE, DOM_ST_DONE},
    {DOM_ST_IN_PROGRESS, DOM_ACT_DONE, DOM_ST_DONE},
    {DOM_ST_REOPENED, DOM_ACT_DONE, DOM_ST_DONE},
    {DOM_ST_ASSIGNED, DOM_ACT_RETURN, DOM_ST_REGISTERED},
    {DOM_ST_IN_PROGRESS, DOM_ACT_RETURN, DOM_ST_REGISTERED},
    /* applicant (or the confirmation window lapsing) */
    {DOM_ST_DONE, DOM_ACT_CONFIRM, DOM_ST_CLOSED},
    {DOM_ST_DONE, DOM_ACT_DISPUTE, DOM_ST_REOPENED},
    {DOM_ST_DONE, DOM_ACT_AUTOCLOSE, DOM_ST_CLOSED},
    /* classification may be corrected while the appeal is open */
    {DOM_ST_REGISTERED, DOM_ACT_RECLASSIFY, DOM_ST_REGISTERED},
    {DOM_ST_ASSIGNED, DOM_ACT_RECLASSIFY, DOM_ST_ASSIGNED},
    {DOM_ST_IN_PROGRESS, DOM_ACT_RECLASSIFY, DOM_ST_IN_PROGRESS},
    {DOM_ST_REOPENED, DOM_ACT_RECLASSIFY, DOM_ST_REOPENED},
    /* extensions: asked by the executor while working, decided by a supervisor */
    {DOM_ST_ASSIGNED, DOM_ACT_REQUEST_EXTENSION, DOM_ST_ASSIGNED},
    {DOM_ST_IN_PROGRESS, DOM_ACT_REQUEST_EXTENSION, DOM_ST_IN_PROGRESS},
    {DOM_ST_REOPENED, DOM_ACT_REQUEST_EXTENSION, DOM_ST_REOPENED},
    {DOM_ST_ASSIGNED, DOM_ACT_APPROVE_EXTENSION, DOM_ST_ASSIGNED},
    {DOM_ST_IN_PROGRESS, DOM_ACT_APPROVE_EXTENSION, DOM_ST_IN_PROGRESS},
    {DOM_ST_REOPENED, DOM_ACT_APPROVE_EXTENSION, DOM_ST_REOPENED},
    {DOM_ST_ASSIGNED, DOM_ACT_REFUSE_EXTENSION, DOM_ST_ASSIGNED},
    {DOM_ST_IN_PROGRESS, DOM_ACT_REFUSE_EXTENSION, DOM_ST_IN_PROGRESS},
    {DOM_ST_REOPENED, DOM_ACT_REFUSE_EXTENSION, DOM_ST_REOPENED},
    /* quality review */
    {DOM_ST_DONE, DOM_ACT_REOPEN, DOM_ST_REOPENED},
};

const char *dom_status_name(dom_status s)
{
    if ((int)s < 0 || s >= DOM_ST_COUNT)
        return "unknown";
    return status_names[s];
}

bool dom_status_parse(const char *text, dom_status *out)
{
    if (!text)
        return false;
    for (int i = 0; i < DOM_ST_COUNT; i++) {
        if (strcmp(text, status_names[i]) == 0) {
            *out = (dom_status)i;
            return true;
        }
    }
    return false;
}

const char *dom_action_name(dom_action a)
{
    if ((int)a < 0 || a >= DOM_ACT_COUNT)
        return "unknown";
    return action_names[a];
}

bool dom_action_parse(const char *text, dom_action *out)
{
    if (!text)
        return false;
    for (int i = 0; i < DOM_ACT_COUNT; i++) {
        if (strcmp(text, action_names[i]) == 0) {
            *out = (dom_action)i;
            return true;
        }
    }
    return false;
}

bool dom_transition(dom_status from, dom_action a, dom_status *to)
{
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
        if (moves[i].from == from && moves[i].act == a) {
            *to = moves[i].to;
            return true;
        }
    }
    return false;
}

dom_may dom_action_check(dom_status from, dom_action a, const dom_appeal_facts *f,
                         dom_status *to)
{
    if (!dom_transition(from, a, to))
        return DOM_MAY_NOT_STATE;
    if (a == DOM_ACT_ACCEPT && f->reacted)
        return DOM_MAY_NOT_ACCEPTED; /* accepting twice moves nobody's clock */
    if (a == DOM_ACT_REQUEST_EXTENSION && f->extension_pending)
        return DOM_MAY_NOT_PENDING; /* one request at a time */
    if ((a == DOM_ACT_APPROVE_EXTENSION || a == DOM_ACT_REFUSE_EXTENSION) &&
        !f->extension_pending)
        return DOM_MAY_NOT_NO_EXTENSION;
    return DOM_MAY;
}

bool dom_status_is_open(dom_status s)
{
    return s == DOM_ST_NEW || s == DOM_ST_REGISTERED || s == DOM_ST_ASSIGNED ||
           s == DOM_ST_IN_PROGRESS || s == DOM_ST_REOPENED;
}

bool dom_status_is_final(dom_status s)
{
    return s == DOM_ST_CLOSED || s == DOM_ST_REJECTED || s == DOM_ST_FORWARDED ||
           s == DOM_ST_DUPLICATE;
}
