/* The catalogue parser (see catalog.h, formats in docs/DATA.md).
 *
 * The city edits these files by hand, so the parser is strict and says
 * exactly where a mistake is: unknown keys, duplicate keys, wrong types,
 * empty names, bad durations and dangling organisation codes are all
 * errors carrying a JSON path ("categories[3].types[1].priority: ..."). A
 * typo that silently dropped a deadline rule would be far worse than a
 * server that refuses to start. */
#include "domain/catalog.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define PATH_MAX_LEN 128

/* Where the error message goes. */
typedef struct {
    char *buf;
    size_t cap;
} errout;

__attribute__((format(printf, 2, 3))) static bool fail(errout *e, const char *fmt, ...)
{
    if (e->buf && e->cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->buf, e->cap, fmt, ap);
        va_end(ap);
    }
    return false;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "kontakt: out of memory (catalogue)\n");
        abort();
    }
    return p;
}

static bool key_allowed(const char *key, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (strcmp(key, *allowed) == 0)
            return true;
    return false;
}

/* `v` must be an object whose keys are all in the NULL-terminated list. */
static bool check_object(const json_t *v, const char *path, const char *const *allowed, errout *e)
{
    if (!json_is_object(v))
        return fail(e, "%s: must be an object", path[0] ? path : "(top level)");
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)v, key, val) {
        (void)val;
        if (!key_allowed(key, allowed))
            return fail(e, "%s%s%s: unknown key", path, path[0] ? "." : "", key);
    }
    return true;
}

enum { OPTIONAL = 0, REQUIRED = 1, NONEMPTY = 2 };

/* Copies obj[key] into dst. An absent optional key leaves dst empty. */
static bool get_str(const json_t *obj, const char *key, int flags, char *dst, size_t cap,
                    const char *path, errout *e)
{
    dst[0] = '\0';
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (flags & (REQUIRED | NONEMPTY))
            return fail(e, "%s.%s: missing", path, key);
        return true;
    }
    if (!json_is_string(v))
        return fail(e, "%s.%s: must be a string", path, key);
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (strlen(s) != len)
        return fail(e, "%s.%s: contains a NUL character", path, key);
    if (len >= cap)
        return fail(e, "%s.%s: longer than %zu bytes", path, key, cap - 1);
    if (len == 0 && (flags & NONEMPTY))
        return fail(e, "%s.%s: must not be empty", path, key);
    memcpy(dst, s, len + 1);
    return true;
}

/* Codes go into URLs, SQL and file names: [a-z0-9_] only. */
static bool get_code(const json_t *obj, const char *key, int flags, char *dst, const char *path,
                     errout *e)
{
    if (!get_str(obj, key, flags, dst, DOM_CODE_MAX, path, e))
        return false;
    for (const char *p = dst; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return fail(e, "%s.%s: code '%s' may contain only a-z, 0-9 and '_'", path, key, dst);
    return true;
}

/* Reads an optional/required duration; `set` tells whether one was there. */
static bool get_duration(const json_t *obj, const char *key, int flags, dom_duration *out,
                         bool *set, const char *path, errout *e)
{
    char text[32];
    if (!get_str(obj, key, flags, text, sizeof text, path, e))
        return false;
    *set = text[0] != '\0' || json_object_get(obj, key) != NULL;
    if (*set && !dom_duration_parse(text, out))
        return fail(e, "%s.%s: bad duration '%s' (want e.g. 24h, 3d, 1mo)", path, key, text);
    return true;
}

static bool parse_org(const json_t *v, const char *path, dom_org *o, errout *e)
{
    static const char *const keys[] = {"code", "name_uk", "name_en", "phone", NULL};
    if (!check_object(v, path, keys, e) || !get_code(v, "code", NONEMPTY, o->code, path, e) ||
        !get_str(v, "name_uk", NONEMPTY, o->name_uk, sizeof o->name_uk, path, e) ||
        !get_str(v, "name_en", NONEMPTY, o->name_en, sizeof o->name_en, path, e) ||
        !get_str(v, "phone", OPTIONAL, o->phone, sizeof o->phone, path, e))
        return false;
    return true;
}

static bool parse_orgs(const json_t *root, dom_catalog *c, errout *e)
{
    static const char *const keys[] = {"organisations", NULL};
    if (!check_object(root, "", keys, e))
        return false;
    const json_t *arr = json_object_get(root, "organisations");
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return fail(e, "organisations: must be a non-empty array");
    c->n_orgs = json_array_size(arr);
    c->orgs = xcalloc(c->n_orgs, sizeof *c->orgs);
    for (size_t i = 0; i < c->n_orgs; i++) {
        char path[PATH_MAX_LEN];
        snprintf(path, sizeof path, "organisations[%zu]", i);
        if (!parse_org(json_array_get(arr, i), path, &c->orgs[i], e))
            return false;
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->orgs[j].code, c->orgs[i].code) == 0)
                return fail(e, "%s.code: duplicate code '%s'", path, c->orgs[i].code);
    }
    return true;
}

/* Length for comparing rules of different units; a month counts as its
 * shortest (28 days) so "reaction <= resolution" is never judged too
 * leniently. */
static long nominal_hours(dom_duration d)
{
    long n = d.amount;
    return d.unit == DOM_UNIT_HOURS ? n : d.unit == DOM_UNIT_DAYS ? n * 24 : n * 28 * 24;
}

/* The emergency number shown before the form ("104"): digits only. */
static bool check_alert_phone(const char *phone, const char *path, errout *e)
{
    for (const char *p = phone; *p; p++)
        if (*p < '0' || *p > '9')
            return fail(e, "%s.alert_phone: digits only, got '%s'", path, phone);
    return true;
}

static bool parse_type(const json_t *v, const char *path, const dom_catalog *c,
                       const dom_category *cat, dom_type *t, errout *e)
{
    static const char *const keys[] = {"code",         "name_uk",     "name_en", "priority",
                                       "resolution",   "reaction",    "organisation",
                                       "alert_phone",  "hint_uk",     "hint_en", NULL};
    char prio[32];
    bool set;
    if (!check_object(v, path, keys, e) || !get_code(v, "code", NONEMPTY, t->code, path, e) ||
        !get_str(v, "name_uk", NONEMPTY, t->name_uk, sizeof t->name_uk, path, e) ||
        !get_str(v, "name_en", NONEMPTY, t->name_en, sizeof t->name_en, path, e) ||
        !get_str(v, "priority", NONEMPTY, prio, sizeof prio, path, e))
        return false;
    if (!dom_priority_parse(prio, &t->priority))
        return fail(e, "%s.priority: unknown priority '%s'", path, prio);
    if (!get_duration(v, "resolution", NONEMPTY, &t->resolution, &set, path, e) ||
        !get_duration(v, "reaction", OPTIONAL, &t->reaction, &set, path, e))
        return false;
    if (!set)
        t->reaction = c->reaction_default[t->priority];
    if (nominal_hours(t->reaction) > nominal_hours(t->resolution)) {
        char r[16], res[16];
        dom_duration_format(t->reaction, r, sizeof r);
        dom_duration_format(t->resolution, res, sizeof res);
        return fail(e, "%s.reaction: %s (%s) is longer than the resolution %s; set a shorter \"reaction\"",
                    path, r, set ? "own" : "priority default", res);
    }
    if (!get_code(v, "organisation", OPTIONAL, t->organisation, path, e) ||
        !get_str(v, "alert_phone", OPTIONAL, t->alert_phone, sizeof t->alert_phone, path, e) ||
        !check_alert_phone(t->alert_phone, path, e) ||
        !get_str(v, "hint_uk", OPTIONAL, t->hint_uk, sizeof t->hint_uk, path, e) ||
        !get_str(v, "hint_en", OPTIONAL, t->hint_en, sizeof t->hint_en, path, e))
        return false;
    if (json_object_get(v, "organisation") && t->organisation[0] == '\0')
        return fail(e, "%s.organisation: must not be empty", path);
    if (t->organisation[0] == '\0')
        memcpy(t->organisation, cat->organisation, sizeof t->organisation);
    else if (!dom_catalog_org(c, t->organisation))
        return fail(e, "%s.organisation: unknown organisation '%s'", path, t->organisation);
    return true;
}

static bool parse_category_head(const json_t *v, const char *path, const dom_catalog *c,
                                dom_category *cat, errout *e)
{
    static const char *const keys[] = {"code",         "name_uk",    "name_en", "organisation",
                                       "demo_share",   "types",      "duplicate_radius_m",
                                       NULL};
    if (!check_object(v, path, keys, e) || !get_code(v, "code", NONEMPTY, cat->code, path, e) ||
        !get_str(v, "name_uk", NONEMPTY, cat->name_uk, sizeof cat->name_uk, path, e) ||
        !get_str(v, "name_en", NONEMPTY, cat->name_en, sizeof cat->name_en, path, e) ||
        !get_code(v, "organisation", NONEMPTY, cat->organisation, path, e))
        return false;
    if (!dom_catalog_org(c, cat->organisation))
        return fail(e, "%s.organisation: unknown organisation '%s'", path, cat->organisation);
    const json_t *share = json_object_get(v, "demo_share");
    if (!share)
        return fail(e, "%s.demo_share: missing", path);
    if (!json_is_number(share) || !isfinite(json_number_value(share)) ||
        json_number_value(share) < 0)
        return fail(e, "%s.demo_share: must be a number >= 0", path);
    cat->demo_share = json_number_value(share);
    /* How near an open appeal of the same category counts as "the same
     * problem" at intake: a burst main floods a street, a dead lamp is one
     * pole. Optional; 150 m by default. */
    const json_t *radius = json_object_get(v, "duplicate_radius_m");
    cat->duplicate_radius_m = DOM_DUPLICATE_RADIUS_DEFAULT;
    if (radius) {
        if (!json_is_integer(radius) || json_integer_value(radius) < 10 ||
            json_integer_value(radius) > 5000)
            return fail(e, "%s.duplicate_radius_m: must be a whole number of metres, 10..5000", path);
        cat->duplicate_radius_m = (int)json_integer_value(radius);
    }
    return true;
}

static bool parse_category(const json_t *v, const char *path, const dom_catalog *c,
                           dom_category *cat, errout *e)
{
    if (!parse_category_head(v, path, c, cat, e))
        return false;
    const json_t *types = json_object_get(v, "types");
    if (!json_is_array(types) || json_array_size(types) == 0)
        return fail(e, "%s.types: must be a non-empty array", path);
    cat->n_types = json_array_size(types);
    cat->types = xcalloc(cat->n_types, sizeof *cat->types);
    for (size_t i = 0; i < cat->n_types; i++) {
        /* room for the category path plus ".types[<size_t>]", so that
         * gcc -Wformat-truncation can prove the path is never cut */
        char tpath[PATH_MAX_LEN + 32];
        snprintf(tpath, sizeof tpath, "%s.types[%zu]", path, i);
        if (!parse_type(json_array_get(types, i), tpath, c, cat, &cat->types[i], e))
            return false;
        for (size_t j = 0; j < i; j++)
            if (strcmp(cat->types[j].code, cat->types[i].code) == 0)
                return fail(e, "%s.code: duplicate code '%s'", tpath, cat->types[i].code);
    }
    return true;
}

static bool parse_reaction(const json_t *root, dom_catalog *c, errout *e)
{
    static const char *const keys[] = {"emergency", "urgent", "normal", NULL};
    const json_t *r = json_object_get(root, "reaction");
    if (!r)
        return fail(e, "reaction: missing");
    if (!check_object(r, "reaction", keys, e))
        return false;
    for (int p = 0; p < DOM_PRIO_COUNT; p++) {
        bool set;
        if (!get_duration(r, dom_priority_name((dom_priority)p), NONEMPTY, &c->reaction_default[p],
                          &set, "reaction", e))
            return false;
    }
    return true;
}

static bool parse_categories(const json_t *root, dom_catalog *c, errout *e)
{
    static const char *const keys[] = {"version", "reaction", "categories", NULL};
    if (!check_object(root, "", keys, e))
        return false;
    const json_t *ver = json_object_get(root, "version");
    if (!json_is_integer(ver) || json_integer_value(ver) != 1)
        return fail(e, "version: must be 1");
    if (!parse_reaction(root, c, e))
        return false;
    const json_t *arr = json_object_get(root, "categories");
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return fail(e, "categories: must be a non-empty array");
    size_t n = json_array_size(arr);
    c->cats = xcalloc(n, sizeof *c->cats);
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX_LEN];
        snprintf(path, sizeof path, "categories[%zu]", i);
        c->n_cats = i + 1; /* so that dom_catalog_free frees a half-parsed one */
        if (!parse_category(json_array_get(arr, i), path, c, &c->cats[i], e))
            return false;
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->cats[j].code, c->cats[i].code) == 0)
                return fail(e, "%s.code: duplicate code '%s'", path, c->cats[i].code);
    }
    return true;
}

/* JSON_REJECT_DUPLICATES: a key written twice is a mistake, not an override. */
static json_t *load(const char *text, const char *what, errout *e)
{
    if (!text) {
        fail(e, "%s: no text", what);
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        fail(e, "%s: line %d column %d: %s", what, jerr.line, jerr.column, jerr.text);
    return root;
}

bool dom_catalog_parse(const char *categories_json, const char *organisations_json,
                       dom_catalog *out, char *err, size_t err_cap)
{
    errout e = {err, err_cap};
    memset(out, 0, sizeof *out);
    if (err && err_cap > 0)
        err[0] = '\0';
    json_t *orgs = load(organisations_json, "organisations.json", &e);
    json_t *cats = orgs ? load(categories_json, "categories.json", &e) : NULL;
    bool ok = orgs && cats && parse_orgs(orgs, out, &e) && parse_categories(cats, out, &e);
    json_decref(orgs);
    json_decref(cats);
    if (!ok)
        dom_catalog_free(out);
    return ok;
}

void dom_catalog_free(dom_catalog *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_cats; i++)
        free(c->cats[i].types);
    free(c->cats);
    free(c->orgs);
    memset(c, 0, sizeof *c);
}

const dom_category *dom_catalog_category(const dom_catalog *c, const char *code)
{
    if (!c || !code)
        return NULL;
    for (size_t i = 0; i < c->n_cats; i++)
        if (strcmp(c->cats[i].code, code) == 0)
            return &c->cats[i];
    return NULL;
}

const dom_type *dom_catalog_type(const dom_category *cat, const char *code)
{
    if (!cat || !code)
        return NULL;
    for (size_t i = 0; i < cat->n_types; i++)
        if (strcmp(cat->types[i].code, code) == 0)
            return &cat->types[i];
    return NULL;
}

const dom_org *dom_catalog_org(const dom_catalog *c, const char *code)
{
    if (!c || !code)
        return NULL;
    for (size_t i = 0; i < c->n_orgs; i++)
        if (strcmp(c->orgs[i].code, code) == 0)
            return &c->orgs[i];
    return NULL;
}
