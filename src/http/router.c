/* The routing table matcher: literal segments and {param} segments. */
#include "http/http.h"
#include <string.h>
#include "util/banned.h"

/* Matches one pattern against a path; fills params. */
static bool match(const char *pattern, const char *path, char params[][HTTP_PARAM_MAX], int *n) {
    *n = 0;
    const char *p = pattern, *u = path;
    while (*p && *u) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close) return false;
            size_t len = strcspn(u, "/");
            if (len == 0 || *n >= HTTP_MAX_PARAMS) return false;
            /* An overlong value still routes (so the handler answers with its
             * own clear error) but arrives empty: no valid value is that long. */
            size_t keep = len < HTTP_PARAM_MAX ? len : 0;
            memcpy(params[*n], u, keep);
            params[*n][keep] = '\0';
            (*n)++;
            p = close + 1;
            u += len;
            continue;
        }
        if (*p != *u) return false;
        p++;
        u++;
    }
    return *p == '\0' && *u == '\0';
}

const http_route *http_route_match(const http_route *routes, size_t n, const char *method,
                                   const char *path, char params[][HTTP_PARAM_MAX],
                                   int *n_params, bool *path_found, char *allow,
                                   size_t allow_cap) {
    *path_found = false;
    if (allow_cap) allow[0] = '\0';
    const http_route *hit = NULL;
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        char tmp[HTTP_MAX_PARAMS][HTTP_PARAM_MAX];
        int tn = 0;
        if (!match(routes[i].pattern, path, tmp, &tn)) continue;
        *path_found = true;
        size_t ml = strlen(routes[i].method);
        if (allow_cap && used + ml + 3 < allow_cap) {
            if (used) {
                memcpy(allow + used, ", ", 2);
                used += 2;
            }
            memcpy(allow + used, routes[i].method, ml + 1);
            used += ml;
        }
        if (!hit && strcmp(routes[i].method, method) == 0) {
            hit = &routes[i];
            memcpy(params, tmp, sizeof tmp);
            *n_params = tn;
        }
    }
    if (*path_found && allow_cap && used + 10 < allow_cap) memcpy(allow + used, ", OPTIONS", 10);
    return hit;
}
