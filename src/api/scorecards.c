/* GET /api/v1/scorecards: per organisation, for a period over the
 * registration instant (default: the last 30 days), the counts and shares
 * of domain/scorecard.h. Supervisors, analysts, admins (DOM_RIGHT_REPORTS).
 * Also the period parameters shared with the violations register. */
#include "api/api.h"
#include "api/staff.h"
#include "api/views.h"
#include "domain/period.h"
#include "store/store.h"
#include "util/timeutil.h"
#include <string.h>
#include "util/banned.h"

#define PERIOD_DEFAULT_MS (30 * 24 * 3600 * 1000LL)
#define PARAM_MAX 64

bool api_period(http_req *req, json_t *fields, int64_t *from, int64_t *to) {
    const char *f = http_query(req, "from"), *t = http_query(req, "to");
    bool ok = true;
    if (f && *f && (strlen(f) > PARAM_MAX || !dom_period_bound(f, false, from))) {
        http_field_error(req, fields, "from", "invalid_date", "YYYY-MM-DD");
        ok = false;
    }
    if (t && *t && (strlen(t) > PARAM_MAX || !dom_period_bound(t, true, to))) {
        http_field_error(req, fields, "to", "invalid_date", "YYYY-MM-DD");
        ok = false;
    }
    if (ok && *from >= *to) {
        http_field_error(req, fields, "to", "date_order", NULL);
        ok = false;
    }
    return ok;
}

static json_t *opt_real(bool has, double v) { return has ? json_real(v) : json_null(); }

static json_t *card_json(const store_score_row *r, const dom_scorecard *s) {
    return json_pack("{s:o, s:I, s:o, s:I, s:o, s:o, s:o, s:I}",
                     "organisation", api_named(r->code, r->name_uk, r->name_en),
                     "appeals", (json_int_t)s->appeals,
                     "on_time_share", opt_real(s->has_on_time, s->on_time_share),
                     "overdue_now", (json_int_t)s->overdue_now,
                     "median_hours_to_done", opt_real(s->has_median, s->median_hours_to_done),
                     "reopen_share", opt_real(s->has_reopen, s->reopen_share),
                     "average_rating", opt_real(s->has_rating, s->average_rating),
                     "violations", (json_int_t)s->violations);
}

typedef struct {
    int64_t from, to, now;
    store_score_row *rows;
    int n;
} score_ctx;

static int score_tx(db_conn *c, void *ctx) {
    score_ctx *s = ctx;
    return store_scorecards(c, s->from, s->to, s->now, &s->rows, &s->n);
}

void api_scorecards(http_req *req) {
    app_ctx *app = req->app;
    api_staff who;
    if (!api_staff_require(req, DOM_RIGHT_REPORTS, &who)) return;
    score_ctx s = {.now = time_now_ms()};
    s.to = s.now + 1; /* up to and including now */
    s.from = s.to - PERIOD_DEFAULT_MS;
    json_t *fields = json_object();
    if (!api_period(req, fields, &s.from, &s.to)) {
        http_reply_error(req, "invalid_query", fields);
        json_decref(fields);
        return;
    }
    json_decref(fields);
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_tx(c, false, score_tx, &s);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < s.n; i++) {
        dom_scorecard card;
        dom_scorecard_compute(&s.rows[i].in, &card);
        json_array_append_new(items, card_json(&s.rows[i], &card));
    }
    store_scorecards_free(s.rows, s.n);
    json_t *j = json_pack("{s:o, s:o, s:o, s:o}", "from", view_time(s.from), "to",
                          view_time(s.to), "generated_at", view_time(s.now), "items", items);
    http_reply_json(req, 200, j);
    json_decref(j);
}
