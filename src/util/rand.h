/* Tokens and hashes (libsodium). */
#ifndef KONTAKT_UTIL_RAND_H
#define KONTAKT_UTIL_RAND_H
#include <stdbool.h>
#include <stddef.h>

#define TOKEN_BYTES 32          /* 256 bits */
#define TOKEN_TEXT_LEN 43       /* base64url without padding */
#define HASH_HEX_LEN 64         /* SHA-256 in hex */

bool rand_init(void); /* sodium_init; false on failure */
/* A fresh random token as base64url text; out cap >= TOKEN_TEXT_LEN + 1. */
void rand_token(char *out, size_t cap);
/* Random bytes as lower-case hex: out cap >= 2*n + 1. */
void rand_hex(char *out, size_t cap, size_t n);
/* SHA-256 of data as lower-case hex; out cap >= HASH_HEX_LEN + 1. */
void hash_hex(const void *data, size_t len, char *out, size_t cap);
#endif
