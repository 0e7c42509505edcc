/* The XLSX writer: a thin layer over libxlsxwriter (constant_memory mode). */
#include "export/xlsx.h"
#include "util/buf.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>
#include "util/banned.h"

#define EXCEL_EPOCH_DAYS 25569.0 /* 1970-01-01 as an Excel serial day (1900 system) */
#define SHEET_NAME_MAX 128       /* bytes: 31 characters of up to 4 bytes each */

struct xlsx_sheet {
    xlsx_book *book;
    lxw_worksheet *ws;
    char name[SHEET_NAME_MAX];
    xlsx_col *cols; /* a copy (the titles are the caller's) */
    int n_cols;
    int part;       /* 1, then 2, 3… for continuation sheets */
    uint32_t row;   /* the current row of ws (0 is the header) */
    int col;        /* the next column of the current row */
    uint64_t rows;  /* data rows, all parts */
    xlsx_sheet *next;
};

struct xlsx_book {
    lxw_workbook *wb;
    lxw_format *bold, *datetime, *date, *share, *real;
    xlsx_sheet *sheets;
    uint32_t rows_max;
    lxw_error err; /* the first error */
    char err_what[96];
};

static void fail(xlsx_book *b, lxw_error e, const char *what) {
    if (e == LXW_NO_ERROR || b->err != LXW_NO_ERROR) return;
    b->err = e;
    str_copy(b->err_what, sizeof b->err_what, what);
}

xlsx_book *xlsx_open(const char *path, const char *tmpdir) {
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb) return NULL;
    xlsx_book *b = xcalloc(1, sizeof *b);
    b->wb = wb;
    b->rows_max = XLSX_ROWS_MAX;
    b->bold = workbook_add_format(wb);
    format_set_bold(b->bold);
    format_set_text_wrap(b->bold);
    format_set_align(b->bold, LXW_ALIGN_VERTICAL_TOP);
    b->datetime = workbook_add_format(wb);
    format_set_num_format(b->datetime, "yyyy-mm-dd hh:mm");
    b->date = workbook_add_format(wb);
    format_set_num_format(b->date, "yyyy-mm-dd");
    b->share = workbook_add_format(wb);
    format_set_num_format(b->share, "0.0%");
    b->real = workbook_add_format(wb);
    format_set_num_format(b->real, "0.0");
    return b;
}

void xlsx_set_rows_max(xlsx_book *b, uint32_t rows) {
    b->rows_max = rows >= 2 && rows <= XLSX_ROWS_MAX ? rows : XLSX_ROWS_MAX;
}

static double default_width(xlsx_kind k) {
    switch (k) {
    case XLSX_TEXT: return 24;
    case XLSX_DATETIME: return 17;
    case XLSX_DATE: return 12;
    default: return 11;
    }
}

/* A worksheet for s's current part: its header, widths and frozen row. */
static bool start_part(xlsx_sheet *s) {
    xlsx_book *b = s->book;
    char name[SHEET_NAME_MAX + 16];
    if (s->part == 1) snprintf(name, sizeof name, "%s", s->name);
    else snprintf(name, sizeof name, "%s (%d)", s->name, s->part);
    lxw_error e = workbook_validate_sheet_name(b->wb, name);
    if (e != LXW_NO_ERROR) {
        fail(b, e, "sheet name");
        return false;
    }
    s->ws = workbook_add_worksheet(b->wb, name);
    if (!s->ws) {
        fail(b, LXW_ERROR_MEMORY_MALLOC_FAILED, "add sheet");
        return false;
    }
    for (int i = 0; i < s->n_cols; i++) {
        double w = s->cols[i].width > 0 ? s->cols[i].width : default_width(s->cols[i].kind);
        fail(b, worksheet_set_column(s->ws, (lxw_col_t)i, (lxw_col_t)i, w, NULL), "column width");
        fail(b, worksheet_write_string(s->ws, 0, (lxw_col_t)i, s->cols[i].title, b->bold),
             "header");
    }
    worksheet_freeze_panes(s->ws, 1, 0);
    s->row = 1;
    s->col = 0;
    return true;
}

xlsx_sheet *xlsx_sheet_add(xlsx_book *b, const char *name, const xlsx_col *cols, int n_cols) {
    if (n_cols < 1 || n_cols > 256) {
        fail(b, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE, "columns");
        return NULL;
    }
    xlsx_sheet *s = xcalloc(1, sizeof *s);
    s->book = b;
    s->cols = xmalloc((size_t)n_cols * sizeof *cols);
    memcpy(s->cols, cols, (size_t)n_cols * sizeof *cols);
    s->n_cols = n_cols;
    s->part = 1;
    if (!str_copy(s->name, sizeof s->name, name) || !start_part(s)) {
        fail(b, LXW_ERROR_SHEETNAME_LENGTH_EXCEEDED, "sheet name");
        free(s->cols);
        free(s);
        return NULL;
    }
    s->next = b->sheets;
    b->sheets = s;
    return s;
}

/* The cell to write next, or false when the row is full. */
static bool next_cell(xlsx_sheet *s, lxw_col_t *col) {
    if (!s) return false;
    if (s->col >= s->n_cols) {
        fail(s->book, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE, "too many cells in a row");
        return false;
    }
    *col = (lxw_col_t)s->col++;
    return s->ws != NULL;
}

void xlsx_text(xlsx_sheet *s, const char *text) {
    lxw_col_t c;
    if (!next_cell(s, &c) || !text || !*text) return;
    lxw_error e = worksheet_write_string(s->ws, s->row, c, text, NULL);
    if (e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED) {
        /* cut on a character boundary below Excel's limit */
        size_t n = XLSX_TEXT_MAX;
        while (n && ((unsigned char)text[n] & 0xC0) == 0x80) n--;
        char *cut = xmalloc(n + 1);
        memcpy(cut, text, n);
        cut[n] = '\0';
        e = worksheet_write_string(s->ws, s->row, c, cut, NULL);
        free(cut);
    }
    fail(s->book, e, "text cell");
}

static void number(xlsx_sheet *s, double v, lxw_format *f) {
    lxw_col_t c;
    if (!next_cell(s, &c) || !isfinite(v)) return;
    fail(s->book, worksheet_write_number(s->ws, s->row, c, v, f), "number cell");
}

void xlsx_int(xlsx_sheet *s, int64_t v) { number(s, (double)v, NULL); }

void xlsx_real(xlsx_sheet *s, double v) {
    if (!s) return;
    bool share = s->col < s->n_cols && s->cols[s->col].kind == XLSX_SHARE;
    number(s, v, share ? s->book->share : s->book->real);
}

void xlsx_share(xlsx_sheet *s, double v) {
    if (s) number(s, v, s->book->share);
}

void xlsx_datetime(xlsx_sheet *s, int64_t local_ms) {
    if (!s) return;
    number(s, (double)local_ms / 86400000.0 + EXCEL_EPOCH_DAYS, s->book->datetime);
}

void xlsx_date(xlsx_sheet *s, int day) {
    if (!s) return;
    number(s, (double)day + EXCEL_EPOCH_DAYS, s->book->date);
}

void xlsx_blank(xlsx_sheet *s) {
    lxw_col_t c;
    next_cell(s, &c);
}

void xlsx_row_end(xlsx_sheet *s) {
    if (!s || !s->ws) return;
    s->rows++;
    s->row++;
    s->col = 0;
    if (s->row < s->book->rows_max) return;
    s->part++; /* Excel's limit: the rows go on on a new sheet */
    if (!start_part(s)) s->ws = NULL;
}

uint64_t xlsx_rows(const xlsx_sheet *s) { return s ? s->rows : 0; }

bool xlsx_close(xlsx_book *b, char *err, size_t err_cap) {
    lxw_error e = workbook_close(b->wb);
    bool ok = b->err == LXW_NO_ERROR && e == LXW_NO_ERROR;
    if (!ok && err)
        snprintf(err, err_cap, "%s: %s", b->err != LXW_NO_ERROR ? b->err_what : "close",
                 lxw_strerror(b->err != LXW_NO_ERROR ? b->err : e));
    for (xlsx_sheet *s = b->sheets, *n; s; s = n) {
        n = s->next;
        free(s->cols);
        free(s);
    }
    free(b);
    return ok;
}
