/* The multipart/form-data parser (http/multipart.c): pure, bounded. */
#include "http/http.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define CT "multipart/form-data; boundary=XyZ"

static http_mp_status parse(const char *ct, const char *body, size_t len, http_part *parts, int *n) {
    return http_multipart_parse(ct, body, len, parts, HTTP_MP_MAX_PARTS, n);
}

static void test_two_parts(void **state) {
    (void)state;
    static const char body[] =
        "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a \\\"b\\\".jpg\"\r\n"
        "Content-Type: image/jpeg\r\n\r\n\xff\xd8\r\n--X\r\n\r\n--XyZ\r\n"
        "content-disposition: form-data; name=note\r\n\r\nhi\r\n--XyZ--\r\nepilogue";
    http_part p[HTTP_MP_MAX_PARTS];
    int n = 0;
    assert_int_equal(parse(CT, body, sizeof body - 1, p, &n), HTTP_MP_OK);
    assert_int_equal(n, 2);
    assert_string_equal(p[0].name, "photo");
    assert_string_equal(p[0].filename, "a \"b\".jpg");
    assert_string_equal(p[0].content_type, "image/jpeg");
    assert_int_equal(p[0].len, 9); /* \xff\xd8\r\n--X\r\n: a near-delimiter is data */
    assert_memory_equal(p[0].data, "\xff\xd8\r\n--X\r\n", 9);
    assert_string_equal(p[1].name, "note");
    assert_int_equal(p[1].len, 2);
    /* quoted boundary, case-insensitive type */
    static const char b2[] = "--a b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n\r\n--a b--";
    assert_int_equal(parse("Multipart/Form-Data; charset=x; boundary=\"a b\"", b2, sizeof b2 - 1, p, &n),
                     HTTP_MP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(p[0].len, 0);
}

static void test_content_type(void **state) {
    (void)state;
    http_part p[HTTP_MP_MAX_PARTS];
    int n = 0;
    assert_int_equal(parse(NULL, "", 0, p, &n), HTTP_MP_NOT_MULTIPART);
    assert_int_equal(parse("application/json", "{}", 2, p, &n), HTTP_MP_NOT_MULTIPART);
    assert_int_equal(parse("multipart/form-dataX; boundary=a", "", 0, p, &n), HTTP_MP_NOT_MULTIPART);
    assert_int_equal(parse("multipart/form-data", "", 0, p, &n), HTTP_MP_NO_BOUNDARY);
    assert_int_equal(parse("multipart/form-data; boundary=", "", 0, p, &n), HTTP_MP_NO_BOUNDARY);
    assert_int_equal(parse("multipart/form-data; boundary=\"abc", "", 0, p, &n), HTTP_MP_NO_BOUNDARY);
    char ct[200];
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=%0*d", 71, 0);
    assert_int_equal(parse(ct, "", 0, p, &n), HTTP_MP_NO_BOUNDARY);
}

static void test_truncated_and_malformed(void **state) {
    (void)state;
    http_part p[HTTP_MP_MAX_PARTS];
    int n = 0;
    static const char full[] =
        "--XyZ\r\nContent-Disposition: form-data; name=\"photo\"\r\n\r\nabcdef\r\n--XyZ--\r\n";
    /* every prefix that stops before the closing delimiter is refused */
    for (size_t len = 0; len < sizeof full - 1 - 4; len++)
        assert_int_not_equal(parse(CT, full, len, p, &n), HTTP_MP_OK);
    assert_int_equal(parse(CT, full, sizeof full - 1, p, &n), HTTP_MP_OK);
    static const char no_name[] = "--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--";
    assert_int_equal(parse(CT, no_name, sizeof no_name - 1, p, &n), HTTP_MP_MALFORMED);
    static const char no_disp[] = "--XyZ\r\nContent-Type: a/b\r\n\r\nx\r\n--XyZ--";
    assert_int_equal(parse(CT, no_disp, sizeof no_disp - 1, p, &n), HTTP_MP_MALFORMED);
    static const char ctl[] = "--XyZ\r\nContent-Disposition: form-data; name=\"a\x01\"\r\n\r\nx\r\n--XyZ--";
    assert_int_equal(parse(CT, ctl, sizeof ctl - 1, p, &n), HTTP_MP_MALFORMED);
    static const char empty[] = "--XyZ--\r\n";
    assert_int_equal(parse(CT, empty, sizeof empty - 1, p, &n), HTTP_MP_MALFORMED);
}

static void test_limits(void **state) {
    (void)state;
    http_part p[HTTP_MP_MAX_PARTS];
    int n = 0;
    /* part headers over HTTP_MP_HEADERS_MAX */
    size_t cap = HTTP_MP_HEADERS_MAX + 400;
    char *b = malloc(cap);
    int len = snprintf(b, cap, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nX: %0*d\r\n\r\nx\r\n--XyZ--",
                       HTTP_MP_HEADERS_MAX, 0);
    assert_int_equal(parse(CT, b, (size_t)len, p, &n), HTTP_MP_HEADERS_TOO_LONG);
    free(b);
    /* a name longer than its field */
    char big[400];
    len = snprintf(big, sizeof big, "--XyZ\r\nContent-Disposition: form-data; name=\"%0*d\"\r\n\r\nx\r\n--XyZ--",
                   HTTP_MP_NAME_MAX, 0);
    assert_int_equal(parse(CT, big, (size_t)len, p, &n), HTTP_MP_MALFORMED);
    /* many parts */
    static const char one[] = "--XyZ\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nx\r\n";
    size_t many_cap = (HTTP_MP_MAX_PARTS + 2) * (sizeof one) + 16;
    char *many = calloc(1, many_cap);
    size_t used = 0;
    for (int i = 0; i < HTTP_MP_MAX_PARTS + 1; i++) {
        memcpy(many + used, one, sizeof one - 1);
        used += sizeof one - 1;
    }
    memcpy(many + used, "--XyZ--", 7);
    used += 7;
    assert_int_equal(parse(CT, many, used, p, &n), HTTP_MP_TOO_MANY_PARTS);
    /* exactly the maximum is fine */
    size_t exact = used - (sizeof one - 1) - 7;
    memcpy(many + exact, "--XyZ--", 7);
    assert_int_equal(parse(CT, many, exact + 7, p, &n), HTTP_MP_OK);
    assert_int_equal(n, HTTP_MP_MAX_PARTS);
    free(many);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_parts),
        cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_truncated_and_malformed),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
