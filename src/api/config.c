/* What the pages need to know: the city, the map, the hotline, limits. */
#include "api/api.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/views.h"
#include "util/banned.h"

static json_t *emergency_numbers(void) {
    return json_pack("[{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s}]",
                     "phone", "101", "name_uk", "Пожежно-рятувальна служба", "name_en",
                     "Fire and rescue", "phone", "102", "name_uk", "Поліція", "name_en", "Police",
                     "phone", "103", "name_uk", "Швидка медична допомога", "name_en",
                     "Ambulance", "phone", "104", "name_uk", "Аварійна газова служба", "name_en",
                     "Gas emergency");
}

static json_t *build_config(const kontakt_config *c) {
    json_t *city = json_pack("{s:s, s:s, s:[f,f,f,f], s:[f,f], s:i}", "name_uk", c->city_uk,
                             "name_en", c->city_en, "bounds", c->bounds.min_lon,
                             c->bounds.min_lat, c->bounds.max_lon, c->bounds.max_lat, "center",
                             c->center_lat, c->center_lon, "zoom", c->zoom);
    json_t *map = json_pack("{s:s, s:s, s:i}", "tile_url", c->tile_url, "attribution",
                            c->tile_attribution, "max_zoom", 19);
    json_t *hotline = json_pack("{s:s, s:s, s:s, s:s}", "phone", c->hotline_phone,
                                "phone_display", c->hotline_display, "hours_uk", "цілодобово",
                                "hours_en", "24/7");
    json_t *limits = json_pack("{s:i, s:i, s:i, s:i, s:i}", "description_min", 10,
                               "description_max", 4000, "name_max", 200, "address_max", 300,
                               "body_max", 16384);
    json_t *photos = json_pack("{s:I, s:i, s:[s,s,s]}", "max_bytes", (json_int_t)c->photo_max_bytes,
                               "max_count", c->photo_max_count, "types", "image/jpeg",
                               "image/png", "image/webp");
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:[s,s,s,s,s], s:b, s:o}", "city", city, "map",
                     map, "hotline", hotline, "emergency", emergency_numbers(), "limits", limits,
                     "channels", "web", "mobile", "phone", "email", "open311", "trial",
                     c->trial, "photos", photos);
}

void api_config(http_req *req) {
    app_ctx *app = req->app;
    char *copy = xstrdup(app->config_answer);
    http_reply_text(req, 200, "application/json; charset=utf-8", copy, strlen(copy));
}

json_t *api_named(const char *code, const char *uk, const char *en) {
    return json_pack("{s:s, s:s, s:s}", "code", code, "name_uk", uk, "name_en", en);
}

static json_t *org_json(const dom_catalog *cat, const char *code) {
    const dom_org *o = dom_catalog_org(cat, code);
    return o ? api_named(o->code, o->name_uk, o->name_en) : json_null();
}

static json_t *build_categories(const dom_catalog *cat) {
    json_t *list = json_array();
    for (size_t i = 0; i < cat->n_cats; i++) {
        const dom_category *c = &cat->cats[i];
        json_t *types = json_array();
        for (size_t t = 0; t < c->n_types; t++) {
            const dom_type *ty = &c->types[t];
            char reaction[16], resolution[16];
            dom_duration_format(ty->reaction, reaction, sizeof reaction);
            dom_duration_format(ty->resolution, resolution, sizeof resolution);
            json_array_append_new(
                types, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "code",
                                 ty->code, "name_uk", ty->name_uk, "name_en", ty->name_en,
                                 "priority", dom_priority_name(ty->priority), "reaction",
                                 reaction, "resolution", resolution, "alert_phone",
                                 view_opt(ty->alert_phone), "hint_uk", view_opt(ty->hint_uk),
                                 "hint_en", view_opt(ty->hint_en), "organisation",
                                 org_json(cat, ty->organisation)));
        }
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o, s:o}", "code", c->code,
                                              "name_uk", c->name_uk, "name_en", c->name_en,
                                              "organisation", org_json(cat, c->organisation),
                                              "types", types));
    }
    return json_pack("{s:o}", "categories", list);
}

bool api_prepare(app_ctx *app, char *err, size_t err_cap) {
    json_t *cfg = build_config(app->cfg);
    json_t *cats = build_categories(&app->catalog);
    app->config_answer = json_dumps(cfg, JSON_COMPACT | JSON_REAL_PRECISION(10));
    app->categories_answer = json_dumps(cats, JSON_COMPACT);
    json_decref(cfg);
    json_decref(cats);
    if (!app->config_answer || !app->categories_answer) {
        snprintf(err, err_cap, "cannot build the cached answers");
        return false;
    }
    return true;
}

void api_release(app_ctx *app) {
    free(app->config_answer);
    free(app->categories_answer);
    free(app->openapi);
}

void api_categories(http_req *req) {
    app_ctx *app = req->app;
    char *copy = xstrdup(app->categories_answer);
    http_reply_text(req, 200, "application/json; charset=utf-8", copy, strlen(copy));
}
