/* The rows of an export (api/exports.c): the appeals of a dashboard view,
 * page by page, with no personal data (no name, phone, email, description).
 * Pages follow the registration order by keyset (created_at, id), so a
 * page costs the same however deep into a million rows it is, and no
 * connection is held between pages. */
#ifndef KONTAKT_STORE_EXPORTS_H
#define KONTAKT_STORE_EXPORTS_H
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int64_t from, to; /* created_at in [from, to) */
    const char *category, *type, *district, *organisation, *channel; /* "" or NULL: any */
    bool include_trial;
} store_export_filter;

typedef struct {
    char number[16];
    int64_t id, created_at;
    char category[64], type[64], district[64], organisation[64], channel[16], status[16];
    int64_t resolution_due_at;
    int64_t done_at;   /* 0: never done */
    int reopen_count;
    int rating;        /* 0: not rated */
    bool trial;
    char *address;     /* owned; NULL when none */
} store_export_row;

/* Where a page starts: after the row (created_at, id); {INT64_MIN, 0} first. */
typedef struct {
    int64_t created_at, id;
} store_export_cursor;

#define STORE_EXPORT_PAGE 5000

/* Up to `limit` rows after *cur into rows (the caller's array), *n set and
 * *cur moved past the last one; *n < limit means the end. */
int store_export_page(db_conn *c, const store_export_filter *f, store_export_cursor *cur,
                      int limit, store_export_row *rows, int *n);
void store_export_rows_free(store_export_row *rows, int n);
/* How many rows the filter matches (the progress total). */
int store_export_count(db_conn *c, const store_export_filter *f, int64_t *count);
#endif
