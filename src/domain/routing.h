/* Routing: which organisation handles an appeal, as data the city edits in
 * data/routing.json: rules (category, type or "*", district or "*") →
 * organisation. The most specific rule wins: type+district, then type,
 * then district, then category+"*"+"*"; with no rule, the type's
 * organisation from the catalogue (its own or its category's default). */
#ifndef KONTAKT_DOMAIN_ROUTING_H
#define KONTAKT_DOMAIN_ROUTING_H
#include "domain/catalog.h"
#include <stdbool.h>
#include <stddef.h>

#define DOM_ROUTING_RULES_MAX 10000

typedef struct {
    char category[DOM_CODE_MAX];
    char type[DOM_CODE_MAX];     /* a type code or "*" */
    char district[DOM_CODE_MAX]; /* a district code or "*" */
    char organisation[DOM_CODE_MAX];
} dom_route_rule;

typedef struct {
    dom_route_rule *rules;
    size_t n;
} dom_routing;

/* Parses {"rules": [{category, type, district, organisation}, ...]} (an
 * optional "note" too) and checks it against the catalogue: categories,
 * types and organisations exist, no rule repeated. District codes are not
 * checked here (districts may be imported later). On failure returns false
 * and err names the JSON path. */
bool dom_routing_parse(const char *json_text, const dom_catalog *cat, dom_routing *out,
                       char *err, size_t err_cap);
/* Appends one rule as stored (no checks beyond lengths). */
void dom_routing_add(dom_routing *r, const char *category, const char *type,
                     const char *district, const char *organisation);
void dom_routing_free(dom_routing *r);

/* The organisation for (category, type, district); district may be NULL
 * (the point is in no district). fallback when no rule applies. */
const char *dom_route(const dom_routing *r, const char *category, const char *type,
                      const char *district, const char *fallback);
#endif
