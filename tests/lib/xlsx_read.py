#!/usr/bin/env python3
"""Reads an .xlsx file with a real spreadsheet reader (Debian's python3-openpyxl)
and prints it as JSON: {"sheets": [{"title": ..., "rows": [[cell, ...], ...]}]}.
Dates become ISO strings. Usage: xlsx_read.py FILE [MAX_ROWS_PER_SHEET]"""
import datetime
import json
import sys

import openpyxl


def cell(v):
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    return v


def main():
    path = sys.argv[1]
    max_rows = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out = {"sheets": []}
    for ws in wb.worksheets:
        rows = []
        count = 0
        for row in ws.iter_rows(values_only=True):
            count += 1
            if len(rows) < max_rows:
                rows.append([cell(v) for v in row])
        out["sheets"].append({"title": ws.title, "rows": rows, "row_count": count})
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
