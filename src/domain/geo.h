/* Districts: polygons from GeoJSON and which one contains a point. Pure:
 * the caller reads the file or the database and hands the text in.
 *
 * Coordinates are GeoJSON order (lon, lat). A point belongs to a polygon
 * when it is inside its outer ring and in none of its holes (ray casting
 * with half-open edges: a point exactly on an edge shared by two
 * neighbouring districts belongs to exactly one of them, always the same). */
#ifndef KONTAKT_DOMAIN_GEO_H
#define KONTAKT_DOMAIN_GEO_H
#include <stdbool.h>
#include <stddef.h>

#define DOM_DISTRICT_CODE_MAX 64
#define DOM_DISTRICT_NAME_MAX 256
#define DOM_DISTRICTS_MAX 1000       /* features in one file */
#define DOM_DISTRICT_POINTS_MAX 200000 /* positions in one district */

typedef struct {
    double lon, lat;
} dom_pt;

typedef struct {
    dom_pt *pts; /* closed: pts[0] == pts[n - 1] */
    size_t n;
} dom_ring;

typedef struct {
    dom_ring *rings; /* rings[0] outer, the rest holes */
    size_t n_rings;
    double min_lon, min_lat, max_lon, max_lat; /* of the outer ring */
} dom_polygon;

typedef struct {
    char code[DOM_DISTRICT_CODE_MAX];
    char name_uk[DOM_DISTRICT_NAME_MAX];
    char name_en[DOM_DISTRICT_NAME_MAX];
    bool approximate;
    dom_polygon *polys; /* a Polygon is one, a MultiPolygon several */
    size_t n_polys;
    double min_lon, min_lat, max_lon, max_lat;
    char *geometry; /* the GeoJSON geometry as compact JSON text (owned) */
} dom_district;

typedef struct {
    dom_district *items;
    size_t n;
} dom_districts;

/* Parses a GeoJSON FeatureCollection: every feature has properties code
 * (unique, non-empty), name_uk (non-empty), name_en (optional), approximate
 * (optional boolean) and a Polygon or MultiPolygon geometry whose rings are
 * closed, have at least 4 positions, and positions [lon, lat] are numbers
 * in range. On failure returns false, *out is empty, and err says where
 * ("features[2].geometry.coordinates[0][3]: ..."). */
bool dom_districts_parse(const char *geojson, dom_districts *out, char *err, size_t err_cap);

/* Adds one district whose geometry is a GeoJSON geometry text (as stored
 * by the database). Same checks as above (codes unique within *d). */
bool dom_districts_add(dom_districts *d, const char *code, const char *name_uk,
                       const char *name_en, bool approximate, const char *geometry_json,
                       char *err, size_t err_cap);

void dom_districts_free(dom_districts *d);

/* The first district containing the point, or NULL. */
const dom_district *dom_district_at(const dom_districts *d, double lon, double lat);
const dom_district *dom_district_find(const dom_districts *d, const char *code);

/* Point in one polygon (with holes) / in one ring. */
bool dom_polygon_contains(const dom_polygon *p, double lon, double lat);
bool dom_ring_contains(const dom_ring *r, double lon, double lat);
#endif
