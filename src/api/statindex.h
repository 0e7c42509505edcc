/* The statistics index (docs/ANALYTICS.md): a fact per appeal
 * (domain/statagg.h) behind a read-write lock, fed with the same rows as
 * the public map's index (mapindex_observer): the load at serve start, this
 * server's intake, and the refresh of appeals changed since the last pass
 * (other servers' writes, every status change). After each pass the day
 * index is rebuilt when due (~10 ms a million). Views take the read lock. */
#ifndef KONTAKT_API_STATINDEX_H
#define KONTAKT_API_STATINDEX_H
#include "api/api.h"
#include "api/mapindex.h"
#include "domain/statagg.h"

typedef struct statindex statindex;

/* The codes' indices come from the app's catalogue and districts (which
 * must outlive the index). */
statindex *statindex_new(const app_ctx *app);
void statindex_free(statindex *s);
/* The observer to hand to mapindex_start. */
mapindex_observer statindex_observer(statindex *s);

/* The view, under the read lock (dom_statresult_free the result). */
void statindex_compute(statindex *s, const dom_statquery *q, dom_statresult *out);
/* The centre of a fact's area, coarsened by 2^coarsen in each direction. */
void statindex_area_center(statindex *s, uint32_t area, int coarsen, double *lat, double *lon);

/* Codes <-> indices (indices as in the facts; -1 / NULL when unknown). */
int statindex_category(const statindex *s, const char *code);
int statindex_type(const statindex *s, const char *category, const char *code);
int statindex_org(const statindex *s, const char *code);
int statindex_district(const statindex *s, const char *code);
int statindex_channel(const char *code);
const dom_category *statindex_category_at(const statindex *s, int i);
const dom_type *statindex_type_at(const statindex *s, int i, const dom_category **cat);
const dom_org *statindex_org_at(const statindex *s, int i);
const dom_district *statindex_district_at(const statindex *s, int i);
#endif
