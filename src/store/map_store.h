/* The rows the public map's index needs (api/mapindex.c): a few columns of
 * every appeal, read in pages so neither driver holds a million rows. */
#ifndef KONTAKT_STORE_MAP_STORE_H
#define KONTAKT_STORE_MAP_STORE_H
#include "store/db.h"
#include <stdint.h>

typedef struct {
    int64_t id, created_at, updated_at;
    int year;
    long seq;
    double lat, lon;
    const char *status, *category, *district; /* valid during the callback; district "" when none */
} store_map_row;

typedef void (*store_map_fn)(const store_map_row *row, void *ctx);

/* Calls fn for up to `limit` appeals with id > after_id in id order; *n gets
 * how many (fewer than limit: the end). */
int store_map_page(db_conn *c, int64_t after_id, int limit, store_map_fn fn, void *ctx, int *n);
/* Up to `limit` appeals changed at or after `since` (updated_at), in
 * (updated_at, id) order after the key (since, after_id). */
int store_map_changed(db_conn *c, int64_t since, int64_t after_id, int limit, store_map_fn fn,
                      void *ctx, int *n);

#endif
