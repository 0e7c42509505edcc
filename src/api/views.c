#include "api/views.h"
#include "util/timeutil.h"
#include <math.h>
#include "util/banned.h"

json_t *view_category(const dom_catalog *cat, const char *code) {
    const dom_category *c = dom_catalog_category(cat, code);
    return c ? api_named(c->code, c->name_uk, c->name_en) : api_named(code, code, code);
}

json_t *view_type(const dom_catalog *cat, const char *category, const char *code) {
    const dom_category *c = dom_catalog_category(cat, category);
    const dom_type *t = c ? dom_catalog_type(c, code) : NULL;
    return t ? api_named(t->code, t->name_uk, t->name_en) : api_named(code, code, code);
}

json_t *view_org(const dom_catalog *cat, const char *code) {
    const dom_org *o = dom_catalog_org(cat, code);
    return o ? api_named(o->code, o->name_uk, o->name_en) : api_named(code, code, code);
}

json_t *view_opt(const char *s) { return s && *s ? json_string(s) : json_null(); }

json_t *view_time(int64_t ms) {
    char t[32];
    time_format_iso(ms, t, sizeof t);
    return json_string(t);
}

static json_t *opt_time(int64_t ms) { return ms ? view_time(ms) : json_null(); }

json_t *view_public(const dom_catalog *cat, const store_appeal *a) {
    json_t *j = json_pack(
        "{s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:b, s:{s:f, s:f}}",
        "number", a->number, "status", a->status, "category", view_category(cat, a->category),
        "type", view_type(cat, a->category, a->type), "priority", a->priority, "organisation",
        view_org(cat, a->organisation), "created_at", view_time(a->created_at), "updated_at",
        view_time(a->updated_at), "reaction_due_at", view_time(a->reaction_due_at),
        "resolution_due_at", view_time(a->resolution_due_at), "overdue",
        a->reaction_overdue || a->resolution_overdue, "reaction_overdue", a->reaction_overdue,
        "resolution_overdue", a->resolution_overdue, "location", "lat",
        round(a->lat * 1e4) / 1e4, "lon", round(a->lon * 1e4) / 1e4);
    json_object_set_new(j, "reacted_at", opt_time(a->reacted_at));
    json_object_set_new(j, "done_at", opt_time(a->done_at));
    json_object_set_new(j, "closed_at", opt_time(a->closed_at));
    return j;
}
