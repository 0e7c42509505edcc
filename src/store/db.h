/* A thin SQL layer with two drivers (SQLite, PostgreSQL), so the store's
 * queries are written once. SQL uses '?' placeholders; the PostgreSQL driver
 * rewrites them to $1..$n (outside quotes). Every value is bound, never
 * spliced into the text. Portable SQL only in shared queries: integers for
 * booleans and instants (UTC milliseconds), TEXT for strings,
 * INSERT ... ON CONFLICT, RETURNING.
 *
 * A connection is used by one thread at a time (see db_pool). */
#ifndef KONTAKT_STORE_DB_H
#define KONTAKT_STORE_DB_H
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    DB_OK = 0,
    DB_ERR = -1,        /* anything else: logged by the driver */
    DB_BUSY = -2,       /* retry the transaction: SQLITE_BUSY, PG 40001/40P01 */
    DB_CONSTRAINT = -3, /* unique/foreign-key/check violation (PG class 23) */
};

typedef enum { DB_KIND_SQLITE, DB_KIND_PG } db_kind;

typedef enum { DBV_NULL, DBV_INT, DBV_REAL, DBV_TEXT } db_vtype;
typedef struct {
    db_vtype type;
    int64_t i;
    double r;
    const char *s; /* not owned; NUL-terminated */
} db_val;

static inline db_val db_int(int64_t i) { return (db_val){.type = DBV_INT, .i = i}; }
static inline db_val db_real(double r) { return (db_val){.type = DBV_REAL, .r = r}; }
static inline db_val db_text(const char *s) {
    return s ? (db_val){.type = DBV_TEXT, .s = s} : (db_val){.type = DBV_NULL};
}
static inline db_val db_null(void) { return (db_val){.type = DBV_NULL}; }

typedef struct db db;           /* a connection (driver-specific) */
typedef struct db_rows db_rows; /* a result cursor (driver-specific) */

typedef struct db_driver {
    const char *name;
    db_kind kind;
    /* url: a file path for SQLite, "postgresql://..." for PG. err gets a
     * reason on failure (no passwords). */
    int (*open)(const char *url, db **out, char *err, size_t err_cap);
    void (*close)(db *d);
    /* Runs a script of several statements with no parameters (migrations). */
    int (*exec_script)(db *d, const char *sql);
    /* Runs one statement; *out (may be NULL when no rows are wanted)
     * receives a cursor positioned before the first row. The SQL text must
     * live as long as the connection (drivers cache prepared statements
     * by its pointer/contents). */
    int (*query)(db *d, const char *sql, const db_val *params, int n_params, db_rows **out);
    /* Advances to the next row: 1 row, 0 end, <0 error code. */
    int (*next)(db_rows *r);
    bool (*is_null)(db_rows *r, int col);
    int64_t (*col_int)(db_rows *r, int col);
    double (*col_real)(db_rows *r, int col);
    /* Valid until the next call of next() or rows_free(); "" for NULL. */
    const char *(*col_text)(db_rows *r, int col);
    void (*rows_free)(db_rows *r);
    /* write=true: SQLite "BEGIN IMMEDIATE"; PG "BEGIN". */
    int (*begin)(db *d, bool write);
    int (*commit)(db *d);
    int (*rollback)(db *d);
} db_driver;

extern const db_driver db_sqlite_driver;
extern const db_driver db_pg_driver;

/* The driver for a --db value: "postgresql://" or "postgres://" -> PG,
 * anything else is an SQLite file path. */
const db_driver *db_driver_for(const char *url);

/* A connection bound to its driver: what the store functions take. */
typedef struct {
    const db_driver *drv;
    db *conn;
    /* SQLite has one writer at a time: the pool's threads queue on this
     * mutex instead of sleeping in the busy handler. NULL: not shared. */
    pthread_mutex_t *write_lock;
} db_conn;

static inline int db_query(db_conn *c, const char *sql, const db_val *p, int n, db_rows **out) {
    return c->drv->query(c->conn, sql, p, n, out);
}
static inline int db_next(db_conn *c, db_rows *r) { return c->drv->next(r); }
static inline void db_rows_free(db_conn *c, db_rows *r) {
    if (r) c->drv->rows_free(r);
}

/* A fixed set of connections handed to threads (mutex + condvar). */
typedef struct db_pool db_pool;
db_pool *db_pool_open(const char *url, int size, char *err, size_t err_cap);
db_conn *db_pool_acquire(db_pool *p); /* blocks until one is free */
void db_pool_release(db_pool *p, db_conn *c);
void db_pool_close(db_pool *p);
#endif
