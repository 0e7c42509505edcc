/* Per-client-address rate limit: a token bucket per address in a fixed
 * table (no allocation per client; an address that collides with another
 * in a full bucket set simply shares its budget, which only errs on the
 * strict side). */
#include "http/ratelimit.h"
#include "util/buf.h"
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define SLOTS 4096 /* power of two */

typedef struct {
    unsigned char addr[16];
    double tokens;
    int64_t last_ms;
    bool used;
} slot;

struct ratelimit {
    unsigned char key[crypto_shorthash_KEYBYTES];
    pthread_mutex_t mu;
    double per_ms, burst;
    slot slots[SLOTS];
};

ratelimit *ratelimit_new(unsigned per_minute) {
    if (per_minute == 0) return NULL;
    ratelimit *r = xcalloc(1, sizeof *r);
    crypto_shorthash_keygen(r->key);
    pthread_mutex_init(&r->mu, NULL);
    r->per_ms = per_minute / 60000.0;
    r->burst = per_minute;
    return r;
}

void ratelimit_free(ratelimit *r) {
    if (!r) return;
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/* Keyed with a random key per process: nobody can aim addresses at a
 * victim's slot. IPv6 clients count per /64 (one subscriber's prefix). */
static size_t hash_addr(const ratelimit *r, const unsigned char *a) {
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, a, 16, r->key);
    size_t v = 0;
    memcpy(&v, h, sizeof v < sizeof h ? sizeof v : sizeof h);
    return v & (SLOTS - 1);
}

bool ratelimit_take(ratelimit *r, const unsigned char client[16], int64_t now_ms) {
    if (!r) return true;
    unsigned char addr[16];
    memcpy(addr, client, 16);
    bool v4 = addr[10] == 0xff && addr[11] == 0xff && !addr[0] && !addr[1];
    if (!v4) memset(addr + 8, 0, 8);
    size_t i = hash_addr(r, addr);
    pthread_mutex_lock(&r->mu);
    slot *s = &r->slots[i];
    if (!s->used || memcmp(s->addr, addr, 16) != 0) {
        /* A new address, or an idle one taking over the slot of another that
         * has refilled completely (so nobody loses an earned penalty). */
        double refilled = s->used ? s->tokens + (double)(now_ms - s->last_ms) * r->per_ms : r->burst;
        if (!s->used || refilled >= r->burst) {
            memcpy(s->addr, addr, 16);
            s->tokens = r->burst;
            s->last_ms = now_ms;
            s->used = true;
        }
    }
    s->tokens += (double)(now_ms - s->last_ms) * r->per_ms;
    if (s->tokens > r->burst) s->tokens = r->burst;
    s->last_ms = now_ms;
    bool ok = s->tokens >= 1.0;
    if (ok) s->tokens -= 1.0;
    pthread_mutex_unlock(&r->mu);
    return ok;
}
