#include "api/idempotency.h"
#include "util/buf.h"
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

static void derive(const char *label, const char *key, size_t len, unsigned char out[32]) {
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)label, strlen(label) + 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)key, len);
    crypto_hash_sha256_final(&st, out);
}

bool idem_parse(const char *header, idem_key *out) {
    memset(out, 0, sizeof *out);
    if (!header) return true;
    size_t len = strlen(header);
    if (len == 0 || len > IDEM_KEY_MAX) return false;
    for (size_t i = 0; i < len; i++)
        if (header[i] < 0x20 || header[i] > 0x7e) return false;
    unsigned char id[32];
    derive("kontakt-idem-id", header, len, id);
    sodium_bin2hex(out->key_hash, sizeof out->key_hash, id, sizeof id);
    derive("kontakt-idem-enc", header, len, out->enc);
    out->present = true;
    return true;
}

char *idem_seal(const idem_key *k, const char *body) {
    size_t mlen = strlen(body);
    size_t clen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + mlen;
    unsigned char *c = xmalloc(clen);
    randombytes_buf(c, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(c + crypto_secretbox_NONCEBYTES, (const unsigned char *)body, mlen, c,
                          k->enc);
    size_t tlen = sodium_base64_ENCODED_LEN(clen, sodium_base64_VARIANT_ORIGINAL);
    char *text = xmalloc(tlen);
    sodium_bin2base64(text, tlen, c, clen, sodium_base64_VARIANT_ORIGINAL);
    free(c);
    return text;
}

char *idem_open(const idem_key *k, const char *sealed) {
    size_t tlen = strlen(sealed);
    unsigned char *c = xmalloc(tlen + 1);
    size_t clen = 0;
    char *out = NULL;
    if (sodium_base642bin(c, tlen + 1, sealed, tlen, NULL, &clen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) == 0 &&
        clen >= crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
        size_t mlen = clen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
        out = xmalloc(mlen + 1);
        if (crypto_secretbox_open_easy((unsigned char *)out, c + crypto_secretbox_NONCEBYTES,
                                       clen - crypto_secretbox_NONCEBYTES, c, k->enc) == 0) {
            out[mlen] = '\0';
        } else {
            free(out);
            out = NULL;
        }
    }
    free(c);
    return out;
}
