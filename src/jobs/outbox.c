/* The notification sender (jobs/outbox.h): the sweeper's thread pattern
 * (sleep until due or woken, do a pass, sleep again) over the outbox. */
#include "jobs/outbox.h"
#include "domain/templates.h"
#include "store/outbox.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "jobs/wait.h"
#include "util/banned.h"

#define OUTBOX_CODE_TTL_MS (10 * 60 * 1000LL) /* as api/resident.c's codes */

#define CLAIM_BATCH 20
#define IDLE_RECHECK_MS (30 * 1000) /* rows another server queued, rows of a sweeper pass */

struct outbox_job {
    db_pool *pool;
    outbox_config cfg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* CLOCK_MONOTONIC */
    bool stop;
    int64_t wake_at; /* wall-clock ms of the next pass */
    bool sms_skip_logged;
    bool ready; /* the public URL is known (outbox_set_public_url) */
};

typedef struct {
    int64_t now, lease_ms;
    store_outbox_row *rows;
    int n;
} claim_ctx;

static int claim_tx(db_conn *c, void *ctx) {
    claim_ctx *x = ctx;
    store_outbox_rows_free(x->rows, x->n);
    x->rows = NULL;
    x->n = 0;
    return store_outbox_claim(c, x->now, x->lease_ms, CLAIM_BATCH, &x->rows, &x->n);
}

typedef struct {
    const store_outbox_row *row;
    notify_result res;
    const char *status; /* for a final failure: "failed" or "skipped" */
    const char *error;
    int64_t now, first_retry_ms;
    bool failed;
} mark_ctx;

static int mark_tx(db_conn *c, void *ctx) {
    mark_ctx *x = ctx;
    if (x->res == NOTIFY_OK) return store_outbox_sent(c, x->row->id, x->now);
    if (x->res == NOTIFY_PERMANENT)
        return store_outbox_fail(c, x->row->id, x->now, x->status, x->error);
    return store_outbox_retry(c, x->row->id, x->row->attempts, x->now, x->first_retry_ms,
                              x->error, &x->failed);
}

/* Renders and sends one row; the outcome and a short error in err. */
static notify_result deliver(outbox_job *j, const store_outbox_row *row, const char **status,
                             char *err, size_t err_cap) {
    *status = "failed";
    if (row->attempts > STORE_OUTBOX_MAX_ATTEMPTS) {
        snprintf(err, err_cap, "too many attempts"); /* claimed again and again: died each time */
        return NOTIFY_PERMANENT;
    }
    /* A sign-in code lives 10 minutes: a late one is useless and still a secret. */
    if (strcmp(row->template_name, "login_code") == 0 &&
        time_now_ms() - row->created_at > OUTBOX_CODE_TTL_MS) {
        snprintf(err, err_cap, "sign-in code expired before it could be sent");
        return NOTIFY_PERMANENT;
    }
    if (strcmp(row->channel, "sms") == 0 && !j->cfg.sms.url) {
        *status = "skipped";
        snprintf(err, err_cap, "no SMS gateway configured");
        if (!j->sms_skip_logged)
            log_warn("SMS messages are skipped: KONTAKT_SMS_URL is not set", NULL);
        j->sms_skip_logged = true;
        return NOTIFY_PERMANENT;
    }
    json_t *params = json_loads(row->params, 0, NULL);
    tpl_message m;
    bool ok = tpl_render(row->template_name, row->lang, params, j->cfg.public_url, &m, err,
                         err_cap);
    json_decref(params);
    if (!ok) return NOTIFY_PERMANENT;
    notify_result res;
    if (strcmp(row->channel, "sms") == 0) {
        res = notify_sms_send(&j->cfg.sms, row->id, row->recipient, m.sms, err, err_cap);
    } else {
        notify_email e = {.id = row->id, .created_at = row->created_at, .to = row->recipient,
                          .subject = m.subject, .body = m.body};
        res = notify_email_send(&j->cfg.email, &e, err, err_cap);
    }
    tpl_message_free(&m);
    return res;
}

static void handle(outbox_job *j, const store_outbox_row *row) {
    char err[200] = "";
    const char *status = "failed";
    notify_result res = deliver(j, row, &status, err, sizeof err);
    mark_ctx x = {.row = row, .res = res, .status = status, .error = err, .now = time_now_ms(),
                  .first_retry_ms = j->cfg.first_retry_ms};
    db_conn *c = db_pool_acquire(j->pool);
    int rc = store_tx(c, true, mark_tx, &x);
    db_pool_release(j->pool, c);
    /* Ids, channels, templates and codes only: never an address or a text. */
    if (rc != DB_OK)
        log_error("outbox: outcome not stored", "\"id\":%lld,\"rc\":%d", (long long)row->id, rc);
    else if (res == NOTIFY_OK)
        log_info("outbox: sent", "\"id\":%lld,\"channel\":\"%s\",\"template\":\"%s\"",
                 (long long)row->id, row->channel, row->template_name);
    else if (res == NOTIFY_RETRY && !x.failed)
        log_warn("outbox: will retry", "\"id\":%lld,\"attempt\":%d", (long long)row->id,
                 row->attempts);
    else if (strcmp(status, "skipped") != 0)
        log_warn("outbox: failed", "\"id\":%lld,\"attempt\":%d", (long long)row->id, row->attempts);
}

int outbox_run_once(outbox_job *j, int64_t now) {
    int total = 0;
    for (;;) {
        claim_ctx x = {.now = now, .lease_ms = j->cfg.lease_ms};
        db_conn *c = db_pool_acquire(j->pool);
        int rc = store_tx(c, true, claim_tx, &x);
        db_pool_release(j->pool, c);
        if (rc != DB_OK) {
            store_outbox_rows_free(x.rows, x.n);
            return rc < 0 ? rc : DB_ERR;
        }
        /* Sent outside any transaction: a slow server holds no lock. */
        for (int i = 0; i < x.n; i++) handle(j, &x.rows[i]);
        store_outbox_rows_free(x.rows, x.n);
        total += x.n;
        pthread_mutex_lock(&j->mu);
        bool stop = j->stop;
        pthread_mutex_unlock(&j->mu);
        if (x.n < CLAIM_BATCH || stop) return total;
        now = time_now_ms();
    }
}

static int64_t plan_next(outbox_job *j, int64_t now) {
    int handled = outbox_run_once(j, now);
    int64_t next = 0;
    db_conn *c = db_pool_acquire(j->pool);
    int rc = store_outbox_next_due(c, &next);
    db_pool_release(j->pool, c);
    if (handled < 0 || (rc != DB_OK && rc != DB_NOT_FOUND)) return now + 5000;
    now = time_now_ms();
    /* Due rows another server holds (SKIP LOCKED) stay due until it
     * commits: look again in a second rather than spin. */
    if (rc == DB_OK && next <= now) next = now + (handled > 0 ? 0 : 1000);
    if (rc == DB_NOT_FOUND || next > now + IDLE_RECHECK_MS) next = now + IDLE_RECHECK_MS;
    return next;
}

static void *run(void *arg) {
    outbox_job *j = arg;
    pthread_mutex_lock(&j->mu);
    while (!j->stop) {
        if (!j->ready) {
            pthread_cond_wait(&j->cv, &j->mu);
            continue;
        }
        int64_t now = time_now_ms();
        if (now >= j->wake_at) {
            j->wake_at = INT64_MAX; /* a wake during the pass sets it again */
            pthread_mutex_unlock(&j->mu);
            int64_t next = plan_next(j, now);
            pthread_mutex_lock(&j->mu);
            if (next < j->wake_at) j->wake_at = next;
            continue;
        }
        int64_t wait_ms = j->wake_at - now;
        job_wait_ms(&j->cv, &j->mu, wait_ms);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

outbox_job *outbox_start(db_pool *pool, const outbox_config *cfg) {
    outbox_job *j = xcalloc(1, sizeof *j);
    j->pool = pool;
    j->cfg = *cfg;
    if (j->cfg.first_retry_ms <= 0) j->cfg.first_retry_ms = 60 * 1000;
    if (j->cfg.lease_ms <= 0) j->cfg.lease_ms = 5 * 60 * 1000;
    /* A send must end well inside its lease, or another pass could take
     * the row while this one still talks to the server. */
    long limit = (long)(j->cfg.lease_ms / 2 < 60000 ? j->cfg.lease_ms / 2 : 60000);
    j->cfg.email.timeout_ms = limit;
    j->cfg.sms.timeout_ms = limit;
    char err[256];
    if (!notify_email_prepare(&j->cfg.email, err, sizeof err))
        log_error("outbox: mail cannot be delivered", "\"reason\":\"%s\"", err);
    if (!j->cfg.email.smtp_url)
        log_info("outbox: KONTAKT_SMTP_URL is not set: mail goes to the Maildir <var>/mail/new",
                 NULL);
    if (!j->cfg.sms.url) log_info("outbox: KONTAKT_SMS_URL is not set: SMS are skipped", NULL);
    j->wake_at = 0; /* a pass at once: what waited while we were down */
    j->ready = j->cfg.public_url != NULL;
    pthread_mutex_init(&j->mu, NULL);
    job_cond_init(&j->cv);
    if (pthread_create(&j->thread, NULL, run, j) != 0) {
        log_error("cannot start the outbox sender", NULL);
        abort();
    }
    return j;
}

void outbox_set_public_url(outbox_job *j, const char *url) {
    pthread_mutex_lock(&j->mu);
    j->cfg.public_url = url;
    j->ready = true;
    j->wake_at = 0;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

void outbox_wake(outbox_job *j) {
    if (!j) return;
    pthread_mutex_lock(&j->mu);
    j->wake_at = 0;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

void outbox_stop(outbox_job *j) {
    if (!j) return;
    pthread_mutex_lock(&j->mu);
    j->stop = true;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    pthread_join(j->thread, NULL);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j);
}
