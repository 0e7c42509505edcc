/* Open appeals of a category in a box and a time window; subscriptions
 * ("me too") to an appeal. */
#include "store/store.h"
#include "util/buf.h"
#include <stdlib.h>
#include "util/banned.h"

static const char *SQL_NEAR =
    "SELECT id, number, status, type, created_at, lat, lon FROM appeals"
    " WHERE category = ? AND created_at >= ?"
    " AND status IN ('new', 'registered', 'assigned', 'in_progress', 'reopened')"
    " AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?"
    " ORDER BY created_at DESC LIMIT ?";
static const char *SQL_SUB_ADD =
    "INSERT INTO subscriptions (appeal_id, phone, email, tracking_hash, created_at)"
    " VALUES (?, ?, ?, ?, ?)";
static const char *SQL_SUB_BY_TRACKING =
    "SELECT appeal_id FROM subscriptions WHERE tracking_hash = ?";
static const char *SQL_NUMBER_OF = "SELECT number FROM appeals WHERE id = ?";

int store_appeals_near(db_conn *c, const char *category, int64_t since, double min_lat,
                       double max_lat, double min_lon, double max_lon, int limit,
                       store_near **out, int *n) {
    db_val p[] = {db_text(category), db_int(since),   db_real(min_lat), db_real(max_lat),
                  db_real(min_lon),  db_real(max_lon), db_int(limit)};
    db_rows *r = NULL;
    *out = NULL;
    *n = 0;
    int rc = db_query(c, SQL_NEAR, p, 7, &r);
    if (rc != DB_OK) return rc;
    *out = xcalloc((size_t)limit, sizeof **out);
    while (*n < limit && (rc = db_next(c, r)) == 1) {
        store_near *a = &(*out)[(*n)++];
        a->id = c->drv->col_int(r, 0);
        str_copy(a->number, sizeof a->number, c->drv->col_text(r, 1));
        str_copy(a->status, sizeof a->status, c->drv->col_text(r, 2));
        str_copy(a->type, sizeof a->type, c->drv->col_text(r, 3));
        a->created_at = c->drv->col_int(r, 4);
        a->lat = c->drv->col_real(r, 5);
        a->lon = c->drv->col_real(r, 6);
    }
    db_rows_free(c, r);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return DB_OK;
}

int store_subscription_add(db_conn *c, int64_t appeal_id, const char *phone, const char *email,
                           const char *tracking_hash, int64_t now) {
    db_val p[] = {db_int(appeal_id), db_text(phone), db_text(email), db_text(tracking_hash),
                  db_int(now)};
    return db_query(c, SQL_SUB_ADD, p, 5, NULL);
}

int store_subscription_by_tracking(db_conn *c, const char *tracking_hash, char number[16]) {
    db_val p[] = {db_text(tracking_hash)};
    db_rows *r = NULL;
    int rc = db_query(c, SQL_SUB_BY_TRACKING, p, 1, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    int64_t id = rc == 1 ? c->drv->col_int(r, 0) : 0;
    db_rows_free(c, r);
    if (rc != 1) return rc == 0 ? DB_NOT_FOUND : rc;
    db_val q[] = {db_int(id)};
    rc = db_query(c, SQL_NUMBER_OF, q, 1, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) str_copy(number, 16, c->drv->col_text(r, 0));
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc == 0 ? DB_NOT_FOUND : rc;
}
