#include "domain/scorecard.h"
#include <stdlib.h>
#include "util/banned.h"

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

bool dom_finished(dom_status s) { return s == DOM_ST_DONE || s == DOM_ST_CLOSED; }

int dom_on_time(dom_status s, int64_t done_at, int64_t resolution_due_at) {
    if (!dom_finished(s) || done_at <= 0) return -1;
    return done_at <= resolution_due_at;
}

bool dom_median_ms(int64_t *v, int n, double *out) {
    if (n <= 0) return false;
    qsort(v, (size_t)n, sizeof *v, cmp_i64);
    *out = n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2.0;
    return true;
}

void dom_scorecard_compute(dom_score_input *in, dom_scorecard *out) {
    *out = (dom_scorecard){.appeals = in->appeals, .overdue_now = in->overdue_now,
                           .violations = in->violations};
    if (in->finished > 0) {
        out->has_on_time = out->has_reopen = true;
        out->on_time_share = (double)in->on_time / (double)in->finished;
        out->reopen_share = (double)in->reopened / (double)in->finished;
    }
    double ms;
    if (dom_median_ms(in->to_done_ms, in->n_to_done, &ms)) {
        out->has_median = true;
        out->median_hours_to_done = ms / 3600000.0;
    }
    if (in->rating_count > 0) {
        out->has_rating = true;
        out->average_rating = (double)in->rating_sum / (double)in->rating_count;
    }
}
