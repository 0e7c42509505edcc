/* GET /api/v1/map: the public map's features for a viewport and filters
 * (GeoJSON; appeals or clusters, see domain/mapagg.h). */
#include "api/api.h"
#include "api/mapindex.h"
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define LIST_MAX 64        /* items in a category/status list */
#define PARAM_MAX 2048     /* characters in one parameter */
#define BBOX_SPAN_MAX 20.0 /* degrees: wider is no city map */
#define ANSWER_MAX (2u << 20)

/* Splits s at commas into items (empty items are an error). */
static int split(const char *s, char items[][DOM_CODE_MAX], int max) {
    int n = 0;
    while (*s) {
        size_t len = strcspn(s, ",");
        if (!len || len >= DOM_CODE_MAX || n == max) return -1;
        memcpy(items[n], s, len);
        items[n++][len] = '\0';
        s += len;
        if (*s == ',' && !*++s) return -1;
    }
    return n;
}

static bool parse_bbox(const char *s, dom_mapquery *q, const char **why) {
    double v[4];
    const char *p = s;
    for (int i = 0; i < 4; i++) {
        char *end = NULL;
        if (!*p || isspace((unsigned char)*p)) return false;
        v[i] = strtod(p, &end);
        if (end == p || !isfinite(v[i]) || *end != (i < 3 ? ',' : '\0')) return false;
        p = end + (i < 3);
    }
    if (v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90 || v[0] >= v[2] || v[1] >= v[3])
        return false;
    if (v[2] - v[0] > BBOX_SPAN_MAX || v[3] - v[1] > BBOX_SPAN_MAX) {
        *why = "≤ 20°";
        return false;
    }
    q->min_lon = v[0], q->min_lat = v[1], q->max_lon = v[2], q->max_lat = v[3];
    return true;
}

/* YYYY-MM-DD exactly. */
static bool parse_date(const char *s, int *days) {
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    return dom_map_date_days(y, m, d, days);
}

static void parse_categories(http_req *req, const char *s, dom_mapquery *q, json_t *fields) {
    app_ctx *app = req->app;
    char items[LIST_MAX][DOM_CODE_MAX];
    int n = split(s, items, LIST_MAX);
    if (n < 0) {
        http_field_error(req, fields, "category", "invalid_value", NULL);
        return;
    }
    q->any_category = n == 0;
    for (int i = 0; i < n; i++) {
        const dom_category *c = dom_catalog_category(&app->catalog, items[i]);
        if (!c) {
            http_field_error(req, fields, "category", "unknown_category", items[i]);
            return;
        }
        size_t idx = (size_t)(c - app->catalog.cats);
        if (idx < MAP_NO_CODE) q->category[idx] = true;
    }
}

static void parse_statuses(http_req *req, const char *s, dom_mapquery *q, json_t *fields) {
    char items[LIST_MAX][DOM_CODE_MAX];
    int n = split(s, items, LIST_MAX);
    if (n < 0) {
        http_field_error(req, fields, "status", "invalid_value", NULL);
        return;
    }
    q->any_status = n == 0;
    for (int i = 0; i < n; i++) {
        dom_status st;
        if (!dom_status_parse(items[i], &st)) {
            http_field_error(req, fields, "status", "unknown_status", items[i]);
            return;
        }
        q->status[st] = true;
    }
}

static bool code_ok(const char *s) {
    size_t n = strlen(s);
    if (!n || n > 32) return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-') return false;
    return true;
}

/* Reads every parameter; field errors for the bad ones. *empty: a district
 * no appeal has (the answer is empty). */
static void parse_query(http_req *req, dom_mapquery *q, json_t *fields, bool *empty) {
    app_ctx *app = req->app;
    static const char *const names[] = {"bbox", "zoom", "category", "status", "from", "to", "district"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = http_query(req, names[i]);
        if (v && strlen(v) > PARAM_MAX) http_field_error(req, fields, names[i], "too_long", "2048");
    }
    if (json_object_size(fields)) return;
    const char *bbox = http_query(req, "bbox"), *zoom = http_query(req, "zoom");
    const char *why = NULL;
    if (!bbox || !*bbox) http_field_error(req, fields, "bbox", "required", NULL);
    else if (!parse_bbox(bbox, q, &why)) http_field_error(req, fields, "bbox", "invalid_bbox", why);
    long long z = 0;
    if (!zoom || !*zoom) http_field_error(req, fields, "zoom", "required", NULL);
    else if (!str_to_ll(zoom, 0, MAP_MAX_ZOOM, &z)) http_field_error(req, fields, "zoom", "invalid_value", "0–20");
    q->zoom = (int)z;
    const char *v = http_query(req, "category");
    if (v) parse_categories(req, v, q, fields);
    if ((v = http_query(req, "status"))) parse_statuses(req, v, q, fields);
    if ((v = http_query(req, "from")) && *v && !parse_date(v, &q->day_from))
        http_field_error(req, fields, "from", "invalid_date", "YYYY-MM-DD");
    if ((v = http_query(req, "to")) && *v && !parse_date(v, &q->day_to))
        http_field_error(req, fields, "to", "invalid_date", "YYYY-MM-DD");
    if (q->day_from >= 0 && q->day_to >= 0 && q->day_from > q->day_to)
        http_field_error(req, fields, "to", "date_order", NULL);
    if ((v = http_query(req, "district")) && *v) {
        if (!code_ok(v)) http_field_error(req, fields, "district", "invalid_value", NULL);
        else if ((q->district = mapindex_district(app->map, v)) < 0) *empty = true;
    }
}

void api_map(http_req *req) {
    app_ctx *app = req->app;
    dom_mapquery q;
    dom_mapquery_init(&q);
    json_t *fields = json_object();
    bool empty = false;
    parse_query(req, &q, fields, &empty);
    if (json_object_size(fields)) {
        http_reply_error(req, "invalid_query", fields);
        json_decref(fields);
        return;
    }
    json_decref(fields);
    buf out;
    buf_init(&out, ANSWER_MAX);
    if (empty)
        buf_printf(&out, "{\"type\":\"FeatureCollection\",\"total\":0,\"truncated\":false,"
                         "\"clustered\":false,\"zoom\":%d,\"features\":[]}", q.zoom);
    else
        mapindex_geojson(app->map, &q, &out);
    if (out.overflow) {
        buf_free(&out);
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    size_t len = out.len;
    http_reply_text(req, 200, "application/geo+json; charset=utf-8", buf_steal(&out), len);
}
