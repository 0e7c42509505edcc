/* The analytics' arithmetic: one compact fact per appeal (36 bytes), kept
 * sorted by id, with an index by Kyiv registration day and a list of the
 * open appeals, and the figures of a view (period + filters) computed from
 * them: counts by category, type, district, organisation, channel and hour,
 * the trend, shares, median and 90th percentile of the time to done, open
 * and overdue now, and the problem points (addresses and ~100 m areas with
 * repeated appeals of one category).
 *
 * A view reads only the facts of its period's days (the day index) plus
 * those appended since the index was built, and "open now" reads only the
 * open list: no view reads every appeal, however long the history.
 * Pure: no I/O, no locks (the caller guards the facts). */
#ifndef KONTAKT_DOMAIN_STATAGG_H
#define KONTAKT_DOMAIN_STATAGG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STAT_NO_CODE 255          /* unknown code / no district */
#define STAT_NOT_DONE UINT32_MAX  /* to_done_s of an appeal never done */
#define STAT_AREA_SHIFT 14        /* Mercator 2^32 units >> 14: ~100 m squares at 48° N */
#define STAT_INDEX_TAIL 20000     /* rebuild the day index after this many appends */
#define STAT_MAX_POINTS 50        /* problem addresses / areas in an answer */
#define STAT_MAX_HEAT 2000        /* heat areas in an answer */

enum {
    STAT_F_TRIAL = 1,
    STAT_F_REOPENED = 2, /* reopened at least once */
    STAT_F_ON_TIME = 4,  /* done by its resolution deadline */
    STAT_F_LISTED = 8,   /* in the open list (internal) */
};

typedef struct {
    uint32_t id;          /* the appeal's row id */
    uint32_t to_done_s;   /* done_at − created_at in seconds; STAT_NOT_DONE */
    uint32_t due_min;     /* resolution deadline, minutes since 1970 (UTC) */
    uint32_t area;        /* ~100 m square, relative to the facts' base (dom_stat_area) */
    uint32_t addr;        /* hash of the address text (dom_stat_addr_hash), 0: none */
    uint16_t day;         /* registered: Kyiv calendar day, days since 1970-01-01 */
    uint16_t done_day;    /* done: Kyiv day, 0: not done */
    uint8_t hour;         /* registered: Kyiv hour 0..23 */
    uint8_t category, type, district, org, channel; /* the caller's indices; STAT_NO_CODE */
    uint8_t status;       /* dom_status */
    uint8_t flags;        /* STAT_F_* */
    uint8_t rating;       /* 1..5, 0: none */
} dom_statfact;

typedef struct {
    dom_statfact *f;      /* sorted by id */
    size_t n, cap;
    uint32_t *order;      /* facts [0, indexed) by day */
    uint32_t *day_start;  /* order[day_start[d − day0] .. day_start[d − day0 + 1]) */
    int day0, n_days;
    size_t indexed;
    uint32_t *open;       /* facts open when listed (the status is checked when read) */
    size_t n_open, open_cap;
    bool stale;           /* an insert moved facts: indices unusable until rebuilt */
    uint32_t base_x, base_y; /* the area grid's origin: the city's centre */
} dom_statfacts;

void dom_statfacts_init(dom_statfacts *s, double center_lat, double center_lon);
void dom_statfacts_free(dom_statfacts *s);
void dom_statfacts_reserve(dom_statfacts *s, size_t cap);
/* Inserts or replaces the fact with f->id. */
void dom_statfacts_put(dom_statfacts *s, const dom_statfact *f);
/* Rebuilds the day index and the open list. */
void dom_statfacts_index(dom_statfacts *s);
bool dom_statfacts_index_due(const dom_statfacts *s);
size_t dom_statfacts_bytes(const dom_statfacts *s);

/* The area of a point, relative to the facts' base; and its centre. */
uint32_t dom_stat_area(const dom_statfacts *s, double lat, double lon);
void dom_stat_area_center(const dom_statfacts *s, uint32_t area, int coarsen, double *lat,
                          double *lon);
/* A hash of an address (ASCII case and white space folded), never 0 for a
 * non-empty one; 0 for NULL or "". */
uint32_t dom_stat_addr_hash(const char *address);

typedef struct {
    int day_from, day_to;   /* inclusive Kyiv days */
    int category, type, district, org, channel; /* -1: any; district STAT_NO_CODE: none */
    bool include_trial;
    uint32_t now_min;       /* "now", for overdue now */
    bool by_week;           /* trend buckets: weeks from Monday */
    int min_repeats;        /* problem points: at least this many; 0: none computed */
} dom_statquery;

void dom_statquery_init(dom_statquery *q);

typedef struct {
    uint32_t key;           /* the address hash or the area */
    uint32_t appeals;
    uint32_t sample;        /* the id of one of its appeals (to name it) */
    uint16_t first_day, last_day;
    uint8_t category;
} dom_statpoint;

typedef struct {
    uint32_t area, weight;
} dom_statheat;

typedef struct {
    uint64_t appeals, finished, on_time, reopened, rating_sum, ratings;
    uint64_t open_now, overdue_now, trial_left_out;
    uint64_t by_category[256], by_type[256], by_district[256], by_org[256], by_channel[256];
    uint64_t by_hour[24];
    uint64_t org_finished[256], org_on_time[256], org_overdue_now[256];
    uint64_t *trend;        /* n_trend buckets from trend_day0 (a Monday for weeks) */
    int n_trend, trend_day0;
    bool has_durations;
    double median_hours, p90_hours;
    dom_statpoint *addresses, *areas; /* most appeals first, at most STAT_MAX_POINTS */
    int n_addresses, n_areas;
    dom_statheat *heat;     /* heaviest first, at most STAT_MAX_HEAT */
    int n_heat;
} dom_statresult;

/* Working memory of a view (keys, the sort's spare array and counts, the
 * durations), kept between views by the caller so that a big view does not
 * fault in tens of megabytes of fresh pages every time. */
typedef struct {
    uint64_t *addr_keys, *area_keys, *tmp;
    size_t addr_cap, area_cap, tmp_cap;
    uint32_t *count;     /* 65536 radix counters */
    uint32_t *durations;
    size_t durations_cap;
} dom_statscratch;
void dom_statscratch_free(dom_statscratch *w);
size_t dom_statscratch_bytes(const dom_statscratch *w);

/* Computes the view; the result owns its arrays (dom_statresult_free).
 * scratch may be NULL (memory of this call only). */
void dom_stat_compute(const dom_statfacts *s, const dom_statquery *q, dom_statscratch *scratch,
                      dom_statresult *out);
void dom_statresult_free(dom_statresult *r);

/* The median and the 90th percentile (nearest rank) of v (reordered);
 * false when n is 0. The median of an even count is the mean of the two
 * middle values. */
bool dom_stat_percentiles(uint32_t *v, size_t n, double *median, double *p90);

/* Monday of the week of a day (days since 1970-01-01, a Thursday). */
int dom_stat_week_start(int day);
/* "YYYY-MM-DD" <-> days since 1970-01-01; parse is strict (a real day). */
void dom_stat_day_text(int day, char *out, size_t cap);
bool dom_stat_day_parse(const char *text, int *day);
#endif
