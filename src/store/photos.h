/* Photos of appeals (table `photos`, schema v7). The files themselves are
 * media/'s; a row names them by content hash and type. */
#ifndef KONTAKT_STORE_PHOTOS_H
#define KONTAKT_STORE_PHOTOS_H
#include "store/store.h"

/* store_photos_insert: the appeal would hold more than max_count photos. */
#define STORE_PHOTO_LIMIT 2

typedef struct {
    int64_t id, appeal_id;
    char sha256[65];
    char mime[16];
    int64_t bytes;
    int width, height;
    char kind[8]; /* appeal, comment, done */
    bool public;
    char actor[96];
    int64_t created_at;
} store_photo;

/* Inserts n photos of one appeal (appeal_id, sha256, mime, bytes, width,
 * height, kind, actor, created_at of each; public is false) and fills their
 * ids, in the caller's write transaction. It first locks the appeal's row
 * (PostgreSQL FOR UPDATE; SQLite's write transaction is exclusive) and
 * counts its photos, so two concurrent uploads cannot pass the limit
 * together: STORE_PHOTO_LIMIT when count + n > max_count, nothing written.
 * DB_NOT_FOUND when there is no such appeal. */
int store_photos_insert(db_conn *c, int64_t appeal_id, int max_count, store_photo *p, int n);
/* The number of photos of an appeal. */
int store_photos_count(db_conn *c, int64_t appeal_id, int64_t *n);
/* An appeal's photos, oldest first; only public ones when public_only.
 * *out owned by the caller (free()). */
int store_photos_of(db_conn *c, int64_t appeal_id, bool public_only, store_photo **out, int *n);
int store_photo_get(db_conn *c, int64_t id, store_photo *out);
int store_photo_set_public(db_conn *c, int64_t id, bool public);
/* Whether any row names this content (a file may be removed only if not). */
int store_photo_sha_used(db_conn *c, const char *sha256, bool *used);
#endif
