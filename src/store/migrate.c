/* Applies the driver's pending migrations, each in its own transaction. */
#include "store/migrations.h"
#include "store/store.h"
#include "util/timeutil.h"
#include <stdio.h>
#include "util/banned.h"

static const char *SQL_CREATE_LOG =
    "CREATE TABLE IF NOT EXISTS kontakt_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
static const char *SQL_CURRENT = "SELECT COALESCE(MAX(version), 0) FROM kontakt_migrations";
static const char *SQL_RECORD =
    "INSERT INTO kontakt_migrations (version, name, applied_at) VALUES (?, ?, ?)";

static int current_version(db_conn *c, int *v) {
    db_rows *r = NULL;
    int rc = db_query(c, SQL_CURRENT, NULL, 0, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) *v = (int)c->drv->col_int(r, 0);
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : DB_ERR;
}

int store_migrate(db_conn *c, int *version, char *err, size_t err_cap) {
    const store_migration *list = store_migrations_sqlite;
    int count = store_migrations_sqlite_count;
    if (c->drv->kind == DB_KIND_PG) {
        list = store_migrations_pg;
        count = store_migrations_pg_count;
    }
    int rc = c->drv->exec_script(c->conn, SQL_CREATE_LOG);
    if (rc != DB_OK) {
        snprintf(err, err_cap, "cannot create the migrations table");
        return rc;
    }
    int v = 0;
    if ((rc = current_version(c, &v)) != DB_OK) {
        snprintf(err, err_cap, "cannot read the schema version");
        return rc;
    }
    for (int i = 0; i < count; i++) {
        if (list[i].version <= v) continue;
        rc = c->drv->begin(c->conn, true);
        if (rc == DB_OK) rc = c->drv->exec_script(c->conn, list[i].sql);
        db_val p[] = {db_int(list[i].version), db_text(list[i].name), db_int(time_now_ms())};
        if (rc == DB_OK) rc = db_query(c, SQL_RECORD, p, 3, NULL);
        if (rc == DB_OK) rc = c->drv->commit(c->conn);
        if (rc != DB_OK) {
            c->drv->rollback(c->conn);
            snprintf(err, err_cap, "migration %d (%s) failed", list[i].version, list[i].name);
            return rc;
        }
        v = list[i].version;
    }
    *version = v;
    return DB_OK;
}
