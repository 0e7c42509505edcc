/* Districts and routing rules as stored (tables of schema v2). */
#include "store/store.h"
#include "util/buf.h"
#include <stdio.h>
#include <string.h>
#include "util/banned.h"

static const char *SQL_DISTRICTS_CLEAR = "DELETE FROM districts";
static const char *SQL_DISTRICT_INSERT =
    "INSERT INTO districts (code, name_uk, name_en, approximate, geometry) VALUES (?, ?, ?, ?, ?)";
static const char *SQL_DISTRICTS_LOAD =
    "SELECT code, name_uk, name_en, approximate, geometry FROM districts ORDER BY code";
static const char *SQL_DISTRICTS_COUNT = "SELECT COUNT(*) FROM districts";
static const char *SQL_ROUTING_CLEAR = "DELETE FROM routing_rules";
static const char *SQL_ROUTING_INSERT =
    "INSERT INTO routing_rules (category, type, district, organisation) VALUES (?, ?, ?, ?)";
static const char *SQL_ROUTING_LOAD =
    "SELECT category, type, district, organisation FROM routing_rules ORDER BY id";

int store_districts_replace(db_conn *c, const dom_districts *d) {
    int rc = db_query(c, SQL_DISTRICTS_CLEAR, NULL, 0, NULL);
    for (size_t i = 0; rc == DB_OK && i < d->n; i++) {
        const dom_district *x = &d->items[i];
        db_val p[] = {db_text(x->code), db_text(x->name_uk), db_text(x->name_en),
                      db_int(x->approximate), db_text(x->geometry)};
        rc = db_query(c, SQL_DISTRICT_INSERT, p, 5, NULL);
    }
    return rc;
}

int store_districts_load(db_conn *c, dom_districts *out, char *err, size_t err_cap) {
    memset(out, 0, sizeof *out);
    db_rows *r = NULL;
    int rc = db_query(c, SQL_DISTRICTS_LOAD, NULL, 0, &r);
    if (rc != DB_OK) return rc;
    const db_driver *d = c->drv;
    while ((rc = db_next(c, r)) == 1) {
        if (!dom_districts_add(out, d->col_text(r, 0), d->col_text(r, 1), d->col_text(r, 2),
                               d->col_int(r, 3) != 0, d->col_text(r, 4), err, err_cap)) {
            rc = DB_ERR;
            break;
        }
    }
    db_rows_free(c, r);
    if (rc != 0) {
        dom_districts_free(out);
        return rc < 0 ? rc : DB_ERR;
    }
    return DB_OK;
}

int store_districts_count(db_conn *c, int64_t *n) {
    return store_query_int(c, SQL_DISTRICTS_COUNT, NULL, 0, n);
}

int store_routing_replace(db_conn *c, const dom_routing *rules) {
    int rc = db_query(c, SQL_ROUTING_CLEAR, NULL, 0, NULL);
    for (size_t i = 0; rc == DB_OK && i < rules->n; i++) {
        const dom_route_rule *x = &rules->rules[i];
        db_val p[] = {db_text(x->category), db_text(x->type), db_text(x->district),
                      db_text(x->organisation)};
        rc = db_query(c, SQL_ROUTING_INSERT, p, 4, NULL);
    }
    return rc;
}

int store_routing_load(db_conn *c, dom_routing *out) {
    memset(out, 0, sizeof *out);
    db_rows *r = NULL;
    int rc = db_query(c, SQL_ROUTING_LOAD, NULL, 0, &r);
    if (rc != DB_OK) return rc;
    const db_driver *d = c->drv;
    while ((rc = db_next(c, r)) == 1)
        dom_routing_add(out, d->col_text(r, 0), d->col_text(r, 1), d->col_text(r, 2),
                        d->col_text(r, 3));
    db_rows_free(c, r);
    if (rc != 0) {
        dom_routing_free(out);
        return rc;
    }
    return DB_OK;
}
