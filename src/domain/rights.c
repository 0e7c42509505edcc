/* Roles and rights as tables (see rights.h): what is not listed is refused. */
#include "domain/rights.h"
#include <stddef.h>
#include <string.h>
#include "util/banned.h"

static const char *const role_names[DOM_ROLE_COUNT] = {
    [DOM_ROLE_OPERATOR] = "operator",     [DOM_ROLE_DISPATCHER] = "dispatcher",
    [DOM_ROLE_EXECUTOR] = "executor",     [DOM_ROLE_SUPERVISOR] = "supervisor",
    [DOM_ROLE_ANALYST] = "analyst",       [DOM_ROLE_ADMIN] = "admin",
};

static const char *const right_names[DOM_RIGHT_COUNT] = {
    [DOM_RIGHT_CONSOLE] = "console",           [DOM_RIGHT_VIEW_APPEALS] = "view_appeals",
    [DOM_RIGHT_VIEW_OWN_ORG] = "view_own_org", [DOM_RIGHT_QUEUE_TRIAGE] = "queue_triage",
    [DOM_RIGHT_QUEUE_ORG] = "queue_org",       [DOM_RIGHT_QUEUE_CONTROL] = "queue_control",
    [DOM_RIGHT_REPORTS] = "reports",           [DOM_RIGHT_USERS] = "users",
};

#define R(x) (1u << (x))
/* Each role's rights; docs/STAFF.md shows the same table. */
static const unsigned role_rights[DOM_ROLE_COUNT] = {
    [DOM_ROLE_OPERATOR] = R(DOM_RIGHT_CONSOLE) | R(DOM_RIGHT_VIEW_APPEALS),
    [DOM_ROLE_DISPATCHER] = R(DOM_RIGHT_CONSOLE) | R(DOM_RIGHT_VIEW_APPEALS) |
                            R(DOM_RIGHT_QUEUE_TRIAGE) | R(DOM_RIGHT_QUEUE_ORG),
    [DOM_ROLE_EXECUTOR] = R(DOM_RIGHT_VIEW_OWN_ORG) | R(DOM_RIGHT_QUEUE_ORG),
    [DOM_ROLE_SUPERVISOR] = R(DOM_RIGHT_CONSOLE) | R(DOM_RIGHT_VIEW_APPEALS) |
                            R(DOM_RIGHT_QUEUE_TRIAGE) | R(DOM_RIGHT_QUEUE_ORG) |
                            R(DOM_RIGHT_QUEUE_CONTROL) | R(DOM_RIGHT_REPORTS),
    [DOM_ROLE_ANALYST] = R(DOM_RIGHT_REPORTS),
    [DOM_ROLE_ADMIN] = R(DOM_RIGHT_REPORTS) | R(DOM_RIGHT_USERS),
};

/* Who may take which appeal action (the state is checked elsewhere). */
static const struct {
    const char *action;
    unsigned roles;
} action_roles[] = {
    {"assign", R(DOM_ROLE_DISPATCHER) | R(DOM_ROLE_SUPERVISOR)},
    {"reclassify", R(DOM_ROLE_DISPATCHER) | R(DOM_ROLE_SUPERVISOR)},
    {"reject", R(DOM_ROLE_DISPATCHER)},
    {"forward", R(DOM_ROLE_DISPATCHER)},
    {"merge", R(DOM_ROLE_DISPATCHER)},
    {"accept", R(DOM_ROLE_EXECUTOR)},
    {"start", R(DOM_ROLE_EXECUTOR)},
    {"done", R(DOM_ROLE_EXECUTOR)},
    {"return", R(DOM_ROLE_EXECUTOR)},
    {"request_extension", R(DOM_ROLE_EXECUTOR)},
    {"approve_extension", R(DOM_ROLE_SUPERVISOR)},
    {"refuse_extension", R(DOM_ROLE_SUPERVISOR)},
    {"reopen", R(DOM_ROLE_SUPERVISOR)},
};

const char *dom_role_name(dom_role r) {
    if ((int)r < 0 || r >= DOM_ROLE_COUNT) return "unknown";
    return role_names[r];
}

const char *dom_right_name(dom_right r) {
    if ((int)r < 0 || r >= DOM_RIGHT_COUNT) return "unknown";
    return right_names[r];
}

bool dom_role_parse(const char *text, dom_role *out) {
    if (!text) return false;
    for (int i = 0; i < DOM_ROLE_COUNT; i++) {
        if (strcmp(text, role_names[i]) == 0) {
            *out = (dom_role)i;
            return true;
        }
    }
    return false;
}

bool dom_role_has(dom_role r, dom_right right) {
    if ((int)r < 0 || r >= DOM_ROLE_COUNT || (int)right < 0 || right >= DOM_RIGHT_COUNT)
        return false;
    return (role_rights[r] & R(right)) != 0;
}

bool dom_role_needs_totp(dom_role r) { return r == DOM_ROLE_SUPERVISOR || r == DOM_ROLE_ADMIN; }

bool dom_role_may_act(dom_role r, const char *action) {
    if ((int)r < 0 || r >= DOM_ROLE_COUNT || !action) return false;
    for (size_t i = 0; i < sizeof action_roles / sizeof action_roles[0]; i++)
        if (strcmp(action, action_roles[i].action) == 0) return (action_roles[i].roles & R(r)) != 0;
    return false;
}

bool dom_login_valid(const char *login) {
    size_t n = login ? strlen(login) : 0;
    if (n < 3 || n > 32) return false;
    for (size_t i = 0; i < n; i++) {
        char ch = login[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
                  ch == '-';
        if (!ok) return false;
    }
    return true;
}

const char *dom_account_check(const char *login, const char *role, const char *organisation,
                              const char **code) {
    dom_role r;
    if (!dom_login_valid(login)) {
        *code = "invalid_login";
        return "login";
    }
    if (!dom_role_parse(role, &r)) {
        *code = "unknown_role";
        return "role";
    }
    bool has_org = organisation && *organisation;
    if (r == DOM_ROLE_EXECUTOR && !has_org) {
        *code = "organisation_required";
        return "organisation";
    }
    if (r != DOM_ROLE_EXECUTOR && has_org) {
        *code = "invalid_value";
        return "organisation";
    }
    return NULL;
}
