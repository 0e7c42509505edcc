/* The in-memory address register: streets (current and old names), their
 * houses, a name search for autocomplete and a grid for the nearest known
 * address. Built once (serve start) from the store's rows, then read-only:
 * any number of threads may search it at once. Pure: no I/O. */
#ifndef KONTAKT_DOMAIN_ADDRESS_INDEX_H
#define KONTAKT_DOMAIN_ADDRESS_INDEX_H
#include "domain/address.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct addr_index addr_index;

addr_index *addr_index_new(void);
void addr_index_free(addr_index *ix);
/* Streets first, in ascending id order; then their old names and houses
 * (rows of unknown streets are ignored). district may be NULL. */
void addr_index_add_street(addr_index *ix, int64_t id, const char *name, const char *kind,
                           const char *district);
void addr_index_add_old_name(addr_index *ix, int64_t street_id, const char *old_name);
void addr_index_add_address(addr_index *ix, int64_t street_id, const char *house, bool has_coords,
                            double lat, double lon, const char *district);
/* The street whose current or old name has exactly the tokens of name
 * (case, apostrophes and punctuation aside), preferring the same kind
 * (ADDR_KIND_NONE: any) and current names; its id, or -1. Works before
 * finish too (imports add the streets they create). */
int64_t addr_index_find_street(const addr_index *ix, const char *name, addr_kind kind);
/* Only a street of exactly this kind, by its current name. */
int64_t addr_index_find_exact(const addr_index *ix, const char *name, addr_kind kind);
/* Sorts the houses, computes the streets' centres, builds the grid. */
void addr_index_finish(addr_index *ix);
size_t addr_index_street_count(const addr_index *ix);
size_t addr_index_address_count(const addr_index *ix);

typedef struct {
    const char *street;   /* current name, without the kind */
    addr_kind kind;
    const char *house;    /* NULL: the street as a whole */
    const char *district; /* code or NULL */
    bool has_coords;      /* the house's point, or the centre of the street's known houses */
    double lat, lon;
    const char *old_name; /* the old name the query matched, or NULL */
    int match;            /* ADDR_EXACT, ADDR_PREFIX or ADDR_TYPO */
} addr_suggestion;

#define ADDR_SUGGEST_MAX 20

/* Suggestions for what a person typed, best first: exact > prefix > typo,
 * current names over old ones, the kind typed over others, then by name.
 * With a house number in q: that street's matching houses (exact, then
 * those starting with it), or the street with the typed house when none is
 * known (house_buf holds it; no coordinates). Returns the count (<= limit,
 * <= ADDR_SUGGEST_MAX). */
int addr_index_search(const addr_index *ix, const char *q, addr_suggestion *out, int limit,
                      char *house_buf, size_t house_cap);

/* The nearest known house within max_m metres (max_m <= 300); false when
 * none. */
bool addr_index_nearest(const addr_index *ix, double lat, double lon, double max_m,
                        addr_suggestion *out, double *distance_m);
#endif
