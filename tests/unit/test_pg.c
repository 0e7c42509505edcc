/* The PostgreSQL driver against a real server. Needs KONTAKT_TEST_PG, a
 * URL of a server where we may create databases, e.g.
 *   export KONTAKT_TEST_PG="$(scripts/pg-test-server.sh)"
 * Without it every test is skipped. Each run works in a fresh database
 * kontakt_unit_<random> and drops it at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/db.h"
#include "store/migrations.h"
#include "util/banned.h"

static const db_driver *drv = &db_pg_driver;
static char admin_url[512];
static char dbname[64];
static char dburl[600];
static db *conn;

/* Replaces the database part of a postgresql:// URL (keeps ?params). */
static int url_with_db(const char *url, const char *name, char *out, size_t cap) {
    const char *scheme = strstr(url, "://");
    if (!scheme) return -1;
    const char *host = scheme + 3;
    size_t hl = strcspn(host, "/?");
    const char *rest = host + hl;
    const char *query = strchr(rest, '?');
    int n = snprintf(out, cap, "%.*s/%s%s", (int)(host + hl - url), url, name, query ? query : "");
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int admin_exec(const char *sql) {
    db *a = NULL;
    char err[256];
    if (drv->open(admin_url, &a, err, sizeof err) != DB_OK) {
        fprintf(stderr, "admin connect: %s\n", err);
        return -1;
    }
    int rc = drv->exec_script(a, sql);
    drv->close(a);
    return rc;
}

static int group_setup(void **state) {
    (void)state;
    const char *url = getenv("KONTAKT_TEST_PG");
    if (!url || !*url) return 0; /* each test skips */
    if (snprintf(admin_url, sizeof admin_url, "%s", url) >= (int)sizeof admin_url) return -1;
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    snprintf(dbname, sizeof dbname, "kontakt_unit_%d_%08x", (int)getpid(), (unsigned)rand());
    char sql[128], err[256];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", dbname);
    if (admin_exec(sql) != DB_OK) return -1;
    if (url_with_db(admin_url, dbname, dburl, sizeof dburl) != 0) return -1;
    if (drv->open(dburl, &conn, err, sizeof err) != DB_OK) {
        fprintf(stderr, "connect %s: %s\n", dbname, err);
        return -1;
    }
    for (int i = 0; i < store_migrations_pg_count; i++)
        if (drv->exec_script(conn, store_migrations_pg[i].sql) != DB_OK) return -1;
    return drv->exec_script(conn, "CREATE TABLE t (id BIGINT PRIMARY KEY, i BIGINT, r DOUBLE "
                                  "PRECISION, s TEXT, flag INTEGER NOT NULL DEFAULT 0)");
}

static int group_teardown(void **state) {
    (void)state;
    if (!*dbname) return 0;
    drv->close(conn);
    conn = NULL;
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", dbname);
    return admin_exec(sql) == DB_OK ? 0 : -1;
}

#define NEED_PG()                                                                  \
    do {                                                                           \
        if (!conn) {                                                               \
            print_message("KONTAKT_TEST_PG not set: skipping PostgreSQL tests\n"); \
            skip();                                                                \
        }                                                                          \
    } while (0)

static int reset_t(void) { return drv->exec_script(conn, "DELETE FROM t"); }

/* One row, one column: the text of SELECT's first value. */
static void one_text(const char *sql, const db_val *p, int n, const char *want) {
    db_rows *r = NULL;
    assert_int_equal(drv->query(conn, sql, p, n, &r), DB_OK);
    assert_int_equal(drv->next(r), 1);
    assert_string_equal(drv->col_text(r, 0), want);
    assert_int_equal(drv->next(r), 0);
    drv->rows_free(r);
}

static void test_placeholders(void **state) {
    (void)state;
    NEED_PG();
    db_rows *r = NULL;
    static const char sql[] = "SELECT CAST(? AS BIGINT), '?', 'it''s ?', E'\\'?', \"a?\".x, "
                              "$$?$$, $q$ '? $q$, CAST(? AS TEXT) /* ? /* ? */ ? */ -- ?\n"
                              "FROM (SELECT 1 AS x) AS \"a?\" WHERE ? = 'w'";
    db_val p[] = {db_int(7), db_text("last"), db_text("w")};
    assert_int_equal(drv->query(conn, sql, p, 3, &r), DB_OK);
    assert_int_equal(drv->next(r), 1);
    assert_int_equal(drv->col_int(r, 0), 7);
    assert_string_equal(drv->col_text(r, 1), "?");
    assert_string_equal(drv->col_text(r, 2), "it's ?");
    assert_string_equal(drv->col_text(r, 3), "'?");
    assert_int_equal(drv->col_int(r, 4), 1);
    assert_string_equal(drv->col_text(r, 5), "?");
    assert_string_equal(drv->col_text(r, 6), " '? ");
    assert_string_equal(drv->col_text(r, 7), "last");
    assert_int_equal(drv->next(r), 0);
    drv->rows_free(r);

    /* Fewer or more parameters than placeholders: an error, not a crash. */
    assert_int_equal(drv->query(conn, "SELECT CAST(? AS BIGINT)", p, 2, NULL), DB_ERR);
    assert_int_equal(drv->query(conn, "SELECT CAST(? AS BIGINT), ?", p, 1, NULL), DB_ERR);
    /* A value is data, never SQL. */
    db_val inj = db_text("x'); DROP TABLE t; --");
    one_text("SELECT CAST(? AS TEXT)", &inj, 1, "x'); DROP TABLE t; --");
}

static void test_values_round_trip(void **state) {
    (void)state;
    NEED_PG();
    assert_int_equal(reset_t(), DB_OK);
    static const char ins[] = "INSERT INTO t (id, i, r, s) VALUES (?, ?, ?, ?)";
    const char *uk = "Київ, вул. Хрещатик, 1 — «Їжак» 'одинарні' \"подвійні\" ? \\ ґ";
    db_val rows[][4] = {
        {db_int(1), db_int(INT64_C(1779000000000)), db_real(50.4501), db_text(uk)},
        {db_int(2), db_int(INT64_MAX), db_real(0.1 + 0.2), db_text("")},
        {db_int(3), db_int(INT64_MIN), db_real(-1e-300), db_text(NULL)},
        {db_int(4), db_null(), db_null(), db_null()},
    };
    for (size_t k = 0; k < 4; k++) assert_int_equal(drv->query(conn, ins, rows[k], 4, NULL), DB_OK);

    db_rows *r = NULL;
    assert_int_equal(drv->query(conn, "SELECT id, i, r, s FROM t ORDER BY id", NULL, 0, &r), DB_OK);
    assert_int_equal(drv->next(r), 1);
    assert_int_equal(drv->col_int(r, 1), INT64_C(1779000000000));
    assert_true(drv->col_real(r, 2) == 50.4501);
    assert_string_equal(drv->col_text(r, 3), uk);
    assert_false(drv->is_null(r, 3));
    assert_int_equal(drv->next(r), 1);
    assert_true(drv->col_int(r, 1) == INT64_MAX);
    assert_true(drv->col_real(r, 2) == 0.1 + 0.2); /* %.17g is exact */
    assert_string_equal(drv->col_text(r, 3), "");
    assert_false(drv->is_null(r, 3)); /* '' is not NULL */
    assert_int_equal(drv->next(r), 1);
    assert_true(drv->col_int(r, 1) == INT64_MIN);
    assert_true(drv->col_real(r, 2) == -1e-300);
    assert_true(drv->is_null(r, 3)); /* db_text(NULL) is NULL */
    assert_int_equal(drv->next(r), 1);
    for (int c = 1; c <= 3; c++) assert_true(drv->is_null(r, c));
    assert_int_equal(drv->col_int(r, 1), 0);
    assert_true(drv->col_real(r, 2) == 0.0);
    assert_string_equal(drv->col_text(r, 3), "");
    assert_int_equal(drv->next(r), 0);
    assert_int_equal(drv->next(r), 0); /* stays at the end */
    drv->rows_free(r);

    /* A parameter compared with a BIGINT column is inferred as BIGINT. */
    db_val big = db_int(INT64_C(1779000000000));
    one_text("SELECT id FROM t WHERE i = ?", &big, 1, "1");
    db_val needle = db_text(uk);
    one_text("SELECT id FROM t WHERE s = ?", &needle, 1, "1");
}

static void test_col_int_conversions(void **state) {
    (void)state;
    NEED_PG();
    db_rows *r = NULL;
    assert_int_equal(drv->query(conn, "SELECT 1 = 1, 1 = 2, 2.75, '-3.9', 'abc', "
                                      "SUM(x) FROM (VALUES (CAST(4000000000 AS BIGINT)), "
                                      "(CAST(1 AS BIGINT))) AS v(x)",
                                NULL, 0, &r),
                     DB_OK);
    assert_int_equal(drv->next(r), 1);
    assert_int_equal(drv->col_int(r, 0), 1); /* PG booleans read as SQLite's 0/1 */
    assert_int_equal(drv->col_int(r, 1), 0);
    assert_int_equal(drv->col_int(r, 2), 2); /* truncated, as SQLite does */
    assert_int_equal(drv->col_int(r, 3), -3);
    assert_int_equal(drv->col_int(r, 4), 0); /* not a number: 0, logged */
    assert_true(drv->col_int(r, 5) == INT64_C(4000000001)); /* numeric SUM */
    assert_string_equal(drv->col_text(r, 99), ""); /* out of range: "" */
    drv->rows_free(r);
}

static void test_constraints(void **state) {
    (void)state;
    NEED_PG();
    static const char org[] = "INSERT INTO organisations (code, name_uk, name_en) VALUES (?, ?, ?)";
    db_val o[] = {db_text("vodokanal"), db_text("Водоканал"), db_text("Water utility")};
    assert_int_equal(drv->query(conn, org, o, 3, NULL), DB_OK);
    assert_int_equal(drv->query(conn, org, o, 3, NULL), DB_CONSTRAINT); /* 23505 */
    /* NOT NULL (23502) and CHECK (23514) are class 23 too. */
    db_val nul[] = {db_text("x"), db_null(), db_text("y")};
    assert_int_equal(drv->query(conn, org, nul, 3, NULL), DB_CONSTRAINT);
    db_val cat[] = {db_int(2), db_text("[]"), db_text("[]"), db_int(0)};
    assert_int_equal(drv->query(conn,
                                "INSERT INTO catalog (id, categories_json, organisations_json, "
                                "loaded_at) VALUES (?, ?, ?, ?)",
                                cat, 4, NULL),
                     DB_CONSTRAINT);
    /* Foreign key (23503): an event for an appeal that does not exist. */
    db_val ev[] = {db_int(999999), db_int(0)};
    assert_int_equal(drv->query(conn,
                                "INSERT INTO appeal_events (appeal_id, at, kind, status, public, "
                                "actor) VALUES (?, ?, 'created', 'new', 1, 'test')",
                                ev, 2, NULL),
                     DB_CONSTRAINT);
    /* A syntax error is neither. */
    assert_int_equal(drv->query(conn, "SELEC 1", NULL, 0, NULL), DB_ERR);
}

static void test_busy_mapping(void **state) {
    (void)state;
    NEED_PG();
    assert_int_equal(drv->exec_script(conn, "DO $$BEGIN RAISE EXCEPTION 'x' USING ERRCODE = "
                                            "'40001'; END$$"),
                     DB_BUSY);
    assert_int_equal(drv->exec_script(conn, "DO $$BEGIN RAISE EXCEPTION 'x' USING ERRCODE = "
                                            "'40P01'; END$$"),
                     DB_BUSY);
    assert_int_equal(drv->exec_script(conn, "DO $$BEGIN RAISE EXCEPTION 'x' USING ERRCODE = "
                                            "'23505'; END$$"),
                     DB_CONSTRAINT);
}

static int64_t count_t(void) {
    db_rows *r = NULL;
    assert_int_equal(drv->query(conn, "SELECT COUNT(*) FROM t", NULL, 0, &r), DB_OK);
    assert_int_equal(drv->next(r), 1);
    int64_t n = drv->col_int(r, 0);
    drv->rows_free(r);
    return n;
}

static void test_transactions(void **state) {
    (void)state;
    NEED_PG();
    assert_int_equal(reset_t(), DB_OK);
    static const char ins[] = "INSERT INTO t (id, s) VALUES (?, ?)";
    db_val p[] = {db_int(10), db_text("rolled back")};
    assert_int_equal(drv->begin(conn, true), DB_OK);
    assert_int_equal(drv->query(conn, ins, p, 2, NULL), DB_OK);
    assert_int_equal(count_t(), 1);
    assert_int_equal(drv->rollback(conn), DB_OK);
    assert_int_equal(count_t(), 0);

    assert_int_equal(drv->begin(conn, true), DB_OK);
    assert_int_equal(drv->query(conn, ins, p, 2, NULL), DB_OK);
    assert_int_equal(drv->commit(conn), DB_OK);
    assert_int_equal(count_t(), 1);

    /* A failed statement aborts the transaction: commit must not say OK. */
    assert_int_equal(drv->begin(conn, false), DB_OK);
    db_val q[] = {db_int(11), db_text("lost")};
    assert_int_equal(drv->query(conn, ins, q, 2, NULL), DB_OK);
    assert_int_equal(drv->query(conn, ins, p, 2, NULL), DB_CONSTRAINT);
    assert_int_not_equal(drv->commit(conn), DB_OK);
    assert_int_equal(count_t(), 1);
}

static int64_t prepared_count(const char *like) {
    db_val p = db_text(like);
    db_rows *r = NULL;
    assert_int_equal(drv->query(conn, "SELECT COUNT(*) FROM pg_prepared_statements "
                                      "WHERE statement LIKE ?",
                                &p, 1, &r),
                     DB_OK);
    assert_int_equal(drv->next(r), 1);
    int64_t n = drv->col_int(r, 0);
    drv->rows_free(r);
    return n;
}

static void test_statement_cache(void **state) {
    (void)state;
    NEED_PG();
    static const char sql[] = "SELECT CAST(? AS BIGINT) * 2 AS cache_probe";
    char copy[sizeof sql]; /* the same text elsewhere in memory */
    memcpy(copy, sql, sizeof sql);
    db_val p = db_int(21);
    one_text(sql, &p, 1, "42");
    p = db_int(5);
    one_text(sql, &p, 1, "10");
    one_text(copy, &p, 1, "10");
    assert_int_equal(prepared_count("%cache_probe"), 1);
    assert_int_equal(prepared_count("SELECT CAST($1 AS BIGINT) * 2 AS cache_probe"), 1);

    /* Many distinct statements grow the cache and stay correct. */
    for (int i = 0; i < 300; i++) {
        char text[64], want[32];
        snprintf(text, sizeof text, "SELECT CAST(? AS BIGINT) + %d AS many_probe", i);
        snprintf(want, sizeof want, "%d", 1000 + i);
        p = db_int(1000);
        /* text dies after this loop turn: the cache keeps its own copy */
        one_text(text, &p, 1, want);
    }
    assert_true(prepared_count("%many_probe") >= 300);
}

static void test_cursor_many_rows(void **state) {
    (void)state;
    NEED_PG();
    assert_int_equal(reset_t(), DB_OK);
    assert_int_equal(drv->begin(conn, true), DB_OK);
    for (int i = 0; i < 250; i++) {
        db_val p[] = {db_int(i), db_int((int64_t)i * 4000000000LL), db_real(i / 4.0), db_text("рядок")};
        assert_int_equal(drv->query(conn, "INSERT INTO t (id, i, r, s) VALUES (?, ?, ?, ?)", p, 4, NULL), DB_OK);
    }
    assert_int_equal(drv->commit(conn), DB_OK);
    db_rows *r = NULL;
    db_val lim = db_int(100);
    assert_int_equal(drv->query(conn, "SELECT id, i, r, s FROM t WHERE id >= ? ORDER BY id", &lim, 1, &r), DB_OK);
    int64_t want = 100;
    while (drv->next(r) == 1) {
        assert_true(drv->col_int(r, 0) == want);
        assert_true(drv->col_int(r, 1) == want * 4000000000LL);
        assert_true(drv->col_real(r, 2) == (double)want / 4.0);
        assert_string_equal(drv->col_text(r, 3), "рядок");
        want++;
    }
    assert_int_equal(want, 250);
    drv->rows_free(r);
    /* A query with no rows. */
    lim = db_int(100000);
    assert_int_equal(drv->query(conn, "SELECT id, i, r, s FROM t WHERE id >= ? ORDER BY id", &lim, 1, &r), DB_OK);
    assert_int_equal(drv->next(r), 0);
    drv->rows_free(r);
}

static void test_schema_and_session(void **state) {
    (void)state;
    NEED_PG();
    one_text("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' "
             "AND table_name IN ('catalog', 'organisations', 'appeal_counters', 'appeals', "
             "'appeal_events', 'idempotency_keys')",
             NULL, 0, "6");
    one_text("SELECT current_setting('TimeZone')", NULL, 0, "UTC");
    one_text("SELECT current_setting('client_encoding')", NULL, 0, "UTF8");
    /* RETURNING and the identity column, as the store uses them. */
    db_val p[] = {db_int(2026), db_int(1)};
    assert_int_equal(drv->query(conn, "INSERT INTO appeal_counters (year, last) VALUES (?, ?) "
                                      "ON CONFLICT (year) DO UPDATE SET last = appeal_counters.last + 1",
                                p, 2, NULL),
                     DB_OK);
    db_rows *r = NULL;
    assert_int_equal(drv->query(conn, "INSERT INTO appeal_counters (year, last) VALUES (?, ?) "
                                      "ON CONFLICT (year) DO UPDATE SET last = appeal_counters.last + 1 "
                                      "RETURNING last",
                                p, 2, &r),
                     DB_OK);
    assert_int_equal(drv->next(r), 1);
    assert_int_equal(drv->col_int(r, 0), 2);
    drv->rows_free(r);
}

/* Runs one failing query with stderr sent to a file; returns what the
 * driver logged (static buffer). */
static const char *logged_by(const char *sql, const db_val *p, int n, int want_rc) {
    static char text[4096];
    fflush(stderr);
    FILE *f = tmpfile();
    assert_non_null(f);
    int saved = dup(2);
    assert_true(saved >= 0 && dup2(fileno(f), 2) >= 0);
    int rc = drv->query(conn, sql, p, n, NULL);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(f);
    size_t len = fread(text, 1, sizeof text - 1, f);
    text[len] = '\0';
    fclose(f);
    assert_int_equal(rc, want_rc);
    return text;
}

static void test_logs_hold_no_values(void **state) {
    (void)state;
    NEED_PG();
    static const char org[] = "INSERT INTO organisations (code, name_uk, name_en) VALUES (?, ?, ?)";
    db_val o[] = {db_text("+380671234567"), db_text("Петренко"), db_text("x")};
    assert_int_equal(drv->query(conn, org, o, 3, NULL), DB_OK);
    const char *log = logged_by(org, o, 3, DB_CONSTRAINT);
    assert_non_null(strstr(log, "\"sqlstate\":\"23505\""));
    assert_null(strstr(log, "380671234567")); /* DETAIL: Key (code)=(...) */
    assert_null(strstr(log, "Петренко"));
    assert_int_equal(strchr(log, '\n') - log + 1, (long)strlen(log)); /* one line */

    db_val bad = db_text("secret-phone-380501112233");
    log = logged_by("SELECT id FROM t WHERE i = ?", &bad, 1, DB_ERR); /* 22P02 */
    assert_non_null(strstr(log, "\"sqlstate\":\"22P02\""));
    assert_null(strstr(log, "380501112233"));
}

static void test_reconnect(void **state) {
    (void)state;
    NEED_PG();
    db_rows *r = NULL;
    assert_int_equal(drv->query(conn, "SELECT pg_backend_pid()", NULL, 0, &r), DB_OK);
    assert_int_equal(drv->next(r), 1);
    db_val pid = db_int(drv->col_int(r, 0));
    drv->rows_free(r);
    db *other = NULL;
    char err[256];
    assert_int_equal(drv->open(dburl, &other, err, sizeof err), DB_OK);
    assert_int_equal(drv->query(other, "SELECT pg_terminate_backend(CAST(? AS INTEGER))", &pid, 1, NULL), DB_OK);
    drv->close(other);
    /* The first query finds the connection dead; no silent retry, as the
     * statement may have run. The next one reconnects, prepares again. */
    db_val p = db_int(3);
    int rc = drv->query(conn, "SELECT CAST(? AS BIGINT) * 2 AS cache_probe", &p, 1, NULL);
    assert_int_equal(rc, DB_ERR);
    one_text("SELECT CAST(? AS BIGINT) * 2 AS cache_probe", &p, 1, "6");
    one_text("SELECT current_setting('TimeZone')", NULL, 0, "UTC");
}

static void test_open_errors(void **state) {
    (void)state;
    NEED_PG();
    db *d = NULL;
    char err[256];
    /* Nothing listens on port 1; the password must not leak into err. */
    assert_int_equal(drv->open("postgresql://kontakt:s3cretPassw0rd@127.0.0.1:1/x", &d, err, sizeof err), DB_ERR);
    assert_null(d);
    assert_true(err[0] != '\0');
    assert_null(strstr(err, "s3cretPassw0rd"));
    assert_int_equal(drv->open("postgresql://kontakt:s3cretPassw0rd@127.0.0.1:1/x?bogus=%zz", &d, err, sizeof err), DB_ERR);
    assert_null(strstr(err, "s3cretPassw0rd"));
    assert_string_equal(err, "invalid PostgreSQL connection URL");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_and_session),
        cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_values_round_trip),
        cmocka_unit_test(test_col_int_conversions),
        cmocka_unit_test(test_constraints),
        cmocka_unit_test(test_busy_mapping),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_statement_cache),
        cmocka_unit_test(test_cursor_many_rows),
        cmocka_unit_test(test_logs_hold_no_values),
        cmocka_unit_test(test_reconnect),
        cmocka_unit_test(test_open_errors),
    };
    int failed = cmocka_run_group_tests(tests, group_setup, group_teardown);
    const char *url = getenv("KONTAKT_TEST_PG");
    if (!failed && (!url || !*url)) return 77; /* meson and automake: SKIP */
    return failed;
}
