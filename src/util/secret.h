/* Staff secrets: password hashes (Argon2id, libsodium), the password
 * policy, and TOTP second factors (RFC 6238: HMAC-SHA1, 30 s, 6 digits, as
 * every authenticator app expects). */
#ifndef KONTAKT_UTIL_SECRET_H
#define KONTAKT_UTIL_SECRET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PASSWORD_MIN 12  /* code points */
#define PASSWORD_MAX 256 /* bytes: Argon2id is slow on purpose; bound its input */
#define PW_HASH_CAP 128  /* crypto_pwhash_STRBYTES */
#define TOTP_SECRET_BYTES 20
#define TOTP_SECRET_TEXT 33 /* base32 of 20 bytes (32 chars) + NUL */

/* Argon2id with libsodium's interactive limits. False only when out of memory. */
bool pw_hash(const char *password, char out[PW_HASH_CAP]);
/* Constant-time verify; false on a mismatch or a malformed hash. */
bool pw_verify(const char *stored_hash, const char *password);

/* The list of common passwords (one per line, e.g. Debian john-data's
 * password.lst) consulted by pw_policy. Loaded once at start; a missing
 * file is reported and the check then relies on cracklib alone. */
typedef struct pw_list pw_list;
pw_list *pw_list_load(const char *path, char *err, size_t err_cap);
void pw_list_free(pw_list *l);
size_t pw_list_size(const pw_list *l);

typedef enum { PW_OK, PW_TOO_SHORT, PW_TOO_LONG, PW_COMMON, PW_WEAK } pw_verdict;
/* The policy: 12+ code points, not a common password (also with trailing
 * digits and punctuation removed, case-insensitively), not refused by
 * cracklib. `list` may be NULL. reason (may be NULL) gets cracklib's words. */
pw_verdict pw_policy(const pw_list *list, const char *password, char *reason, size_t reason_cap);

/* A new random TOTP secret as base32 text (no padding). */
void totp_new_secret(char out[TOTP_SECRET_TEXT]);
/* The 6-digit code of `secret_b32` for the 30-second step holding unix_s;
 * false when the secret is not valid base32. */
bool totp_code(const char *secret_b32, int64_t unix_s, char out[7]);
/* Accepts the code of the current step or one step either side (clock
 * drift), only when that step is later than `after_step` (the last one
 * used: no replay). *step gets the matching step. Constant-time comparison. */
bool totp_verify(const char *secret_b32, const char *code, int64_t unix_s, int64_t after_step,
                 int64_t *step);
/* otpauth://totp/Kontakt:LOGIN?secret=...&issuer=Kontakt into out. */
bool totp_uri(const char *login, const char *secret_b32, char *out, size_t cap);
#endif
