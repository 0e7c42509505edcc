/* util/secret.c: TOTP against RFC 6238's own test vectors, the replay
 * rule, Argon2id round trips, and the password policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/rand.h"
#include "util/secret.h"

/* RFC 6238 Appendix B, SHA-1 key "12345678901234567890" in base32. */
#define RFC_KEY "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

static void test_rfc6238_vectors(void **state) {
    (void)state;
    /* The RFC lists 8 digits; the 6-digit code is their last six. */
    static const struct { int64_t t; const char *code; } v[] = {
        {59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
        {1234567890, "005924"}, {2000000000, "279037"}, {20000000000LL, "353130"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char out[7];
        assert_true(totp_code(RFC_KEY, v[i].t, out));
        assert_string_equal(out, v[i].code);
    }
    char out[7];
    assert_false(totp_code("not base32!", 59, out));
}

static void test_verify_window_and_replay(void **state) {
    (void)state;
    int64_t now = 1111111111, step = 0;
    char code[7], prev[7], old[7];
    totp_code(RFC_KEY, now, code);
    totp_code(RFC_KEY, now - 30, prev);
    totp_code(RFC_KEY, now - 90, old);
    assert_true(totp_verify(RFC_KEY, code, now, 0, &step));
    assert_int_equal(step, now / 30);
    /* one step of drift either way, no more */
    assert_true(totp_verify(RFC_KEY, prev, now, 0, &step));
    assert_false(totp_verify(RFC_KEY, old, now, 0, &step));
    /* a step already used (or an earlier one) is refused */
    assert_false(totp_verify(RFC_KEY, code, now, now / 30, &step));
    assert_false(totp_verify(RFC_KEY, prev, now, now / 30 - 1, &step));
    assert_false(totp_verify(RFC_KEY, "12345", now, 0, &step));
    assert_false(totp_verify(RFC_KEY, NULL, now, 0, &step));
}

static void test_new_secret_and_uri(void **state) {
    (void)state;
    char a[TOTP_SECRET_TEXT], b[TOTP_SECRET_TEXT], code[7], uri[256];
    totp_new_secret(a);
    totp_new_secret(b);
    assert_int_equal(strlen(a), 32);
    assert_string_not_equal(a, b);
    assert_true(totp_code(a, 0, code));
    assert_true(totp_uri("ivan", a, uri, sizeof uri));
    assert_non_null(strstr(uri, "otpauth://totp/Kontakt:ivan?secret="));
    assert_false(totp_uri("ivan", a, uri, 20)); /* too small: refused, not cut */
}

static void test_password_hash(void **state) {
    (void)state;
    char h[PW_HASH_CAP];
    assert_true(pw_hash("Kontakt-Test-Passw0rd-2026", h));
    assert_memory_equal(h, "$argon2id$", 10);
    assert_true(pw_verify(h, "Kontakt-Test-Passw0rd-2026"));
    assert_false(pw_verify(h, "Kontakt-Test-Passw0rd-2027"));
    assert_false(pw_verify("", "x"));
    assert_false(pw_verify("$argon2id$broken", "x"));
}

static void test_password_policy(void **state) {
    (void)state;
    char path[] = "/tmp/kontakt-pwlist-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("#!comment, like john's\npassword\nqwertyuiop\nsunshine2026\n", f);
    fclose(f);
    char err[128], why[128];
    pw_list *l = pw_list_load(path, err, sizeof err);
    assert_non_null(l);
    assert_int_equal(pw_list_size(l), 3);
    assert_int_equal(pw_policy(l, "short-1", why, sizeof why), PW_TOO_SHORT);
    /* 12 code points, not bytes: 11 Cyrillic letters are too short */
    assert_int_equal(pw_policy(l, "Сонячнийдні", why, sizeof why), PW_TOO_SHORT);
    assert_int_equal(pw_policy(l, "Password1234", why, sizeof why), PW_COMMON);
    assert_int_equal(pw_policy(l, "QWERTYUIOP!!", why, sizeof why), PW_COMMON);
    assert_int_equal(pw_policy(l, "Sunshine2026", why, sizeof why), PW_COMMON);
    assert_int_equal(pw_policy(l, "sunshine2026!", why, sizeof why), PW_COMMON);
    assert_int_equal(pw_policy(l, "aaaaaaaaaaaaaa", why, sizeof why), PW_WEAK);
    assert_true(why[0] != '\0');
    assert_int_equal(pw_policy(l, "Сонячний-Дніпро-2026", why, sizeof why), PW_OK);
    char huge[PASSWORD_MAX + 2];
    memset(huge, 'x', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    assert_int_equal(pw_policy(l, huge, why, sizeof why), PW_TOO_LONG);
    pw_list_free(l);
    unlink(path);
    assert_null(pw_list_load("/nonexistent/list", err, sizeof err));
    assert_int_equal(pw_policy(NULL, "Kontakt-Test-Passw0rd-2026", why, sizeof why), PW_OK);
}

int main(void) {
    if (!rand_init()) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_vectors),
        cmocka_unit_test(test_verify_window_and_replay),
        cmocka_unit_test(test_new_secret_and_uri),
        cmocka_unit_test(test_password_hash),
        cmocka_unit_test(test_password_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
