/* Photos of appeals: see photos.h. */
#include "store/photos.h"
#include "util/buf.h"
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define PHOTO_COLS "id, appeal_id, sha256, mime, bytes, width, height, kind, public, actor, created_at"
static const char SQL_LOCK_PG[] = "SELECT id FROM appeals WHERE id = ? FOR UPDATE";
static const char SQL_LOCK[] = "SELECT id FROM appeals WHERE id = ?";
static const char SQL_COUNT[] = "SELECT count(*) FROM photos WHERE appeal_id = ?";
static const char SQL_INSERT[] =
    "INSERT INTO photos (appeal_id, sha256, mime, bytes, width, height, kind, public, actor, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id";
static const char SQL_OF[] = "SELECT " PHOTO_COLS " FROM photos WHERE appeal_id = ? ORDER BY id";
static const char SQL_OF_PUBLIC[] =
    "SELECT " PHOTO_COLS " FROM photos WHERE appeal_id = ? AND public = 1 ORDER BY id";
static const char SQL_GET[] = "SELECT " PHOTO_COLS " FROM photos WHERE id = ?";
static const char SQL_SET_PUBLIC[] = "UPDATE photos SET public = ? WHERE id = ? RETURNING id";
static const char SQL_SHA_USED[] = "SELECT count(*) FROM photos WHERE sha256 = ?";

static void read_photo(db_conn *c, db_rows *r, store_photo *p) {
    memset(p, 0, sizeof *p);
    p->id = c->drv->col_int(r, 0);
    p->appeal_id = c->drv->col_int(r, 1);
    str_copy(p->sha256, sizeof p->sha256, c->drv->col_text(r, 2));
    str_copy(p->mime, sizeof p->mime, c->drv->col_text(r, 3));
    p->bytes = c->drv->col_int(r, 4);
    p->width = (int)c->drv->col_int(r, 5);
    p->height = (int)c->drv->col_int(r, 6);
    str_copy(p->kind, sizeof p->kind, c->drv->col_text(r, 7));
    p->public = c->drv->col_int(r, 8) != 0;
    str_copy(p->actor, sizeof p->actor, c->drv->col_text(r, 9));
    p->created_at = c->drv->col_int(r, 10);
}

int store_photos_count(db_conn *c, int64_t appeal_id, int64_t *n) {
    db_val p[] = {db_int(appeal_id)};
    return store_query_int(c, SQL_COUNT, p, 1, n);
}

int store_photos_insert(db_conn *c, int64_t appeal_id, int max_count, store_photo *ph, int n) {
    db_val key[] = {db_int(appeal_id)};
    int64_t found = 0, have = 0;
    int rc = store_query_int(c, c->drv->kind == DB_KIND_PG ? SQL_LOCK_PG : SQL_LOCK, key, 1, &found);
    if (rc == DB_OK) rc = store_photos_count(c, appeal_id, &have);
    if (rc != DB_OK) return rc;
    if (have + n > max_count) return STORE_PHOTO_LIMIT;
    for (int i = 0; i < n && rc == DB_OK; i++) {
        store_photo *p = &ph[i];
        db_val v[] = {db_int(appeal_id), db_text(p->sha256), db_text(p->mime), db_int(p->bytes),
                      db_int(p->width), db_int(p->height), db_text(p->kind), db_text(p->actor),
                      db_int(p->created_at)};
        rc = store_query_int(c, SQL_INSERT, v, 9, &p->id);
        if (rc == DB_NOT_FOUND) rc = DB_ERR;
        p->appeal_id = appeal_id;
    }
    return rc;
}

static int list(db_conn *c, const char *sql, const db_val *v, int nv, store_photo **out, int *n) {
    *out = NULL;
    *n = 0;
    db_rows *r = NULL;
    int rc = db_query(c, sql, v, nv, &r);
    if (rc != DB_OK) return rc;
    int cap = 0;
    while ((rc = db_next(c, r)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *out = xrealloc(*out, (size_t)cap * sizeof **out);
        }
        read_photo(c, r, &(*out)[(*n)++]);
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

int store_photos_of(db_conn *c, int64_t appeal_id, bool public_only, store_photo **out, int *n) {
    db_val v[] = {db_int(appeal_id)};
    return list(c, public_only ? SQL_OF_PUBLIC : SQL_OF, v, 1, out, n);
}

int store_photo_get(db_conn *c, int64_t id, store_photo *out) {
    db_val v[] = {db_int(id)};
    db_rows *r = NULL;
    int rc = db_query(c, SQL_GET, v, 1, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) read_photo(c, r, out);
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc == 0 ? DB_NOT_FOUND : rc;
}

int store_photo_set_public(db_conn *c, int64_t id, bool public) {
    db_val v[] = {db_int(public ? 1 : 0), db_int(id)};
    int64_t got = 0;
    return store_query_int(c, SQL_SET_PUBLIC, v, 2, &got);
}

int store_photo_sha_used(db_conn *c, const char *sha256, bool *used) {
    db_val v[] = {db_text(sha256)};
    int64_t n = 0;
    int rc = store_query_int(c, SQL_SHA_USED, v, 1, &n);
    *used = rc != DB_OK || n > 0; /* in doubt, keep the file */
    return rc;
}
