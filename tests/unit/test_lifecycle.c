/* The lifecycle table, checked exhaustively against an independent copy
 * of the rules in lifecycle.h: every (status, action) pair is either the
 * listed move or refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/lifecycle.h"

typedef struct {
    dom_status from;
    dom_action act;
    dom_status to;
} move;

static const move allowed[] = {
    {DOM_ST_NEW, DOM_ACT_REGISTER, DOM_ST_REGISTERED},
    {DOM_ST_REGISTERED, DOM_ACT_ASSIGN, DOM_ST_ASSIGNED},
    {DOM_ST_REOPENED, DOM_ACT_ASSIGN, DOM_ST_ASSIGNED},
    {DOM_ST_ASSIGNED, DOM_ACT_ASSIGN, DOM_ST_ASSIGNED},
    {DOM_ST_ASSIGNED, DOM_ACT_ACCEPT, DOM_ST_ASSIGNED},
    {DOM_ST_ASSIGNED, DOM_ACT_START, DOM_ST_IN_PROGRESS},
    {DOM_ST_REOPENED, DOM_ACT_START, DOM_ST_IN_PROGRESS},
    {DOM_ST_IN_PROGRESS, DOM_ACT_DONE, DOM_ST_DONE},
    {DOM_ST_ASSIGNED, DOM_ACT_DONE, DOM_ST_DONE},
    {DOM_ST_REOPENED, DOM_ACT_DONE, DOM_ST_DONE},
    {DOM_ST_ASSIGNED, DOM_ACT_RETURN, DOM_ST_REGISTERED},
    {DOM_ST_IN_PROGRESS, DOM_ACT_RETURN, DOM_ST_REGISTERED},
    {DOM_ST_REGISTERED, DOM_ACT_REJECT, DOM_ST_REJECTED},
    {DOM_ST_ASSIGNED, DOM_ACT_REJECT, DOM_ST_REJECTED},
    {DOM_ST_REGISTERED, DOM_ACT_FORWARD, DOM_ST_FORWARDED},
    {DOM_ST_REGISTERED, DOM_ACT_MERGE, DOM_ST_DUPLICATE},
    {DOM_ST_ASSIGNED, DOM_ACT_MERGE, DOM_ST_DUPLICATE},
    {DOM_ST_DONE, DOM_ACT_CONFIRM, DOM_ST_CLOSED},
    {DOM_ST_DONE, DOM_ACT_DISPUTE, DOM_ST_REOPENED},
    {DOM_ST_DONE, DOM_ACT_AUTOCLOSE, DOM_ST_CLOSED},
    {DOM_ST_IN_PROGRESS, DOM_ACT_ASSIGN, DOM_ST_ASSIGNED},
    {DOM_ST_ASSIGNED, DOM_ACT_FORWARD, DOM_ST_FORWARDED},
    {DOM_ST_REGISTERED, DOM_ACT_RECLASSIFY, DOM_ST_REGISTERED},
    {DOM_ST_ASSIGNED, DOM_ACT_RECLASSIFY, DOM_ST_ASSIGNED},
    {DOM_ST_IN_PROGRESS, DOM_ACT_RECLASSIFY, DOM_ST_IN_PROGRESS},
    {DOM_ST_REOPENED, DOM_ACT_RECLASSIFY, DOM_ST_REOPENED},
    {DOM_ST_ASSIGNED, DOM_ACT_REQUEST_EXTENSION, DOM_ST_ASSIGNED},
    {DOM_ST_IN_PROGRESS, DOM_ACT_REQUEST_EXTENSION, DOM_ST_IN_PROGRESS},
    {DOM_ST_REOPENED, DOM_ACT_REQUEST_EXTENSION, DOM_ST_REOPENED},
    {DOM_ST_ASSIGNED, DOM_ACT_APPROVE_EXTENSION, DOM_ST_ASSIGNED},
    {DOM_ST_IN_PROGRESS, DOM_ACT_APPROVE_EXTENSION, DOM_ST_IN_PROGRESS},
    {DOM_ST_REOPENED, DOM_ACT_APPROVE_EXTENSION, DOM_ST_REOPENED},
    {DOM_ST_ASSIGNED, DOM_ACT_REFUSE_EXTENSION, DOM_ST_ASSIGNED},
    {DOM_ST_IN_PROGRESS, DOM_ACT_REFUSE_EXTENSION, DOM_ST_IN_PROGRESS},
    {DOM_ST_REOPENED, DOM_ACT_REFUSE_EXTENSION, DOM_ST_REOPENED},
    {DOM_ST_DONE, DOM_ACT_REOPEN, DOM_ST_REOPENED},
};
#define N_ALLOWED (sizeof allowed / sizeof allowed[0])

static void test_every_allowed_transition(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ALLOWED; i++) {
        dom_status to = DOM_ST_COUNT;
        if (!dom_transition(allowed[i].from, allowed[i].act, &to))
            fail_msg("refused %s + %s", dom_status_name(allowed[i].from),
                     dom_action_name(allowed[i].act));
        assert_int_equal(to, allowed[i].to);
    }
}

static void test_everything_else_refused(void **state)
{
    (void)state;
    int refused = 0;
    for (int s = 0; s < DOM_ST_COUNT; s++) {
        for (int a = 0; a < DOM_ACT_COUNT; a++) {
            bool listed = false;
            for (size_t i = 0; i < N_ALLOWED; i++)
                listed |= (int)allowed[i].from == s && (int)allowed[i].act == a;
            dom_status to = DOM_ST_COUNT;
            bool ok = dom_transition((dom_status)s, (dom_action)a, &to);
            if (ok != listed)
                fail_msg("%s + %s: %s", dom_status_name((dom_status)s), dom_action_name((dom_action)a),
                         ok ? "allowed" : "refused");
            if (!ok)
                refused++;
        }
    }
    assert_int_equal(refused, DOM_ST_COUNT * DOM_ACT_COUNT - (int)N_ALLOWED);
}

static void test_forbidden_samples(void **state)
{
    (void)state;
    dom_status to;
    for (int a = 0; a < DOM_ACT_COUNT; a++) {
        assert_false(dom_transition(DOM_ST_CLOSED, (dom_action)a, &to));
        assert_false(dom_transition(DOM_ST_REJECTED, (dom_action)a, &to));
        assert_false(dom_transition(DOM_ST_FORWARDED, (dom_action)a, &to));
        assert_false(dom_transition(DOM_ST_DUPLICATE, (dom_action)a, &to));
    }
    assert_false(dom_transition(DOM_ST_REGISTERED, DOM_ACT_CONFIRM, &to));
    assert_false(dom_transition(DOM_ST_REGISTERED, DOM_ACT_DONE, &to));
    assert_false(dom_transition(DOM_ST_NEW, DOM_ACT_ASSIGN, &to));
    assert_false(dom_transition(DOM_ST_IN_PROGRESS, DOM_ACT_CONFIRM, &to));
    assert_false(dom_transition(DOM_ST_IN_PROGRESS, DOM_ACT_MERGE, &to));
    assert_false(dom_transition(DOM_ST_DONE, DOM_ACT_ASSIGN, &to));
    assert_false(dom_transition(DOM_ST_DONE, DOM_ACT_DONE, &to));
    assert_false(dom_transition(DOM_ST_REGISTERED, DOM_ACT_REGISTER, &to));
    assert_false(dom_transition(DOM_ST_IN_PROGRESS, DOM_ACT_FORWARD, &to)); /* too late: work began */
    assert_false(dom_transition(DOM_ST_REOPENED, DOM_ACT_DISPUTE, &to));
}

static void test_happy_path_and_reopen(void **state)
{
    (void)state;
    const dom_action path[] = {DOM_ACT_REGISTER, DOM_ACT_ASSIGN, DOM_ACT_ACCEPT, DOM_ACT_START,
                               DOM_ACT_DONE,     DOM_ACT_DISPUTE, DOM_ACT_START, DOM_ACT_DONE,
                               DOM_ACT_CONFIRM};
    const dom_status want[] = {DOM_ST_REGISTERED, DOM_ST_ASSIGNED, DOM_ST_ASSIGNED,
                               DOM_ST_IN_PROGRESS, DOM_ST_DONE,    DOM_ST_REOPENED,
                               DOM_ST_IN_PROGRESS, DOM_ST_DONE,    DOM_ST_CLOSED};
    dom_status s = DOM_ST_NEW;
    for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
        assert_true(dom_transition(s, path[i], &s));
        assert_int_equal(s, want[i]);
    }
    assert_true(dom_status_is_final(s));
}

static void test_names_round_trip(void **state)
{
    (void)state;
    static const char *const st[DOM_ST_COUNT] = {"new",    "registered", "assigned",  "in_progress",
                                                 "done",   "closed",     "rejected",  "forwarded",
                                                 "duplicate", "reopened"};
    static const char *const act[DOM_ACT_COUNT] = {"register", "assign", "accept",  "start",
                                                   "done",     "return", "reject",  "forward",
                                                   "merge",    "confirm", "dispute", "autoclose",
                                                   "reclassify", "request_extension",
                                                   "approve_extension", "refuse_extension", "reopen"};
    for (int i = 0; i < DOM_ST_COUNT; i++) {
        dom_status s;
        assert_string_equal(dom_status_name((dom_status)i), st[i]);
        assert_true(dom_status_parse(st[i], &s));
        assert_int_equal(s, i);
    }
    for (int i = 0; i < DOM_ACT_COUNT; i++) {
        dom_action a;
        assert_string_equal(dom_action_name((dom_action)i), act[i]);
        assert_true(dom_action_parse(act[i], &a));
        assert_int_equal(a, i);
    }
    dom_status s;
    dom_action a;
    assert_false(dom_status_parse("In_progress", &s));
    assert_false(dom_status_parse("in-progress", &s));
    assert_false(dom_status_parse("", &s));
    assert_false(dom_status_parse(NULL, &s));
    assert_false(dom_action_parse("request", &a));
    assert_false(dom_action_parse("close", &a));
    assert_false(dom_action_parse(NULL, &a));
    assert_string_equal(dom_status_name(DOM_ST_COUNT), "unknown");
    assert_string_equal(dom_action_name(DOM_ACT_COUNT), "unknown");
}

static void test_open_and_final(void **state)
{
    (void)state;
    /* open: deadlines run; final: nothing more can happen; done is neither
     * (the executor is finished but the applicant may still dispute). */
    static const bool open[DOM_ST_COUNT] = {true, true, true, true, false, false, false, false, false, true};
    static const bool final[DOM_ST_COUNT] = {false, false, false, false, false, true, true, true, true, false};
    for (int i = 0; i < DOM_ST_COUNT; i++) {
        assert_int_equal(dom_status_is_open((dom_status)i), open[i]);
        assert_int_equal(dom_status_is_final((dom_status)i), final[i]);
        /* a final status has no way out */
        for (int a = 0; a < DOM_ACT_COUNT && final[i]; a++) {
            dom_status to;
            assert_false(dom_transition((dom_status)i, (dom_action)a, &to));
        }
    }
}

static void test_action_check_beyond_the_table(void **state)
{
    (void)state;
    dom_status to;
    dom_appeal_facts none = {0}, reacted = {.reacted = true}, pending = {.extension_pending = true};
    assert_int_equal(dom_action_check(DOM_ST_ASSIGNED, DOM_ACT_ACCEPT, &none, &to), DOM_MAY);
    assert_int_equal(to, DOM_ST_ASSIGNED);
    assert_int_equal(dom_action_check(DOM_ST_ASSIGNED, DOM_ACT_ACCEPT, &reacted, &to),
                     DOM_MAY_NOT_ACCEPTED);
    assert_int_equal(dom_action_check(DOM_ST_IN_PROGRESS, DOM_ACT_REQUEST_EXTENSION, &none, &to),
                     DOM_MAY);
    assert_int_equal(dom_action_check(DOM_ST_IN_PROGRESS, DOM_ACT_REQUEST_EXTENSION, &pending, &to),
                     DOM_MAY_NOT_PENDING);
    assert_int_equal(dom_action_check(DOM_ST_IN_PROGRESS, DOM_ACT_APPROVE_EXTENSION, &none, &to),
                     DOM_MAY_NOT_NO_EXTENSION);
    assert_int_equal(dom_action_check(DOM_ST_IN_PROGRESS, DOM_ACT_REFUSE_EXTENSION, &pending, &to),
                     DOM_MAY);
    /* the table comes first: a closed appeal takes nothing, whatever the facts */
    assert_int_equal(dom_action_check(DOM_ST_CLOSED, DOM_ACT_APPROVE_EXTENSION, &pending, &to),
                     DOM_MAY_NOT_STATE);
    assert_int_equal(dom_action_check(DOM_ST_DONE, DOM_ACT_ACCEPT, &none, &to), DOM_MAY_NOT_STATE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allowed_transition),
        cmocka_unit_test(test_action_check_beyond_the_table),
        cmocka_unit_test(test_everything_else_refused),
        cmocka_unit_test(test_forbidden_samples),
        cmocka_unit_test(test_happy_path_and_reopen),
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_open_and_final),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
