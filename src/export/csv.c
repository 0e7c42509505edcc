#include "export/csv.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "util/banned.h"

bool csv_begin(buf *b) { return buf_puts(b, CSV_BOM); }

static bool end_cell(buf *b, bool last) { return buf_puts(b, last ? "\r\n" : ","); }

bool csv_text(buf *b, const char *s, bool last) {
    if (!s) s = "";
    bool formula = s[0] && strchr("=+-@\t\r", s[0]);
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    bool ok = true;
    if (quote) ok = buf_puts(b, "\"");
    if (formula) ok = ok && buf_puts(b, "'");
    const char *run = s;
    for (const char *p = s; *p; p++) {
        if (*p != '"') continue;
        ok = ok && buf_append(b, run, (size_t)(p - run + 1)) && buf_puts(b, "\"");
        run = p + 1;
    }
    ok = ok && buf_puts(b, run);
    if (quote) ok = ok && buf_puts(b, "\"");
    return ok && end_cell(b, last);
}

bool csv_int(buf *b, int64_t v, bool last) {
    return buf_printf(b, "%lld", (long long)v) && end_cell(b, last);
}

bool csv_real(buf *b, double v, int decimals, bool last) {
    if (!isfinite(v)) return end_cell(b, last);
    if (decimals < 0) decimals = 0;
    if (decimals > 10) decimals = 10;
    char text[64];
    snprintf(text, sizeof text, "%.*f", decimals, v);
    if (strchr(text, '.')) { /* 0.500 -> 0.5, 2.000 -> 2 */
        size_t n = strlen(text);
        while (n && text[n - 1] == '0') text[--n] = '\0';
        if (n && text[n - 1] == '.') text[--n] = '\0';
    }
    if (strcmp(text, "-0") == 0) str_copy(text, sizeof text, "0");
    return buf_puts(b, text) && end_cell(b, last);
}

bool csv_row(buf *b, const char *const *cells, int n) {
    bool ok = true;
    for (int i = 0; i < n; i++) ok = csv_text(b, cells[i], i == n - 1) && ok;
    return ok;
}
