/* See both_dbs.h. */
#include "both_dbs.h"
#include "store/db.h"
#include "store/migrations.h"
#include "store/store.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char pg_admin[512];
static char pg_name[64];

/* CREATE DATABASE <tag>_<pid> on the server of `base`; url gets its URL. */
static bool pg_create(const char *tag, const char *base, char *url, size_t cap) {
    char err[256], sql[160];
    db *admin;
    if (db_pg_driver.open(base, &admin, err, sizeof err) != DB_OK) return false;
    snprintf(pg_name, sizeof pg_name, "kontakt_%s_%d", tag, (int)getpid());
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", pg_name);
    db_pg_driver.exec_script(admin, sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", pg_name);
    int rc = db_pg_driver.exec_script(admin, sql);
    db_pg_driver.close(admin);
    /* same server, other database: replace the path of the URL */
    const char *slash = strrchr(base, '/');
    if (!slash) return false;
    snprintf(url, cap, "%.*s/%s", (int)(slash - base), base, pg_name);
    snprintf(pg_admin, sizeof pg_admin, "%s", base);
    return rc == DB_OK;
}

static void pg_drop(void) {
    char err[256], sql[160];
    db *admin;
    if (db_pg_driver.open(pg_admin, &admin, err, sizeof err) != DB_OK) return;
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", pg_name);
    db_pg_driver.exec_script(admin, sql);
    db_pg_driver.close(admin);
}

int both_dbs_main(const char *tag, char *url, size_t cap, int (*suite)(const char *name)) {
    char dir[] = "/tmp/kontakt-unit-XXXXXX", name[64], cmd[600];
    if (!mkdtemp(dir)) return 1;
    snprintf(url, cap, "%s/%s.db", dir, tag);
    snprintf(name, sizeof name, "%s_sqlite", tag);
    int failed = suite(name);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    const char *pg = getenv("KONTAKT_TEST_PG");
    if (!pg || !*pg) {
        fprintf(stderr, "KONTAKT_TEST_PG not set: %s tests ran on SQLite only\n", tag);
        return failed ? 1 : 0;
    }
    if (!pg_create(tag, pg, url, cap)) {
        fprintf(stderr, "cannot create a PostgreSQL test database\n");
        return 1;
    }
    snprintf(name, sizeof name, "%s_pg", tag);
    failed += suite(name);
    pg_drop();
    return failed ? 1 : 0;
}

db_conn *both_dbs_fresh(const char *url, int64_t now) {
    db_conn *c = calloc(1, sizeof *c);
    c->drv = db_driver_for(url);
    char err[256] = "";
    if (c->drv->kind == DB_KIND_SQLITE) unlink(url);
    int v = 0;
    const char *codes[] = {"vodokanal"}, *uk[] = {"Водоканал"}, *en[] = {"Water"}, *ph[] = {""};
    bool opened = c->drv->open(url, &c->conn, err, sizeof err) == DB_OK, ok = opened;
    if (ok && c->drv->kind == DB_KIND_PG)
        ok = c->drv->exec_script(c->conn, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;") ==
             DB_OK;
    ok = ok && store_migrate(c, &v, err, sizeof err) == DB_OK &&
         c->drv->begin(c->conn, true) == DB_OK &&
         store_catalog_save(c, "{}", "{}", codes, uk, en, ph, 1, now) == DB_OK &&
         c->drv->commit(c->conn) == DB_OK;
    if (!ok) {
        fprintf(stderr, "cannot prepare a fresh database: %s\n", err);
        if (opened) c->drv->close(c->conn);
        free(c);
        return NULL;
    }
    return c;
}

void both_dbs_close(db_conn *c) {
    c->drv->close(c->conn);
    free(c);
}
