#include "jobs/sweeper.h"
#include "jobs/outbox.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include "jobs/wait.h"
#include "util/banned.h"

#define SWEEP_BATCH 500
#define IDLE_RECHECK_MS (60 * 1000) /* look for due appeals at least this often */
#define CHECKPOINT_MS 1000          /* and checkpoint SQLite's WAL this often */
#define IDEM_KEEP_MS (24 * 3600 * 1000LL) /* Idempotency-Key answers are kept a day */

struct sweeper {
    db_pool *pool;
    struct outbox_job *outbox; /* woken when a pass queued messages */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* CLOCK_MONOTONIC */
    bool stop;
    int64_t wake_at;       /* wall-clock ms of the next planned pass */
    int64_t checkpoint_at; /* wall-clock ms of the next WAL checkpoint */
};

static int sweep_tx(db_conn *c, void *ctx) {
    int64_t *args = ctx; /* [0] now, [1] out: marked */
    int marked = 0;
    int rc = store_sweep(c, args[0], SWEEP_BATCH, &marked);
    args[1] = marked;
    return rc;
}

int sweeper_run_once(db_conn *c, int64_t now) {
    int total = 0;
    for (;;) {
        int64_t args[2] = {now, 0};
        int rc = store_tx(c, true, sweep_tx, args);
        if (rc != DB_OK) return rc < 0 ? rc : DB_ERR;
        total += (int)args[1];
        if (args[1] < SWEEP_BATCH) return total;
    }
}

static int expire_tx(db_conn *c, void *ctx) { return store_idem_expire(c, *(int64_t *)ctx); }

static int64_t plan_next(sweeper *s, int64_t now) {
    db_conn *c = db_pool_acquire(s->pool);
    int marked = sweeper_run_once(c, now);
    int64_t next = 0;
    int rc = store_next_check(c, &next);
    int64_t before = now - IDEM_KEEP_MS;
    store_tx(c, true, expire_tx, &before);
    db_pool_release(s->pool, c);
    /* Due rows another server holds (PostgreSQL, SKIP LOCKED) stay due until
     * it commits: look again in a second rather than spin. */
    if (rc == DB_OK && marked == 0 && next <= now) next = now + 1000;
    if (marked > 0) {
        log_info("deadlines marked", "\"appeals\":%d", marked);
        outbox_wake(s->outbox); /* overdue, auto-closed: their messages go now */
    }
    if (marked < 0 || (rc != DB_OK && rc != DB_NOT_FOUND)) return now + 5000; /* retry soon */
    if (rc == DB_NOT_FOUND || next > now + IDLE_RECHECK_MS) next = now + IDLE_RECHECK_MS;
    return next;
}

static void *run(void *arg) {
    sweeper *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stop) {
        int64_t now = time_now_ms();
        if (now >= s->checkpoint_at) {
            pthread_mutex_unlock(&s->mu);
            db_conn *c = db_pool_acquire(s->pool);
            store_checkpoint(c);
            db_pool_release(s->pool, c);
            pthread_mutex_lock(&s->mu);
            s->checkpoint_at = now + CHECKPOINT_MS;
            continue;
        }
        if (now >= s->wake_at) {
            pthread_mutex_unlock(&s->mu);
            int64_t next = plan_next(s, now);
            pthread_mutex_lock(&s->mu);
            /* A wake during the pass may have asked for an earlier time. */
            if (s->wake_at <= now || next < s->wake_at) s->wake_at = next;
            continue;
        }
        int64_t wait_ms = (s->wake_at < s->checkpoint_at ? s->wake_at : s->checkpoint_at) - now;
        job_wait_ms(&s->cv, &s->mu, wait_ms);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

sweeper *sweeper_start(db_pool *pool, struct outbox_job *outbox) {
    sweeper *s = xcalloc(1, sizeof *s);
    s->pool = pool;
    s->outbox = outbox;
    s->wake_at = 0; /* a pass at once: catch up on what passed while down */
    pthread_mutex_init(&s->mu, NULL);
    job_cond_init(&s->cv);
    if (pthread_create(&s->thread, NULL, run, s) != 0) {
        log_error("cannot start the sweeper", NULL);
        abort();
    }
    return s;
}

void sweeper_wake(sweeper *s, int64_t at) {
    if (!s) return;
    pthread_mutex_lock(&s->mu);
    if (at < s->wake_at) {
        s->wake_at = at;
        pthread_cond_signal(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
}

void sweeper_stop(sweeper *s) {
    if (!s) return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}
