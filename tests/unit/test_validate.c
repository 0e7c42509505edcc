/* Field validators: phone spellings, e-mail, strict UTF-8, control
 * characters, map bounds and appeal numbers. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/validate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_phone_accepted_spellings(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } ok[] = {
        {"+380671234567", "+380671234567"},
        {"+380 67 123 45 67", "+380671234567"},
        {"380671234567", "+380671234567"},
        {"0671234567", "+380671234567"},
        {"067-123-45-67", "+380671234567"},
        {"(067) 123 45 67", "+380671234567"},
        {"8 067 123 45 67", "+380671234567"},
        {"+38 (067) 123-45-67", "+380671234567"},
        {"0 56 123 45 67", "+380561234567"},
        {"(056) 123-45-67", "+380561234567"},
        {"+38 056 123 45 67", "+380561234567"},
        {"067.123.45.67", "+380671234567"},
        {"00380671234567", "+380671234567"},
        {"00 380 67 123 45 67", "+380671234567"},
        {" +380 (50) 123-45-67 ", "+380501234567"},
        {"+380-93-123-45-67", "+380931234567"},
        {"8(099)1234567", "+380991234567"},
        {"38 063 123 4567", "+380631234567"},
        {"+ 380 97 123 45 67", "+380971234567"},
    };
    for (size_t i = 0; i < N(ok); i++) {
        char out[16] = "";
        if (!dom_phone_normalize(ok[i].in, out, sizeof out))
            fail_msg("refused \"%s\"", ok[i].in);
        assert_string_equal(out, ok[i].want);
    }
}

static void test_phone_refusals(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",                   /* nothing */
        "   ",                /* separators only */
        "+48 123 456 789",    /* Poland */
        "+1 212 555 0100",    /* USA */
        "+7 495 123 45 67",   /* foreign, 11 digits */
        "+44 20 7946 0958",   /* UK */
        "067123456",          /* too few digits */
        "06712345678",        /* too many digits */
        "+3806712345678",     /* too many after +380 */
        "+380 0 67 123 4567", /* +380 0... */
        "+380 06 712 3456",   /* +380 0... (12 digits) */
        "0061234567",         /* national part starts with 0 */
        "067 ABC 45 67",      /* letters */
        "067-123-45-67 ext 5",
        "671234567",          /* no trunk prefix */
        "067+1234567",        /* '+' in the middle */
        "++380671234567",     /* two '+' */
        "0671234567#",        /* other punctuation */
        "067/123/45/67",
        "9 067 123 45 67",    /* not the 8 prefix */
        "+0671234567",        /* '+' without a country code */
        "0671234567\n",
    };
    for (size_t i = 0; i < N(bad); i++) {
        char out[16] = "untouched";
        if (dom_phone_normalize(bad[i], out, sizeof out))
            fail_msg("accepted \"%s\" as %s", bad[i], out);
    }
    char small[13];
    assert_false(dom_phone_normalize("0671234567", small, sizeof small));
    assert_false(dom_phone_normalize(NULL, small, sizeof small));
    char big[200];
    memset(big, ' ', sizeof big - 11);
    memcpy(big + sizeof big - 11, "0671234567", 11);
    char out[16];
    assert_false(dom_phone_normalize(big, out, sizeof out)); /* absurdly long input */
}

static void test_email(void **state)
{
    (void)state;
    static const char *const ok[] = {"a@b.ua", "ivan.petrenko@gmail.com", "first+tag@sub.example.org",
                                     "o'neil@x-y.com.ua", "A_B@EXAMPLE.COM", "1@2.3"};
    for (size_t i = 0; i < N(ok); i++)
        if (!dom_email_valid(ok[i]))
            fail_msg("refused %s", ok[i]);
    char long_local[80];
    memset(long_local, 'a', 65);
    memcpy(long_local + 65, "@b.ua", 6);
    char long_label[90];
    memcpy(long_label, "a@", 2);
    memset(long_label + 2, 'b', 64);
    memcpy(long_label + 66, ".ua", 4);
    const char *const bad[] = {"", "a", "@b.ua", "a@", "a@b", "a@@b.ua", "a@b@c.ua", "a b@c.ua",
                               "a@b .ua", "a@-b.ua", "a@b-.ua", "a@b..ua", "a@.b.ua", "a@b.ua.",
                               ".a@b.ua", "a.@b.ua", "a..b@c.ua", "a\t@b.ua", "a@b_c.ua",
                               "ім'я@пошта.укр", "a\"b@c.ua", long_local, long_label};
    for (size_t i = 0; i < N(bad); i++)
        if (dom_email_valid(bad[i]))
            fail_msg("accepted %s", bad[i]);
    assert_false(dom_email_valid(NULL));
}

static void test_utf8_length(void **state)
{
    (void)state;
    assert_int_equal(dom_utf8_length("", 0), 0);
    assert_int_equal(dom_utf8_length("abc", 3), 3);
    const char *uk = "Підʼїзд"; /* 7 letters incl. U+02BC, 2 bytes each */
    assert_int_equal(dom_utf8_length(uk, strlen(uk)), 7);
    assert_int_equal(dom_utf8_length("\xe2\x82\xac", 3), 1);          /* U+20AC */
    assert_int_equal(dom_utf8_length("\xf0\x9f\x98\x80", 4), 1);      /* U+1F600 */
    assert_int_equal(dom_utf8_length("\xf4\x8f\xbf\xbf", 4), 1);      /* U+10FFFF */
    assert_int_equal(dom_utf8_length("\xed\x9f\xbf", 3), 1);          /* U+D7FF */
    assert_int_equal(dom_utf8_length("\xee\x80\x80", 3), 1);          /* U+E000 */
    assert_int_equal(dom_utf8_length("a\0b", 3), 3);                  /* NUL is a code point */
    static const struct {
        const char *s;
        size_t len;
    } bad[] = {
        {"\xc0\xaf", 2},             /* overlong '/' */
        {"\xc1\xbf", 2},             /* overlong */
        {"\xe0\x80\xaf", 3},         /* overlong 3-byte */
        {"\xe0\x9f\xbf", 3},         /* overlong U+07FF */
        {"\xf0\x80\x80\xaf", 4},     /* overlong 4-byte */
        {"\xf0\x8f\xbf\xbf", 4},     /* overlong U+FFFF */
        {"\xed\xa0\x80", 3},         /* U+D800 surrogate */
        {"\xed\xbf\xbf", 3},         /* U+DFFF surrogate */
        {"\xf4\x90\x80\x80", 4},     /* U+110000 */
        {"\xf5\x80\x80\x80", 4},     /* lead F5 */
        {"\xff", 1},
        {"\x80", 1},                 /* lone continuation */
        {"a\xd0", 2},                /* truncated 2-byte */
        {"\xe2\x82", 2},             /* truncated 3-byte */
        {"\xf0\x9f\x98", 3},         /* truncated 4-byte */
        {"\xe2\x28\xa1", 3},         /* bad continuation */
        {"\xd0\xd0", 2},
    };
    for (size_t i = 0; i < N(bad); i++)
        if (dom_utf8_length(bad[i].s, bad[i].len) != -1)
            fail_msg("accepted bad sequence #%zu", i);
    /* the length bound is honoured: a valid prefix of a longer buffer */
    assert_int_equal(dom_utf8_length("\xe2\x82\xac\xff", 3), 1);
}

static void test_control_chars(void **state)
{
    (void)state;
    const char *ok = "Рядок 1\nРядок 2\r\n\tвідступ";
    assert_false(dom_has_control_chars(ok, strlen(ok)));
    assert_false(dom_has_control_chars("", 0));
    assert_true(dom_has_control_chars("a\x01", 2));
    assert_true(dom_has_control_chars("a\0b", 3));
    assert_true(dom_has_control_chars("\x1b[31m", 5));
    assert_true(dom_has_control_chars("a\x7f", 2));
    assert_true(dom_has_control_chars("\xc2\x85", 2)); /* U+0085 NEL */
    assert_false(dom_has_control_chars("\xc2\xa0", 2)); /* U+00A0 is not a control */
    assert_false(dom_has_control_chars("a\x01", 1));    /* outside len */
}

static void test_bounds(void **state)
{
    (void)state;
    dom_bounds b;
    assert_true(dom_bounds_parse("34.74,48.33,35.25,48.60", &b));
    assert_true(fabs(b.min_lon - 34.74) < 1e-9 && fabs(b.min_lat - 48.33) < 1e-9);
    assert_true(fabs(b.max_lon - 35.25) < 1e-9 && fabs(b.max_lat - 48.60) < 1e-9);
    assert_true(dom_bounds_contains(&b, 48.4647, 35.0462)); /* Dnipro centre */
    assert_true(dom_bounds_contains(&b, 48.33, 34.74));      /* edge is inside */
    assert_false(dom_bounds_contains(&b, 50.45, 30.52));     /* Kyiv */
    assert_false(dom_bounds_contains(&b, 35.0462, 48.4647)); /* lat/lon swapped */
    assert_false(dom_bounds_contains(&b, NAN, 35.0));
    dom_bounds w;
    assert_true(dom_bounds_parse("34.74, 48.33, 35.25, 48.60", &w));
    assert_true(dom_bounds_parse("-10,-5.5,10,5", &w));
    static const char *const bad[] = {"", "34.74,48.33,35.25", "34.74,48.33,35.25,48.60,1",
                                      "34.74;48.33;35.25;48.60", "a,b,c,d", "35.25,48.33,34.74,48.60",
                                      "34.74,48.60,35.25,48.33", "34.74,48.33,35.25,48.60x",
                                      "nan,48.33,35.25,48.60", "inf,48.33,35.25,48.60",
                                      "0x1p5,48.33,35.25,48.60", "-190,0,10,10", "0,-95,10,10",
                                      "34.74,,35.25,48.60", "1,1,1,1", "34.74,48.33,35.25,48.60,"};
    for (size_t i = 0; i < N(bad); i++)
        if (dom_bounds_parse(bad[i], &w))
            fail_msg("accepted \"%s\"", bad[i]);
    assert_false(dom_bounds_parse(NULL, &w));
}

static void test_number(void **state)
{
    (void)state;
    int y = 0;
    long n = 0;
    assert_true(dom_number_parse("2026-000001", &y, &n));
    assert_int_equal(y, 2026);
    assert_int_equal(n, 1);
    assert_true(dom_number_parse("9999-999999", &y, &n));
    assert_int_equal(n, 999999);
    /* past 999,999 in a year the number grows, never padded */
    assert_true(dom_number_parse("2026-1000000", &y, &n));
    assert_int_equal(n, 1000000);
    assert_true(dom_number_parse("2026-123456789", &y, &n));
    assert_int_equal(n, 123456789);
    static const char *const bad[] = {"", "2026-0000001", "2026-01000000", "2026-1234567890", "2026-00001", "2026-000000", "1999-000001",
                                      "2026_000001", "2026-00000a", "+026-000001", "2026--00001",
                                      " 2026-00001", "2026-000001 ", "20260000001"};
    for (size_t i = 0; i < N(bad); i++)
        if (dom_number_parse(bad[i], &y, &n))
            fail_msg("accepted \"%s\"", bad[i]);
    char buf[16];
    dom_number_format(2026, 1200000, buf, sizeof buf);
    assert_string_equal(buf, "2026-1200000");
    dom_number_format(2026, 42, buf, sizeof buf);
    assert_string_equal(buf, "2026-000042");
    dom_number_format(2026, 999999, buf, sizeof buf);
    assert_true(dom_number_parse(buf, &y, &n));
    assert_int_equal(n, 999999);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_accepted_spellings),
        cmocka_unit_test(test_phone_refusals),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_utf8_length),
        cmocka_unit_test(test_control_chars),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
