/* Residents' sessions for handlers (api/resident.c): sign-in by a one-time
 * code, the cookie "kontakt_resident", CSRF as for staff. */
#ifndef KONTAKT_API_RESIDENT_H
#define KONTAKT_API_RESIDENT_H
#include "api/api.h"
#include "store/residents.h"

/* True with *who filled when the request carries a valid resident session
 * (and, for a method other than GET/HEAD, the right X-CSRF-Token);
 * otherwise answers 401 auth_required / 403 csrf_failed and returns false. */
bool api_resident_session(http_req *req, store_resident *who);

/* Like api_resident_session without answering: true when signed in (and,
 * for other methods than GET/HEAD, with the CSRF token). */
bool api_resident_peek(http_req *req, store_resident *who);

/* The event actor text of a resident: "resident:<id>". */
void api_resident_actor(const store_resident *who, char *out, size_t cap);

/* The CSRF token of a session token (api/auth.c): SHA-256 of a fixed
 * prefix and the token, so it needs no storage and dies with the session. */
void api_csrf_of(const char *token, char out[65]);
/* The request's X-CSRF-Token matches the session of `token`. */
bool api_csrf_ok(http_req *req, const char *token);
bool api_safe_method(const http_req *req);
#endif
