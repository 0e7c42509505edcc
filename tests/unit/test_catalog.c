/* The catalogue: the shipped data/categories.json and
 * data/organisations.json (the test runs from the repository root) must
 * parse and match MISSION.md, and broken texts must be refused with the
 * JSON path of the mistake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/catalog.h"
#include "domain/validate.h"

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (run from the repository root)", path);
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

static int load_real(void **state)
{
    char *cats = read_file("data/categories.json");
    char *orgs = read_file("data/organisations.json");
    dom_catalog *c = calloc(1, sizeof *c);
    char err[256] = "";
    bool ok = c && dom_catalog_parse(cats, orgs, c, err, sizeof err);
    free(cats);
    free(orgs);
    if (!ok) {
        fprintf(stderr, "data: %s\n", err);
        free(c);
        return -1;
    }
    *state = c;
    return 0;
}

static int free_real(void **state)
{
    dom_catalog_free(*state);
    free(*state);
    return 0;
}

static void assert_dur(dom_duration d, const char *want)
{
    char buf[16];
    dom_duration_format(d, buf, (int)sizeof buf);
    assert_string_equal(buf, want);
}

static void test_real_counts_and_order(void **state)
{
    const dom_catalog *c = *state;
    assert_int_equal(c->n_cats, 20);
    /* the ten big categories first, in the order of their demo shares */
    static const char *const first[] = {"water_supply", "sewerage", "heating", "housing_services",
                                        "street_lighting", "garbage", "roads", "trees", "elevators",
                                        "electricity_supply"};
    static const double share[] = {30, 24, 9, 8, 7, 6.5, 6, 5, 3, 1.5};
    for (size_t i = 0; i < 10; i++) {
        assert_string_equal(c->cats[i].code, first[i]);
        assert_true(c->cats[i].demo_share == share[i]);
    }
    for (size_t i = 10; i < c->n_cats; i++)
        assert_true(c->cats[i].demo_share > 0 && c->cats[i].demo_share < 1.5);
    assert_dur(c->reaction_default[DOM_PRIO_EMERGENCY], "1h");
    assert_dur(c->reaction_default[DOM_PRIO_URGENT], "24h");
    assert_dur(c->reaction_default[DOM_PRIO_NORMAL], "3d");
}

static void test_real_codes_unique_and_orgs_exist(void **state)
{
    const dom_catalog *c = *state;
    for (size_t i = 0; i < c->n_orgs; i++)
        for (size_t j = i + 1; j < c->n_orgs; j++)
            assert_string_not_equal(c->orgs[i].code, c->orgs[j].code);
    for (size_t i = 0; i < c->n_cats; i++) {
        const dom_category *cat = &c->cats[i];
        for (size_t j = i + 1; j < c->n_cats; j++)
            assert_string_not_equal(cat->code, c->cats[j].code);
        assert_non_null(dom_catalog_org(c, cat->organisation));
        assert_true(cat->n_types >= 2);
        assert_non_null(dom_catalog_type(cat, "other"));
        for (size_t t = 0; t < cat->n_types; t++) {
            const dom_type *ty = &cat->types[t];
            for (size_t u = t + 1; u < cat->n_types; u++)
                assert_string_not_equal(ty->code, cat->types[u].code);
            assert_non_null(dom_catalog_org(c, ty->organisation));
            /* no type overrides the reaction in the shipped data */
            assert_memory_equal(&ty->reaction, &c->reaction_default[ty->priority], sizeof ty->reaction);
            /* proper apostrophes (U+02BC), never ASCII ones, in Ukrainian text */
            assert_null(strchr(ty->name_uk, '\''));
            assert_null(strchr(ty->hint_uk, '\''));
            assert_true(dom_utf8_length(ty->name_uk, strlen(ty->name_uk)) > 0);
        }
    }
    /* 8 Dnipro districts have a building manager each */
    static const char *const districts[] = {"amur_nyzhnodniprovskyi", "industrialnyi", "novokodatskyi",
                                            "samarskyi", "sobornyi", "tsentralnyi", "chechelivskyi",
                                            "shevchenkivskyi"};
    for (size_t i = 0; i < 8; i++) {
        char code[DOM_CODE_MAX];
        snprintf(code, sizeof code, "manager_%s", districts[i]);
        assert_non_null(dom_catalog_org(c, code));
    }
    assert_non_null(dom_catalog_org(c, "contact_center"));
}

/* Every type of the MISSION.md table with its default deadline. */
static const struct {
    const char *cat, *type, *prio, *res;
} mission[] = {
    {"roads", "road_collapse", "emergency", "24h"},
    {"roads", "snow_ice", "urgent", "24h"},
    {"roads", "pothole", "normal", "1mo"},
    {"traffic", "traffic_light_out", "emergency", "24h"},
    {"traffic", "road_sign_damaged", "urgent", "3d"},
    {"traffic", "road_marking_missing", "normal", "1mo"},
    {"parking_lots", "lot_condition", "normal", "15d"},
    {"parking_lots", "paid_parking", "normal", "15d"},
    {"parking_violations", "blocked_passage", "emergency", "2h"},
    {"parking_violations", "sidewalk_lawn", "urgent", "24h"},
    {"parking_violations", "abandoned_vehicle", "normal", "1mo"},
    {"transport", "route_schedule", "normal", "15d"},
    {"transport", "vehicle_condition", "normal", "15d"},
    {"transport", "stop_condition", "normal", "15d"},
    {"water_supply", "no_water", "emergency", "24h"},
    {"water_supply", "burst_pipe", "emergency", "24h"},
    {"water_supply", "low_pressure", "urgent", "3d"},
    {"water_supply", "water_quality", "urgent", "3d"},
    {"gas_supply", "gas_smell", "emergency", "1h"},
    {"gas_supply", "no_gas", "emergency", "24h"},
    {"electricity_supply", "no_power", "emergency", "24h"},
    {"electricity_supply", "broken_wire", "emergency", "4h"},
    {"electricity_supply", "voltage_problems", "urgent", "3d"},
    {"sewerage", "blockage_flooding", "emergency", "24h"},
    {"sewerage", "manhole_open", "emergency", "24h"},
    {"sewerage", "sewage_street", "emergency", "24h"},
    {"heating", "no_heating", "emergency", "24h"},
    {"heating", "heating_leak", "emergency", "24h"},
    {"heating", "low_temperature", "urgent", "3d"},
    {"heating", "no_hot_water", "urgent", "3d"},
    {"elevators", "people_trapped", "emergency", "1h"},
    {"elevators", "elevator_stopped", "emergency", "24h"},
    {"elevators", "cabin_damage", "normal", "15d"},
    {"housing_services", "basement_flooding", "emergency", "24h"},
    {"housing_services", "roof_leak", "urgent", "3d"},
    {"housing_services", "entrance_no_light", "urgent", "3d"},
    {"housing_services", "cleaning", "normal", "15d"},
    {"street_lighting", "light_out", "urgent", "3d"},
    {"street_lighting", "pole_damaged", "emergency", "24h"},
    {"stray_animals", "aggressive_animal", "emergency", "24h"},
    {"stray_animals", "dead_animal", "urgent", "24h"},
    {"stray_animals", "catching_sterilisation", "normal", "15d"},
    {"trees", "fallen_tree", "emergency", "24h"},
    {"trees", "pruning_removal", "normal", "1mo"},
    {"trees", "lawn_mowing", "normal", "15d"},
    {"garbage", "not_collected", "urgent", "2d"},
    {"garbage", "bulky_waste", "normal", "15d"},
    {"garbage", "illegal_dump", "normal", "15d"},
    {"storm_drainage", "street_flooding", "emergency", "24h"},
    {"storm_drainage", "grate_missing", "emergency", "24h"},
    {"storm_drainage", "drain_clogged", "urgent", "3d"},
    {"fountains", "not_working", "normal", "15d"},
    {"fountains", "dangerous_damage", "urgent", "3d"},
    {"funeral_services", "cemetery_condition", "normal", "1mo"},
    {"funeral_services", "service_quality", "normal", "1mo"},
    {"advertising", "dangerous_structure", "emergency", "24h"},
    {"advertising", "illegal_advertising", "normal", "1mo"},
};

static void test_real_matches_mission(void **state)
{
    const dom_catalog *c = *state;
    size_t n_types = 0;
    for (size_t i = 0; i < c->n_cats; i++)
        n_types += c->cats[i].n_types;
    /* the table plus one "other" per category, nothing unexplained */
    assert_int_equal(n_types, sizeof mission / sizeof mission[0] + c->n_cats);
    for (size_t i = 0; i < sizeof mission / sizeof mission[0]; i++) {
        const dom_type *t = dom_catalog_type(dom_catalog_category(c, mission[i].cat), mission[i].type);
        if (!t)
            fail_msg("missing %s/%s", mission[i].cat, mission[i].type);
        assert_string_equal(dom_priority_name(t->priority), mission[i].prio);
        assert_dur(t->resolution, mission[i].res);
    }
}

static void test_real_special_types(void **state)
{
    const dom_catalog *c = *state;
    const dom_type *gas = dom_catalog_type(dom_catalog_category(c, "gas_supply"), "gas_smell");
    assert_non_null(gas);
    assert_string_equal(gas->alert_phone, "104");
    assert_int_equal(gas->priority, DOM_PRIO_EMERGENCY);
    assert_dur(gas->resolution, "1h");
    assert_dur(gas->reaction, "1h");
    assert_string_equal(gas->organisation, "gas_distribution");
    const char *uk = "Негайно телефонуйте 104";
    assert_memory_equal(gas->hint_uk, uk, strlen(uk));
    assert_memory_equal(gas->hint_en, "Call 104 now", 12);

    const dom_type *lift = dom_catalog_type(dom_catalog_category(c, "elevators"), "people_trapped");
    assert_non_null(lift);
    assert_int_equal(lift->priority, DOM_PRIO_EMERGENCY);
    assert_dur(lift->resolution, "1h");
    assert_non_null(strstr(lift->hint_uk, "101"));
    assert_non_null(strstr(lift->hint_en, "101"));
    assert_string_equal(lift->alert_phone, "");

    const dom_category *water = dom_catalog_category(c, "water_supply");
    const dom_type *no_water = dom_catalog_type(water, "no_water");
    assert_non_null(no_water);
    assert_string_equal(no_water->organisation, "vodokanal");
    assert_string_equal(water->name_uk, "Водопостачання");
    const dom_type *pothole = dom_catalog_type(dom_catalog_category(c, "roads"), "pothole");
    assert_dur(pothole->reaction, "3d");

    assert_null(dom_catalog_category(c, "nope"));
    assert_null(dom_catalog_type(water, "nope"));
    assert_null(dom_catalog_type(NULL, "no_water"));
    assert_null(dom_catalog_org(c, "nope"));
}

/* ---- refusals of broken texts ---- */

#define ORGS_OK "{\"organisations\":[{\"code\":\"a\",\"name_uk\":\"А\",\"name_en\":\"A\"," \
                "\"phone\":\"\"},{\"code\":\"b\",\"name_uk\":\"Б\",\"name_en\":\"B\"}]}"

#define CATS_HEAD "{\"version\":1,\"reaction\":{\"emergency\":\"1h\",\"urgent\":\"24h\",\"normal\":\"3d\"},"
#define CAT0 "{\"code\":\"c0\",\"name_uk\":\"К\",\"name_en\":\"C\",\"organisation\":\"a\",\"demo_share\":1,"
#define TYPE0 "{\"code\":\"t0\",\"name_uk\":\"Т\",\"name_en\":\"T\",\"priority\":\"urgent\",\"resolution\":\"3d\"}"

static void test_small_valid_with_overrides(void **state)
{
    (void)state;
    const char *cats = CATS_HEAD "\"categories\":[" CAT0 "\"types\":[" TYPE0 ","
        "{\"code\":\"t1\",\"name_uk\":\"Т1\",\"name_en\":\"T1\",\"priority\":\"emergency\","
        "\"resolution\":\"2d\",\"reaction\":\"15h\",\"organisation\":\"b\",\"alert_phone\":\"101\","
        "\"hint_uk\":\"х\",\"hint_en\":\"h\"}]}]}";
    dom_catalog c;
    char err[256];
    if (!dom_catalog_parse(cats, ORGS_OK, &c, err, sizeof err))
        fail_msg("%s", err);
    const dom_category *cat = dom_catalog_category(&c, "c0");
    const dom_type *t0 = dom_catalog_type(cat, "t0"), *t1 = dom_catalog_type(cat, "t1");
    assert_dur(t0->reaction, "24h");
    assert_string_equal(t0->organisation, "a");
    assert_dur(t1->reaction, "15h");
    assert_string_equal(t1->organisation, "b");
    assert_string_equal(t1->alert_phone, "101");
    assert_dur(t1->resolution, "2d");
    assert_string_equal(dom_catalog_org(&c, "a")->phone, "");
    assert_string_equal(dom_catalog_org(&c, "b")->phone, "");
    dom_catalog_free(&c);
    assert_int_equal(c.n_cats, 0);
}

static void refused(const char *cats, const char *orgs, const char *want)
{
    dom_catalog c;
    char err[256] = "";
    if (dom_catalog_parse(cats, orgs, &c, err, sizeof err))
        fail_msg("accepted, expected: %s", want);
    if (!strstr(err, want))
        fail_msg("error \"%s\" does not contain \"%s\"", err, want);
    assert_null(c.cats);
    assert_null(c.orgs);
}

/* {categories text, organisations text, part of the expected error} */
static const struct {
    const char *cats, *orgs, *want;
} broken[] = {
    {"{", ORGS_OK, "categories.json: line 1"},
    {CATS_HEAD "\"categories\":[]}", "[", "organisations.json: line 1"},
    {NULL, ORGS_OK, "categories.json: no text"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":[" TYPE0 "]}],\"extra\":1}", ORGS_OK,
     "extra: unknown key"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"colour\":\"red\",\"types\":[" TYPE0 "]}]}", ORGS_OK,
     "categories[0].colour: unknown key"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":[" TYPE0 ","
     "{\"code\":\"t1\",\"name_uk\":\"Т\",\"name_en\":\"T\",\"priority\":\"x\",\"resolution\":\"3d\"}]}]}",
     ORGS_OK, "categories[0].types[1].priority: unknown priority 'x'"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":["
     "{\"code\":\"t0\",\"name_uk\":\"Т\",\"name_en\":\"T\",\"priority\":\"urgent\",\"resolution\":\"3days\"}]}]}",
     ORGS_OK, "categories[0].types[0].resolution: bad duration '3days'"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":["
     "{\"code\":\"t0\",\"name_uk\":\"Т\",\"name_en\":\"T\",\"priority\":\"urgent\",\"resolution\":\"3d\","
     "\"reaction\":\"0h\"}]}]}",
     ORGS_OK, "categories[0].types[0].reaction: bad duration '0h'"},
    {"{\"version\":1,\"reaction\":{\"emergency\":\"1h\",\"urgent\":\"1x\",\"normal\":\"3d\"},"
     "\"categories\":[" CAT0 "\"types\":[" TYPE0 "]}]}",
     ORGS_OK, "reaction.urgent: bad duration '1x'"},
    {"{\"version\":1,\"reaction\":{\"emergency\":\"1h\",\"normal\":\"3d\"},"
     "\"categories\":[" CAT0 "\"types\":[" TYPE0 "]}]}",
     ORGS_OK, "reaction.urgent: missing"},
    {"{\"version\":2,\"reaction\":{},\"categories\":[]}", ORGS_OK, "version: must be 1"},
    {CATS_HEAD "\"categories\":[{\"code\":\"c0\",\"name_uk\":\"К\",\"name_en\":\"C\","
     "\"organisation\":\"zz\",\"demo_share\":1,\"types\":[" TYPE0 "]}]}",
     ORGS_OK, "categories[0].organisation: unknown organisation 'zz'"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":["
     "{\"code\":\"t0\",\"name_uk\":\"Т\",\"name_en\":\"T\",\"priority\":\"urgent\",\"resolution\":\"3d\","
     "\"organisation\":\"zz\"}]}]}",
     ORGS_OK, "categories[0].types[0].organisation: unknown organisation 'zz'"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":[" TYPE0 "]}," CAT0 "\"types\":[" TYPE0 "]}]}",
     ORGS_OK, "categories[1].code: duplicate code 'c0'"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":[" TYPE0 "," TYPE0 "]}]}", ORGS_OK,
     "categories[0].types[1].code: duplicate code 't0'"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":[" TYPE0 "]}]}",
     "{\"organisations\":[{\"code\":\"a\",\"name_uk\":\"А\",\"name_en\":\"A\"},"
     "{\"code\":\"a\",\"name_uk\":\"Б\",\"name_en\":\"B\"}]}",
     "organisations[1].code: duplicate code 'a'"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":[" TYPE0 "]}]}",
     "{\"organisations\":[{\"code\":\"a\",\"name_uk\":\"А\",\"name_en\":\"A\",\"fax\":\"1\"}]}",
     "organisations[0].fax: unknown key"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":[" TYPE0 "]}]}",
     "{\"organisations\":[{\"code\":\"A-1\",\"name_uk\":\"А\",\"name_en\":\"A\"}]}",
     "organisations[0].code: code 'A-1' may contain only"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":["
     "{\"code\":\"t0\",\"name_uk\":\"\",\"name_en\":\"T\",\"priority\":\"urgent\",\"resolution\":\"3d\"}]}]}",
     ORGS_OK, "categories[0].types[0].name_uk: must not be empty"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":["
     "{\"code\":\"t0\",\"name_en\":\"T\",\"priority\":\"urgent\",\"resolution\":\"3d\"}]}]}",
     ORGS_OK, "categories[0].types[0].name_uk: missing"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":["
     "{\"code\":\"t0\",\"name_uk\":\"Т\",\"name_en\":\"T\",\"priority\":1,\"resolution\":\"3d\"}]}]}",
     ORGS_OK, "categories[0].types[0].priority: must be a string"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":["
     "{\"code\":\"t0\",\"name_uk\":\"Т\",\"name_en\":\"T\",\"priority\":\"urgent\",\"resolution\":\"3d\","
     "\"alert_phone\":\"10-4\"}]}]}",
     ORGS_OK, "categories[0].types[0].alert_phone: digits only"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":[]}]}", ORGS_OK,
     "categories[0].types: must be a non-empty array"},
    {CATS_HEAD "\"categories\":[{\"code\":\"c0\",\"name_uk\":\"К\",\"name_en\":\"C\","
     "\"organisation\":\"a\",\"demo_share\":-1,\"types\":[" TYPE0 "]}]}",
     ORGS_OK, "categories[0].demo_share: must be a number >= 0"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":[" TYPE0 "]}]}",
     "{\"organisations\":[{\"code\":\"a\",\"code\":\"b\",\"name_uk\":\"А\",\"name_en\":\"A\"}]}",
     "organisations.json: line 1"},
    {"[]", ORGS_OK, "(top level): must be an object"},
    /* accepting after the resolution deadline makes no sense */
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":["
     "{\"code\":\"t0\",\"name_uk\":\"Т\",\"name_en\":\"T\",\"priority\":\"normal\",\"resolution\":\"2d\"}]}]}",
     ORGS_OK, "categories[0].types[0].reaction: 3d (priority default) is longer than the resolution 2d"},
    {CATS_HEAD "\"categories\":[" CAT0 "\"types\":["
     "{\"code\":\"t0\",\"name_uk\":\"Т\",\"name_en\":\"T\",\"priority\":\"normal\",\"resolution\":\"1mo\","
     "\"reaction\":\"29d\"}]}]}",
     ORGS_OK, "categories[0].types[0].reaction: 29d (own) is longer than the resolution 1mo"},
};

static void test_refusals(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++)
        refused(broken[i].cats, broken[i].orgs, broken[i].want);
}

int main(void)
{
    const struct CMUnitTest real[] = {
        cmocka_unit_test(test_real_counts_and_order),
        cmocka_unit_test(test_real_codes_unique_and_orgs_exist),
        cmocka_unit_test(test_real_matches_mission),
        cmocka_unit_test(test_real_special_types),
    };
    const struct CMUnitTest texts[] = {
        cmocka_unit_test(test_small_valid_with_overrides),
        cmocka_unit_test(test_refusals),
    };
    int failed = cmocka_run_group_tests_name("shipped data", real, load_real, free_real);
    failed += cmocka_run_group_tests_name("broken texts", texts, NULL, NULL);
    return failed;
}
