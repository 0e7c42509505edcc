/* The background jobs' sleep: a condition variable on the monotonic clock
 * (a wall-clock change never makes a job oversleep), woken early by a
 * signal. Shared by the sweeper and the outbox sender. */
#ifndef KONTAKT_JOBS_WAIT_H
#define KONTAKT_JOBS_WAIT_H
#include <pthread.h>
#include <stdint.h>

/* Initialises cv on CLOCK_MONOTONIC. */
void job_cond_init(pthread_cond_t *cv);
/* Waits on cv (mu held) at most ms milliseconds. */
void job_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t ms);
#endif
