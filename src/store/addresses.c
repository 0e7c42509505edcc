/* Streets, their old names and addresses. */
#include "domain/address_index.h"
#include "store/store.h"
#include "util/buf.h"
#include <pthread.h>
#include <string.h>
#include "util/banned.h"

#define BATCH 192 /* rows per INSERT of addresses */

static const char *SQL_COUNT = "SELECT count(*) FROM streets";
static const char *SQL_STREET =
    "INSERT INTO streets (name, kind, district) VALUES (?, ?, ?) "
    "ON CONFLICT (name, kind) DO UPDATE SET district = COALESCE(streets.district, "
    "excluded.district) RETURNING id";
static const char *SQL_OLD =
    "INSERT INTO street_old_names (street_id, old_name) VALUES (?, ?) "
    "ON CONFLICT (street_id, old_name) DO NOTHING";
static const char *SQL_LOAD_STREETS = "SELECT id, name, kind, district FROM streets ORDER BY id";
static const char *SQL_LOAD_OLD =
    "SELECT street_id, old_name FROM street_old_names ORDER BY street_id, old_name";
static const char *SQL_LOAD_ADDRS =
    "SELECT street_id, house, lat, lon, district FROM addresses ORDER BY id";

/* "INSERT ... VALUES (?,?,?,?,?), ... ON CONFLICT ...": one text for a
 * batch of BATCH rows, one for a single row; built once, kept for the life
 * of the process (the drivers cache statements by their text). */
static char *sql_batch, *sql_one;
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static char *insert_sql(int rows) {
    buf b;
    buf_init(&b, 1 << 16);
    buf_puts(&b, "INSERT INTO addresses (street_id, house, lat, lon, district) VALUES ");
    for (int i = 0; i < rows; i++) buf_puts(&b, i ? ", (?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?)");
    buf_puts(&b, " ON CONFLICT (street_id, house) DO UPDATE SET lat = excluded.lat, "
                 "lon = excluded.lon, district = COALESCE(excluded.district, addresses.district)");
    return buf_steal(&b);
}

static void build_sql(void) {
    sql_batch = insert_sql(BATCH);
    sql_one = insert_sql(1);
}

int store_streets_count(db_conn *c, int64_t *n) {
    *n = 0;
    return store_query_int(c, SQL_COUNT, NULL, 0, n);
}

int store_street_upsert(db_conn *c, const char *name, const char *kind, const char *district,
                        int64_t *id) {
    db_val p[] = {db_text(name), db_text(kind), db_text(district)};
    db_rows *r = NULL;
    int rc = db_query(c, SQL_STREET, p, 3, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) *id = c->drv->col_int(r, 0);
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc < 0 ? rc : DB_ERR;
}

int store_street_old_name(db_conn *c, int64_t street_id, const char *old_name) {
    db_val p[] = {db_int(street_id), db_text(old_name)};
    return db_query(c, SQL_OLD, p, 2, NULL);
}

static void bind_address(const store_address *a, db_val *p) {
    p[0] = db_int(a->street_id);
    p[1] = db_text(a->house);
    p[2] = a->has_coords ? db_real(a->lat) : db_null();
    p[3] = a->has_coords ? db_real(a->lon) : db_null();
    p[4] = db_text(a->district);
}

int store_addresses_put(db_conn *c, const store_address *a, int n) {
    pthread_once(&sql_once, build_sql);
    db_val p[BATCH * 5];
    int i = 0, rc = DB_OK;
    /* One (street, house) twice in a batch would make PostgreSQL's
     * ON CONFLICT fail: the caller passes distinct rows. */
    for (; rc == DB_OK && i + BATCH <= n; i += BATCH) {
        for (int j = 0; j < BATCH; j++) bind_address(&a[i + j], p + j * 5);
        rc = db_query(c, sql_batch, p, BATCH * 5, NULL);
    }
    for (; rc == DB_OK && i < n; i++) {
        bind_address(&a[i], p);
        rc = db_query(c, sql_one, p, 5, NULL);
    }
    return rc;
}

static int load_streets(db_conn *c, addr_index *ix) {
    db_rows *r = NULL;
    int rc = db_query(c, SQL_LOAD_STREETS, NULL, 0, &r);
    if (rc != DB_OK) return rc;
    while ((rc = db_next(c, r)) == 1) {
        const char *district = c->drv->is_null(r, 3) ? NULL : c->drv->col_text(r, 3);
        addr_index_add_street(ix, c->drv->col_int(r, 0), c->drv->col_text(r, 1),
                              c->drv->col_text(r, 2), district);
    }
    db_rows_free(c, r);
    if (rc < 0) return rc;
    rc = db_query(c, SQL_LOAD_OLD, NULL, 0, &r);
    if (rc != DB_OK) return rc;
    while ((rc = db_next(c, r)) == 1)
        addr_index_add_old_name(ix, c->drv->col_int(r, 0), c->drv->col_text(r, 1));
    db_rows_free(c, r);
    return rc < 0 ? rc : DB_OK;
}

static const char *SQL_WITH_POINTS =
    "SELECT s.name, s.kind, a.house, a.lat, a.lon FROM addresses a JOIN streets s ON s.id = a.street_id"
    " WHERE a.lat IS NOT NULL AND a.lon IS NOT NULL ORDER BY a.id";

int store_addresses_with_points(db_conn *c,
                                void (*fn)(const char *street, const char *kind,
                                           const char *house, double lat, double lon, void *ctx),
                                void *ctx) {
    db_rows *r = NULL;
    int rc = db_query(c, SQL_WITH_POINTS, NULL, 0, &r);
    if (rc != DB_OK) return rc;
    const db_driver *d = c->drv;
    while ((rc = db_next(c, r)) == 1)
        fn(d->col_text(r, 0), d->col_text(r, 1), d->col_text(r, 2), d->col_real(r, 3),
           d->col_real(r, 4), ctx);
    db_rows_free(c, r);
    return rc < 0 ? rc : DB_OK;
}

int store_address_index_load(db_conn *c, addr_index *ix) {
    int rc = load_streets(c, ix);
    if (rc != DB_OK) return rc;
    db_rows *r = NULL;
    rc = db_query(c, SQL_LOAD_ADDRS, NULL, 0, &r);
    if (rc != DB_OK) return rc;
    while ((rc = db_next(c, r)) == 1) {
        bool has = !c->drv->is_null(r, 2) && !c->drv->is_null(r, 3);
        const char *district = c->drv->is_null(r, 4) ? NULL : c->drv->col_text(r, 4);
        addr_index_add_address(ix, c->drv->col_int(r, 0), c->drv->col_text(r, 1), has,
                               has ? c->drv->col_real(r, 2) : 0, has ? c->drv->col_real(r, 3) : 0,
                               district);
    }
    db_rows_free(c, r);
    if (rc < 0) return rc;
    addr_index_finish(ix);
    return DB_OK;
}
