/* The open data's keyset pages (store/opendata.h). The appeals_created
 * index gives the range; (created_at, id) is the key, so each page starts
 * where the last ended instead of counting an OFFSET from the start. */
#include "store/opendata.h"
#include "util/buf.h"
#include <string.h>
#include "util/banned.h"

/* "created_at >= k AND (created_at > k OR id > i)" rather than a row value
 * comparison: both drivers use the index for the first term. */
static const char *SQL_PAGE =
    "SELECT id, created_at, category, type, district, organisation, channel, status,"
    " done_at, resolution_due_at, lat, lon FROM appeals"
    " WHERE trial = 0 AND created_at >= ? AND created_at < ? AND (created_at > ? OR id > ?)"
    " ORDER BY created_at, id LIMIT ?";

static void read_row(const db_driver *d, db_rows *r, store_opendata_row *o) {
    memset(o, 0, sizeof *o);
    o->id = d->col_int(r, 0);
    o->created_at = d->col_int(r, 1);
    str_copy(o->category, sizeof o->category, d->col_text(r, 2));
    str_copy(o->type, sizeof o->type, d->col_text(r, 3));
    str_copy(o->district, sizeof o->district, d->col_text(r, 4)); /* "" for NULL */
    str_copy(o->organisation, sizeof o->organisation, d->col_text(r, 5));
    str_copy(o->channel, sizeof o->channel, d->col_text(r, 6));
    str_copy(o->status, sizeof o->status, d->col_text(r, 7));
    o->has_done = !d->is_null(r, 8);
    o->done_at = o->has_done ? d->col_int(r, 8) : 0;
    o->resolution_due_at = d->col_int(r, 9);
    o->lat = d->col_real(r, 10);
    o->lon = d->col_real(r, 11);
}

int store_opendata_page(db_conn *c, int64_t from, int64_t to, store_opendata_key *key,
                        store_opendata_row *rows, int cap, int *n) {
    *n = 0;
    if (cap <= 0 || cap > STORE_OPENDATA_PAGE) return DB_ERR;
    int64_t lo = key->created_at > from ? key->created_at : from;
    db_val p[] = {db_int(lo), db_int(to), db_int(key->created_at), db_int(key->id), db_int(cap)};
    db_rows *r = NULL;
    int rc = db_query(c, SQL_PAGE, p, 5, &r);
    if (rc != DB_OK) return rc;
    while ((rc = db_next(c, r)) == 1 && *n < cap) read_row(c->drv, r, &rows[(*n)++]);
    db_rows_free(c, r);
    if (rc < 0) return rc;
    if (*n) *key = (store_opendata_key){rows[*n - 1].created_at, rows[*n - 1].id};
    return DB_OK;
}
