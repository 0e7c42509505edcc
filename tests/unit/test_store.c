/* The store and the sweeper against real databases: SQLite always,
 * PostgreSQL too when KONTAKT_TEST_PG names a server. The clock is an
 * argument (sweeper_run_once), never a switch in the product. */
#include "domain/deadline.h"
#include "jobs/sweeper.h"
#include "store/migrations.h"
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

#define T0 1795000000000LL /* 2026-11-19T...Z */
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

typedef struct {
    int64_t created;
    int64_t id;
    char number[16];
    char hash[65];
} ins;

static int insert_tx(db_conn *c, void *ctx) {
    ins *in = ctx;
    char token[TOKEN_TEXT_LEN + 1];
    rand_token(token, sizeof token);
    hash_hex(token, strlen(token), in->hash, sizeof in->hash);
    store_new_appeal a = {
        .category = "water_supply", .type = "no_water", .priority = "emergency",
        .organisation = "vodokanal", .channel = "web", .description = "Немає води з ранку",
        .address = NULL, .name = "Олена", .phone = "+380671234567", .email = NULL,
        .lat = 48.46, .lon = 35.04, .created_at = in->created,
        .reaction_due_at = in->created + HOUR, .resolution_due_at = in->created + 24 * HOUR,
        .tracking_hash = in->hash, .trial = 0, .year = dom_local_year(in->created),
    };
    return store_appeal_insert(c, &a, &in->id, in->number);
}

static ins insert_at(db_conn *c, int64_t created) {
    ins in = {.created = created};
    assert_int_equal(store_tx(c, true, insert_tx, &in), DB_OK);
    return in;
}

static void test_numbers_sequential_per_year(void **state) {
    db_conn *c = *state;
    assert_string_equal(insert_at(c, T0).number, "2026-000001");
    assert_string_equal(insert_at(c, T0 + 1000).number, "2026-000002");
    /* 2026-12-31T22:00:00Z is midnight in Kyiv: the sequence restarts */
    assert_string_equal(insert_at(c, 1798754400000LL - 1).number, "2026-000003");
    assert_string_equal(insert_at(c, 1798754400000LL).number, "2027-000001");
    assert_string_equal(insert_at(c, T0 + 2000).number, "2026-000004");
    int64_t n = 0;
    assert_int_equal(store_count_appeals(c, &n), DB_OK);
    assert_int_equal(n, 5);
}

static int set_counter_tx(db_conn *c, void *ctx) {
    (void)ctx;
    return c->drv->exec_script(c->conn, "UPDATE appeal_counters SET last = 999998 WHERE year = 2026");
}

static void test_numbers_grow_past_999999(void **state) {
    db_conn *c = *state;
    assert_string_equal(insert_at(c, T0).number, "2026-000001");
    assert_int_equal(store_tx(c, true, set_counter_tx, NULL), DB_OK);
    assert_string_equal(insert_at(c, T0).number, "2026-999999");
    assert_string_equal(insert_at(c, T0).number, "2026-1000000");
}

static void test_read_back_and_tracking(void **state) {
    db_conn *c = *state;
    ins in = insert_at(c, T0);
    store_appeal a;
    assert_int_equal(store_appeal_by_tracking(c, in.hash, &a), DB_OK);
    assert_string_equal(a.number, in.number);
    assert_string_equal(a.status, "registered");
    assert_string_equal(a.description, "Немає води з ранку");
    assert_null(a.address);
    assert_true(a.reaction_due_at == T0 + HOUR);
    /* the staff columns of v4 and the applicant, for the staff view */
    assert_string_equal(a.applicant_name, "Олена");
    assert_string_equal(a.applicant_phone, "+380671234567");
    assert_null(a.applicant_email);
    assert_true(a.assignee_id == 0 && a.parent_id == 0 && a.escalated_at == 0);
    assert_false(a.flagged);
    assert_int_equal(a.reopen_count, 0);
    assert_int_equal(a.rating, 0);
    store_appeal_free(&a);
    assert_int_equal(store_appeal_by_number(c, "2026-999999", &a), DB_NOT_FOUND);
    assert_int_equal(store_appeal_by_tracking(c, "00", &a), DB_NOT_FOUND);
    store_event *ev;
    int n;
    assert_int_equal(store_events_public(c, in.id, &ev, &n), DB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ev[0].kind, "registered");
    store_events_free(ev, n);
}

static int failing_tx(db_conn *c, void *ctx) {
    int rc = insert_tx(c, ctx);
    return rc == DB_OK ? DB_ERR : rc; /* something later in the transaction fails */
}

static void test_failed_transaction_stores_nothing(void **state) {
    db_conn *c = *state;
    ins in = {.created = T0};
    assert_int_equal(store_tx(c, true, failing_tx, &in), DB_ERR);
    int64_t n = -1;
    assert_int_equal(store_count_appeals(c, &n), DB_OK);
    assert_int_equal(n, 0);
    /* and the number was not consumed */
    assert_string_equal(insert_at(c, T0).number, "2026-000001");
}

static void test_sweeper_marks_overdue_at_due_times(void **state) {
    db_conn *c = *state;
    ins in = insert_at(c, T0);
    int64_t next = 0;
    /* the first look is the reaction warning at 75 % of its hour */
    assert_int_equal(store_next_check(c, &next), DB_OK);
    assert_true(next == T0 + 45 * 60000LL);
    assert_int_equal(sweeper_run_once(c, T0 + 45 * 60000LL - 1), 0);
    assert_int_equal(sweeper_run_once(c, T0 + 45 * 60000LL), 1);
    assert_int_equal(store_next_check(c, &next), DB_OK);
    assert_true(next == T0 + HOUR);
    assert_int_equal(sweeper_run_once(c, T0 + HOUR), 1);
    assert_int_equal(store_next_check(c, &next), DB_OK);
    assert_true(next == T0 + 18 * HOUR); /* the resolution warning */
    assert_int_equal(sweeper_run_once(c, T0 + 2 * HOUR), 0); /* nothing new */
    /* a sweeper that was down past the deadline marks it, without warning late */
    assert_int_equal(sweeper_run_once(c, T0 + 25 * HOUR), 1);
    assert_int_equal(store_next_check(c, &next), DB_NOT_FOUND);
    store_appeal a;
    assert_int_equal(store_appeal_by_number(c, in.number, &a), DB_OK);
    assert_true(a.reaction_overdue);
    assert_true(a.resolution_overdue);
    store_appeal_free(&a);
    store_event *ev;
    int n;
    assert_int_equal(store_events_public(c, in.id, &ev, &n), DB_OK);
    assert_int_equal(n, 3);
    assert_string_equal(ev[1].kind, "reaction_overdue");
    assert_string_equal(ev[2].kind, "resolution_overdue");
    assert_true(ev[2].at == T0 + 25 * HOUR);
    store_events_free(ev, n);
}

static void test_sweeper_skips_closed(void **state) {
    db_conn *c = *state;
    ins in = insert_at(c, T0);
    store_state st = {.status = "closed", .reacted_at = T0 + 1000, .done_at = T0 + 2000,
                      .closed_at = T0 + 3000, .updated_at = T0 + 3000};
    assert_int_equal(c->drv->begin(c->conn, true), DB_OK);
    assert_int_equal(store_appeal_set_state(c, in.id, &st), DB_OK);
    assert_int_equal(c->drv->commit(c->conn), DB_OK);
    int64_t next;
    assert_int_equal(store_next_check(c, &next), DB_NOT_FOUND);
    assert_int_equal(sweeper_run_once(c, T0 + 100 * HOUR), 0);
}

static void test_sweeper_batches(void **state) {
    db_conn *c = *state;
    for (int i = 0; i < 1203; i++) insert_at(c, T0 + i);
    assert_int_equal(sweeper_run_once(c, T0 + 2 * HOUR), 1203);
    int64_t next;
    assert_int_equal(store_next_check(c, &next), DB_OK);
    assert_true(next == T0 + 18 * HOUR); /* the first one's resolution warning */
}

static void test_idempotency_records(void **state) {
    db_conn *c = *state;
    assert_int_equal(c->drv->begin(c->conn, true), DB_OK);
    assert_int_equal(store_idem_put(c, "k1", "r1", 201, "{\"a\":1}", T0), DB_OK);
    assert_int_equal(store_idem_put(c, "k1", "r2", 201, "{}", T0), DB_CONSTRAINT);
    c->drv->rollback(c->conn);
    assert_int_equal(c->drv->begin(c->conn, true), DB_OK);
    assert_int_equal(store_idem_put(c, "k2", "r1", 201, "{\"a\":1}", T0), DB_OK);
    assert_int_equal(c->drv->commit(c->conn), DB_OK);
    char rh[65];
    int status = 0;
    char *body = NULL;
    assert_int_equal(store_idem_get(c, "k2", rh, &status, &body), DB_OK);
    assert_string_equal(rh, "r1");
    assert_int_equal(status, 201);
    assert_string_equal(body, "{\"a\":1}");
    free(body);
    assert_int_equal(store_idem_get(c, "k1", rh, &status, &body), DB_NOT_FOUND);
}

static int run_suite(const char *name) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_numbers_sequential_per_year, open_fresh, close_db),
        cmocka_unit_test_setup_teardown(test_numbers_grow_past_999999, open_fresh, close_db),
        cmocka_unit_test_setup_teardown(test_read_back_and_tracking, open_fresh, close_db),
        cmocka_unit_test_setup_teardown(test_failed_transaction_stores_nothing, open_fresh,
                                        close_db),
        cmocka_unit_test_setup_teardown(test_sweeper_marks_overdue_at_due_times, open_fresh,
                                        close_db),
        cmocka_unit_test_setup_teardown(test_sweeper_skips_closed, open_fresh, close_db),
        cmocka_unit_test_setup_teardown(test_sweeper_batches, open_fresh, close_db),
        cmocka_unit_test_setup_teardown(test_idempotency_records, open_fresh, close_db),
    };
    return _cmocka_run_group_tests(name, tests, sizeof tests / sizeof tests[0], NULL, NULL);
}

int main(void) {
    rand_init();
    dom_tz_init();
    return both_dbs_main("store", db_url, sizeof db_url, run_suite);
}
