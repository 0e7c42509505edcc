/* Analytics (issue 6): the dashboard's figures and the public statistics,
 * answered from the in-memory statistics index (api/statindex.c), never by
 * scanning the appeals table on a page view. The export jobs
 * (api/exports.c) write the same figures to XLSX / CSV; they and the open
 * data (api/opendata.c) read the appeals' rows from the database in pages. */
#ifndef KONTAKT_API_STATS_H
#define KONTAKT_API_STATS_H
#include "api/api.h"
#include "domain/catalog.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define STATS_PERIOD_DEFAULT_DAYS 30
#define STATS_PERIOD_MAX_DAYS 3660  /* ten years: every query names its period */
#define STATS_MIN_REPEATS_DEFAULT 3 /* a problem point: this many appeals of one category */
#define STATS_PUBLIC_MIN_ORG 30     /* public on-time share only from this many appeals */

/* A dashboard view: the period as Kyiv calendar days (inclusive) and the
 * filters; "" = any. Parsed from the query string by api_stats_query_parse:
 *   from, to            YYYY-MM-DD (default: the last 30 days up to today)
 *   category, type, district, organisation, channel   codes
 *   group               day | week (trend buckets; default day)
 *   include_trial       1 | true: count trial appeals too (default: left out)
 *   min_repeats         2..100: problem points threshold (default 3) */
typedef struct {
    char from[11], to[11];          /* "YYYY-MM-DD" as given or defaulted */
    int day_from, day_to;           /* days since 1970-01-01, inclusive */
    char category[DOM_CODE_MAX], type[DOM_CODE_MAX], district[DOM_CODE_MAX];
    char organisation[DOM_CODE_MAX], channel[16];
    bool by_week;
    bool include_trial;
    int min_repeats;
} api_stats_query;

/* Fills q from the request's query string. Unknown codes are errors
 * (unknown_category, …) with the field named; false after adding field
 * errors to `fields` (the caller answers 400 invalid_query). */
bool api_stats_query_parse(http_req *req, json_t *fields, api_stats_query *q);

/* The dashboard's answer for q (docs/API.md "Analytics"): totals, by
 * category / type / district / organisation / channel / hour, the trend,
 * problem points. New reference; NULL when the index is not loaded. */
json_t *api_stats_dashboard(app_ctx *app, const api_stats_query *q);

/* The public statistics for [day_from, day_to] (no filters, never trial,
 * organisations below STATS_PUBLIC_MIN_ORG appeals left out of the ranking). */
json_t *api_stats_public(app_ctx *app, int day_from, int day_to);

/* from/to of a period as Kyiv days (default: the last default_days days
 * up to today, at most max_days); the dates as given into from/to
 * ("YYYY-MM-DD", 11 bytes). False after adding field errors. */
bool api_stats_period(http_req *req, json_t *fields, int max_days, int default_days, char *from,
                      char *to, int *day_from, int *day_to);

/* Handlers (routes.c) */
void api_stats_dashboard_get(http_req *req);
void api_stats_public_get(http_req *req);

#endif
