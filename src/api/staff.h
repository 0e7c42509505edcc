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
#include <stdint.h>

typedef struct {
    int64_t id;
    char login[64];
    char name[128];
    dom_role role;
    char organisation[64]; /* "" when none (executors always have one) */
} api_staff;

/* True with *who filled when the request carries a valid staff session
 * that has `right`; otherwise answers the error and returns false. */
bool api_staff_require(http_req *req, dom_right right, api_staff *who);

/* Like api_staff_require without a right: any signed-in staff member.
 * Used where the rights depend on the object (appeal actions). */
bool api_staff_session(http_req *req, api_staff *who);

/* True when the request has a valid staff session (no answer is given
 * either way; no CSRF check). Used by intake to exempt the hotline from
 * the per-address rate limit and to allow the "phone" channel. */
bool api_staff_peek(http_req *req, api_staff *who);

/* The event actor text of a staff member: "staff:<login>". */
void api_staff_actor(const api_staff *who, char *out, size_t cap);
#endif
