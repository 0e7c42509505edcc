/* The rows the public map's index (api/mapindex.c) and the statistics
 * index (api/statindex.c) need: a few columns of every appeal, read in
 * pages so neither driver holds a million rows. */
#ifndef KONTAKT_STORE_MAP_STORE_H
#define KONTAKT_STORE_MAP_STORE_H
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int64_t id, created_at, updated_at;
    int year;
    long seq;
    double lat, lon;
    const char *status, *category, *district; /* valid during the callback; district "" when none */
    /* for the statistics; valid during the callback, "" when none */
    const char *type, *organisation, *channel, *address;
    int trial, reopen_count, rating;  /* rating 0: none */
    int64_t done_at;                  /* 0: not done */
    int64_t resolution_due_at;
} store_map_row;

typedef void (*store_map_fn)(const store_map_row *row, void *ctx);

/* Calls fn for up to `limit` appeals with id > after_id in id order; *n gets
 * how many (fewer than limit: the end). */
int store_map_page(db_conn *c, int64_t after_id, int limit, store_map_fn fn, void *ctx, int *n);
/* Up to `limit` appeals changed at or after `since` (updated_at), in
 * (updated_at, id) order after the key (since, after_id). */
int store_map_changed(db_conn *c, int64_t since, int64_t after_id, int limit, store_map_fn fn,
                      void *ctx, int *n);

/* Where an appeal is, for naming a problem point. */
typedef struct {
    bool found;
    char address[256];  /* "" when none */
    char district[64];  /* "" when none */
    double lat, lon;
} store_appeal_place;

/* out[i] for ids[i] (found false when no such appeal). */
int store_appeal_places(db_conn *c, const int64_t *ids, int n, store_appeal_place *out);
#endif
