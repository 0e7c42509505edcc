/* XLSX workbooks over libxlsxwriter in constant-memory mode: rows go to
 * disk as they are written, so a million-row sheet costs the same memory
 * as a ten-row one. Rows are written in order, cell by cell, left to right.
 * Each sheet has one bold header row, frozen, and its column widths; numbers
 * are numbers, dates are Excel dates with a date format, shares are
 * percentages. A sheet that reaches the row limit of Excel (1,048,576)
 * continues on a new sheet "<name> (2)" with the same header.
 *
 * Uses util/ only; the caller gives local wall-clock times (Kyiv). */
#ifndef KONTAKT_EXPORT_XLSX_H
#define KONTAKT_EXPORT_XLSX_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLSX_ROWS_MAX 1048576 /* Excel's rows per sheet, the header included */
#define XLSX_TEXT_MAX 32767   /* Excel's characters per cell: longer text is cut */

typedef enum {
    XLSX_TEXT,
    XLSX_INT,      /* whole numbers */
    XLSX_REAL,     /* one decimal shown (hours, ratings) */
    XLSX_SHARE,    /* 0..1 shown as a percentage, 0.0% */
    XLSX_DATETIME, /* local date and time: yyyy-mm-dd hh:mm */
    XLSX_DATE,     /* local date: yyyy-mm-dd */
} xlsx_kind;

typedef struct {
    const char *title; /* the header cell */
    xlsx_kind kind;
    double width;      /* characters; 0: a default by kind */
} xlsx_col;

typedef struct xlsx_book xlsx_book;
typedef struct xlsx_sheet xlsx_sheet;

/* A new workbook written to `path` on xlsx_close; libxlsxwriter's temporary
 * files go to tmpdir (NULL: the system's). NULL when it cannot start. */
xlsx_book *xlsx_open(const char *path, const char *tmpdir);
/* For tests: rows per sheet before a continuation sheet (header included). */
void xlsx_set_rows_max(xlsx_book *b, uint32_t rows);

/* A new sheet with its header row (cols is copied; the title strings must
 * live until xlsx_close). Owned by the book. NULL on error (a bad or
 * duplicate name: the book remembers the error). */
xlsx_sheet *xlsx_sheet_add(xlsx_book *b, const char *name, const xlsx_col *cols, int n_cols);

/* Cells of the current row, left to right; each call moves one column on.
 * Writing past the last column is an error the book remembers. */
void xlsx_text(xlsx_sheet *s, const char *text); /* NULL or "": an empty cell */
void xlsx_int(xlsx_sheet *s, int64_t v);
void xlsx_real(xlsx_sheet *s, double v);         /* !isfinite: an empty cell; the column's format */
void xlsx_share(xlsx_sheet *s, double v);        /* a percentage whatever the column */
void xlsx_datetime(xlsx_sheet *s, int64_t local_ms); /* wall-clock ms since 1970 as if UTC */
void xlsx_date(xlsx_sheet *s, int day);          /* days since 1970-01-01 */
void xlsx_blank(xlsx_sheet *s);
/* Ends the row (missing cells stay empty). */
void xlsx_row_end(xlsx_sheet *s);
/* Rows written to the sheet (and its continuations), the header left out. */
uint64_t xlsx_rows(const xlsx_sheet *s);

/* Writes the file and frees the book. False (with a reason in err) when
 * any write failed or the file could not be made; the partial file is the
 * caller's to remove. */
bool xlsx_close(xlsx_book *b, char *err, size_t err_cap);
#endif
