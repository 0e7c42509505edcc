/* The catalogue: organisations, categories, types and their deadline rules,
 * as the city edits them in data/categories.json and data/organisations.json.
 * Pure data plus lookups; the JSON text is handed in (the caller reads the
 * file or the database). */
#ifndef KONTAKT_DOMAIN_CATALOG_H
#define KONTAKT_DOMAIN_CATALOG_H
#include "domain/deadline.h"
#include <stdbool.h>
#include <stddef.h>

#define DOM_CODE_MAX 64
#define DOM_NAME_MAX 256
#define DOM_HINT_MAX 512
#define DOM_DUPLICATE_RADIUS_DEFAULT 150

typedef struct {
    char code[DOM_CODE_MAX];
    char name_uk[DOM_NAME_MAX];
    char name_en[DOM_NAME_MAX];
    char phone[32]; /* dispatch phone, may be empty */
} dom_org;

typedef struct {
    char code[DOM_CODE_MAX];
    char name_uk[DOM_NAME_MAX];
    char name_en[DOM_NAME_MAX];
    dom_priority priority;
    dom_duration reaction;   /* from the priority unless the type overrides */
    dom_duration resolution;
    char organisation[DOM_CODE_MAX]; /* the type's own or the category's default */
    char alert_phone[16];            /* "104" for gas smell: "call now" before the form */
    char hint_uk[DOM_HINT_MAX];      /* operator script / resident hint, may be empty */
    char hint_en[DOM_HINT_MAX];
} dom_type;

typedef struct {
    char code[DOM_CODE_MAX];
    char name_uk[DOM_NAME_MAX];
    char name_en[DOM_NAME_MAX];
    char organisation[DOM_CODE_MAX];
    double demo_share; /* percent of appeals in demo data */
    int duplicate_radius_m; /* open appeals this near are offered as duplicates */
    dom_type *types;
    size_t n_types;
} dom_category;

typedef struct {
    dom_org *orgs;
    size_t n_orgs;
    dom_category *cats;
    size_t n_cats;
    dom_duration reaction_default[DOM_PRIO_COUNT];
} dom_catalog;

/* Parses the two JSON texts (formats in docs/DATA.md). On failure returns
 * false and writes a human-readable reason (with the JSON path) to err.
 * Checks: unique codes, every organisation referenced exists, every
 * duration parses, priorities known, names non-empty. The catalogue owns
 * its memory: free with dom_catalog_free. */
bool dom_catalog_parse(const char *categories_json, const char *organisations_json,
                       dom_catalog *out, char *err, size_t err_cap);
void dom_catalog_free(dom_catalog *c);

const dom_category *dom_catalog_category(const dom_catalog *c, const char *code);
const dom_type *dom_catalog_type(const dom_category *cat, const char *code);
const dom_org *dom_catalog_org(const dom_catalog *c, const char *code);
#endif
