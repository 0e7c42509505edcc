/* The sweeper's duties over an appeal's life, against real databases:
 * SQLite always, PostgreSQL too when KONTAKT_TEST_PG names a server. The
 * clock is the argument of sweeper_run_once, never a switch in the product.
 * Staff actions (accept, done, extension) are stood in for by plain SQL
 * followed by store_watch_recompute, as the action code does. */
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

#define T0 1795000000000LL
#define MIN 60000LL
#define HOUR (60 * MIN)

static char db_url[512];

static int open_fresh(void **state) {
    db_conn *c = both_dbs_fresh(db_url, T0);
    assert_non_null(c);
    assert_int_equal(c->drv->exec_script(c->conn,
        "INSERT INTO users (id, login, name, role, organisation, password_hash, created_at,"
        " updated_at) VALUES (7, 'exec1', 'Петро', 'executor', 'vodokanal', 'x', 0, 0)"), DB_OK);
    store_watch_set_warn_share(0.75);
    *state = c;
    return 0;
}

static int close_db(void **state) {
    both_dbs_close(*state);
    return 0;
}

typedef struct {
    int64_t created, id;
    char number[16];
} ins;

static int insert_tx(db_conn *c, void *ctx) {
    ins *in = ctx;
    char token[TOKEN_TEXT_LEN + 1], hash[65];
    rand_token(token, sizeof token);
    hash_hex(token, strlen(token), hash, sizeof hash);
    store_new_appeal a = {
        .category = "water_supply", .type = "no_water", .priority = "emergency",
        .organisation = "vodokanal", .channel = "web", .description = "Немає води",
        .name = "Олена", .phone = "+380671234567", .lat = 48.46, .lon = 35.04,
        .created_at = in->created, .reaction_due_at = in->created + HOUR,
        .resolution_due_at = in->created + 24 * HOUR, .tracking_hash = hash,
        .year = dom_local_year(in->created),
    };
    return store_appeal_insert(c, &a, &in->id, in->number);
}

static ins insert_at(db_conn *c, int64_t created) {
    ins in = {.created = created};
    assert_int_equal(store_tx(c, true, insert_tx, &in), DB_OK);
    return in;
}

/* One integer from a query with the appeal id as its only parameter
 * (-1 for SQL NULL). */
static int64_t q_int(db_conn *c, const char *sql, int64_t id) {
    db_rows *r = NULL;
    db_val p[] = {db_int(id)};
    assert_int_equal(db_query(c, sql, p, 1, &r), DB_OK);
    assert_int_equal(db_next(c, r), 1);
    int64_t v = c->drv->is_null(r, 0) ? -1 : c->drv->col_int(r, 0);
    db_rows_free(c, r);
    return v;
}

static int64_t events(db_conn *c, int64_t id, const char *kind, int public) {
    db_rows *r = NULL;
    db_val p[] = {db_int(id), db_text(kind), db_int(public)};
    assert_int_equal(db_query(c, "SELECT COUNT(*) FROM appeal_events WHERE appeal_id = ? AND"
                                 " kind = ? AND public = ?", p, 3, &r), DB_OK);
    assert_int_equal(db_next(c, r), 1);
    int64_t v = c->drv->col_int(r, 0);
    db_rows_free(c, r);
    return v;
}

static int64_t violations(db_conn *c, int64_t id, const char *kind) {
    db_rows *r = NULL;
    db_val p[] = {db_int(id), db_text(kind)};
    assert_int_equal(db_query(c, "SELECT COUNT(*) FROM violations WHERE appeal_id = ? AND"
                                 " kind = ?", p, 2, &r), DB_OK);
    assert_int_equal(db_next(c, r), 1);
    int64_t v = c->drv->col_int(r, 0);
    db_rows_free(c, r);
    return v;
}

static int64_t next_check(db_conn *c, int64_t id) {
    return q_int(c, "SELECT next_check_at FROM appeals WHERE id = ?", id);
}

typedef struct {
    const char *sql;
    int64_t a, b, id;
} upd;

/* What an action does: change columns, then recompute the watch. */
static int action_tx(db_conn *c, void *ctx) {
    upd *u = ctx;
    db_val p[] = {db_int(u->a), db_int(u->b), db_int(u->id)};
    int rc = db_query(c, u->sql, p, 3, NULL);
    return rc == DB_OK ? store_watch_recompute(c, u->id, u->a) : rc;
}

static void act(db_conn *c, const char *sql, int64_t a, int64_t b, int64_t id) {
    upd u = {sql, a, b, id};
    assert_int_equal(store_tx(c, true, action_tx, &u), DB_OK);
}

static void test_warning_overdue_violation_escalation(void **state) {
    db_conn *c = *state;
    ins in = insert_at(c, T0);
    act(c, "UPDATE appeals SET status = 'assigned', assignee_id = ?, updated_at = ? WHERE id = ?",
        7, T0, in.id);
    assert_true(next_check(c, in.id) == T0 + 45 * MIN);
    assert_int_equal(sweeper_run_once(c, T0 + 45 * MIN - 1), 0);
    /* 75 % of the reaction hour: an internal warning, nothing else */
    assert_int_equal(sweeper_run_once(c, T0 + 45 * MIN), 1);
    assert_int_equal(events(c, in.id, "reaction_warning", 0), 1);
    assert_int_equal(q_int(c, "SELECT reaction_warned FROM appeals WHERE id = ?", in.id), 1);
    assert_int_equal(violations(c, in.id, "reaction_missed"), 0);
    assert_true(next_check(c, in.id) == T0 + HOUR);
    /* the hour passes unanswered: public overdue, violation, escalation */
    assert_int_equal(sweeper_run_once(c, T0 + HOUR), 1);
    assert_int_equal(events(c, in.id, "reaction_overdue", 1), 1);
    assert_int_equal(violations(c, in.id, "reaction_missed"), 1);
    assert_int_equal(q_int(c, "SELECT user_id FROM violations WHERE appeal_id = ?", in.id), 7);
    assert_true(q_int(c, "SELECT at FROM violations WHERE appeal_id = ?", in.id) == T0 + HOUR);
    assert_true(q_int(c, "SELECT escalated_at FROM appeals WHERE id = ?", in.id) == T0 + HOUR);
    assert_int_equal(events(c, in.id, "escalated", 0), 1);
    /* later passes record nothing twice */
    assert_int_equal(sweeper_run_once(c, T0 + HOUR), 0);
    assert_int_equal(sweeper_run_once(c, T0 + 2 * HOUR), 0);
    assert_int_equal(violations(c, in.id, "reaction_missed"), 1);
    assert_int_equal(events(c, in.id, "escalated", 0), 1);
    assert_true(next_check(c, in.id) == T0 + 18 * HOUR);
    assert_int_equal(sweeper_run_once(c, T0 + 18 * HOUR), 1);
    assert_int_equal(events(c, in.id, "resolution_warning", 0), 1);
    assert_int_equal(sweeper_run_once(c, T0 + 24 * HOUR), 1);
    assert_int_equal(violations(c, in.id, "resolution_missed"), 1);
    assert_int_equal(events(c, in.id, "escalated", 0), 2);
    assert_true(q_int(c, "SELECT escalated_at FROM appeals WHERE id = ?", in.id) == T0 + 24 * HOUR);
    assert_int_equal(sweeper_run_once(c, T0 + 30 * HOUR), 0);
    assert_int_equal(q_int(c, "SELECT COUNT(*) FROM violations WHERE appeal_id = ?", in.id), 2);
    assert_true(next_check(c, in.id) == -1);
}

static void test_accepted_in_time_then_autoclosed(void **state) {
    db_conn *c = *state;
    ins in = insert_at(c, T0);
    /* accepted after 10 minutes: no reaction warning ever comes */
    act(c, "UPDATE appeals SET status = 'in_progress', reacted_at = ?, assignee_id = ?"
           " WHERE id = ?", T0 + 10 * MIN, 7, in.id);
    assert_true(next_check(c, in.id) == T0 + 18 * HOUR);
    assert_int_equal(sweeper_run_once(c, T0 + 2 * HOUR), 0);
    /* done after 5 hours; the applicant has three days to confirm */
    act(c, "UPDATE appeals SET status = 'done', done_at = ?, confirm_due_at = ? WHERE id = ?",
        T0 + 5 * HOUR, T0 + 77 * HOUR, in.id);
    assert_true(next_check(c, in.id) == T0 + 77 * HOUR);
    assert_int_equal(sweeper_run_once(c, T0 + 30 * HOUR), 0); /* done is never overdue */
    assert_int_equal(sweeper_run_once(c, T0 + 77 * HOUR - 1), 0);
    assert_int_equal(sweeper_run_once(c, T0 + 77 * HOUR), 1);
    store_appeal a;
    assert_int_equal(store_appeal_by_number(c, in.number, &a), DB_OK);
    assert_string_equal(a.status, "closed");
    assert_true(a.closed_at == T0 + 77 * HOUR);
    assert_false(a.resolution_overdue);
    store_appeal_free(&a);
    store_event *ev;
    int n;
    assert_int_equal(store_events_public(c, in.id, &ev, &n), DB_OK);
    assert_string_equal(ev[n - 1].kind, "autoclosed");
    assert_string_equal(ev[n - 1].status, "closed");
    store_events_free(ev, n);
    assert_int_equal(q_int(c, "SELECT COUNT(*) FROM appeal_events WHERE appeal_id = ? AND"
                              " kind = 'autoclosed' AND actor = 'system'", in.id), 1);
    assert_int_equal(q_int(c, "SELECT COUNT(*) FROM violations WHERE appeal_id = ?", in.id), 0);
    assert_true(next_check(c, in.id) == -1);
    assert_int_equal(sweeper_run_once(c, T0 + 100 * HOUR), 0);
}

static void test_late_sweep_marks_both_once(void **state) {
    db_conn *c = *state;
    ins in = insert_at(c, T0); /* nobody assigned: the violation names no one */
    assert_int_equal(sweeper_run_once(c, T0 + 30 * HOUR), 1);
    assert_int_equal(violations(c, in.id, "reaction_missed"), 1);
    assert_int_equal(violations(c, in.id, "resolution_missed"), 1);
    assert_int_equal(q_int(c, "SELECT COUNT(*) FROM violations WHERE appeal_id = ? AND"
                              " user_id IS NULL", in.id), 2);
    assert_int_equal(events(c, in.id, "escalated", 0), 1); /* one escalation for both */
    assert_int_equal(events(c, in.id, "reaction_warning", 0), 0); /* no warning after the fact */
    assert_int_equal(events(c, in.id, "resolution_warning", 0), 0);
}

static void test_extension_rearms_the_watch(void **state) {
    db_conn *c = *state;
    ins in = insert_at(c, T0);
    act(c, "UPDATE appeals SET status = 'in_progress', reacted_at = ?, assignee_id = ?"
           " WHERE id = ?", T0 + MIN, 7, in.id);
    assert_int_equal(sweeper_run_once(c, T0 + 18 * HOUR), 1); /* resolution warning */
    /* an approved extension to 48 h resets the flags; the warning comes again at 36 h */
    act(c, "UPDATE appeals SET resolution_due_at = ?, resolution_warned = 0,"
           " resolution_overdue = 0, updated_at = ? WHERE id = ?", T0 + 48 * HOUR, T0, in.id);
    assert_true(next_check(c, in.id) == T0 + 36 * HOUR);
    assert_int_equal(sweeper_run_once(c, T0 + 30 * HOUR), 0);
    assert_int_equal(sweeper_run_once(c, T0 + 36 * HOUR), 1);
    assert_int_equal(events(c, in.id, "resolution_warning", 0), 2);
    assert_int_equal(violations(c, in.id, "resolution_missed"), 0);
}

static void test_warn_share_is_configurable(void **state) {
    db_conn *c = *state;
    store_watch_set_warn_share(0.5);
    ins in = insert_at(c, T0);
    assert_true(next_check(c, in.id) == T0 + 30 * MIN);
    store_watch_set_warn_share(7); /* out of range: the default */
    act(c, "UPDATE appeals SET updated_at = ?, flagged = ? WHERE id = ?", T0, 0, in.id);
    assert_true(next_check(c, in.id) == T0 + 45 * MIN);
    assert_int_equal(store_watch_recompute(c, 999999, T0), DB_NOT_FOUND);
}

/* The register and the scorecards read what the sweeper wrote. */
static void test_reports_read_the_sweepers_rows(void **state) {
    db_conn *c = *state;
    ins late = insert_at(c, T0);
    ins quick = insert_at(c, T0 + MIN);
    ins trial = insert_at(c, T0 + 2 * MIN);
    act(c, "UPDATE appeals SET trial = 1, updated_at = ? WHERE id = ? AND ? > 0", T0, trial.id, 1);
    act(c, "UPDATE appeals SET assignee_id = ?, updated_at = ? WHERE id = ?", 7, T0, late.id);
    act(c, "UPDATE appeals SET status = 'closed', reacted_at = ?, done_at = ?, rating = 4,"
           " reopen_count = 1 WHERE id = ?", T0 + 2 * MIN, T0 + 3 * HOUR + MIN, quick.id);
    assert_int_equal(sweeper_run_once(c, T0 + 30 * HOUR), 2); /* late and trial */
    store_violation_query q = {.from = INT64_MIN, .to = INT64_MAX, .limit = 10};
    store_violation *v;
    int n;
    int64_t total;
    assert_int_equal(store_violations_list(c, &q, &v, &n, &total), DB_OK);
    assert_int_equal(total, 4);
    assert_int_equal(n, 4);
    store_violations_free(v, n);
    q.kind = "reaction_missed";
    q.limit = 1;
    assert_int_equal(store_violations_list(c, &q, &v, &n, &total), DB_OK);
    assert_int_equal(total, 2);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].org_code, "vodokanal");
    assert_string_equal(v[0].org_uk, "Водоканал");
    assert_true(v[0].at == T0 + 30 * HOUR);
    store_violations_free(v, n);
    q.kind = NULL;
    q.organisation = "nobody";
    assert_int_equal(store_violations_list(c, &q, &v, &n, &total), DB_OK);
    assert_int_equal(total, 0);
    store_violations_free(v, n);
    q.organisation = NULL;
    q.from = T0 + 31 * HOUR; /* after every violation */
    assert_int_equal(store_violations_list(c, &q, &v, &n, &total), DB_OK);
    assert_int_equal(total, 0);
    store_violations_free(v, n);

    store_score_row *rows;
    assert_int_equal(store_scorecards(c, T0, T0 + 31 * HOUR, T0 + 30 * HOUR, &rows, &n), DB_OK);
    assert_int_equal(n, 1);
    dom_scorecard card;
    dom_scorecard_compute(&rows[0].in, &card);
    assert_int_equal(card.appeals, 2);           /* the trial appeal is left out */
    assert_int_equal(card.overdue_now, 1);       /* late */
    assert_int_equal(card.violations, 2);        /* late's two, not trial's */
    assert_true(card.has_on_time && card.on_time_share == 1.0);
    assert_true(card.has_reopen && card.reopen_share == 1.0);
    assert_true(card.has_rating && card.average_rating == 4.0);
    assert_true(card.has_median && card.median_hours_to_done == 3.0);
    store_scorecards_free(rows, n);
    /* a period with nothing in it: counts zero, shares absent */
    assert_int_equal(store_scorecards(c, T0 + 100 * HOUR, T0 + 200 * HOUR, T0 + 30 * HOUR, &rows, &n),
                     DB_OK);
    dom_scorecard_compute(&rows[0].in, &card);
    assert_int_equal(card.appeals, 0);
    assert_false(card.has_on_time || card.has_median || card.has_reopen || card.has_rating);
    assert_int_equal(card.overdue_now, 1); /* "now" does not depend on the period */
    store_scorecards_free(rows, n);
}

static int run_suite(const char *name) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_warning_overdue_violation_escalation, open_fresh,
                                        close_db),
        cmocka_unit_test_setup_teardown(test_accepted_in_time_then_autoclosed, open_fresh,
                                        close_db),
        cmocka_unit_test_setup_teardown(test_late_sweep_marks_both_once, open_fresh, close_db),
        cmocka_unit_test_setup_teardown(test_extension_rearms_the_watch, open_fresh, close_db),
        cmocka_unit_test_setup_teardown(test_warn_share_is_configurable, open_fresh, close_db),
        cmocka_unit_test_setup_teardown(test_reports_read_the_sweepers_rows, open_fresh,
                                        close_db),
    };
    return _cmocka_run_group_tests(name, tests, sizeof tests / sizeof tests[0], NULL, NULL);
}

int main(void) {
    rand_init();
    dom_tz_init();
    return both_dbs_main("sweep", db_url, sizeof db_url, run_suite);
}
