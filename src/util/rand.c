#include "util/rand.h"
#include <sodium.h>
#include <string.h>
#include "util/banned.h"

bool rand_init(void) { return sodium_init() >= 0; }

void rand_token(char *out, size_t cap) {
    unsigned char raw[TOKEN_BYTES];
    randombytes_buf(raw, sizeof raw);
    if (cap < sodium_base64_ENCODED_LEN(TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
        if (cap) out[0] = '\0';
        return;
    }
    sodium_bin2base64(out, cap, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void rand_hex(char *out, size_t cap, size_t n) {
    unsigned char raw[64];
    if (n > sizeof raw || cap < 2 * n + 1) {
        if (cap) out[0] = '\0';
        return;
    }
    randombytes_buf(raw, n);
    sodium_bin2hex(out, cap, raw, n);
}

void hash_hex(const void *data, size_t len, char *out, size_t cap) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    if (cap < 2 * sizeof h + 1) {
        if (cap) out[0] = '\0';
        return;
    }
    sodium_bin2hex(out, cap, h, sizeof h);
}
