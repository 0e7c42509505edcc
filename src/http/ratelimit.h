/* Token buckets per client address (IPv4 mapped into 16 bytes). */
#ifndef KONTAKT_HTTP_RATELIMIT_H
#define KONTAKT_HTTP_RATELIMIT_H
#include <stdbool.h>
#include <stdint.h>

typedef struct ratelimit ratelimit;
/* per_minute 0: no limit (returns NULL; take always allows). Burst = per_minute. */
ratelimit *ratelimit_new(unsigned per_minute);
void ratelimit_free(ratelimit *r);
/* Takes one token for the address; false when its bucket is empty. */
bool ratelimit_take(ratelimit *r, const unsigned char addr[16], int64_t now_ms);
#endif
