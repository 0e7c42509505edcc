/* Routing rules (see routing.h). */
#include "domain/routing.h"
#include "util/buf.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

__attribute__((format(printf, 3, 4))) static bool fail(char *err, size_t cap, const char *fmt,
                                                       ...) {
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return false;
}

void dom_routing_add(dom_routing *r, const char *category, const char *type,
                     const char *district, const char *organisation) {
    r->rules = xrealloc(r->rules, (r->n + 1) * sizeof *r->rules);
    dom_route_rule *x = &r->rules[r->n++];
    str_copy(x->category, sizeof x->category, category);
    str_copy(x->type, sizeof x->type, type && *type ? type : "*");
    str_copy(x->district, sizeof x->district, district && *district ? district : "*");
    str_copy(x->organisation, sizeof x->organisation, organisation);
}

void dom_routing_free(dom_routing *r) {
    free(r->rules);
    r->rules = NULL;
    r->n = 0;
}

static const char *field(const json_t *rule, const char *key, const char *path, char *err,
                         size_t cap) {
    const json_t *v = json_object_get(rule, key);
    const char *s = json_string_value(v);
    if (!s || !*s) {
        fail(err, cap, "%s.%s: missing or not a non-empty string", path, key);
        return NULL;
    }
    if (strlen(s) >= DOM_CODE_MAX) {
        fail(err, cap, "%s.%s: longer than %d bytes", path, key, DOM_CODE_MAX - 1);
        return NULL;
    }
    return s;
}

static bool parse_rule(const json_t *v, const char *path, const dom_catalog *cat,
                       dom_routing *out, char *err, size_t cap) {
    if (!json_is_object(v)) return fail(err, cap, "%s: must be an object", path);
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)v, key, val) {
        (void)val;
        if (strcmp(key, "category") && strcmp(key, "type") && strcmp(key, "district") &&
            strcmp(key, "organisation"))
            return fail(err, cap, "%s.%s: unknown key", path, key);
    }
    const char *c = field(v, "category", path, err, cap), *t = field(v, "type", path, err, cap),
               *d = field(v, "district", path, err, cap),
               *o = field(v, "organisation", path, err, cap);
    if (!c || !t || !d || !o) return false;
    const dom_category *dc = dom_catalog_category(cat, c);
    if (!dc) return fail(err, cap, "%s.category: unknown category '%s'", path, c);
    if (strcmp(t, "*") != 0 && !dom_catalog_type(dc, t))
        return fail(err, cap, "%s.type: unknown type '%s' of category '%s'", path, t, c);
    if (!dom_catalog_org(cat, o))
        return fail(err, cap, "%s.organisation: unknown organisation '%s'", path, o);
    for (size_t i = 0; i < out->n; i++) {
        const dom_route_rule *r = &out->rules[i];
        if (!strcmp(r->category, c) && !strcmp(r->type, t) && !strcmp(r->district, d))
            return fail(err, cap, "%s: the same category, type and district as rules[%zu]", path,
                        i);
    }
    dom_routing_add(out, c, t, d, o);
    return true;
}

bool dom_routing_parse(const char *json_text, const dom_catalog *cat, dom_routing *out,
                       char *err, size_t err_cap) {
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *root = json_loads(json_text ? json_text : "", JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return fail(err, err_cap, "not valid JSON: %s (line %d, column %d)", jerr.text,
                    jerr.line, jerr.column);
    const json_t *rules = json_object_get(root, "rules");
    bool ok = true;
    const char *key;
    json_t *val;
    if (!json_is_object(root)) ok = fail(err, err_cap, "(top level): must be an object");
    json_object_foreach(root, key, val) {
        (void)val;
        if (ok && strcmp(key, "rules") && strcmp(key, "note"))
            ok = fail(err, err_cap, "%s: unknown key", key);
    }
    if (ok && !json_is_array(rules)) ok = fail(err, err_cap, "rules: must be an array");
    if (ok && json_array_size(rules) > DOM_ROUTING_RULES_MAX)
        ok = fail(err, err_cap, "rules: more than %d rules", DOM_ROUTING_RULES_MAX);
    char path[32];
    for (size_t i = 0; ok && i < json_array_size(rules); i++) {
        snprintf(path, sizeof path, "rules[%zu]", i);
        ok = parse_rule(json_array_get(rules, i), path, cat, out, err, err_cap);
    }
    json_decref(root);
    if (!ok) dom_routing_free(out);
    return ok;
}

const char *dom_route(const dom_routing *r, const char *category, const char *type,
                      const char *district, const char *fallback) {
    const char *best = NULL;
    int best_score = -1;
    for (size_t i = 0; r && category && type && i < r->n; i++) {
        const dom_route_rule *x = &r->rules[i];
        if (strcmp(x->category, category) != 0) continue;
        bool any_type = strcmp(x->type, "*") == 0, any_district = strcmp(x->district, "*") == 0;
        if (!any_type && strcmp(x->type, type) != 0) continue;
        if (!any_district && (!district || strcmp(x->district, district) != 0)) continue;
        /* type+district 3 > type 2 > district 1 > category 0 */
        int score = (any_type ? 0 : 2) + (any_district ? 0 : 1);
        if (score > best_score) {
            best_score = score;
            best = x->organisation;
        }
    }
    return best ? best : fallback;
}
