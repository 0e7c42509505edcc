/* See map_store.h. */
#include "store/map_store.h"
#include "store/store.h"
#include "util/buf.h"
#include <string.h>
#include "util/banned.h"

#define MAP_COLS \
    "SELECT id, year, seq, lat, lon, status, category, district, created_at, updated_at," \
    " type, organisation, channel, address, trial, reopen_count, rating, done_at," \
    " resolution_due_at FROM appeals "
static const char *SQL_PAGE = MAP_COLS "WHERE id > ? ORDER BY id LIMIT ?";
static const char *SQL_CHANGED =
    MAP_COLS "WHERE updated_at > ? OR (updated_at = ? AND id > ?) ORDER BY updated_at, id LIMIT ?";

static int rows(db_conn *c, const char *sql, const db_val *p, int np, store_map_fn fn, void *ctx,
                int *n) {
    db_rows *r = NULL;
    int rc = db_query(c, sql, p, np, &r);
    if (rc != DB_OK) return rc;
    const db_driver *d = c->drv;
    int count = 0;
    while ((rc = db_next(c, r)) == 1) {
        store_map_row row = {
            .id = d->col_int(r, 0), .year = (int)d->col_int(r, 1), .seq = (long)d->col_int(r, 2),
            .lat = d->col_real(r, 3), .lon = d->col_real(r, 4), .status = d->col_text(r, 5),
            .category = d->col_text(r, 6), .district = d->col_text(r, 7),
            .created_at = d->col_int(r, 8), .updated_at = d->col_int(r, 9),
            .type = d->col_text(r, 10), .organisation = d->col_text(r, 11),
            .channel = d->col_text(r, 12), .address = d->col_text(r, 13),
            .trial = (int)d->col_int(r, 14), .reopen_count = (int)d->col_int(r, 15),
            .rating = (int)d->col_int(r, 16), .done_at = d->col_int(r, 17),
            .resolution_due_at = d->col_int(r, 18),
        };
        fn(&row, ctx);
        count++;
    }
    db_rows_free(c, r);
    if (n) *n = count;
    return rc == 0 ? DB_OK : rc;
}

static const char *SQL_PLACE = "SELECT address, district, lat, lon FROM appeals WHERE id = ?";

int store_appeal_places(db_conn *c, const int64_t *ids, int n, store_appeal_place *out) {
    for (int i = 0; i < n; i++) {
        db_val p[] = {db_int(ids[i])};
        db_rows *r = NULL;
        int rc = db_query(c, SQL_PLACE, p, 1, &r);
        if (rc != DB_OK) return rc;
        memset(&out[i], 0, sizeof out[i]);
        if ((rc = db_next(c, r)) == 1) {
            out[i].found = true;
            str_copy(out[i].address, sizeof out[i].address, c->drv->col_text(r, 0));
            str_copy(out[i].district, sizeof out[i].district, c->drv->col_text(r, 1));
            out[i].lat = c->drv->col_real(r, 2);
            out[i].lon = c->drv->col_real(r, 3);
        }
        db_rows_free(c, r);
        if (rc < 0) return rc;
    }
    return DB_OK;
}

int store_map_page(db_conn *c, int64_t after_id, int limit, store_map_fn fn, void *ctx, int *n) {
    db_val p[] = {db_int(after_id), db_int(limit)};
    return rows(c, SQL_PAGE, p, 2, fn, ctx, n);
}

int store_map_changed(db_conn *c, int64_t since, int64_t after_id, int limit, store_map_fn fn,
                      void *ctx, int *n) {
    db_val p[] = {db_int(since), db_int(since), db_int(after_id), db_int(limit)};
    return rows(c, SQL_CHANGED, p, 4, fn, ctx, n);
}

