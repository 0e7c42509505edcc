/* store/photos.c on both databases: the per-appeal limit holds inside the
 * transaction, a refused insert writes nothing, the public flag, the
 * content-hash check that guards file removal. */
#include "domain/deadline.h"
#include "store/migrations.h"
#include "store/photos.h"
#include "store/store.h"
#include "util/rand.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "both_dbs.h"

#define T0 1795000000000LL
static char db_url[512];

static int open_fresh(void **state) {
    db_conn *c = both_dbs_fresh(db_url, T0);
    assert_non_null(c);
    *state = c;
    return 0;
}

static int close_db(void **state) {
    both_dbs_close(*state);
    return 0;
}

static int appeal_tx(db_conn *c, void *ctx) {
    int64_t *id = ctx;
    char token[TOKEN_TEXT_LEN + 1], hash[65], number[16];
    rand_token(token, sizeof token);
    hash_hex(token, strlen(token), hash, sizeof hash);
    store_new_appeal a = {
        .category = "water_supply", .type = "no_water", .priority = "emergency",
        .organisation = "vodokanal", .channel = "web", .description = "Немає води з ранку",
        .name = "Олена", .phone = "+380671234567", .lat = 48.46, .lon = 35.04, .created_at = T0,
        .reaction_due_at = T0 + 1, .resolution_due_at = T0 + 2, .tracking_hash = hash,
        .year = dom_local_year(T0),
    };
    return store_appeal_insert(c, &a, id, number);
}

typedef struct {
    int64_t appeal;
    store_photo p[3];
    int n;
} photos_tx;

static int photos_in_tx(db_conn *c, void *ctx) {
    photos_tx *t = ctx;
    return store_photos_insert(c, t->appeal, 5, t->p, t->n);
}

static store_photo photo(char sha_digit) {
    store_photo p = {.bytes = 1000, .width = 10, .height = 20, .created_at = T0};
    memset(p.sha256, sha_digit, 64);
    snprintf(p.mime, sizeof p.mime, "image/jpeg");
    snprintf(p.kind, sizeof p.kind, "appeal");
    snprintf(p.actor, sizeof p.actor, "applicant");
    return p;
}

static void test_limit_and_flags(void **state) {
    db_conn *c = *state;
    int64_t appeal = 0, n = 0;
    assert_int_equal(store_tx(c, true, appeal_tx, &appeal), DB_OK);
    photos_tx t = {.appeal = appeal, .p = {photo('a'), photo('b'), photo('a')}, .n = 3};
    assert_int_equal(store_tx(c, true, photos_in_tx, &t), DB_OK);
    assert_true(t.p[0].id > 0 && t.p[2].id > t.p[1].id);
    /* 3 + 3 > 5: refused, and nothing of it written */
    photos_tx more = {.appeal = appeal, .p = {photo('c'), photo('d'), photo('e')}, .n = 3};
    assert_int_equal(store_tx(c, true, photos_in_tx, &more), STORE_PHOTO_LIMIT);
    assert_int_equal(store_photos_count(c, appeal, &n), DB_OK);
    assert_int_equal(n, 3);
    bool used = false;
    assert_int_equal(store_photo_sha_used(c, more.p[0].sha256, &used), DB_OK);
    assert_false(used);
    assert_int_equal(store_photo_sha_used(c, t.p[0].sha256, &used), DB_OK);
    assert_true(used);
    /* 3 + 2 = 5: fine */
    more.n = 2;
    assert_int_equal(store_tx(c, true, photos_in_tx, &more), DB_OK);
    store_photo *list = NULL;
    int count = 0;
    assert_int_equal(store_photos_of(c, appeal, true, &list, &count), DB_OK);
    assert_int_equal(count, 0);
    free(list);
    assert_int_equal(store_photo_set_public(c, t.p[1].id, true), DB_OK);
    assert_int_equal(store_photo_set_public(c, 999999, true), DB_NOT_FOUND);
    assert_int_equal(store_photos_of(c, appeal, true, &list, &count), DB_OK);
    assert_int_equal(count, 1);
    assert_true(list[0].id == t.p[1].id && list[0].public);
    assert_string_equal(list[0].sha256, t.p[1].sha256);
    free(list);
    assert_int_equal(store_photos_of(c, appeal, false, &list, &count), DB_OK);
    assert_int_equal(count, 5);
    free(list);
    store_photo one;
    assert_int_equal(store_photo_get(c, t.p[2].id, &one), DB_OK);
    assert_true(one.appeal_id == appeal && one.width == 10 && one.height == 20 && one.bytes == 1000);
    assert_string_equal(one.kind, "appeal");
    assert_int_equal(store_photo_get(c, 999999, &one), DB_NOT_FOUND);
    /* no such appeal */
    photos_tx none = {.appeal = 424242, .p = {photo('f')}, .n = 1};
    assert_int_equal(store_tx(c, true, photos_in_tx, &none), DB_NOT_FOUND);
}

static int run_suite(const char *name) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_limit_and_flags, open_fresh, close_db),
    };
    return _cmocka_run_group_tests(name, tests, sizeof tests / sizeof tests[0], NULL, NULL);
}

int main(void) {
    rand_init();
    dom_tz_init();
    return both_dbs_main("photos", db_url, sizeof db_url, run_suite);
}
