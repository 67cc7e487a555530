"""Writing records as a terminal table, JSON Lines, CSV or an Excel workbook.

Records are the analyses' frozen dataclasses (or the engine's plain dicts, ``simtool.analyses.dupes``);
``record_dict`` is the one place that turns a record into the JSON object of the CLI contract, and
every writer goes through it.  JSONL is byte-for-byte deterministic for the same records and is the
machine format.  CSV and XLSX are for people opening the file in Excel: Chinese
column headers (``HEADERS``), ratios as percentages, nested records flattened into prefixed
columns, no JSON in a cell.  Terminal output escapes markup and control characters so notice text
stays inert.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING, Any, Literal, TextIO, TypeAlias

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from simtool.analyses.records import is_optional
from simtool.core.errors import UserError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

OutputFormat = Literal["table", "jsonl", "csv"]
FileFormat = Literal["jsonl", "csv", "xlsx"]
Column = tuple[str, str] | tuple[str, str, Callable[[Any], str]]
Record: TypeAlias = "DataclassInstance | dict[str, Any]"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# Column headers for CSV and XLSX: a field's name (or a dotted path ending in it) → header.
# Nested fields take the labels of their parents from PREFIXES (a.notice → A通报); a field found
# in neither keeps its key.
HEADERS: dict[str, str] = {
    "notice": "通报",
    "title": "标题",
    "unit": "单位",
    "date": "日期",
    "chars": "字数",
    "problems": "问题",
    "measures": "措施",
    "inspector": "巡察组",
    "period_start": "巡察开始",
    "period_end": "巡察结束",
    "feedback_date": "反馈日期",
    "declared.aspects": "自述方面数",
    "declared.problems": "自述问题数",
    "declared.measures": "自述措施数",
    "declared.completed": "自述已整改数",
    "score": "相似度",
    "scope": "范围",
    "match": "匹配方式",
    "start": "起始",
    "end": "结束",
    "text": "文字",
    "kind": "类型",
    "problem": "问题号",
    "problem_label": "原文问题编号",
    "problem_labels": "原文问题编号",
    "heading": "小标题",
    "a": "通报A",
    "b": "通报B",
    "a_chars": "A字数",
    "b_chars": "B字数",
    "shared_a": "A重合字数",
    "shared_b": "B重合字数",
    "ratio_a": "A复制比",
    "ratio_b": "B复制比",
    "ratio_a_substantive": "A去除套话复制比",
    "ratio_b_substantive": "B去除套话复制比",
    "a_title": "A标题",
    "b_title": "B标题",
    "a_unit": "A单位",
    "b_unit": "B单位",
    "a_date": "A日期",
    "b_date": "B日期",
    "likely_source": "可能的来源",
    "passages": "重合段",
    "phrase": "表述",
    "notices": "通报数",
    "units": "单位数",
    "passages.units": "句数",
    "occurrences": "出现次数",
    "examples": "示例",
    "role": "位置",
    "level": "层级",
    "reason": "依据",
    "formulaic": "计入套话",
    "variants": "写法",
    "variant_count": "写法数",
    "roles": "各位置次数",
    "ratio_a_unquoted": "A去除引用复制比",
    "ratio_b_unquoted": "B去除引用复制比",
    "ratio_unquoted": "去除引用复制比",
    "quoted_share": "引用占比",
    "quoted_spans": "引用位置",
    "shared_spans": "重合位置",
    "cluster": "措施族",
    "clusters": "措施族",
    "size": "措施数",
    "label": "代表性措施",
    "theme": "主题",
    "keywords": "常见表述",
    "unit_names": "单位名称",
    "members": "成员",
    "measure": "重复使用的措施",
    "count": "次数",
    "problem_text": "问题内容",
    "shared": "重合字数",
    "copy_ratio": "总文字复制比",
    "copy_ratio_substantive": "去除套话复制比",
    "copy_ratio_unquoted": "去除引用复制比",
    "substantive_excludes_formulaic": "已识别套话",
    "max_source_ratio": "单篇最大复制比",
    "max_earlier_source": "更早发布的最大来源",
    "max_earlier_source_ratio": "更早来源复制比",
    "max_source": "最大来源",
    "sources": "相似来源",
    "ratio": "复制比",
    "ratio_substantive": "去除套话复制比",
    "matches": "相似句",
    "identical": "相同句",
    "segment": "所在段落",
    "segment_start": "段落起始",
    "segment_end": "段落结束",
    "share": "占比",
    "source": "来源通报",
    "source_start": "来源起始",
    "source_end": "来源结束",
    "source_text": "来源文字",
    "same": "相同位置",
}
PREFIXES: dict[str, str] = {
    "a": "A",
    "b": "B",
    "declared": "自述",
    "members": "成员",
    "occurrences": "出现处",
    "passages": "重合段",
    "sources": "来源",
    "segments": "分段",
    "matches": "相似句",
    "identical": "相同句",
}


def inert(text: str) -> str:
    """Text safe to print on a terminal: control and bidi characters shown as ``�``."""
    return _CONTROL.sub("\ufffd", text)


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return record_dict(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def record_dict(record: Record) -> dict[str, Any]:
    """A record as the JSON object of the CLI contract: a dataclass's fields in their order, nested
    records and tuples of them as objects and lists, an ``optional()`` field left out when it is
    ``None``; a dict (the engine's pair and passage records) as it is.

    >>> from simtool.analyses.direction import Source
    >>> record_dict(Source("x#1", None, 40, 0.25))
    {'notice': 'x#1', 'date': None, 'shared': 40, 'ratio': 0.25}
    >>> record_dict({"a": [1, 2]})
    {'a': [1, 2]}
    """
    if isinstance(record, dict):
        return record
    out: dict[str, Any] = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if value is None and is_optional(f):
            continue
        out[f.name] = _plain(value)
    return out


def jsonl_line(record: Record) -> str:
    return json.dumps(record_dict(record), ensure_ascii=False, separators=(",", ":"))


def header(key: str) -> str:
    """The Chinese column header of a (dotted) field.

    >>> header("copy_ratio"), header("a.notice"), header("passages.a.text"), header("declared.aspects")
    ('总文字复制比', 'A通报', '重合段A文字', '自述方面数')
    >>> header("novel_field"), header("a.novel"), header("roles.closing")
    ('novel_field', 'a.novel', '结尾次数')
    """
    if key in HEADERS:
        return HEADERS[key]
    if key.startswith("roles."):  # a formula's occurrences per role (phrases)
        from simtool.report.roles import role_name

        return role_name(key.removeprefix("roles.")) + "次数"
    parts = key.split(".")
    for i in range(1, len(parts)):
        suffix = ".".join(parts[i:])
        if suffix in HEADERS and all(p in PREFIXES for p in parts[:i]):
            return "".join(PREFIXES[p] for p in parts[:i]) + HEADERS[suffix]
    return key


def is_ratio(key: str) -> bool:
    """Whether a field holds a ratio in [0, 1] (shown as a percentage in CSV and XLSX).

    >>> is_ratio("a.ratio_a"), is_ratio("score"), is_ratio("shared")
    (True, True, False)
    """
    leaf = key.rsplit(".", 1)[-1]
    return "ratio" in leaf or leaf in ("score", "share")


def pct(value: Any) -> str:
    """A ratio as a percentage for tables.

    >>> pct(0.1234)
    '12.3%'
    """
    return "—" if value is None else f"{float(value):.1%}"


def yes_no(value: Any) -> str:
    return "是" if value else "否"


class _Records(list):
    """A list of records inside a record: summarized in a cell (and a sheet of its own in XLSX)."""


def _is_records(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, dict) for v in value)


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts become dotted keys; lists of records are kept (as ``_Records``) for summaries."""
    out: dict[str, Any] = {}
    for k, v in record.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        elif _is_records(v):
            out[key] = _Records(v)
        else:
            out[key] = v
    return out


def flat_rows(record: dict[str, Any], rows: str | None = None) -> list[dict[str, Any]]:
    """One record as spreadsheet rows: ``rows`` names a list of records that becomes one row per
    item (the record's other fields repeated, the item's prefixed with the list's name).

    >>> flat_rows({"cluster": "C1", "members": [{"notice": "x#1"}, {"notice": "x#2"}]}, rows="members")
    [{'cluster': 'C1', 'members.notice': 'x#1'}, {'cluster': 'C1', 'members.notice': 'x#2'}]
    """
    base = _flatten({k: v for k, v in record.items() if k != rows})
    items = record.get(rows) if rows else None
    if not items or not _is_records(items):
        return [base]
    return [base | _flatten(item, f"{rows}.") for item in items]


def _scalar(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)) and is_ratio(key):
        return f"{value:.1%}"
    return str(value)


MAX_CELL = 32000  # Excel keeps at most 32,767 characters in a cell


def _summary(key: str, value: Any) -> str:
    """A cell's text: lists joined with ``；``, a list of records as ``header：value，…`` per record
    (cut at ``MAX_CELL`` characters, saying so)."""
    if isinstance(value, _Records):
        text = "；".join(_summary("", item) for item in value)
        if len(text) > MAX_CELL:
            text = text[:MAX_CELL] + f"……（共 {len(value)} 条，其余从略，全部见 -o 结果.xlsx 或 --format jsonl）"
        return text
    if isinstance(value, (list, tuple)):
        return "；".join(
            "-".join(_scalar(key, x) for x in v) if isinstance(v, (list, tuple)) else _summary(key, v) for v in value
        )
    if isinstance(value, dict):
        return "，".join(f"{header(k)}：{_summary(k, v)}" for k, v in _flatten(value).items() if v is not None)
    return _scalar(key, value)


def _fields(rows: Iterable[dict[str, Any]]) -> list[str]:
    fields: dict[str, None] = {}
    for r in rows:
        fields.update(dict.fromkeys(r))
    return list(fields)


def _headers(fields: Sequence[str], named: Mapping[str, str] | None = None) -> list[str]:
    """Headers for ``fields`` (``named`` overrides ``header`` where a command's field means something
    else, e.g. ``label``: a segment's 原编号 in ``show``), made unique (a clash keeps the key in brackets)."""
    names = [(named or {}).get(f) or header(f) for f in fields]
    return [f"{n}（{f}）" if names.count(n) > 1 else n for n, f in zip(names, fields)]


def csv_text(records: Iterable[Record], *, rows: str | None = None, named: Mapping[str, str] | None = None) -> str:
    """Records as CSV for Excel (without the BOM, which ``emit`` adds when it encodes)."""
    table = [r for rec in records for r in flat_rows(record_dict(rec), rows)]
    fields = _fields(table)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(_headers(fields, named))
    for r in table:
        w.writerow([_summary(f, r.get(f)) for f in fields])
    return buf.getvalue()


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return pct(value) if is_ratio(key) else f"{value:.3f}"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


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
            workbook(recs, sheet=sheet, rows=rows, named=named).save(path)
        elif fmt == "csv":
            with open(path, "wb") as f:
                f.write(csv_text(recs, rows=rows, named=named).encode("utf-8-sig"))
        else:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.writelines(jsonl_line(r) + "\n" for r in recs)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            why = "文件夹不存在，请先建好文件夹或换一个路径"
        elif isinstance(exc, PermissionError):
            why = "没有写入权限，或文件正被 Excel 打开，请关闭后重试"
        else:
            why = "请检查路径和磁盘空间"
        raise UserError(f"无法写入 {path}：{why}") from exc
    return len(recs)


# --- XLSX ---------------------------------------------------------------------------------------

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
