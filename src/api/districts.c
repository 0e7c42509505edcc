/* GET /api/v1/districts: the city's districts for the map's filter and
 * outlines; the district shape of an appeal in the other answers. */
#include "api/api.h"
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

static json_t *district_props(const dom_district *x) {
    return json_pack("{s:s, s:s, s:s, s:b}", "code", x->code, "name_uk", x->name_uk, "name_en",
                     x->name_en[0] ? x->name_en : x->name_uk, "approximate", x->approximate);
}

bool api_districts_prepare(app_ctx *app) {
    json_t *list = json_array(), *feats = json_array();
    for (size_t i = 0; i < app->districts.n; i++) {
        const dom_district *x = &app->districts.items[i];
        json_array_append_new(list, district_props(x));
        json_t *geom = json_loads(x->geometry, 0, NULL);
        json_array_append_new(feats, json_pack("{s:s, s:s, s:o, s:o}", "type", "Feature", "id",
                                               x->code, "properties", district_props(x),
                                               "geometry", geom ? geom : json_null()));
    }
    json_t *a = json_pack("{s:o}", "districts", list);
    json_t *b = json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", feats);
    app->districts_answer = json_dumps(a, JSON_COMPACT);
    app->districts_geo_answer = json_dumps(b, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(a);
    json_decref(b);
    return app->districts_answer && app->districts_geo_answer;
}

void api_districts_release(app_ctx *app) {
    free(app->districts_answer);
    free(app->districts_geo_answer);
    app->districts_answer = app->districts_geo_answer = NULL;
}

json_t *api_district_json(const app_ctx *app, const char *code) {
    if (!code || !*code) return json_null();
    const dom_district *x = dom_district_find(&app->districts, code);
    /* A code no longer among the districts (re-imported since): the code. */
    return x ? api_named(x->code, x->name_uk, x->name_en[0] ? x->name_en : x->name_uk)
             : api_named(code, code, code);
}

void api_districts(http_req *req) {
    app_ctx *app = req->app;
    const char *g = http_query(req, "geometry");
    if (g && strcmp(g, "0") != 0 && strcmp(g, "1") != 0) {
        json_t *fields = json_object();
        http_field_error(req, fields, "geometry", "invalid_value", "0, 1");
        http_reply_error(req, "invalid_query", fields);
        json_decref(fields);
        return;
    }
    bool geo = g && strcmp(g, "1") == 0;
    const char *answer = geo ? app->districts_geo_answer : app->districts_answer;
    char *copy = xstrdup(answer);
    http_reply_text(req, 200,
                    geo ? "application/geo+json; charset=utf-8" : "application/json; charset=utf-8",
                    copy, strlen(copy));
}
