/* An organisation's scorecard for a period, from counts the store
 * gathers. Pure: no I/O. Shares are of finished appeals (done or closed);
 * a share or average with nothing to divide by is absent (has_* false),
 * never a made-up zero. */
#ifndef KONTAKT_DOMAIN_SCORECARD_H
#define KONTAKT_DOMAIN_SCORECARD_H
#include "domain/lifecycle.h"
#include <stdbool.h>
#include <stdint.h>

/* The reports' two rules, one place for all of them (the scorecards' SQL in
 * store/reports.c states the same): an appeal is finished when done or
 * closed; it was on time when finished with its work done by the
 * resolution deadline. dom_on_time: 1 on time, 0 late, -1 not finished or
 * never done (done_at 0). */
bool dom_finished(dom_status s);
int dom_on_time(dom_status s, int64_t done_at, int64_t resolution_due_at);

typedef struct {
    int64_t appeals;      /* registered in the period (trial appeals left out) */
    int64_t finished;     /* of those: done or closed */
    int64_t on_time;      /* of the finished: done_at <= resolution_due_at */
    int64_t reopened;     /* of the finished: reopened at least once */
    int64_t rating_sum, rating_count;
    int64_t overdue_now;  /* open and past the resolution deadline at the time of asking */
    int64_t violations;   /* recorded in the period */
    int64_t *to_done_ms;  /* per finished appeal: done_at - created_at (sorted in place) */
    int n_to_done;
} dom_score_input;

typedef struct {
    int64_t appeals, overdue_now, violations;
    bool has_on_time, has_median, has_reopen, has_rating;
    double on_time_share;  /* 0..1 */
    double median_hours_to_done;
    double reopen_share;   /* 0..1 */
    double average_rating; /* 1..5 */
} dom_scorecard;

/* The median of v (sorts v); false when n == 0. An even count averages
 * the two middle values. */
bool dom_median_ms(int64_t *v, int n, double *out);
void dom_scorecard_compute(dom_score_input *in, dom_scorecard *out);
#endif
