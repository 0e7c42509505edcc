/* Structured logging: one JSON object per line on stderr. Never pass
 * personal data (names, phones, emails, descriptions, tokens) to these. */
#ifndef KONTAKT_UTIL_LOG_H
#define KONTAKT_UTIL_LOG_H
#include <stdbool.h>

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;

void log_set_level(log_level min);
/* msg is a short fixed text; fields is either NULL or a JSON fragment of
 * extra members without braces, e.g. "\"port\":8080" (already escaped). */
void log_event(log_level level, const char *msg, const char *fields_fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define log_info(msg, ...) log_event(LOG_INFO, msg, __VA_ARGS__)
#define log_warn(msg, ...) log_event(LOG_WARN, msg, __VA_ARGS__)
#define log_error(msg, ...) log_event(LOG_ERROR, msg, __VA_ARGS__)
#endif
