/* The open data's rows (api/opendata.c): appeals of a period, never trial,
 * read in keyset pages so a year of a big city is never held in memory.
 * Only the columns the open data publishes are read: no number, text,
 * address, name or contact ever leaves the database here. */
#ifndef KONTAKT_STORE_OPENDATA_H
#define KONTAKT_STORE_OPENDATA_H
#include "domain/catalog.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

#define STORE_OPENDATA_PAGE 2000 /* rows per query */

typedef struct {
    int64_t id, created_at;
    char category[DOM_CODE_MAX], type[DOM_CODE_MAX], district[DOM_CODE_MAX];
    char organisation[DOM_CODE_MAX], channel[16], status[16];
    bool has_done;
    int64_t done_at, resolution_due_at;
    double lat, lon; /* exact: the caller coarsens them before they leave */
} store_opendata_row;

/* Where the next page starts: after (created_at, id) in that order. */
typedef struct {
    int64_t created_at, id;
} store_opendata_key;

/* Up to `cap` (≤ STORE_OPENDATA_PAGE) non-trial appeals created in
 * [from, to) after *key, ordered by (created_at, id), into rows; *n their
 * number; *key moves to the last one. DB_OK or the error. Start with
 * key = {from, -1}. */
int store_opendata_page(db_conn *c, int64_t from, int64_t to, store_opendata_key *key,
                        store_opendata_row *rows, int cap, int *n);
#endif
