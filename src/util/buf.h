/* A growable byte buffer with a hard maximum: the one way we build strings.
 * Appends past the maximum fail (return false) and set `overflow`; the
 * buffer stays NUL-terminated and valid. Out of memory aborts. */
#ifndef KONTAKT_UTIL_BUF_H
#define KONTAKT_UTIL_BUF_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *data; /* NUL-terminated; owned */
    size_t len;
    size_t cap;
    size_t max; /* hard limit on len */
    bool overflow;
} buf;

void buf_init(buf *b, size_t max);
void buf_free(buf *b);
void buf_reset(buf *b);
bool buf_append(buf *b, const void *data, size_t len);
bool buf_puts(buf *b, const char *s);
bool buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the data to the caller (free() it) and resets the buffer. */
char *buf_steal(buf *b);

/* Bounded copy: always NUL-terminates; returns false when truncated. */
bool str_copy(char *dst, size_t cap, const char *src);
/* Lower-cases A–Z in place (emails are matched in lower case). */
void str_lower_ascii(char *s);
/* Parses a whole decimal integer in [min, max]; false otherwise. */
bool str_to_ll(const char *s, long long min, long long max, long long *out);

/* Out of memory: log and abort (the one policy). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
#endif
