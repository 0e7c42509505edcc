/* The export writers (src/export): CSV quoting and formula safety, and an
 * XLSX workbook read back by a real spreadsheet reader (Debian's
 * python3-openpyxl through tests/lib/xlsx_read.py). */
#include "export/csv.h"
#include "export/xlsx.h"
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static void test_csv_quoting(void **state) {
    (void)state;
    buf b;
    buf_init(&b, 4096);
    assert_true(csv_begin(&b));
    assert_true(csv_text(&b, "просто", false));
    assert_true(csv_text(&b, "вул. Шевченка, 5", false));
    assert_true(csv_text(&b, "\"Дім\" у лапках", false));
    assert_true(csv_text(&b, "два\r\nрядки", false));
    assert_true(csv_text(&b, NULL, false));
    assert_true(csv_int(&b, -42, false));
    assert_true(csv_real(&b, 0.5, 3, false));
    assert_true(csv_real(&b, 2.0, 1, false));
    assert_true(csv_real(&b, NAN, 1, true));
    assert_string_equal(b.data, CSV_BOM "просто,\"вул. Шевченка, 5\",\"\"\"Дім\"\" у лапках\","
                                        "\"два\r\nрядки\",,-42,0.5,2,\r\n");
    buf_free(&b);
}

static void test_csv_formula_injection(void **state) {
    (void)state;
    buf b;
    buf_init(&b, 4096);
    const char *cells[] = {"=1+2", "+380", "-5", "@SUM(A1)", "\tx", "a=b", "=HYPERLINK(\"x\",\"y\")"};
    assert_true(csv_row(&b, cells, 7));
    assert_string_equal(b.data, "\"'=1+2\",\"'+380\",\"'-5\",\"'@SUM(A1)\",\"'\tx\",a=b,"
                                "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"\r\n");
    buf_free(&b);
}

static void test_csv_bounded(void **state) {
    (void)state;
    buf b;
    buf_init(&b, 8);
    assert_false(csv_text(&b, "a text longer than the cap", true));
    assert_true(b.overflow);
    buf_free(&b);
}

/* Reads path with tests/lib/xlsx_read.py under Debian's python3 (the one
 * with python3-openpyxl, whatever python3 comes first on PATH); the parsed
 * JSON (caller frees). */
static json_t *read_back(const char *path) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/lib/xlsx_read.py '%s'", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    json_error_t e;
    json_t *j = json_loadf(p, 0, &e);
    assert_int_equal(pclose(p), 0);
    if (!j) fail_msg("xlsx_read: %s", e.text);
    return j;
}

static json_t *sheet(json_t *book, size_t i) {
    return json_array_get(json_object_get(book, "sheets"), i);
}

static const xlsx_col COLS[] = {
    {"Назва (Name)", XLSX_TEXT, 30}, {"Кількість (Count)", XLSX_INT, 0},
    {"Частка (Share)", XLSX_SHARE, 0}, {"Години (Hours)", XLSX_REAL, 0},
    {"Коли (When)", XLSX_DATETIME, 0}, {"День (Day)", XLSX_DATE, 0},
};

static void test_xlsx_read_back(void **state) {
    (void)state;
    char dir[] = "/tmp/kontakt-xlsx-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/t.xlsx", dir);
    xlsx_book *b = xlsx_open(path, dir);
    assert_non_null(b);
    xlsx_set_rows_max(b, 4); /* header + 3 rows a sheet: the fifth row goes to "Дані (2)" */
    xlsx_sheet *s = xlsx_sheet_add(b, "Дані", COLS, 6);
    assert_non_null(s);
    assert_null(xlsx_sheet_add(b, "Дані", COLS, 6)); /* a duplicate name */
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, i == 0 ? "=cmd()" : "рядок %d", i);
        xlsx_text(s, name);
        xlsx_int(s, 1000000 + i);
        xlsx_real(s, 0.25);
        xlsx_real(s, 20.5);
        /* 2026-11-28 10:15 local */
        xlsx_datetime(s, 1795860900000LL);
        xlsx_date(s, 20785); /* 2026-11-28 */
        xlsx_row_end(s);
    }
    xlsx_text(s, NULL);
    xlsx_blank(s);
    xlsx_real(s, NAN);
    xlsx_row_end(s);
    assert_int_equal(xlsx_rows(s), 6);
    char err[256] = "";
    /* the duplicate sheet's error is remembered */
    assert_false(xlsx_close(b, err, sizeof err));
    assert_true(strstr(err, "sheet") != NULL);

    b = xlsx_open(path, dir);
    xlsx_set_rows_max(b, 4);
    s = xlsx_sheet_add(b, "Дані", COLS, 6);
    for (int i = 0; i < 5; i++) {
        xlsx_text(s, i == 0 ? "=cmd()" : "рядок");
        xlsx_int(s, 1000000 + i);
        xlsx_real(s, 0.25);
        xlsx_real(s, 20.5);
        xlsx_datetime(s, 1795860900000LL);
        xlsx_date(s, 20785);
        xlsx_row_end(s);
    }
    xlsx_sheet *t = xlsx_sheet_add(b, "Зведення", COLS, 1);
    xlsx_text(t, "так");
    xlsx_row_end(t);
    assert_true(xlsx_close(b, err, sizeof err));

    json_t *j = read_back(path);
    assert_int_equal(json_array_size(json_object_get(j, "sheets")), 3);
    json_t *s1 = sheet(j, 0), *s2 = sheet(j, 1), *s3 = sheet(j, 2);
    assert_string_equal(json_string_value(json_object_get(s1, "title")), "Дані");
    assert_string_equal(json_string_value(json_object_get(s2, "title")), "Дані (2)");
    assert_string_equal(json_string_value(json_object_get(s3, "title")), "Зведення");
    json_t *rows = json_object_get(s1, "rows");
    assert_int_equal(json_array_size(rows), 4);
    assert_string_equal(json_string_value(json_array_get(json_array_get(rows, 0), 0)), "Назва (Name)");
    json_t *r1 = json_array_get(rows, 1);
    /* text stays text in a workbook: a string cell is never a formula */
    assert_string_equal(json_string_value(json_array_get(r1, 0)), "=cmd()");
    assert_int_equal(json_integer_value(json_array_get(r1, 1)), 1000000);
    assert_true(fabs(json_number_value(json_array_get(r1, 2)) - 0.25) < 1e-9);
    assert_true(fabs(json_number_value(json_array_get(r1, 3)) - 20.5) < 1e-9);
    assert_string_equal(json_string_value(json_array_get(r1, 4)), "2026-11-28T10:15:00");
    assert_string_equal(json_string_value(json_array_get(r1, 5)), "2026-11-28T00:00:00");
    json_t *rows2 = json_object_get(s2, "rows");
    assert_int_equal(json_array_size(rows2), 3); /* the header again + rows 4 and 5 */
    assert_string_equal(json_string_value(json_array_get(json_array_get(rows2, 0), 1)),
                        "Кількість (Count)");
    assert_int_equal(json_integer_value(json_array_get(json_array_get(rows2, 2), 1)), 1000004);
    json_decref(j);
    unlink(path);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_csv_formula_injection),
        cmocka_unit_test(test_csv_bounded),
        cmocka_unit_test(test_xlsx_read_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
