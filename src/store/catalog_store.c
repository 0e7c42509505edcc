/* The catalogue as stored: the city's JSON texts plus the organisations
 * table that appeals reference. */
#include "store/store.h"
#include "util/buf.h"
#include <string.h>
#include "util/banned.h"

static const char *SQL_SAVE =
    "INSERT INTO catalog (id, categories_json, organisations_json, loaded_at) VALUES (1, ?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET categories_json = excluded.categories_json, "
    "organisations_json = excluded.organisations_json, loaded_at = excluded.loaded_at";
static const char *SQL_ORG =
    "INSERT INTO organisations (code, name_uk, name_en, phone) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (code) DO UPDATE SET name_uk = excluded.name_uk, name_en = excluded.name_en, "
    "phone = excluded.phone";
static const char *SQL_LOAD = "SELECT categories_json, organisations_json FROM catalog WHERE id = 1";

int store_catalog_save(db_conn *c, const char *categories_json, const char *organisations_json,
                       const char *const *org_codes, const char *const *org_uk,
                       const char *const *org_en, const char *const *org_phone, int n_orgs,
                       int64_t now) {
    db_val p[] = {db_text(categories_json), db_text(organisations_json), db_int(now)};
    int rc = db_query(c, SQL_SAVE, p, 3, NULL);
    for (int i = 0; rc == DB_OK && i < n_orgs; i++) {
        db_val o[] = {db_text(org_codes[i]), db_text(org_uk[i]), db_text(org_en[i]),
                      db_text(org_phone[i])};
        rc = db_query(c, SQL_ORG, o, 4, NULL);
    }
    return rc;
}

int store_catalog_load(db_conn *c, char **categories_json, char **organisations_json) {
    db_rows *r = NULL;
    int rc = db_query(c, SQL_LOAD, NULL, 0, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) {
        *categories_json = xstrdup(c->drv->col_text(r, 0));
        *organisations_json = xstrdup(c->drv->col_text(r, 1));
    }
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc == 0 ? DB_NOT_FOUND : rc;
}
