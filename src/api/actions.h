/* The staff workflow's actions (api/actions.c) and the applicant's
 * (api/track_actions.c), sharing the reopen rule and the answer. */
#ifndef KONTAKT_API_ACTIONS_H
#define KONTAKT_API_ACTIONS_H
#include "api/staff.h"
#include "store/workflow.h"

/* After done, the applicant has this long to confirm or dispute. */
#define API_CONFIRM_WINDOW_MS (3 * 24 * 3600 * 1000LL)

/* done -> reopened: counts, clears the done marks, records the violation
 * against the organisation and the person who closed it. */
int api_reopen(db_conn *c, store_wf *w, int64_t now);
/* The 200 answer of an action: the appeal as staff see it. */
void api_action_answer(http_req *req, const api_staff *who, const char *number);

void api_appeal_action(http_req *req);
void api_track_action(http_req *req);
#endif
