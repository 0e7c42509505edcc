/* Address normalisation, house numbers, typos, and the index's ranking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/address.h"
#include "domain/address_index.h"

static addr_tokens toks(const char *s, bool strip) {
    addr_tokens t;
    addr_tokenize(s, strlen(s), strip, &t);
    return t;
}

static int match(const char *q, const char *name) {
    addr_tokens a = toks(q, true), b = toks(name, false);
    return addr_tokens_match(&a, &b);
}

static void test_case_and_apostrophes(void **state) {
    (void)state;
    assert_int_equal(match("РОБОЧА", "Робоча"), ADDR_EXACT);
    assert_int_equal(match("ЄВРОПЕЙСЬКА", "Європейська"), ADDR_EXACT);
    assert_int_equal(match("ІВАНА", "Івана"), ADDR_EXACT);
    assert_int_equal(match("ЇЖАКА", "їжака"), ADDR_EXACT);
    assert_int_equal(match("ҐАНКУ", "ґанку"), ADDR_EXACT);
    assert_int_equal(match("Кожум'яки", "Кожум’яки"), ADDR_EXACT);
    assert_int_equal(match("Кожумʼяки", "Кожум'яки"), ADDR_EXACT);
    assert_int_equal(match("Кожум`яки", "Кожум'яки"), ADDR_EXACT);
    assert_int_equal(match("кожумяки", "Кожум’яки"), ADDR_EXACT);
    assert_int_equal(match("Science", "science"), ADDR_EXACT);
}

static void test_kind_words(void **state) {
    (void)state;
    static const char *const qs[] = {"вул. Робоча", "вулиця Робоча", "Робоча вул.", "пр. Робоча",
                                     "просп. Робоча", "проспект Робоча", "пров. Робоча",
                                     "провулок Робоча", "пл. Робоча", "площа Робоча",
                                     "бульв. Робоча", "б-р Робоча", "наб. Робоча", "Робоча узвіз",
                                     "туп. Робоча", "тупик Робоча", "ж/м Робоча"};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        addr_tokens t = toks(qs[i], true);
        assert_int_equal(t.n, 1);
        assert_int_not_equal(t.kind, ADDR_KIND_NONE);
        assert_int_equal(match(qs[i], "Робоча"), ADDR_EXACT);
    }
    assert_int_equal(toks("пров. Робоча", true).kind, ADDR_LANE);
    assert_int_equal(toks("б-р Слави", true).kind, ADDR_BOULEVARD);
    /* A kind word alone is the name itself. */
    assert_int_equal(toks("Набережна", true).n, 1);
    assert_int_equal(match("Набережна Перемоги", "Набережна Перемоги"), ADDR_EXACT);
    assert_int_equal(match("Сонячна наб.", "Сонячна Набережна"), ADDR_EXACT);
    addr_kind k;
    size_t len;
    size_t off = addr_strip_kind("вул. Робоча", &k, &len);
    assert_int_equal(k, ADDR_STREET);
    assert_string_equal(&"вул. Робоча"[off], "Робоча");
    off = addr_strip_kind("Кодацький узвіз", &k, &len);
    assert_int_equal(k, ADDR_SLOPE);
    assert_int_equal(off, 0);
    assert_int_equal(len, strlen("Кодацький"));
    off = addr_strip_kind("Набережна Перемоги", &k, &len);
    assert_int_equal(k, ADDR_KIND_NONE);
    assert_int_equal(off, 0);
}

static void test_prefix_and_typos(void **state) {
    (void)state;
    assert_int_equal(match("роб", "Робоча"), ADDR_PREFIX);
    assert_int_equal(match("Дм Явор", "Дмитра Яворницького"), ADDR_PREFIX);
    assert_int_equal(match("Яворницького Дмитра", "Дмитра Яворницького"), ADDR_EXACT);
    assert_int_equal(match("робча", "Робоча"), ADDR_TYPO);       /* deletion */
    assert_int_equal(match("робоач", "Робоча"), ADDR_TYPO);      /* transposition */
    assert_int_equal(match("рабоча", "Робоча"), ADDR_TYPO);      /* substitution */
    assert_int_equal(match("рабача", "Робоча"), ADDR_NO_MATCH);  /* 2 edits, 6 letters */
    assert_int_equal(match("яварницькаго", "Яворницького"), ADDR_TYPO); /* 2 edits, 12 letters */
    assert_int_equal(match("явор", "Яворницького"), ADDR_PREFIX);
    assert_int_equal(match("яворн", "Яворницького"), ADDR_PREFIX);
    assert_int_equal(match("яварн", "Яворницького"), ADDR_TYPO); /* a typo while typing */
    assert_int_equal(match("роп", "Робоча"), ADDR_NO_MATCH);     /* short: no typos */
    assert_int_equal(match("Робоча Шевченка", "Робоча"), ADDR_NO_MATCH);
    uint32_t a[] = {'a', 'b', 'c', 'd'}, b[] = {'b', 'a', 'c', 'd'};
    assert_int_equal(addr_distance(a, 4, b, 4, 2), 1);
    assert_int_equal(addr_distance(a, 4, b, 2, 1), 2); /* stops past max */
}

static void test_houses(void **state) {
    (void)state;
    static const struct {
        const char *q, *street, *house;
    } cases[] = {
        {"Робоча 12", "Робоча ", "12"},
        {"вул. Робоча, 12а", "вул. Робоча, ", "12а"},
        {"Робоча 12-А", "Робоча ", "12а"},
        {"Робоча 5/7", "Робоча ", "5/7"},
        {"Робоча 3 корп. 2", "Робоча ", "3корп2"},
        {"Робоча", "Робоча", ""},
        {"Героїв 93-ї бригади 4", "Героїв 93-ї бригади ", "4"},
        {"12 квітня", "12 квітня", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t sl;
        char house[ADDR_HOUSE_MAX];
        addr_split_house(cases[i].q, &sl, house, sizeof house);
        assert_int_equal(sl, strlen(cases[i].street));
        assert_string_equal(house, cases[i].house);
    }
    assert_true(addr_house_cmp("2", "12") < 0);
    assert_true(addr_house_cmp("12", "12а") < 0);
    assert_true(addr_house_cmp("12а", "120") < 0);
    assert_true(addr_house_cmp("5/7", "12") < 0);
}

static void test_index_ranking(void **state) {
    (void)state;
    addr_index *ix = addr_index_new();
    addr_index_add_street(ix, 1, "Брацлавська", "street", "UA1");
    addr_index_add_street(ix, 2, "Робоча", "street", NULL);
    addr_index_add_street(ix, 3, "Робочий", "lane", NULL);
    addr_index_add_street(ix, 4, "Науки", "avenue", NULL);
    addr_index_add_old_name(ix, 1, "Баглія");
    addr_index_add_old_name(ix, 4, "Робоча");
    addr_index_add_address(ix, 2, "12а", true, 48.5, 35.0, NULL);
    addr_index_add_address(ix, 2, "12", true, 48.5001, 35.0, NULL);
    addr_index_add_address(ix, 2, "120", false, 0, 0, NULL);
    addr_index_add_address(ix, 1, "1", true, 48.4, 35.1, NULL);
    addr_index_finish(ix);
    addr_suggestion s[ADDR_SUGGEST_MAX];
    char hb[64];
    int n = addr_index_search(ix, "робоча", s, 10, hb, sizeof hb);
    assert_int_equal(n, 3);
    assert_string_equal(s[0].street, "Робоча"); /* current exact */
    assert_null(s[0].old_name);
    assert_string_equal(s[1].street, "Науки");  /* old exact */
    assert_string_equal(s[1].old_name, "Робоча");
    assert_string_equal(s[2].street, "Робочий"); /* typo */
    n = addr_index_search(ix, "вул. Робоча, 12", s, 10, hb, sizeof hb);
    assert_true(n >= 3);
    assert_string_equal(s[0].house, "12");
    assert_true(s[0].has_coords);
    assert_string_equal(s[1].house, "12а");
    assert_string_equal(s[2].house, "120");
    assert_false(s[2].has_coords);
    n = addr_index_search(ix, "Баглія", s, 10, hb, sizeof hb);
    assert_int_equal(n, 1);
    assert_string_equal(s[0].street, "Брацлавська");
    assert_string_equal(s[0].district, "UA1");
    n = addr_index_search(ix, "Робоча 77", s, 1, hb, sizeof hb);
    assert_int_equal(n, 1);
    assert_string_equal(s[0].house, "77");
    assert_false(s[0].has_coords);
    double d;
    assert_true(addr_index_nearest(ix, 48.50012, 35.0, 300, &s[0], &d));
    assert_string_equal(s[0].house, "12");
    assert_true(d < 5);
    assert_false(addr_index_nearest(ix, 48.45, 35.05, 300, &s[0], &d));
    assert_int_equal(addr_index_find_street(ix, "баглія", ADDR_KIND_NONE), 1);
    assert_int_equal(addr_index_find_street(ix, "Робочий", ADDR_LANE), 3);
    assert_int_equal(addr_index_find_exact(ix, "Науки", ADDR_STREET), -1);
    addr_index_free(ix);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_and_apostrophes),
        cmocka_unit_test(test_kind_words),
        cmocka_unit_test(test_prefix_and_typos),
        cmocka_unit_test(test_houses),
        cmocka_unit_test(test_index_ranking),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
