/* Routing: the most specific rule wins; rules are checked against the
 * catalogue; the shipped data/routing.json sends housing services to the
 * building manager of each of the 8 districts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/routing.h"

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s (run from the repository root)", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_specificity(void **state) {
    (void)state;
    dom_routing r = {0};
    dom_routing_add(&r, "c", "*", "*", "cat_all");
    dom_routing_add(&r, "c", "*", "d1", "by_district");
    dom_routing_add(&r, "c", "t", "*", "by_type");
    dom_routing_add(&r, "c", "t", "d1", "by_both");
    assert_string_equal(dom_route(&r, "c", "t", "d1", "fb"), "by_both");
    assert_string_equal(dom_route(&r, "c", "t", "d2", "fb"), "by_type");
    assert_string_equal(dom_route(&r, "c", "t", NULL, "fb"), "by_type");
    assert_string_equal(dom_route(&r, "c", "u", "d1", "fb"), "by_district");
    assert_string_equal(dom_route(&r, "c", "u", "d2", "fb"), "cat_all");
    assert_string_equal(dom_route(&r, "c", "u", NULL, "fb"), "cat_all");
    assert_string_equal(dom_route(&r, "other", "t", "d1", "fb"), "fb");
    assert_string_equal(dom_route(NULL, "c", "t", "d1", "fb"), "fb");
    dom_routing_free(&r);
    /* order in the file does not matter */
    dom_routing_add(&r, "c", "t", "d1", "by_both");
    dom_routing_add(&r, "c", "*", "d1", "by_district");
    dom_routing_add(&r, "c", "t", "*", "by_type");
    assert_string_equal(dom_route(&r, "c", "t", "d1", "fb"), "by_both");
    assert_string_equal(dom_route(&r, "c", "x", "d9", "fb"), "fb");
    dom_routing_free(&r);
}

static int load_catalog(void **state) {
    char *cats = read_file("data/categories.json"), *orgs = read_file("data/organisations.json");
    dom_catalog *c = calloc(1, sizeof *c);
    char err[256];
    bool ok = dom_catalog_parse(cats, orgs, c, err, sizeof err);
    free(cats);
    free(orgs);
    if (!ok) fprintf(stderr, "catalogue: %s\n", err);
    *state = c;
    return ok ? 0 : -1;
}

static int free_catalog(void **state) {
    dom_catalog_free(*state);
    free(*state);
    return 0;
}

static void refused(const dom_catalog *cat, const char *text, const char *want) {
    dom_routing r;
    char err[256] = "";
    assert_false(dom_routing_parse(text, cat, &r, err, sizeof err));
    assert_int_equal(r.n, 0);
    if (!strstr(err, want)) fail_msg("error '%s' does not contain '%s'", err, want);
}

#define RULE(c, t, d, o) \
    "{\"category\":\"" c "\",\"type\":\"" t "\",\"district\":\"" d "\",\"organisation\":\"" o "\"}"

static void test_refusals(void **state) {
    const dom_catalog *cat = *state;
    refused(cat, "[", "not valid JSON");
    refused(cat, "{\"rulez\":[]}", "rulez: unknown key");
    refused(cat, "{\"rules\":{}}", "rules: must be an array");
    refused(cat, "{\"rules\":[" RULE("nope", "*", "*", "vodokanal") "]}",
            "rules[0].category: unknown category 'nope'");
    refused(cat, "{\"rules\":[" RULE("water_supply", "nope", "*", "vodokanal") "]}",
            "rules[0].type: unknown type 'nope'");
    refused(cat, "{\"rules\":[" RULE("water_supply", "*", "*", "nope") "]}",
            "rules[0].organisation: unknown organisation 'nope'");
    refused(cat, "{\"rules\":[" RULE("water_supply", "*", "", "vodokanal") "]}",
            "rules[0].district: missing");
    refused(cat,
            "{\"rules\":[" RULE("water_supply", "*", "d", "vodokanal") "," RULE(
                "water_supply", "*", "d", "contact_center") "]}",
            "rules[1]: the same category, type and district as rules[0]");
    refused(cat, "{\"rules\":[{\"category\":\"water_supply\",\"type\":\"*\",\"district\":\"*\","
                 "\"organisation\":\"vodokanal\",\"x\":1}]}",
            "rules[0].x: unknown key");
}

static void test_shipped(void **state) {
    const dom_catalog *cat = *state;
    char *text = read_file("data/routing.json");
    dom_routing r;
    char err[256] = "";
    bool ok = dom_routing_parse(text, cat, &r, err, sizeof err);
    free(text);
    if (!ok) fail_msg("data/routing.json: %s", err);
    static const char *const pairs[][2] = {
        {"UA12020010010114149", "manager_amur_nyzhnodniprovskyi"},
        {"UA12020010010231764", "manager_industrialnyi"},
        {"UA12020010010350200", "manager_novokodatskyi"},
        {"UA12020010010475293", "manager_samarskyi"},
        {"UA12020010010512802", "manager_sobornyi"},
        {"UA12020010010639502", "manager_tsentralnyi"},
        {"UA12020010010757287", "manager_chechelivskyi"},
        {"UA12020010010816623", "manager_shevchenkivskyi"},
    };
    const dom_category *hs = dom_catalog_category(cat, "housing_services");
    assert_non_null(hs);
    for (size_t i = 0; i < 8; i++)
        for (size_t t = 0; t < hs->n_types; t++)
            assert_string_equal(dom_route(&r, "housing_services", hs->types[t].code, pairs[i][0],
                                          hs->types[t].organisation),
                                pairs[i][1]);
    /* outside every district: the catalogue's organisation */
    assert_string_equal(dom_route(&r, "housing_services", "roof_leak", NULL, "contact_center"),
                        "contact_center");
    /* other categories are untouched */
    assert_string_equal(dom_route(&r, "water_supply", "no_water", pairs[0][0], "vodokanal"),
                        "vodokanal");
    dom_routing_free(&r);
}

int main(void) {
    const struct CMUnitTest pure[] = {cmocka_unit_test(test_specificity)};
    const struct CMUnitTest data[] = {cmocka_unit_test(test_refusals),
                                      cmocka_unit_test(test_shipped)};
    int failed = cmocka_run_group_tests_name("resolver", pure, NULL, NULL);
    failed += cmocka_run_group_tests_name("rules", data, load_catalog, free_catalog);
    return failed;
}
