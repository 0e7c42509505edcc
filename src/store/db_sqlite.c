/* SQLite driver: WAL, foreign keys, busy timeout, prepared statements
 * cached per connection. */
#include "store/db.h"
#include "util/buf.h"
#include "util/log.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include "util/banned.h"

#define CACHE_SLOTS 128 /* power of two; more distinct queries than we have */

struct db_rows {
    sqlite3_stmt *st;
    struct db *owner;
    int last; /* last step result */
};

struct db {
    sqlite3 *h;
    struct {
        const char *sql;
        sqlite3_stmt *st;
    } cache[CACHE_SLOTS];
    struct db_rows rows; /* one live cursor per connection is all we use */
};

static int map_rc(sqlite3 *h, int rc, const char *what) {
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return DB_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return DB_BUSY;
    case SQLITE_CONSTRAINT:
        return DB_CONSTRAINT;
    default:
        log_error("sqlite", "\"what\":\"%s\",\"rc\":%d", what, rc);
        (void)h;
        return DB_ERR;
    }
}

static int sq_open(const char *url, db **out, char *err, size_t err_cap) {
    db *d = xcalloc(1, sizeof *d);
    int rc = sqlite3_open_v2(url, &d->h,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, err_cap, "cannot open SQLite database: %s", sqlite3_errstr(rc));
        sqlite3_close(d->h);
        free(d);
        return DB_ERR;
    }
    sqlite3_busy_timeout(d->h, 10000);
    /* WAL: readers never block the writer; NORMAL: a commit survives a
     * process crash, fsync at checkpoints. */
    const char *pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                          "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";
    char *msg = NULL;
    rc = sqlite3_exec(d->h, pragmas, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(err, err_cap, "cannot configure SQLite: %s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close(d->h);
        free(d);
        return DB_ERR;
    }
    *out = d;
    return DB_OK;
}

static void sq_close(db *d) {
    if (!d) return;
    for (int i = 0; i < CACHE_SLOTS; i++) sqlite3_finalize(d->cache[i].st);
    sqlite3_close(d->h);
    free(d);
}

static int sq_exec_script(db *d, const char *sql) {
    char *msg = NULL;
    int rc = sqlite3_exec(d->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        log_error("sqlite script", "\"rc\":%d", rc);
        fprintf(stderr, "%s\n", msg ? msg : "");
        sqlite3_free(msg);
    }
    return map_rc(d->h, rc, "script");
}

static sqlite3_stmt *prepare(db *d, const char *sql, int *rc) {
    uintptr_t h = (uintptr_t)sql;
    size_t slot = (size_t)((h >> 3) ^ (h >> 11)) & (CACHE_SLOTS - 1);
    for (int probe = 0; probe < CACHE_SLOTS; probe++) {
        size_t i = (slot + (size_t)probe) & (CACHE_SLOTS - 1);
        if (d->cache[i].sql == sql && strcmp(sqlite3_sql(d->cache[i].st), sql) == 0) {
            *rc = SQLITE_OK;
            return d->cache[i].st;
        }
        if (!d->cache[i].st) {
            sqlite3_stmt *st = NULL;
            *rc = sqlite3_prepare_v3(d->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
            if (*rc != SQLITE_OK) {
                log_error("sqlite prepare", "\"rc\":%d", *rc);
                fprintf(stderr, "%s\n%s\n", sqlite3_errmsg(d->h), sql);
                return NULL;
            }
            d->cache[i].sql = sql;
            d->cache[i].st = st;
            return st;
        }
    }
    /* Cache full: should never happen with our fixed set of queries. */
    *rc = SQLITE_NOMEM;
    return NULL;
}

static int bind_all(sqlite3_stmt *st, const db_val *p, int n) {
    for (int i = 0; i < n; i++) {
        int rc;
        switch (p[i].type) {
        case DBV_INT: rc = sqlite3_bind_int64(st, i + 1, p[i].i); break;
        case DBV_REAL: rc = sqlite3_bind_double(st, i + 1, p[i].r); break;
        case DBV_TEXT: rc = sqlite3_bind_text(st, i + 1, p[i].s, -1, SQLITE_STATIC); break;
        default: rc = sqlite3_bind_null(st, i + 1); break;
        }
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

static int sq_query(db *d, const char *sql, const db_val *p, int n, db_rows **out) {
    int rc;
    sqlite3_stmt *st = prepare(d, sql, &rc);
    if (!st) return map_rc(d->h, rc, "prepare");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    rc = bind_all(st, p, n);
    if (rc != SQLITE_OK) return map_rc(d->h, rc, "bind");
    if (out) {
        d->rows.st = st;
        d->rows.owner = d;
        d->rows.last = SQLITE_OK;
        *out = &d->rows;
        return DB_OK;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    int r = map_rc(d->h, rc, "step");
    sqlite3_reset(st);
    return r;
}

static int sq_next(db_rows *r) {
    int rc = sqlite3_step(r->st);
    r->last = rc;
    if (rc == SQLITE_ROW) return 1;
    if (rc == SQLITE_DONE) return 0;
    int e = map_rc(r->owner->h, rc, "step");
    return e == DB_OK ? DB_ERR : e;
}

static bool sq_is_null(db_rows *r, int col) { return sqlite3_column_type(r->st, col) == SQLITE_NULL; }
static int64_t sq_col_int(db_rows *r, int col) { return sqlite3_column_int64(r->st, col); }
static double sq_col_real(db_rows *r, int col) { return sqlite3_column_double(r->st, col); }
static const char *sq_col_text(db_rows *r, int col) {
    const unsigned char *t = sqlite3_column_text(r->st, col);
    return t ? (const char *)t : "";
}
static void sq_rows_free(db_rows *r) {
    sqlite3_reset(r->st);
    r->st = NULL;
}

static int simple(db *d, const char *sql) {
    int rc = sqlite3_exec(d->h, sql, NULL, NULL, NULL);
    return map_rc(d->h, rc, sql);
}
static int sq_begin(db *d, bool write) { return simple(d, write ? "BEGIN IMMEDIATE" : "BEGIN"); }
static int sq_commit(db *d) { return simple(d, "COMMIT"); }
static int sq_rollback(db *d) {
    if (sqlite3_get_autocommit(d->h)) return DB_OK;
    return simple(d, "ROLLBACK");
}

const db_driver db_sqlite_driver = {
    .name = "sqlite",
    .kind = DB_KIND_SQLITE,
    .open = sq_open,
    .close = sq_close,
    .exec_script = sq_exec_script,
    .query = sq_query,
    .next = sq_next,
    .is_null = sq_is_null,
    .col_int = sq_col_int,
    .col_real = sq_col_real,
    .col_text = sq_col_text,
    .rows_free = sq_rows_free,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
};
