/* The public map's aggregation: points of appeals in compact arrays and,
 * for a viewport (bbox + zoom) and filters, either the matching appeals or
 * counts per grid cell (Web Mercator: 256-px tiles, 64-px cells, doubled
 * until the cells in view fit the feature cap), with counts per status.
 * Points are kept as Mercator integers so a cell is a shift, not a log/tan:
 * a scan of a million points takes a few milliseconds.
 * Pure: no I/O, no locks (the caller holds whatever lock guards the points). */
#ifndef KONTAKT_DOMAIN_MAPAGG_H
#define KONTAKT_DOMAIN_MAPAGG_H
#include "domain/lifecycle.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAP_MAX_FEATURES 2000 /* never more features in one answer */
#define MAP_APPEAL_ZOOM 16    /* from this zoom on: appeals, never clusters */
#define MAP_MAX_ZOOM 20
#define MAP_NO_CODE 255       /* unknown category / no district */

/* A cell of the spatial index: 2^MAP_FINE_SHIFT Mercator units (~800 m in
 * Dnipro) with its points (order[start .. start+len)) and their counts. */
#define MAP_FINE_SHIFT 17
typedef struct {
    uint64_t key; /* y cell << 32 | x cell */
    uint32_t start, len;
    uint32_t by_status[DOM_ST_COUNT];
    uint64_t sum_x, sum_y;
} dom_mapcell;

/* Structure of arrays, sorted by id (the store's order), plus a spatial
 * index of the points [0, indexed) (dom_mappoints_index); points appended
 * later are scanned one by one until the next index. */
typedef struct {
    uint32_t *id;
    uint32_t *x, *y;  /* Web Mercator, the world as 2^32 x 2^32 (see dom_map_x/y) */
    uint32_t *seq;    /* the number: year-seq */
    uint16_t *year;
    uint16_t *day;    /* created: Kyiv calendar day, days since 1970-01-01 */
    uint8_t *status;  /* dom_status */
    uint8_t *category;/* index into the caller's category list, MAP_NO_CODE: unknown */
    uint8_t *district;/* index into the caller's district list, MAP_NO_CODE: none */
    size_t n, cap;
    uint32_t *order;    /* point indices grouped by cell */
    dom_mapcell *cells; /* sorted by key */
    size_t n_cells, indexed;
    bool stale;         /* an insert moved indexed points: index unusable until rebuilt */
    uint64_t gen;       /* counts the puts */
} dom_mappoints;

/* A spatial index built apart from the points it indexes (readers may go
 * on meanwhile), then installed if no put came in between. */
typedef struct {
    uint32_t *order;
    dom_mapcell *cells;
    size_t n_cells, indexed;
    uint64_t gen;
} dom_mapindex_build;

typedef struct {
    uint32_t id, seq;
    double lat, lon;
    uint16_t year, day;
    uint8_t status, category, district;
} dom_mappoint;

void dom_mappoints_init(dom_mappoints *p);
void dom_mappoints_reserve(dom_mappoints *p, size_t cap);
void dom_mappoints_free(dom_mappoints *p);
/* Inserts or replaces the point with pt->id, keeping the id order. */
void dom_mappoints_put(dom_mappoints *p, const dom_mappoint *pt);
/* (Re)builds the spatial index of all points. */
void dom_mappoints_index(dom_mappoints *p);
/* The same in two steps: build reads p only; install takes the build (true)
 * or frees it when p changed since (false). */
void dom_mapindex_make(const dom_mappoints *p, dom_mapindex_build *b);
bool dom_mapindex_install(dom_mappoints *p, dom_mapindex_build *b);
/* True when the index should be rebuilt (stale, or many points since). */
bool dom_mappoints_index_due(const dom_mappoints *p);
/* Index of id, or -1. */
long dom_mappoints_find(const dom_mappoints *p, uint32_t id);
/* Bytes held by the arrays. */
size_t dom_mappoints_bytes(const dom_mappoints *p);

typedef struct {
    double min_lon, min_lat, max_lon, max_lat;
    int zoom;                  /* 0..MAP_MAX_ZOOM */
    bool category[256];        /* used when any_category is false */
    bool any_category;
    bool status[DOM_ST_COUNT]; /* used when any_status is false */
    bool any_status;
    int day_from, day_to;      /* inclusive; -1: open */
    int district;              /* -1: any */
    int max_features;          /* 0: MAP_MAX_FEATURES */
} dom_mapquery;

void dom_mapquery_init(dom_mapquery *q);

typedef struct {
    bool cluster;
    uint32_t index;            /* appeal: index into the points */
    uint32_t count;            /* cluster */
    uint32_t by_status[DOM_ST_COUNT];
    double lat, lon;           /* cluster: the weighted centre */
} dom_mapfeature;

typedef struct {
    dom_mapfeature *features;  /* owned */
    size_t n;
    uint64_t total;            /* matching points in the bbox */
    bool truncated;            /* appeals beyond the cap were left out */
    bool clustered;
} dom_mapresult;

/* Answers the query. The result owns its features (dom_mapresult_free). */
void dom_map_aggregate(const dom_mappoints *p, const dom_mapquery *q, dom_mapresult *out);
void dom_mapresult_free(dom_mapresult *r);

/* Web Mercator in 2^32 units and back (x east, y south). */
uint32_t dom_map_x(double lon);
uint32_t dom_map_y(double lat);
double dom_map_lon(double x);
double dom_map_lat(double y);

/* Days since 1970-01-01 of a calendar date; false when the date is not valid. */
bool dom_map_date_days(int y, int m, int d, int *days);
/* The Kyiv calendar day of an instant (needs dom_tz_init, see deadline.h). */
int dom_map_day_of(int64_t ms);
#endif
