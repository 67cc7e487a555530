"""Writing records as a terminal table, JSON Lines, CSV or an Excel workbook.

Records are the analyses' frozen dataclasses (or the engine's plain dicts, ``simtool.analyses.dupes``);
``record_dict`` (``simtool.report.rows``, with the Chinese headers and flattened rows) is the one place
that turns a record into the JSON object of the CLI contract, and every writer goes through it.  JSONL
is byte-for-byte deterministic for the same records and is the machine format; CSV and XLSX
(``simtool.report.xlsx``) are for people opening the file in Excel.  Terminal output escapes markup
and control characters so notice text stays inert.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, TextIO

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from simtool.core.errors import UserError
from simtool.report.rows import HEADERS as HEADERS
from simtool.report.rows import Record as Record
from simtool.report.rows import _cell, csv_text, inert, jsonl_line, record_dict
from simtool.report.rows import header as header
from simtool.report.rows import pct as pct
from simtool.report.rows import yes_no as yes_no

OutputFormat = Literal["table", "jsonl", "csv"]
FileFormat = Literal["jsonl", "csv", "xlsx"]
Column = tuple[str, str] | tuple[str, str, Callable[[Any], str]]


def console(file: TextIO | None = None) -> Console:
    return Console(file=file or sys.stdout, soft_wrap=False, highlight=False, emoji=False, markup=False)


def _write_bytes(out: TextIO, data: bytes) -> None:
    """Write encoded bytes under a text stream (so a GBK console cannot mangle the BOM)."""
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        out.write(data.decode("utf-8"))
        return
    out.flush()
    buffer.write(data)
    buffer.flush()


def file_format(path: str, fmt: OutputFormat = "table") -> FileFormat:
    """The format of an output file, from its extension (else ``fmt`` when it is not ``table``).

    >>> file_format("结果.xlsx"), file_format("a.CSV"), file_format("out.txt", "jsonl")
    ('xlsx', 'csv', 'jsonl')
    """
    ext = os.path.splitext(path)[1].lower()
    by_ext: dict[str, FileFormat] = {".xlsx": "xlsx", ".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl"}
    if ext in by_ext:
        return by_ext[ext]
    if fmt != "table":
        return fmt
    raise UserError(f"无法从文件名 {path} 判断输出格式：请用 .xlsx、.csv 或 .jsonl 结尾，例如 -o 结果.xlsx")


def emit(
    records: Iterable[Record],
    fmt: OutputFormat,
    columns: Sequence[Column],
    *,
    title: str | None = None,
    file: TextIO | None = None,
    limit: int | None = None,
    rows: str | None = None,
    path: str | None = None,
    named: Mapping[str, str] | None = None,
) -> int:
    """Write ``records`` in ``fmt``; ``columns`` (dotted key, header[, formatter]) are for the table;
    ``named`` overrides CSV/XLSX headers of fields that mean something else in this command.

    ``path`` writes a file instead (its format from the extension, see ``file_format``; an XLSX
    sheet is named after ``title``).  ``rows`` names a list of records that CSV/XLSX show as one
    row per item; other lists of records are summarized in one cell.  ``limit`` applies to the
    table only.  Returns the number of records written.
    """
    if path is not None:
        return write_file(records, path, file_format(path, fmt), sheet=title or "结果", rows=rows, named=named)
    out = file or sys.stdout
    n = 0
    if fmt == "jsonl":
        for rec in records:
            out.write(jsonl_line(rec) + "\n")
            n += 1
        return n
    if fmt == "csv":
        recs = list(records)
        _write_bytes(out, csv_text(recs, rows=rows, named=named).encode("utf-8-sig"))
        return len(recs)
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
            text = col[2](value) if len(col) == 3 else _cell(col[0], value)
            cells.append(Text(inert(text)))
        table.add_row(*cells)
        shown += 1
    con = console(out)
    con.print(table)
    if limit is not None and n > shown:
        con.print(f"（共 {n} 条，仅显示前 {shown} 条；用 --limit 0 显示全部，或用 -o 结果.xlsx 导出）")
    return n


def _get(record: Record, dotted: str) -> Any:
    """A (dotted) field of a record: an attribute of a dataclass, a key of a dict, else None."""
    value: Any = record
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
    return value


def write_file(
    records: Iterable[Record],
    path: str,
    fmt: FileFormat,
    *,
    sheet: str = "结果",
    rows: str | None = None,
    named: Mapping[str, str] | None = None,
) -> int:
    """Write ``records`` to ``path`` as JSONL, CSV (UTF-8 with BOM) or an XLSX workbook."""
    recs = [record_dict(r) for r in records]
    try:
        if fmt == "xlsx":
            from simtool.report.xlsx import workbook  # xlsx imports this module

            workbook(recs, sheet=sheet, rows=rows, named=named).save(path)
        elif fmt == "csv":
            with open(path, "wb") as f:
                f.write(csv_text(recs, rows=rows, named=named).encode("utf-8-sig"))
        else:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.writelines(jsonl_line(r) + "\n" for r in recs)
    except OSError as exc:
        raise _unwritable(path, exc) from exc
    return len(recs)


def emit_text(blocks: Iterable[bytes], path: str | None = None) -> None:
    """Write blocks of UTF-8 text made already (``pair_text``: whole JSONL lines) to ``path``, else to stdout."""
    if path is None:
        sys.stdout.flush()
        raw = getattr(sys.stdout, "buffer", None)  # a text stream without one (a test's) takes the text
        for block in blocks:
            if raw is None:
                sys.stdout.write(block.decode("utf-8"))
            else:
                raw.write(block)
        sys.stdout.flush()  # and the buffer under it
        return
    try:
        with open(path, "wb") as f:
            for block in blocks:
                f.write(block)
    except OSError as exc:
        raise _unwritable(path, exc) from exc


def _unwritable(path: str, exc: OSError) -> UserError:
    if isinstance(exc, FileNotFoundError):
        why = "文件夹不存在，请先建好文件夹或换一个路径"
    elif isinstance(exc, PermissionError):
        why = "没有写入权限，或文件正被 Excel 打开，请关闭后重试"
    else:
        why = "请检查路径和磁盘空间"
    return UserError(f"无法写入 {path}：{why}")


# --- marking differences ------------------------------------------------------------------------


def _differing(same: Sequence[Sequence[int]], length: int) -> list[tuple[int, int]]:
    """The runs of ``[0, length)`` outside the ``same`` spans.

    >>> _differing([(0, 3), (5, 6)], 8)
    [(3, 5), (6, 8)]
    """
    out: list[tuple[int, int]] = []
    pos = 0
    for a, b in sorted((max(0, a), min(b, length)) for a, b in same):
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if pos < length:
        out.append((pos, length))
    return out


class Marked:
    """Notice text whose characters outside ``same`` differ from the other side: reverse video
    on a terminal, ``[…]`` around each differing run elsewhere (piped or redirected output).

    A Rich renderable that decides when it is rendered; ``Text + Marked`` prefixes a heading.
    """

    def __init__(self, text: str, same: Sequence[Sequence[int]], width: int = 160, head: Text | None = None) -> None:
        self.text, self.same, self.width, self.head = text, same, width, head

    def __radd__(self, other: Text | str) -> Marked:
        head = Text(other) if isinstance(other, str) else other
        return Marked(self.text, self.same, self.width, head + self.head if self.head else head)

    def render(self, terminal: bool) -> Text:
        clipped = inert(self.text[: self.width]).replace("\n", " ")
        t = Text()
        if self.head:
            t.append(self.head)  # the heading's style stays on the heading
        pos = 0
        for a, b in _differing(self.same, len(clipped)):
            t.append(clipped[pos:a])
            if terminal:
                t.append(clipped[a:b], style="reverse")
            else:
                t.append(f"[{clipped[a:b]}]")
            pos = b
        t.append(clipped[pos:])
        if len(self.text) > self.width:
            t.append("…")
        return t

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.render(options.is_terminal)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.render(options.is_terminal))


def diff_legend(con: Console | None = None) -> str:
    """How differences are marked on ``con`` (stdout by default), for table titles."""
    return "反白为不同之处" if (con or console()).is_terminal else "[ ] 内为不同之处"
