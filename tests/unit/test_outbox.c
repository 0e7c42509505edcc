/* The outbox's store functions against real databases (SQLite always,
 * PostgreSQL when KONTAKT_TEST_PG is set): who is told what about an
 * event, the claim with its lease (a crashed sender's row comes back only
 * after the lease), the backoff and its cap, the final states, the secrets
 * removed from a row once it is final. */
#include "domain/deadline.h"
#include "store/migrations.h"
#include "store/outbox.h"
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
#define MIN 60000LL
#define HOUR (60 * MIN)
#define LEASE (5 * MIN)

static char db_url[512];

static int open_fresh(void **state) {
    db_conn *c = both_dbs_fresh(db_url, T0);
    assert_non_null(c);
    store_outbox_set_enabled(true);
    *state = c;
    return 0;
}

static int close_db(void **state) {
    both_dbs_close(*state);
    return 0;
}

static void exec(db_conn *c, const char *sql) { assert_int_equal(c->drv->exec_script(c->conn, sql), DB_OK); }

typedef struct {
    const char *email, *token;
    int64_t id;
    char number[16];
} ins;

static int insert_tx(db_conn *c, void *ctx) {
    ins *in = ctx;
    store_new_appeal a = {
        .category = "water_supply", .type = "no_water", .priority = "emergency",
        .organisation = "vodokanal", .channel = "web", .description = "Немає води",
        .name = "Олена", .phone = "+380671234567", .email = in->email, .lat = 48.46,
        .lon = 35.04, .created_at = T0, .reaction_due_at = T0 + HOUR,
        .resolution_due_at = T0 + 24 * HOUR, .tracking_hash = in->token ? in->token : "h",
        .year = dom_local_year(T0), .assigned = true, .lang = "en", .tracking_token = in->token,
    };
    return store_appeal_insert(c, &a, &in->id, in->number);
}

typedef struct {
    int64_t id;
    const char *kind, *actor;
    bool public;
} ev;

static int event_tx(db_conn *c, void *ctx) {
    ev *e = ctx;
    return store_event_add(c, e->id, T0 + HOUR, e->kind, "done", e->public, e->actor, "Готово",
                           NULL);
}

/* "channel|recipient|template|lang" of every row, in order, joined by ';'. */
static void rows_text(db_conn *c, char *out, size_t cap) {
    db_rows *r = NULL;
    assert_int_equal(db_query(c, "SELECT channel, recipient, template, lang FROM outbox ORDER BY id",
                              NULL, 0, &r), DB_OK);
    size_t n = 0;
    out[0] = 0;
    while (db_next(c, r) == 1)
        n += (size_t)snprintf(out + n, cap - n, "%s%s|%s|%s|%s", n ? ";" : "",
                              c->drv->col_text(r, 0), c->drv->col_text(r, 1),
                              c->drv->col_text(r, 2), c->drv->col_text(r, 3));
    db_rows_free(c, r);
}

static void test_who_is_told(void **state) {
    db_conn *c = *state;
    ins a = {.email = "a@example.com", .token = "TOKEN1"};
    assert_int_equal(store_tx(c, true, insert_tx, &a), DB_OK);
    char text[1024];
    rows_text(c, text, sizeof text);
    /* one message at intake (not a second for the routing), in the request's language */
    assert_string_equal(text, "email|a@example.com|registered|en");
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO subscriptions (appeal_id, phone, email, tracking_hash,"
             " created_at, lang) VALUES (%lld, '+380501112233', NULL, 'sub1', 0, 'uk')", (long long)a.id);
    exec(c, sql);
    exec(c, "DELETE FROM outbox");
    ev internal = {.id = a.id, .kind = "done", .actor = "staff:x", .public = false};
    assert_int_equal(store_tx(c, true, event_tx, &internal), DB_OK);
    ev started = {.id = a.id, .kind = "started", .actor = "staff:x", .public = true};
    assert_int_equal(store_tx(c, true, event_tx, &started), DB_OK);
    rows_text(c, text, sizeof text);
    assert_string_equal(text, ""); /* internal events and unannounced kinds: nothing */
    ev done = {.id = a.id, .kind = "done", .actor = "staff:x", .public = true};
    assert_int_equal(store_tx(c, true, event_tx, &done), DB_OK);
    rows_text(c, text, sizeof text);
    assert_string_equal(text, "email|a@example.com|done|en;sms|+380501112233|done|uk");
    exec(c, "DELETE FROM outbox");
    /* an appeal merged into this one: its applicant hears too, about their own number */
    ins child = {.email = "child@example.com", .token = "TOKEN2"};
    assert_int_equal(store_tx(c, true, insert_tx, &child), DB_OK);
    snprintf(sql, sizeof sql, "UPDATE appeals SET parent_id = %lld WHERE id = %lld", (long long)a.id,
             (long long)child.id);
    exec(c, sql);
    exec(c, "DELETE FROM outbox");
    assert_int_equal(store_tx(c, true, event_tx, &done), DB_OK);
    rows_text(c, text, sizeof text);
    assert_string_equal(text, "email|a@example.com|done|en;sms|+380501112233|done|uk;"
                              "email|child@example.com|done|en");
    char want[128], params[256];
    snprintf(want, sizeof want, "{\"number\":\"%s\",\"note\":\"Готово\",\"own\":\"%s\"}", a.number,
             child.number);
    db_rows *r = NULL;
    assert_int_equal(db_query(c, "SELECT params FROM outbox WHERE recipient = 'child@example.com'",
                              NULL, 0, &r), DB_OK);
    assert_int_equal(db_next(c, r), 1);
    snprintf(params, sizeof params, "%s", c->drv->col_text(r, 0));
    db_rows_free(c, r);
    assert_string_equal(params, want);
    snprintf(sql, sizeof sql, "UPDATE appeals SET parent_id = NULL WHERE id = %lld", (long long)child.id);
    exec(c, sql);
    exec(c, "DELETE FROM outbox");
    ev confirmed = {.id = a.id, .kind = "confirmed", .actor = "applicant", .public = true};
    assert_int_equal(store_tx(c, true, event_tx, &confirmed), DB_OK);
    rows_text(c, text, sizeof text);
    assert_string_equal(text, "sms|+380501112233|closed|uk"); /* not to the applicant who confirmed */
    exec(c, "DELETE FROM outbox");
    /* a resident who wants nothing; demo mode queues nothing at all */
    exec(c, "INSERT INTO residents (phone, email, notify, lang, created_at) VALUES"
            " ('+380671234567', NULL, 'none', 'uk', 0)");
    assert_int_equal(store_tx(c, true, event_tx, &done), DB_OK);
    rows_text(c, text, sizeof text);
    assert_string_equal(text, "sms|+380501112233|done|uk");
    exec(c, "DELETE FROM outbox");
    store_outbox_set_enabled(false);
    assert_int_equal(store_tx(c, true, event_tx, &done), DB_OK);
    rows_text(c, text, sizeof text);
    assert_string_equal(text, "");
}

typedef struct {
    int64_t now;
    store_outbox_row *rows;
    int n;
} claim;

static int claim_tx(db_conn *c, void *ctx) {
    claim *x = ctx;
    return store_outbox_claim(c, x->now, LEASE, 10, &x->rows, &x->n);
}

static int claim_at(db_conn *c, int64_t now, int *attempts) {
    claim x = {.now = now};
    assert_int_equal(store_tx(c, true, claim_tx, &x), DB_OK);
    int n = x.n;
    if (n && attempts) *attempts = x.rows[0].attempts;
    store_outbox_rows_free(x.rows, x.n);
    return n;
}

static int add_tx(db_conn *c, void *ctx) {
    (void)ctx;
    store_outbox_msg m = {.channel = "email", .recipient = "r@example.com",
                          .template_name = "login_code", .lang = "uk",
                          .params = "{\"code\":\"123456\",\"x\":1}", .now = T0};
    return store_outbox_add(c, &m);
}

typedef struct {
    int attempts;
    int64_t now;
    bool failed;
} retry;

static int retry_tx(db_conn *c, void *ctx) {
    retry *x = ctx;
    return store_outbox_retry(c, 1, x->attempts, x->now, MIN, "smtp 451", &x->failed);
}

static int64_t next_due(db_conn *c) {
    int64_t at = 0;
    return store_outbox_next_due(c, &at) == DB_OK ? at : -1;
}

static void text_of(db_conn *c, const char *sql, char *out, size_t cap) {
    db_rows *r = NULL;
    assert_int_equal(db_query(c, sql, NULL, 0, &r), DB_OK);
    assert_int_equal(db_next(c, r), 1);
    snprintf(out, cap, "%s", c->drv->col_text(r, 0));
    db_rows_free(c, r);
}

static void test_lease_backoff_final(void **state) {
    db_conn *c = *state;
    assert_int_equal(store_tx(c, true, add_tx, NULL), DB_OK);
    assert_int_equal(next_due(c), T0);
    int attempts = 0;
    assert_int_equal(claim_at(c, T0, &attempts), 1);
    assert_int_equal(attempts, 1);
    /* the sender "dies": the row is nobody's until its lease runs out */
    assert_int_equal(claim_at(c, T0 + LEASE - 1, NULL), 0);
    assert_int_equal(next_due(c), T0 + LEASE + 1);
    assert_int_equal(claim_at(c, T0 + LEASE + 1, &attempts), 1);
    assert_int_equal(attempts, 2);
    /* backoff: 1 min × 2^(attempts-1), capped at an hour */
    int64_t now = T0 + LEASE + 2;
    retry r = {.attempts = 2, .now = now};
    assert_int_equal(store_tx(c, true, retry_tx, &r), DB_OK);
    assert_false(r.failed);
    assert_int_equal(next_due(c), now + 2 * MIN);
    assert_int_equal(claim_at(c, now + 2 * MIN - 1, NULL), 0);
    r = (retry){.attempts = 7, .now = now};
    assert_int_equal(store_tx(c, true, retry_tx, &r), DB_OK);
    assert_int_equal(next_due(c), now + HOUR); /* 64 min capped */
    char text[256];
    text_of(c, "SELECT status || '|' || last_error || '|' || params FROM outbox", text, sizeof text);
    assert_string_equal(text, "pending|smtp 451|{\"code\":\"123456\",\"x\":1}");
    /* the eighth failure is final; the code goes */
    r = (retry){.attempts = 8, .now = now};
    assert_int_equal(store_tx(c, true, retry_tx, &r), DB_OK);
    assert_true(r.failed);
    text_of(c, "SELECT status || '|' || params FROM outbox", text, sizeof text);
    assert_string_equal(text, "failed|{\"x\":1}");
    assert_int_equal(next_due(c), -1);
    assert_int_equal(claim_at(c, now + 2 * HOUR, NULL), 0);
}

static int sent_tx(db_conn *c, void *ctx) {
    (void)ctx;
    return store_outbox_sent(c, 1, T0 + 5);
}

static void test_sent_strips_secrets(void **state) {
    db_conn *c = *state;
    assert_int_equal(store_tx(c, true, add_tx, NULL), DB_OK);
    assert_int_equal(claim_at(c, T0, NULL), 1);
    assert_int_equal(store_tx(c, true, sent_tx, NULL), DB_OK);
    char text[256];
    text_of(c, "SELECT status || '|' || sent_at || '|' || params FROM outbox", text, sizeof text);
    char want[64];
    snprintf(want, sizeof want, "sent|%lld|{\"x\":1}", T0 + 5);
    assert_string_equal(text, want);
    assert_int_equal(claim_at(c, T0 + 2 * LEASE, NULL), 0);
}

static int run_suite(const char *name) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_who_is_told, open_fresh, close_db),
        cmocka_unit_test_setup_teardown(test_lease_backoff_final, open_fresh, close_db),
        cmocka_unit_test_setup_teardown(test_sent_strips_secrets, open_fresh, close_db),
    };
    return _cmocka_run_group_tests(name, tests, sizeof tests / sizeof tests[0], NULL, NULL);
}

int main(void) {
    rand_init();
    dom_tz_init();
    return both_dbs_main("outbox", db_url, sizeof db_url, run_suite);
}
