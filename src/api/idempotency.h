/* Idempotency-Key: a retried POST gets the first answer. The stored answer
 * holds the private tracking token, so it is kept encrypted with a key
 * derived from the Idempotency-Key itself (which only the client knows);
 * the database holds only a hash of the key. */
#ifndef KONTAKT_API_IDEMPOTENCY_H
#define KONTAKT_API_IDEMPOTENCY_H
#include <stdbool.h>
#include <stddef.h>

#define IDEM_KEY_MAX 128

typedef struct {
    bool present;
    char key_hash[65];     /* sha256("kontakt-idem-id\0" key), hex */
    unsigned char enc[32]; /* sha256("kontakt-idem-enc\0" key) */
} idem_key;

/* Reads the header value (NULL: absent). False when present but invalid
 * (empty, > 128 chars, not printable ASCII). */
bool idem_parse(const char *header, idem_key *out);
/* Sealed answer as base64 text (malloc'd). */
char *idem_seal(const idem_key *k, const char *body);
/* Opens a sealed answer (malloc'd) or NULL when it does not open. */
char *idem_open(const idem_key *k, const char *sealed);
#endif
