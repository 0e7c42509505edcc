/* The deadline sweeper: a thread that sleeps until the earliest
 * next_check_at of all appeals (or until woken by an earlier one), marks
 * what is due, and sleeps again. It never scans everything. */
#ifndef KONTAKT_JOBS_SWEEPER_H
#define KONTAKT_JOBS_SWEEPER_H
#include "store/db.h"
#include <stdint.h>

typedef struct sweeper sweeper;
struct outbox_job;

/* outbox (may be NULL) is woken after a pass that marked appeals: the
 * overdue and auto-close events queued messages. */
sweeper *sweeper_start(db_pool *pool, struct outbox_job *outbox);
/* A new appeal may be due at `at` or later: re-read the next wake time. */
void sweeper_wake(sweeper *s, int64_t at);
void sweeper_stop(sweeper *s);

/* One pass at `now`: what is due gets marked. Returns the number of
 * appeals changed, or < 0 on a database error. Used by the thread and by
 * tests with a controlled clock. */
int sweeper_run_once(db_conn *c, int64_t now);
#endif
