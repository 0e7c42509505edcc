/* Districts: point-in-polygon (edges, vertices, holes, multipolygons,
 * concave shapes), GeoJSON parsing with clear errors, and the shipped
 * data/districts-dnipro.geojson (8 districts, official codes, the demo's
 * centres inside). Runs from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/geo.h"

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s (run from the repository root)", path);
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    assert_non_null(buf);
    buf[len] = '\0';
    return buf;
}

#define FC(features) "{\"type\":\"FeatureCollection\",\"features\":[" features "]}"
#define FEAT(code, geom)                                                                   \
    "{\"type\":\"Feature\",\"properties\":{\"code\":\"" code "\",\"name_uk\":\"Район " code \
    "\",\"name_en\":\"District " code "\"},\"geometry\":" geom "}"
#define SQUARE(x0, y0, x1, y1)                                                                   \
    "{\"type\":\"Polygon\",\"coordinates\":[[[" #x0 "," #y0 "],[" #x1 "," #y0 "],[" #x1 "," #y1 \
    "],[" #x0 "," #y1 "],[" #x0 "," #y0 "]]]}"

static dom_districts parse_ok(const char *text) {
    dom_districts d;
    char err[256] = "";
    if (!dom_districts_parse(text, &d, err, sizeof err)) fail_msg("refused: %s", err);
    return d;
}

static const char *at(const dom_districts *d, double lon, double lat) {
    const dom_district *x = dom_district_at(d, lon, lat);
    return x ? x->code : "-";
}

/* Two squares side by side and one above both: the shared edges and the
 * shared vertex belong to exactly one district, every time. */
static void test_edges_and_vertices(void **state) {
    (void)state;
    dom_districts d = parse_ok(FC(FEAT("a", SQUARE(0, 0, 1, 1)) "," FEAT("b", SQUARE(1, 0, 2, 1))
                                      "," FEAT("c", SQUARE(0, 1, 2, 2))));
    assert_int_equal(d.n, 3);
    assert_string_equal(at(&d, 0.5, 0.5), "a");
    assert_string_equal(at(&d, 1.5, 0.5), "b");
    assert_string_equal(at(&d, 1.5, 1.5), "c");
    assert_string_equal(at(&d, 3, 0.5), "-");
    const double pts[][2] = {{1, 0.5}, {0.5, 1}, {1.5, 1}, {1, 1}, {1, 0}, {0, 0}, {2, 2}};
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        int owners = 0;
        for (size_t k = 0; k < d.n; k++)
            for (size_t p = 0; p < d.items[k].n_polys; p++)
                owners += dom_polygon_contains(&d.items[k].polys[p], pts[i][0], pts[i][1]);
        assert_true(owners <= 1);
        const char *first = at(&d, pts[i][0], pts[i][1]);
        for (int rep = 0; rep < 3; rep++) assert_string_equal(at(&d, pts[i][0], pts[i][1]), first);
    }
    /* interior shared points are always owned by someone */
    assert_string_not_equal(at(&d, 1, 0.5), "-");
    assert_string_not_equal(at(&d, 0.5, 1), "-");
    assert_string_not_equal(at(&d, 1, 1), "-");
    dom_districts_free(&d);
}

static void test_hole_and_multipolygon(void **state) {
    (void)state;
    dom_districts d = parse_ok(FC(FEAT(
        "h", "{\"type\":\"MultiPolygon\",\"coordinates\":["
             "[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]],"
             "[[[20,20],[22,20],[22,22],[20,22],[20,20]]]]}") "," FEAT("inner", SQUARE(4, 4, 6, 6))));
    assert_string_equal(at(&d, 1, 1), "h");
    assert_string_equal(at(&d, 5, 5), "inner"); /* in the hole of h */
    assert_string_equal(at(&d, 21, 21), "h");   /* second polygon */
    assert_string_equal(at(&d, 15, 15), "-");   /* inside the bbox, in neither */
    assert_int_equal(d.items[0].n_polys, 2);
    assert_int_equal(d.items[0].polys[0].n_rings, 2);
    dom_districts_free(&d);
}

static void test_concave(void **state) {
    (void)state;
    /* A "U": the notch is outside although inside the bounding box. */
    dom_districts d = parse_ok(FC(FEAT(
        "u", "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[3,0],[3,3],[2,3],[2,1],[1,1],[1,3],"
             "[0,3],[0,0]]]}")));
    assert_string_equal(at(&d, 0.5, 2), "u");
    assert_string_equal(at(&d, 2.5, 2), "u");
    assert_string_equal(at(&d, 1.5, 2), "-");
    assert_string_equal(at(&d, 1.5, 0.5), "u");
    /* a ray through the vertices (2,1) and (1,1) counts them once */
    assert_string_equal(at(&d, 0.5, 1), "u");
    assert_string_equal(at(&d, -0.5, 1), "-");
    dom_districts_free(&d);
}

static void refused(const char *text, const char *want) {
    dom_districts d = {0};
    char err[256] = "";
    assert_false(dom_districts_parse(text, &d, err, sizeof err));
    assert_int_equal(d.n, 0);
    if (!strstr(err, want)) fail_msg("error '%s' does not contain '%s'", err, want);
}

static void test_refusals(void **state) {
    (void)state;
    refused("{", "not valid JSON");
    refused("{\"type\":\"Feature\"}", "FeatureCollection");
    refused(FC(""), "features: must be a non-empty array");
    refused(FC(FEAT("a", SQUARE(0, 0, 1, 1)) "," FEAT("a", SQUARE(1, 0, 2, 1))),
            "features[1].properties.code: duplicate code 'a'");
    refused(FC("{\"type\":\"Feature\",\"properties\":{\"code\":\"x\"},\"geometry\":" SQUARE(
                0, 0, 1, 1) "}"),
            "features[0].properties.name_uk: missing");
    refused(FC("{\"type\":\"Feature\",\"properties\":{\"name_uk\":\"X\"},\"geometry\":" SQUARE(
                0, 0, 1, 1) "}"),
            "features[0].properties.code: missing");
    refused(FC(FEAT("a", "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}")),
            "features[0].geometry.coordinates[0]: the ring is not closed");
    refused(FC(FEAT("a", "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}")),
            "features[0].geometry.coordinates[0]: a ring needs at least 4 positions");
    refused(FC(FEAT("a", "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,\"x\"],[1,1],[0,0]]]}")),
            "features[0].geometry.coordinates[0][1]: coordinates must be numbers");
    refused(FC(FEAT("a", "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,95],[1,1],[0,0]]]}")),
            "features[0].geometry.coordinates[0][1]: latitude 95 out of range");
    refused(FC(FEAT("a", "{\"type\":\"Point\",\"coordinates\":[0,0]}")),
            "features[0].geometry.type: must be \"Polygon\" or \"MultiPolygon\"");
    refused(FC(FEAT("a", "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]],"
                         "[[[0,0],[1,0],[1,1],[0,1]]]]}")),
            "features[0].geometry.coordinates[1][0]: the ring is not closed");
}

static void test_add_from_store(void **state) {
    (void)state;
    dom_districts d = {0};
    char err[256] = "";
    assert_true(dom_districts_add(&d, "a", "А", "", true, SQUARE(0, 0, 1, 1), err, sizeof err));
    assert_false(dom_districts_add(&d, "a", "Б", "", false, SQUARE(1, 0, 2, 1), err, sizeof err));
    assert_non_null(strstr(err, "duplicate code"));
    assert_false(dom_districts_add(&d, "b", "Б", "", false, "{", err, sizeof err));
    assert_int_equal(d.n, 1);
    assert_true(d.items[0].approximate);
    assert_string_equal(at(&d, 0.5, 0.5), "a");
    assert_non_null(dom_district_find(&d, "a"));
    assert_null(dom_district_find(&d, "b"));
    dom_districts_free(&d);
}

/* The shipped demo file: 8 districts with the official codes, approximate,
 * no overlaps at the demo's centres, and those centres all in a district. */
static void test_shipped_dnipro(void **state) {
    (void)state;
    char *text = read_file("data/districts-dnipro.geojson");
    dom_districts d = parse_ok(text);
    free(text);
    assert_int_equal(d.n, 8);
    static const char *const codes[] = {
        "UA12020010010114149", "UA12020010010231764", "UA12020010010350200", "UA12020010010475293",
        "UA12020010010512802", "UA12020010010639502", "UA12020010010757287", "UA12020010010816623"};
    for (size_t i = 0; i < 8; i++) {
        const dom_district *x = dom_district_find(&d, codes[i]);
        assert_non_null(x);
        assert_true(x->approximate);
        assert_true(x->name_uk[0] && x->name_en[0]);
        assert_true(x->polys[0].rings[0].n >= 9 && x->polys[0].rings[0].n <= 21);
    }
    static const double centres[][2] = {
        {48.4647, 35.0462}, {48.4500, 35.0100}, {48.4280, 35.0250}, {48.5050, 35.0850},
        {48.4820, 35.0000}, {48.5200, 34.9800}, {48.4400, 35.1100}, {48.4050, 34.9800},
        {48.4900, 35.1400}, {48.5300, 35.0300}, {48.4150, 35.0650}, {48.4700, 34.9300},
    };
    for (size_t i = 0; i < 12; i++) {
        int owners = 0;
        for (size_t k = 0; k < d.n; k++)
            owners += dom_polygon_contains(&d.items[k].polys[0], centres[i][1], centres[i][0]);
        assert_int_equal(owners, 1);
    }
    /* the centre of the city is in Центральний; the left bank in Амур */
    assert_string_equal(dom_district_at(&d, 35.0462, 48.4647)->name_en, "Tsentralnyi");
    assert_string_equal(dom_district_at(&d, 35.0850, 48.5050)->name_en, "Amur-Nyzhnodniprovskyi");
    /* a fine grid over the city: no point in two districts */
    for (double lat = 48.36; lat < 48.58; lat += 0.0037)
        for (double lon = 34.80; lon < 35.25; lon += 0.0041) {
            int owners = 0;
            for (size_t k = 0; k < d.n; k++)
                owners += dom_polygon_contains(&d.items[k].polys[0], lon, lat);
            assert_true(owners <= 1);
        }
    dom_districts_free(&d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges_and_vertices), cmocka_unit_test(test_hole_and_multipolygon),
        cmocka_unit_test(test_concave),            cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_add_from_store),     cmocka_unit_test(test_shipped_dnipro),
    };
    return cmocka_run_group_tests_name("geo", tests, NULL, NULL);
}
