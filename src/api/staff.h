/* Staff sessions and rights for handlers (api/auth.c).
 *
 * A handler that serves staff starts with api_staff_require(): it reads the
 * session cookie, checks idle (30 min) and absolute (12 h) expiry, checks
 * the X-CSRF-Token header on every method other than GET/HEAD, checks the
 * right, and on any failure answers (401 auth_required, 403 csrf_failed,
 * 403 forbidden) and returns false. The handler then must not answer. */
#ifndef KONTAKT_API_STAFF_H
#define KONTAKT_API_STAFF_H
#include "api/api.h"
#include "domain/rights.h"
#include "store/store.h"
#include <stdint.h>

typedef struct {
    int64_t id;
    char login[64];
    char name[256]; /* 60 code points at most (STAFF_NAME_MAX): up to 240 bytes */
    dom_role role;
    char organisation[64]; /* "" when none (executors always have one) */
} api_staff;

/* True with *who filled when the request carries a valid staff session
 * that has `right`; otherwise answers the error and returns false. */
bool api_staff_require(http_req *req, dom_right right, api_staff *who);

/* Like api_staff_require without a right: any signed-in staff member.
 * Used where the rights depend on the object (appeal actions). */
bool api_staff_session(http_req *req, api_staff *who);

/* True when the request has a valid staff session and, for a method other
 * than GET/HEAD, the right X-CSRF-Token (no answer is given either way).
 * Without a session cookie of the right length it reads no database, so
 * residents' requests pay nothing for it.
 * Used by intake to exempt the hotline from the per-address rate limit and
 * to allow the "phone" channel. */
bool api_staff_peek(http_req *req, api_staff *who);

/* The event actor text of a staff member: "staff:<login>". */
void api_staff_actor(const api_staff *who, char *out, size_t cap);

/* --- the staff view of an appeal (api/staff_view.c) -------------------- */
/* May `who` see appeals of `organisation` with personal data? Everyone
 * with DOM_RIGHT_VIEW_APPEALS; executors only their own organisation. */
bool api_staff_may_view(const api_staff *who, const char *organisation);

/* The staff actions `who` may take on `a` now, as a JSON array of wire
 * names (new reference): the role may take the action
 * (dom_role_may_act), an executor only in the own organisation, the
 * lifecycle allows it from a->status (dom_transition), accept only while
 * not yet accepted, request_extension only without a pending request,
 * approve/refuse_extension only with one. Actions use it to tell 403
 * (role) from 409 (state). */
json_t *api_allowed_actions(const api_staff *who, const store_appeal *a, bool pending_extension);

/* The staff view of appeal `number` (new reference), built inside the
 * caller's WRITE transaction on c: it also records the internal event
 * personal_data_viewed (actor "staff:<login>"). NULL with *rc =
 * DB_NOT_FOUND when there is no such appeal or `who` may not see it
 * (existence must not leak), or another DB_* error. */
json_t *api_staff_appeal_json(app_ctx *app, db_conn *c, const api_staff *who, const char *number,
                              int *rc);

/* {login, name} (new reference). */
json_t *api_staff_person(const char *login, const char *name);
#endif
