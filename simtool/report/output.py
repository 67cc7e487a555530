"""Writing records as a terminal table, JSON Lines or CSV.

Records are plain dicts (the CLI contract); JSONL is byte-for-byte deterministic for the same
records.  Terminal output escapes markup and control characters so notice text stays inert.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

OutputFormat = Literal["table", "jsonl", "csv"]
Column = tuple[str, str] | tuple[str, str, Callable[[Any], str]]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def inert(text: str) -> str:
    """Text safe to print on a terminal: control and bidi characters shown as ``�``."""
    return _CONTROL.sub("\ufffd", text)


def jsonl_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in record.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flat(v, key + "."))
        elif isinstance(v, (list, tuple)):
            out[key] = json.dumps(v, ensure_ascii=False, separators=(",", ":"))
        else:
            out[key] = "" if v is None else v
    return out


def _get(record: dict[str, Any], dotted: str) -> Any:
    value: Any = record
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def pct(value: Any) -> str:
    """A ratio as a percentage for tables.

    >>> pct(0.1234)
    '12.3%'
    """
    return "—" if value is None else f"{float(value):.1%}"


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


def console(file: TextIO | None = None) -> Console:
    return Console(file=file or sys.stdout, soft_wrap=False, highlight=False, emoji=False, markup=False)


def emit(
    records: Iterable[dict[str, Any]],
    fmt: OutputFormat,
    columns: Sequence[Column],
    *,
    title: str | None = None,
    file: TextIO | None = None,
    limit: int | None = None,
) -> int:
    """Write ``records`` in ``fmt``; ``columns`` (dotted key, header[, formatter]) are for the table.

    Returns the number of records written.  ``limit`` applies to the table only.
    """
    out = file or sys.stdout
    n = 0
    if fmt == "jsonl":
        for rec in records:
            out.write(jsonl_line(rec) + "\n")
            n += 1
        return n
    if fmt == "csv":
        rows = [_flat(r) for r in records]
        fields: list[str] = []
        for r in rows:
            fields.extend(k for k in r if k not in fields)
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        out.write(buf.getvalue())
        return len(rows)
    table = Table(title=title, show_lines=False, header_style="bold")
    for col in columns:
        table.add_column(col[1], overflow="fold")
    shown = 0
    for rec in records:
        n += 1
        if limit is not None and shown >= limit:
            continue
        cells = []
        for col in columns:
            value = _get(rec, col[0])
            text = col[2](value) if len(col) == 3 else _cell(value)  # type: ignore[misc]
            cells.append(Text(inert(text)))
        table.add_row(*cells)
        shown += 1
    con = console(out)
    con.print(table)
    if limit is not None and n > shown:
        con.print(f"（共 {n} 条，仅显示前 {shown} 条；用 --format jsonl 或 --limit 查看全部）")
    return n
