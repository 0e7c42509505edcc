/* Validators for the fields residents and operators type. Pure: no I/O. */
#ifndef KONTAKT_DOMAIN_VALIDATE_H
#define KONTAKT_DOMAIN_VALIDATE_H
#include <stdbool.h>
#include <stddef.h>

/* Normalises a Ukrainian phone number to E.164 ("+380XXXXXXXXX").
 * Accepts the usual spellings: "+380 67 123 45 67", "380671234567",
 * "0671234567", "067-123-45-67", "(067) 123 45 67", "8 067 123 45 67",
 * "+38 (067) 123-45-67", "0 56 123 45 67" (landline, Dnipro 056).
 * Separators allowed: space, '-', '(', ')', '.'. The 9 national digits
 * after the trunk 0 must not start with 0. out must hold >= 16 bytes.
 * Returns false when the text is not such a number. */
bool dom_phone_normalize(const char *in, char *out, size_t cap);

/* Plausible e-mail: one '@', non-empty local part <= 64, domain with a dot,
 * labels of [A-Za-z0-9-] (no leading/trailing '-'), total <= 254, no spaces
 * or control characters. */
bool dom_email_valid(const char *s);

/* Number of Unicode code points in valid UTF-8, or -1 if the text is not
 * valid UTF-8 (overlongs, surrogates and > U+10FFFF are invalid). */
long dom_utf8_length(const char *s, size_t len);

/* True when the text contains control characters other than \n, \r, \t. */
bool dom_has_control_chars(const char *s, size_t len);

/* Rectangle of the city the server accepts pins in. */
typedef struct {
    double min_lon, min_lat, max_lon, max_lat;
} dom_bounds;

/* Parses "minLon,minLat,maxLon,maxLat"; false when malformed or empty. */
bool dom_bounds_parse(const char *text, dom_bounds *out);
bool dom_bounds_contains(const dom_bounds *b, double lat, double lon);

/* Appeal number "YYYY-NNNNNN" (year 2000..9999, six zero-padded digits;
 * past 999,999 in a year, 7 to 9 digits without padding). */
bool dom_number_parse(const char *s, int *year, long *seq);
/* Writes "YYYY-NNNNNN" into out (cap >= 15). */
void dom_number_format(int year, long seq, char *out, size_t cap);
#endif
