/* GET /api/v1/addresses?q=&limit= (autocomplete) and
 * GET /api/v1/addresses/nearest?lat=&lon= (a dropped pin), both answered
 * from the in-memory index built at serve start (domain/address_index). */
#include "api/api.h"
#include "domain/address_index.h"
#include "domain/validate.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/views.h"
#include "util/banned.h"

#define Q_MIN 2
#define Q_MAX 100
#define LIMIT_DEFAULT 10
#define NEAREST_M 300.0

static json_t *num_or_null(bool has, double v) {
    return has ? json_real(round(v * 1e6) / 1e6) : json_null();
}

static json_t *suggestion_json(const addr_suggestion *s) {
    char street[512], label[600], old_label[600];
    addr_street_label(s->kind, s->street, street, sizeof street);
    if (s->house)
        snprintf(label, sizeof label, "%s, %s", street, s->house);
    else
        str_copy(label, sizeof label, street);
    json_t *old = json_null();
    if (s->old_name) {
        char old_street[512];
        addr_street_label(s->kind, s->old_name, old_street, sizeof old_street);
        snprintf(old_label, sizeof old_label, "(%s %s)", addr_former_word(s->kind), old_street);
        old = json_string(old_label);
    }
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:o}", "street", s->street, "kind",
                     addr_kind_name(s->kind), "house", view_opt(s->house), "district",
                     view_opt(s->district), "lat", num_or_null(s->has_coords, s->lat), "lon",
                     num_or_null(s->has_coords, s->lon), "old_name", view_opt(s->old_name),
                     "label_uk", label, "label_uk_old", old);
}

static void reply_bad_query(http_req *req, const char *field, const char *code,
                            const char *detail) {
    json_t *fields = json_object();
    http_field_error(req, fields, field, code, detail);
    http_reply_error(req, "invalid_query", fields);
    json_decref(fields);
}

/* q trimmed into out; false (answered) when missing or of a wrong length. */
static bool read_q(http_req *req, char *out, size_t cap) {
    const char *q = http_query(req, "q");
    if (!q) {
        reply_bad_query(req, "q", "required", NULL);
        return false;
    }
    while (*q == ' ' || *q == '\t') q++;
    size_t len = strlen(q);
    while (len && (q[len - 1] == ' ' || q[len - 1] == '\t')) len--;
    long cps = len > 4 * Q_MAX ? Q_MAX + 1 : dom_utf8_length(q, len);
    if (cps < 0 || dom_has_control_chars(q, len)) {
        reply_bad_query(req, "q", "invalid_value", NULL);
        return false;
    }
    if (cps < Q_MIN || cps > Q_MAX) {
        reply_bad_query(req, "q", cps < Q_MIN ? "too_short" : "too_long", "2–100");
        return false;
    }
    snprintf(out, cap, "%.*s", (int)len, q);
    return true;
}

void api_addresses(http_req *req) {
    app_ctx *app = req->app;
    char q[4 * Q_MAX + 1];
    if (!read_q(req, q, sizeof q)) return;
    long long limit = LIMIT_DEFAULT;
    const char *l = http_query(req, "limit");
    if (l && !str_to_ll(l, 1, ADDR_SUGGEST_MAX, &limit)) {
        reply_bad_query(req, "limit", "invalid_value", "1–20");
        return;
    }
    addr_suggestion found[ADDR_SUGGEST_MAX];
    char house[64];
    int n = app->addresses ? addr_index_search(app->addresses, q, found, (int)limit, house,
                                               sizeof house)
                           : 0;
    json_t *list = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(list, suggestion_json(&found[i]));
    json_t *j = json_pack("{s:o}", "suggestions", list);
    http_reply_json(req, 200, j);
    json_decref(j);
}

static bool read_coord(http_req *req, const char *name, double *out) {
    json_t *fields = json_object();
    if (http_query_number(req, name, fields, out) && fabs(*out) > 180)
        http_field_error(req, fields, name, "out_of_bounds", NULL);
    bool ok = json_object_size(fields) == 0;
    if (!ok) http_reply_error(req, "invalid_query", fields);
    json_decref(fields);
    return ok;
}

void api_address_nearest(http_req *req) {
    app_ctx *app = req->app;
    double lat, lon, d = 0;
    if (!read_coord(req, "lat", &lat) || !read_coord(req, "lon", &lon)) return;
    addr_suggestion s;
    if (!app->addresses || !addr_index_nearest(app->addresses, lat, lon, NEAREST_M, &s, &d)) {
        http_reply_error(req, "address_not_found", NULL);
        return;
    }
    json_t *j = suggestion_json(&s);
    json_object_set_new(j, "distance_m", json_integer((json_int_t)lround(d)));
    http_reply_json(req, 200, j);
    json_decref(j);
}
