/* The public map's in-memory index: every appeal's number, point, status,
 * category, district and Kyiv day in compact arrays (domain/mapagg.h),
 * ~23 bytes an appeal. Loaded at serve start; kept current by this server's
 * own intake (mapindex_added) and, for several servers sharing one
 * PostgreSQL, by its own thread that reads the appeals whose updated_at is
 * at or after the last one seen (minus a slack for late commits) every
 * MAPINDEX_REFRESH_MS (the index's own thread). Readers share a read lock;
 * writers take it briefly. The same thread rebuilds the spatial index when
 * 20,000 points came since the last build (~0.2 s a million, write lock). */
#ifndef KONTAKT_API_MAPINDEX_H
#define KONTAKT_API_MAPINDEX_H
#include "domain/catalog.h"
#include "domain/mapagg.h"
#include "store/db.h"
#include "store/map_store.h"
#include "util/buf.h"
#include <stdbool.h>

#define MAPINDEX_REFRESH_MS 5000
#define MAPINDEX_SLACK_MS 10000

typedef struct mapindex mapindex;

/* Someone else fed with the same rows (the statistics index): every row
 * loaded, added by the intake or changed; pass_done after the load and
 * after each refresh pass. Called without the map's lock held. */
typedef struct {
    void (*row)(void *ctx, const store_map_row *row);
    void (*pass_done)(void *ctx);
    void *ctx;
} mapindex_observer;

/* Loads every appeal and starts the refresh thread. NULL on a database
 * error. obs may be NULL. */
mapindex *mapindex_start(db_pool *pool, const dom_catalog *cat, const mapindex_observer *obs);
void mapindex_stop(mapindex *m);

/* The intake stored this appeal: add it now (the row as stored). */
void mapindex_added(mapindex *m, const store_map_row *row);

/* Index of a district code among the codes seen, -1 when none has it. */
int mapindex_district(mapindex *m, const char *code);

/* Aggregates and writes the GeoJSON answer into out. */
void mapindex_geojson(mapindex *m, const dom_mapquery *q, buf *out);

size_t mapindex_count(mapindex *m);
#endif
