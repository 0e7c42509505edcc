/* Notification texts (domain/templates.h): both languages, the link, the
 * Kyiv time, optional lines left out, required params, SMS stay short. */
#include "domain/deadline.h"
#include "domain/templates.h"
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

static long utf8_chars(const char *s) {
    long n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

static tpl_message render(const char *name, const char *lang, const char *params) {
    json_t *p = json_loads(params, 0, NULL);
    assert_non_null(p);
    tpl_message m;
    char err[128];
    assert_true(tpl_render(name, lang, p, "https://kontakt.example.ua/", &m, err, sizeof err));
    json_decref(p);
    return m;
}

static void test_registered_has_number_link_and_kyiv_time(void **state) {
    (void)state;
    /* 2026-07-31T21:00:00Z is 1 August 00:00 in Kyiv (UTC+3) */
    tpl_message m = render("registered", "uk",
                           "{\"number\":\"2026-000123\",\"token\":\"AbC_123\",\"due_at\":1785531600000}");
    assert_string_equal(m.subject, "Звернення 2026-000123 зареєстровано");
    assert_non_null(strstr(m.body, "2026-000123"));
    assert_non_null(strstr(m.body, "https://kontakt.example.ua/track.html#AbC_123"));
    assert_non_null(strstr(m.body, "01.08.2026 00:00"));
    assert_non_null(strstr(m.sms, "https://kontakt.example.ua/track.html#AbC_123"));
    tpl_message_free(&m);
    m = render("registered", "en", "{\"number\":\"2026-000123\",\"token\":\"t\"}");
    assert_string_equal(m.subject, "Appeal 2026-000123 registered");
    assert_null(strstr(m.body, "resolved by")); /* no due_at: the line is left out */
    assert_non_null(strstr(m.body, "Follow it here: https://kontakt.example.ua/track.html#t"));
    tpl_message_free(&m);
}

static void test_optional_lines_and_fallback_language(void **state) {
    (void)state;
    tpl_message m = render("extension", "xx",
                           "{\"number\":\"2026-000001\",\"due_at\":1768428000000,\"reason\":\"Чекаємо деталь\"}");
    assert_non_null(strstr(m.subject, "продовжено")); /* unknown language → Ukrainian */
    assert_non_null(strstr(m.body, "15.01.2026 00:00"));
    assert_non_null(strstr(m.body, "Причина: Чекаємо деталь"));
    assert_null(strstr(m.sms, "Чекаємо")); /* free text stays out of SMS */
    tpl_message_free(&m);
    m = render("overdue", "en", "{\"number\":\"2026-000001\"}");
    assert_null(strstr(m.body, "{"));
    assert_null(strstr(m.body, "at the latest"));
    assert_string_equal(m.sms, "Sorry: appeal 2026-000001 is overdue.");
    tpl_message_free(&m);
    m = render("overdue", "uk", "{\"number\":\"2026-000001\",\"expected_at\":1768428000000}");
    assert_non_null(strstr(m.sms, "до 15.01.2026 00:00"));
    tpl_message_free(&m);
    m = render("assigned", "en", "{\"number\":\"2026-000002\",\"org_uk\":\"Водоканал\",\"org_en\":\"Water utility\"}");
    assert_non_null(strstr(m.body, "Executor: Water utility"));
    tpl_message_free(&m);
    m = render("done", "uk", "{\"number\":\"2026-000002\",\"own\":\"2026-000009\"}");
    assert_non_null(strstr(m.body, "Ваше звернення 2026-000009 об'єднано"));
    assert_non_null(strstr(m.body, "https://kontakt.example.ua/cabinet.html"));
    tpl_message_free(&m);
}

static void test_long_reason_is_cut_on_a_character(void **state) {
    (void)state;
    char params[4096];
    size_t n = (size_t)snprintf(params, sizeof params, "{\"number\":\"1\",\"reason\":\"");
    for (int i = 0; i < 400; i++) n += (size_t)snprintf(params + n, sizeof params - n, "ї");
    snprintf(params + n, sizeof params - n, "\"}");
    tpl_message m = render("reopened", "uk", params);
    const char *r = strstr(m.body, "Причина: ");
    assert_non_null(r);
    assert_non_null(strstr(r, "…"));
    size_t line = strcspn(r, "\n");
    assert_true(line > 300 && line < 330); /* 300 bytes of the reason, the label, "…" */
    tpl_message_free(&m);
}

static void test_login_code_and_sms_length(void **state) {
    (void)state;
    tpl_message m = render("login_code", "uk", "{\"code\":\"123456\"}");
    assert_string_equal(m.subject, "Код для входу: 123456");
    assert_true(utf8_chars(m.sms) <= 70); /* one Cyrillic (UCS-2) segment */
    tpl_message_free(&m);
    m = render("login_code", "en", "{\"code\":\"123456\"}");
    assert_true(strlen(m.sms) <= 160);
    tpl_message_free(&m);
    const char *names[] = {"done", "reopened", "closed", "extension", "overdue"};
    for (size_t i = 0; i < 5; i++) {
        m = render(names[i], "uk", "{\"number\":\"2026-000123\",\"due_at\":1768428000000}");
        assert_true(utf8_chars(m.sms) <= 134); /* at most two segments */
        tpl_message_free(&m);
    }
}

static void test_refusals(void **state) {
    (void)state;
    tpl_message m;
    char err[128];
    json_t *p = json_loads("{\"number\":\"1\"}", 0, NULL);
    assert_false(tpl_render("nope", "uk", p, "", &m, err, sizeof err));
    assert_false(tpl_render("registered", "uk", p, "", &m, err, sizeof err)); /* no token */
    assert_false(tpl_render("login_code", "uk", p, "", &m, err, sizeof err)); /* no code */
    assert_false(tpl_render("extension", "uk", p, "", &m, err, sizeof err));  /* no date */
    json_decref(p);
    p = json_loads("{}", 0, NULL);
    assert_false(tpl_render("closed", "uk", p, "", &m, err, sizeof err));
    json_decref(p);
    assert_true(tpl_known("closed"));
    assert_false(tpl_known("opened"));
}

int main(void) {
    if (!dom_tz_init()) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registered_has_number_link_and_kyiv_time),
        cmocka_unit_test(test_optional_lines_and_fallback_language),
        cmocka_unit_test(test_long_reason_is_cut_on_a_character),
        cmocka_unit_test(test_login_code_and_sms_length),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
