"""Records as rows for people: the JSON object of a record (``record_dict``, the one place that makes it),
Chinese column headers (``HEADERS``), ratios as percentages, nested records flattened into prefixed
columns, CSV text; shared by the terminal, CSV and XLSX writers (``simtool.report.output``,
``simtool.report.xlsx``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from simtool.analyses.records import is_optional

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

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
