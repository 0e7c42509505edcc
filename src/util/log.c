#include "util/log.h"
#include "util/buf.h"
#include "util/timeutil.h"
#include <stdarg.h>
#include <stdio.h>
#include "util/banned.h"

static log_level min_level = LOG_INFO;
static const char *names[] = {"debug", "info", "warn", "error"};

void log_set_level(log_level min) { min_level = min; }

void log_event(log_level level, const char *msg, const char *fields_fmt, ...) {
    if (level < min_level) return;
    char ts[32];
    time_format_iso(time_now_ms(), ts, sizeof ts);
    buf b;
    buf_init(&b, 8192);
    buf_printf(&b, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"", ts, names[level], msg);
    if (fields_fmt && *fields_fmt) {
        va_list ap;
        va_start(ap, fields_fmt);
        char tmp[4096];
        int n = vsnprintf(tmp, sizeof tmp, fields_fmt, ap);
        va_end(ap);
        if (n > 0 && (size_t)n < sizeof tmp) {
            buf_puts(&b, ",");
            buf_puts(&b, tmp);
        }
    }
    buf_puts(&b, "}\n");
    /* One write per line so lines from threads never interleave. */
    fwrite(b.data, 1, b.len, stderr);
    buf_free(&b);
}
