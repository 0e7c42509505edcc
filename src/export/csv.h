/* CSV for spreadsheets (RFC 4180): comma-separated, CRLF rows, cells with a
 * comma, quote or line break quoted and their quotes doubled. A file starts
 * with the UTF-8 BOM so that Excel reads Cyrillic right. A text cell that a
 * spreadsheet would run as a formula (first character = + - @, or a tab or
 * CR) gets a leading apostrophe: it stays text. Numbers are written as they
 * are (a negative number is not a formula). Pure: appends to a buf. */
#ifndef KONTAKT_EXPORT_CSV_H
#define KONTAKT_EXPORT_CSV_H
#include "util/buf.h"
#include <stdbool.h>
#include <stdint.h>

#define CSV_BOM "\xEF\xBB\xBF"

/* Starts a file: the BOM. */
bool csv_begin(buf *b);
/* A text cell; `last` ends the row (CRLF), otherwise a comma follows.
 * NULL is an empty cell. */
bool csv_text(buf *b, const char *s, bool last);
/* Numbers: an integer; a real with up to `decimals` digits after the point
 * (trailing zeros kept out); an empty cell when !isfinite. */
bool csv_int(buf *b, int64_t v, bool last);
bool csv_real(buf *b, double v, int decimals, bool last);
/* A row of text cells (n of them). */
bool csv_row(buf *b, const char *const *cells, int n);
#endif
