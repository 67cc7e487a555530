"""Writing records as an Excel workbook (XLSX) for people opening the file in Excel.

The same table as the CSV of ``simtool.report.output``, whose ``write_file`` calls ``workbook``:
Chinese column headers (``HEADERS``), nested records flattened into prefixed columns, no JSON in a
cell.  Each list of records that the main sheet summarizes in one cell also gets a sheet of its
own, one row per item.  Ratios stay numbers formatted as percentages; text is always a string
cell, never a formula, with the characters XML cannot hold replaced; the header row is frozen and
column widths follow the content (CJK characters count double).  openpyxl is imported only when a
workbook is built.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from simtool.report.rows import (
    HEADERS,
    Record,
    _fields,
    _flatten,
    _headers,
    _is_records,
    _scalar,
    _summary,
    flat_rows,
    is_ratio,
    record_dict,
)

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _sheet_name(name: str, taken: Sequence[str]) -> str:
    base = _BAD_SHEET.sub("", name)[:31] or "结果"
    out, k = base, 2
    while out in taken:
        out = f"{base[: 31 - len(str(k)) - 1]}_{k}"
        k += 1
    return out


def _xlsx_value(key: str, value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)) or value is None:
        return value
    return _ILLEGAL_XML.sub("\ufffd", _summary(key, value))


def _fill_sheet(ws: Any, table: list[dict[str, Any]], named: Mapping[str, str] | None = None) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    fields = _fields(table)
    heads = _headers(fields, named)
    ws.append(heads)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [_width(h) for h in heads]
    for row, r in enumerate(table, start=2):
        values = [_xlsx_value(f, r.get(f)) for f in fields]
        ws.append(values)
        for i, (f, value) in enumerate(zip(fields, values)):
            if isinstance(value, str):
                ws.cell(row=row, column=i + 1).data_type = "s"  # never a formula, whatever the text starts with
            elif is_ratio(f) and isinstance(value, (int, float)):
                ws.cell(row=row, column=i + 1).number_format = "0.0%"
            widths[i] = max(widths[i], _width(value if isinstance(value, str) else _scalar(f, value)))
    for i, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(w, 6), 60) + 2
    ws.freeze_panes = "A2"


def _details(recs: list[dict[str, Any]], rows: str | None) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """For every list of records summarized in the main sheet: a sheet with one row per item,
    keyed by the first field of its record."""
    names: dict[str, None] = {}
    for rec in recs:
        names.update(dict.fromkeys(k for k, v in rec.items() if k != rows and _is_records(v)))
    for name in names:
        table = []
        for rec in recs:
            key = next(iter(rec), None)
            for item in rec.get(name) or ():
                table.append(({key: rec[key]} if key else {}) | _flatten(item, f"{name}."))
        yield HEADERS.get(name, name), table


def workbook(
    records: Sequence[Record], *, sheet: str, rows: str | None = None, named: Mapping[str, str] | None = None
) -> Any:
    """An openpyxl workbook: the records on ``sheet``, each summarized list of records on its own
    sheet; frozen header row, widths from content, ratios as numbers formatted as percentages."""
    from openpyxl import Workbook

    recs = [record_dict(r) for r in records]
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_name(sheet, [])
    _fill_sheet(ws, [r for rec in recs for r in flat_rows(rec, rows)], named)
    for name, table in _details(recs, rows):
        _fill_sheet(wb.create_sheet(_sheet_name(name, wb.sheetnames)), table)
    return wb
