/* Staff roles and what each may do. Pure: no I/O. Deny by default: a
 * right not granted in rights.c's table is refused. */
#ifndef KONTAKT_DOMAIN_RIGHTS_H
#define KONTAKT_DOMAIN_RIGHTS_H
#include <stdbool.h>

typedef enum {
    DOM_ROLE_OPERATOR,
    DOM_ROLE_DISPATCHER,
    DOM_ROLE_EXECUTOR, /* always a member of one organisation */
    DOM_ROLE_SUPERVISOR,
    DOM_ROLE_ANALYST,
    DOM_ROLE_ADMIN,
    DOM_ROLE_COUNT
} dom_role;

/* Rights that are not appeal actions (those are in dom_role_may_act). */
typedef enum {
    DOM_RIGHT_CONSOLE,       /* register calls, caller history, consultations */
    DOM_RIGHT_VIEW_APPEALS,  /* staff view of appeals with personal data (all of them) */
    DOM_RIGHT_VIEW_OWN_ORG,  /* staff view of the own organisation's appeals only */
    DOM_RIGHT_QUEUE_TRIAGE,  /* the dispatcher's triage queue */
    DOM_RIGHT_QUEUE_ORG,     /* an organisation's queue (executors: their own) */
    DOM_RIGHT_QUEUE_CONTROL, /* escalations, extensions waiting, disputed work */
    DOM_RIGHT_REPORTS,       /* scorecards, violations register, exports */
    DOM_RIGHT_USERS,         /* manage staff accounts */
    DOM_RIGHT_COUNT
} dom_right;

const char *dom_role_name(dom_role r); /* "operator", ... */
const char *dom_right_name(dom_right r); /* "console", ... (the session answer lists them) */
bool dom_role_parse(const char *text, dom_role *out);
bool dom_role_has(dom_role r, dom_right right);
/* Roles whose accounts must have a TOTP second factor. */
bool dom_role_needs_totp(dom_role r);

/* Staff actions on an appeal, by their wire name ("assign", "accept",
 * ...): may this role take it at all? The state check is separate
 * (dom_transition); the organisation check for executors is the caller's. */
bool dom_role_may_act(dom_role r, const char *action);

/* A staff member's name as colleagues see it: at most this many code points. */
#define STAFF_NAME_MAX 60

/* A staff login: 3–32 of a-z 0-9 . _ - (it appears in URIs and logs). */
bool dom_login_valid(const char *login);

/* Checks a new or changed account: the field that is wrong ("login",
 * "role", "organisation") and the field error code, or NULL when fine.
 * Executors need an organisation; other roles have none. */
const char *dom_account_check(const char *login, const char *role, const char *organisation,
                              const char **code);
#endif
