/* Districts from GeoJSON and point-in-polygon (see geo.h).
 *
 * The file is edited or exported by the city's GIS people, so the parser
 * says exactly where a mistake is (the JSON path). Unknown properties and
 * members (id, bbox, crs, ...) are allowed: real exports carry them. */
#include "domain/geo.h"
#include "util/buf.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

typedef struct {
    char *buf;
    size_t cap;
} errout;

__attribute__((format(printf, 2, 3))) static bool fail(errout *e, const char *fmt, ...) {
    if (e->buf && e->cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->buf, e->cap, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* --- point in polygon --------------------------------------------------- */

bool dom_ring_contains(const dom_ring *r, double lon, double lat) {
    bool in = false;
    for (size_t i = 0, j = r->n - 1; i < r->n; j = i++) {
        const dom_pt *a = &r->pts[i], *b = &r->pts[j];
        /* Half-open in latitude: an edge counts for a <= y < b, so a ray
         * through a vertex is counted once, and a point on an edge is
         * decided the same way every time. */
        if ((a->lat > lat) != (b->lat > lat)) {
            double x = (b->lon - a->lon) * (lat - a->lat) / (b->lat - a->lat) + a->lon;
            if (lon < x) in = !in;
        }
    }
    return in;
}

bool dom_polygon_contains(const dom_polygon *p, double lon, double lat) {
    if (p->n_rings == 0 || lon < p->min_lon || lon > p->max_lon || lat < p->min_lat ||
        lat > p->max_lat)
        return false;
    if (!dom_ring_contains(&p->rings[0], lon, lat)) return false;
    for (size_t h = 1; h < p->n_rings; h++)
        if (dom_ring_contains(&p->rings[h], lon, lat)) return false;
    return true;
}

const dom_district *dom_district_at(const dom_districts *d, double lon, double lat) {
    if (!d || !isfinite(lon) || !isfinite(lat)) return NULL;
    for (size_t i = 0; i < d->n; i++) {
        const dom_district *x = &d->items[i];
        if (lon < x->min_lon || lon > x->max_lon || lat < x->min_lat || lat > x->max_lat)
            continue;
        for (size_t k = 0; k < x->n_polys; k++)
            if (dom_polygon_contains(&x->polys[k], lon, lat)) return x;
    }
    return NULL;
}

const dom_district *dom_district_find(const dom_districts *d, const char *code) {
    for (size_t i = 0; d && code && i < d->n; i++)
        if (strcmp(d->items[i].code, code) == 0) return &d->items[i];
    return NULL;
}

/* --- parsing ------------------------------------------------------------ */

static void polygon_free(dom_polygon *p) {
    for (size_t i = 0; i < p->n_rings; i++) free(p->rings[i].pts);
    free(p->rings);
}

static void district_free(dom_district *x) {
    for (size_t i = 0; i < x->n_polys; i++) polygon_free(&x->polys[i]);
    free(x->polys);
    free(x->geometry);
    memset(x, 0, sizeof *x);
}

void dom_districts_free(dom_districts *d) {
    for (size_t i = 0; i < d->n; i++) district_free(&d->items[i]);
    free(d->items);
    d->items = NULL;
    d->n = 0;
}

static bool parse_position(const json_t *v, const char *path, dom_pt *out, errout *e) {
    if (!json_is_array(v) || json_array_size(v) < 2 || json_array_size(v) > 3)
        return fail(e, "%s: a position must be [lon, lat]", path);
    const json_t *lon = json_array_get(v, 0), *lat = json_array_get(v, 1);
    if (!json_is_number(lon) || !json_is_number(lat))
        return fail(e, "%s: coordinates must be numbers", path);
    out->lon = json_number_value(lon);
    out->lat = json_number_value(lat);
    if (!isfinite(out->lon) || out->lon < -180 || out->lon > 180)
        return fail(e, "%s: longitude %g out of range -180..180", path, out->lon);
    if (!isfinite(out->lat) || out->lat < -90 || out->lat > 90)
        return fail(e, "%s: latitude %g out of range -90..90", path, out->lat);
    return true;
}

static bool parse_ring(const json_t *v, const char *path, dom_ring *r, size_t *budget,
                       errout *e) {
    if (!json_is_array(v)) return fail(e, "%s: a ring must be an array of positions", path);
    size_t n = json_array_size(v);
    if (n < 4) return fail(e, "%s: a ring needs at least 4 positions, has %zu", path, n);
    if (n > *budget)
        return fail(e, "%s: more than %d positions in one district", path,
                    DOM_DISTRICT_POINTS_MAX);
    *budget -= n;
    r->pts = xcalloc(n, sizeof *r->pts);
    r->n = n;
    char p[200];
    for (size_t i = 0; i < n; i++) {
        snprintf(p, sizeof p, "%.160s[%zu]", path, i);
        if (!parse_position(json_array_get(v, i), p, &r->pts[i], e)) return false;
    }
    if (r->pts[0].lon != r->pts[n - 1].lon || r->pts[0].lat != r->pts[n - 1].lat)
        return fail(e, "%s: the ring is not closed (the last position must equal the first)",
                    path);
    return true;
}

static bool parse_polygon(const json_t *v, const char *path, dom_polygon *p, size_t *budget,
                          errout *e) {
    if (!json_is_array(v) || json_array_size(v) == 0)
        return fail(e, "%s: a polygon must be a non-empty array of rings", path);
    p->n_rings = json_array_size(v);
    p->rings = xcalloc(p->n_rings, sizeof *p->rings);
    char rp[180];
    for (size_t i = 0; i < p->n_rings; i++) {
        snprintf(rp, sizeof rp, "%.150s[%zu]", path, i);
        if (!parse_ring(json_array_get(v, i), rp, &p->rings[i], budget, e)) return false;
    }
    const dom_ring *o = &p->rings[0];
    p->min_lon = p->max_lon = o->pts[0].lon;
    p->min_lat = p->max_lat = o->pts[0].lat;
    for (size_t i = 1; i < o->n; i++) {
        p->min_lon = fmin(p->min_lon, o->pts[i].lon);
        p->max_lon = fmax(p->max_lon, o->pts[i].lon);
        p->min_lat = fmin(p->min_lat, o->pts[i].lat);
        p->max_lat = fmax(p->max_lat, o->pts[i].lat);
    }
    return true;
}

/* Fills x->polys from a Polygon or MultiPolygon geometry object. */
static bool parse_geometry(const json_t *g, const char *path, dom_district *x, errout *e) {
    if (!json_is_object(g)) return fail(e, "%s: must be a GeoJSON geometry object", path);
    const char *type = json_string_value(json_object_get(g, "type"));
    const json_t *coords = json_object_get(g, "coordinates");
    bool multi = type && strcmp(type, "MultiPolygon") == 0;
    if (!type || (!multi && strcmp(type, "Polygon") != 0))
        return fail(e, "%s.type: must be \"Polygon\" or \"MultiPolygon\"", path);
    if (!json_is_array(coords) || json_array_size(coords) == 0)
        return fail(e, "%s.coordinates: must be a non-empty array", path);
    x->n_polys = multi ? json_array_size(coords) : 1;
    x->polys = xcalloc(x->n_polys, sizeof *x->polys);
    size_t budget = DOM_DISTRICT_POINTS_MAX;
    char pp[160];
    for (size_t i = 0; i < x->n_polys; i++) {
        if (multi)
            snprintf(pp, sizeof pp, "%.100s.coordinates[%zu]", path, i);
        else
            snprintf(pp, sizeof pp, "%.100s.coordinates", path);
        const json_t *pv = multi ? json_array_get(coords, i) : coords;
        if (!parse_polygon(pv, pp, &x->polys[i], &budget, e)) return false;
        const dom_polygon *p = &x->polys[i];
        x->min_lon = i ? fmin(x->min_lon, p->min_lon) : p->min_lon;
        x->min_lat = i ? fmin(x->min_lat, p->min_lat) : p->min_lat;
        x->max_lon = i ? fmax(x->max_lon, p->max_lon) : p->max_lon;
        x->max_lat = i ? fmax(x->max_lat, p->max_lat) : p->max_lat;
    }
    x->geometry = json_dumps(g, JSON_COMPACT | JSON_REAL_PRECISION(15));
    if (!x->geometry) return fail(e, "%s: cannot serialise the geometry", path);
    return true;
}

static bool copy_text(const char *s, const char *path, const char *key, char *dst, size_t cap,
                      bool required, errout *e) {
    dst[0] = '\0';
    if (!s || !*s) return required ? fail(e, "%s.%s: missing or empty", path, key) : true;
    if (!str_copy(dst, cap, s)) return fail(e, "%s.%s: longer than %zu bytes", path, key, cap - 1);
    return true;
}

/* Appends a slot to d (zeroed); the caller fills it or drops it. */
static dom_district *push(dom_districts *d) {
    d->items = xrealloc(d->items, (d->n + 1) * sizeof *d->items);
    dom_district *x = &d->items[d->n++];
    memset(x, 0, sizeof *x);
    return x;
}

static void drop_last(dom_districts *d) { district_free(&d->items[--d->n]); }

static bool add_checked(dom_districts *d, const char *code, const char *uk, const char *en,
                        bool approx, const json_t *geometry, const char *path, errout *e) {
    if (d->n >= DOM_DISTRICTS_MAX) return fail(e, "%s: more than %d districts", path, DOM_DISTRICTS_MAX);
    dom_district *x = push(d);
    char gp[120];
    snprintf(gp, sizeof gp, "%.96s%sgeometry", path, path[0] ? "." : "");
    bool ok = copy_text(code, path, "properties.code", x->code, sizeof x->code, true, e) &&
              copy_text(uk, path, "properties.name_uk", x->name_uk, sizeof x->name_uk, true, e) &&
              copy_text(en, path, "properties.name_en", x->name_en, sizeof x->name_en, false, e);
    if (ok && dom_district_find(&(dom_districts){d->items, d->n - 1}, x->code))
        ok = fail(e, "%s.properties.code: duplicate code '%s'", path, x->code);
    x->approximate = approx;
    if (ok) ok = parse_geometry(geometry, gp, x, e);
    if (!ok) drop_last(d);
    return ok;
}

static bool has_type(const json_t *obj, const char *type) {
    const char *t = json_string_value(json_object_get(obj, "type"));
    return t && strcmp(t, type) == 0;
}

static bool parse_feature(const json_t *f, const char *path, dom_districts *d, errout *e) {
    if (!json_is_object(f) || !has_type(f, "Feature"))
        return fail(e, "%s: must be an object with \"type\": \"Feature\"", path);
    const json_t *props = json_object_get(f, "properties");
    if (!json_is_object(props)) return fail(e, "%s.properties: must be an object", path);
    const json_t *code = json_object_get(props, "code"), *uk = json_object_get(props, "name_uk"),
                 *en = json_object_get(props, "name_en"),
                 *approx = json_object_get(props, "approximate");
    if (code && !json_is_string(code)) return fail(e, "%s.properties.code: must be a string", path);
    if (uk && !json_is_string(uk)) return fail(e, "%s.properties.name_uk: must be a string", path);
    if (en && !json_is_null(en) && !json_is_string(en))
        return fail(e, "%s.properties.name_en: must be a string", path);
    if (approx && !json_is_boolean(approx))
        return fail(e, "%s.properties.approximate: must be true or false", path);
    return add_checked(d, json_string_value(code), json_string_value(uk), json_string_value(en),
                       json_is_true(approx), json_object_get(f, "geometry"), path, e);
}

bool dom_districts_parse(const char *geojson, dom_districts *out, char *err, size_t err_cap) {
    errout e = {err, err_cap};
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *root = json_loads(geojson ? geojson : "", JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return fail(&e, "not valid JSON: %s (line %d, column %d)", jerr.text, jerr.line,
                    jerr.column);
    bool ok = true;
    const json_t *feats = json_object_get(root, "features");
    if (!json_is_object(root) || !has_type(root, "FeatureCollection"))
        ok = fail(&e, "(top level): must be a GeoJSON FeatureCollection");
    else if (!json_is_array(feats) || json_array_size(feats) == 0)
        ok = fail(&e, "features: must be a non-empty array");
    char path[48];
    for (size_t i = 0; ok && i < json_array_size(feats); i++) {
        snprintf(path, sizeof path, "features[%zu]", i);
        ok = parse_feature(json_array_get(feats, i), path, out, &e);
    }
    json_decref(root);
    if (!ok) dom_districts_free(out);
    return ok;
}

bool dom_districts_add(dom_districts *d, const char *code, const char *name_uk,
                       const char *name_en, bool approximate, const char *geometry_json,
                       char *err, size_t err_cap) {
    errout e = {err, err_cap};
    json_error_t jerr;
    json_t *g = json_loads(geometry_json ? geometry_json : "", JSON_REJECT_DUPLICATES, &jerr);
    char path[96];
    snprintf(path, sizeof path, "district %.60s", code ? code : "?");
    bool ok = g ? add_checked(d, code, name_uk, name_en, approximate, g, path, &e)
                : fail(&e, "%s: the geometry is not valid JSON: %s", path, jerr.text);
    json_decref(g);
    return ok;
}
