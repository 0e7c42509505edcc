/* Residents' store (store/residents.c) against real databases: SQLite
 * always, PostgreSQL too when KONTAKT_TEST_PG names a server. */
#include "domain/deadline.h"
#include "store/migrations.h"
#include "store/residents.h"
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
#define HOUR 3600000LL

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

/* Runs one write in its own transaction (the store's functions expect one). */
#define TX(c, call)                                                                            \
    do {                                                                                       \
        assert_int_equal((c)->drv->begin((c)->conn, true), DB_OK);                             \
        int rc_ = (call);                                                                      \
        if (rc_ == DB_OK) assert_int_equal((c)->drv->commit((c)->conn), DB_OK);                \
        else (c)->drv->rollback((c)->conn);                                                    \
        last_rc = rc_;                                                                         \
    } while (0)
static int last_rc;

static void appeal(db_conn *c, const char *phone, const char *email, int64_t at,
                   char number[16]) {
    char token[TOKEN_TEXT_LEN + 1], hash[65];
    rand_token(token, sizeof token);
    hash_hex(token, strlen(token), hash, sizeof hash);
    store_new_appeal a = {
        .category = "water_supply", .type = "no_water", .priority = "emergency",
        .organisation = "vodokanal", .channel = "web", .description = "Немає води з ранку",
        .name = "Олена Приклад", .phone = phone, .email = email, .lat = 48.46, .lon = 35.04,
        .created_at = at, .reaction_due_at = at + HOUR, .resolution_due_at = at + 24 * HOUR,
        .tracking_hash = hash, .year = dom_local_year(at),
    };
    int64_t id = 0;
    TX(c, store_appeal_insert(c, &a, &id, number));
    assert_int_equal(last_rc, DB_OK);
}

static void test_accounts_and_contacts(void **state) {
    db_conn *c = *state;
    int64_t a = 0, b = 0;
    TX(c, store_resident_create(c, "+380671234567", NULL, "uk", T0, &a));
    assert_int_equal(last_rc, DB_OK);
    TX(c, store_resident_create(c, NULL, "olena@example.com", "en", T0, &b));
    assert_int_equal(last_rc, DB_OK);
    store_resident r;
    assert_int_equal(store_resident_by_contact(c, "+380671234567", NULL, &r), DB_OK);
    assert_int_equal(r.id, a);
    assert_string_equal(r.notify, "auto");
    assert_string_equal(r.email, "");
    /* a contact another account holds cannot join */
    TX(c, store_resident_set_contact(c, a, NULL, "olena@example.com"));
    assert_int_equal(last_rc, DB_CONSTRAINT);
    TX(c, store_resident_set_contact(c, a, NULL, "o2@example.com"));
    assert_int_equal(last_rc, DB_OK);
    assert_int_equal(store_resident_get(c, a, &r), DB_OK);
    assert_string_equal(r.email, "o2@example.com");
    TX(c, store_resident_set_prefs(c, a, "sms", NULL));
    assert_int_equal(store_resident_get(c, a, &r), DB_OK);
    assert_string_equal(r.notify, "sms");
    assert_string_equal(r.lang, "uk");
}

static void test_codes(void **state) {
    db_conn *c = *state;
    TX(c, store_code_insert(c, "k1", "h1", "s1", T0 + 10 * 60000, T0));
    store_code k;
    assert_int_equal(store_code_current(c, "k1", T0 + 1000, &k), DB_OK);
    assert_string_equal(k.code_hash, "h1");
    assert_int_equal(store_code_current(c, "k1", T0 + 11 * 60000, &k), DB_NOT_FOUND);
    int64_t n = 0, newest = 0;
    assert_int_equal(store_codes_since(c, "k1", T0 - HOUR, &n, &newest), DB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(newest, T0);
    /* five attempts at most, each counted before the comparison */
    int attempts = 0;
    for (int i = 1; i <= 5; i++) {
        TX(c, store_code_attempt(c, k.id, 5, &attempts));
        assert_int_equal(last_rc, DB_OK);
        assert_int_equal(attempts, i);
    }
    TX(c, store_code_attempt(c, k.id, 5, &attempts));
    assert_int_equal(last_rc, DB_NOT_FOUND);
    TX(c, store_code_burn(c, k.id, T0 + 4000));
    assert_int_equal(store_code_current(c, "k1", T0 + 5000, &k), DB_NOT_FOUND);
    TX(c, store_code_lock(c, "k1"));
    assert_int_equal(last_rc, DB_OK);
    /* a used code cannot be used again */
    TX(c, store_code_insert(c, "k2", "h2", "s2", T0 + 10 * 60000, T0));
    assert_int_equal(store_code_current(c, "k2", T0 + 1000, &k), DB_OK);
    TX(c, store_code_use(c, k.id, T0 + 1000));
    assert_int_equal(last_rc, DB_OK);
    TX(c, store_code_use(c, k.id, T0 + 2000));
    assert_int_equal(last_rc, DB_NOT_FOUND);
}

static void test_cabinet_and_close(void **state) {
    db_conn *c = *state;
    char n1[16], n2[16], n3[16], other[16];
    appeal(c, "+380671234567", NULL, T0, n1);            /* by phone (an operator's call) */
    appeal(c, "+380501112233", "olena@example.com", T0 + HOUR, n2); /* by email */
    appeal(c, "+380671234567", "olena@example.com", T0 + 2 * HOUR, n3);
    appeal(c, "+380509998877", "someone@example.com", T0 + 3 * HOUR, other);
    char(*nums)[16] = NULL;
    int n = 0;
    assert_int_equal(store_cabinet_numbers(c, "+380671234567", "", 10, &nums, &n), DB_OK);
    assert_int_equal(n, 2);
    assert_string_equal(nums[0], n3); /* newest first */
    free(nums);
    assert_int_equal(store_cabinet_numbers(c, "+380671234567", "olena@example.com", 10, &nums, &n),
                     DB_OK);
    assert_int_equal(n, 3);
    free(nums);
    assert_int_equal(store_cabinet_owns(c, n2, "", "olena@example.com"), DB_OK);
    assert_int_equal(store_cabinet_owns(c, other, "+380671234567", "olena@example.com"),
                     DB_NOT_FOUND);
    int64_t id = 0;
    TX(c, store_resident_create(c, "+380671234567", NULL, "uk", T0, &id));
    TX(c, store_resident_set_contact(c, id, NULL, "olena@example.com"));
    store_appeal o;
    assert_int_equal(store_appeal_by_number(c, other, &o), DB_OK);
    TX(c, store_resident_subscribe(c, id, o.id, "+380671234567", "olena@example.com", "uk",
                                   "subhash", T0));
    assert_int_equal(last_rc, DB_OK);
    TX(c, store_resident_subscribe(c, id, o.id, "+380671234567", "olena@example.com", "uk",
                                   "subhash2", T0));
    assert_int_equal(last_rc, DB_CONSTRAINT);
    store_appeal_free(&o);
    assert_int_equal(store_resident_subscriptions(c, id, 10, &nums, &n), DB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(nums[0], other);
    free(nums);
    TX(c, store_rsession_insert(c, "sess", id, T0));
    store_resident r;
    int64_t created = 0, seen = 0;
    assert_int_equal(store_rsession_get(c, "sess", &r, &created, &seen), DB_OK);
    /* closing: personal data goes, the appeals stay */
    TX(c, store_resident_close(c, &r, T0 + 5 * HOUR));
    assert_int_equal(last_rc, DB_OK);
    assert_int_equal(store_rsession_get(c, "sess", &r, &created, &seen), DB_NOT_FOUND);
    assert_int_equal(store_resident_by_contact(c, "+380671234567", NULL, &r), DB_NOT_FOUND);
    const char *mine[] = {n1, n2, n3};
    for (int i = 0; i < 3; i++) {
        store_appeal a;
        assert_int_equal(store_appeal_by_number(c, mine[i], &a), DB_OK);
        assert_string_equal(a.applicant_name, "");
        assert_string_equal(a.applicant_phone, "");
        assert_null(a.applicant_email);
        store_appeal_free(&a);
    }
    store_appeal a;
    assert_int_equal(store_appeal_by_number(c, other, &a), DB_OK);
    assert_string_equal(a.applicant_phone, "+380509998877"); /* someone else's: untouched */
    store_appeal_free(&a);
    int64_t k = -1;
    assert_int_equal(store_query_int(c, "SELECT COUNT(*) FROM subscriptions WHERE phone IS NOT NULL"
                                        " OR email IS NOT NULL OR resident_id IS NOT NULL",
                                     NULL, 0, &k),
                     DB_OK);
    assert_int_equal(k, 0);
    /* a new account may take the freed phone */
    TX(c, store_resident_create(c, "+380671234567", NULL, "uk", T0 + 6 * HOUR, &id));
    assert_int_equal(last_rc, DB_OK);
}

static void test_expire(void **state) {
    db_conn *c = *state;
    int64_t id = 0;
    TX(c, store_resident_create(c, NULL, "x@example.com", "uk", T0, &id));
    TX(c, store_rsession_insert(c, "old", id, T0));
    TX(c, store_rsession_insert(c, "new", id, T0 + 10 * HOUR));
    TX(c, store_code_insert(c, "k", "h", "s", T0 + 600000, T0));
    TX(c, store_residents_expire(c, T0 + HOUR, T0 - HOUR, T0 + HOUR));
    store_resident r;
    int64_t created, seen;
    assert_int_equal(store_rsession_get(c, "old", &r, &created, &seen), DB_NOT_FOUND);
    assert_int_equal(store_rsession_get(c, "new", &r, &created, &seen), DB_OK);
    int64_t n = -1, newest = 0;
    assert_int_equal(store_codes_since(c, "k", 0, &n, &newest), DB_OK);
    assert_int_equal(n, 0);
}

static int run_suite(const char *name) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_accounts_and_contacts, open_fresh, close_db),
        cmocka_unit_test_setup_teardown(test_codes, open_fresh, close_db),
        cmocka_unit_test_setup_teardown(test_cabinet_and_close, open_fresh, close_db),
        cmocka_unit_test_setup_teardown(test_expire, open_fresh, close_db),
    };
    return _cmocka_run_group_tests(name, tests, sizeof tests / sizeof tests[0], NULL, NULL);
}

int main(void) {
    rand_init();
    dom_tz_init();
    return both_dbs_main("residents", db_url, sizeof db_url, run_suite);
}
