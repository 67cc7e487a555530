"""Metadata of a rectification notice: issuing unit, inspection group, dates, declared counts.

Small pure functions over short pieces of a notice (its title, opening paragraph, framing
text, signature lines); :mod:`simtool.read.parse` decides which pieces to pass.  Every date is an
ISO ``YYYY-MM-DD`` string or ``None``; a date with placeholders (``X月X日``) or an impossible
date is ``None``, never guessed.

>>> period("区委第一巡察组于2022年10月8日至11月15日对XX街道D工委进行了巡察")[:2]
('2022-10-08', '2022-11-15')
>>> publication_date("2023年08月10日")
'2023-08-10'
>>> title_unit("统计局D组关于巡察整改进展情况的通报")
'统计局D组'
"""

from __future__ import annotations

import datetime as _dt
import re

_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}

_YEAR = r"[0-9０-９]{4}|[〇○零一二三四五六七八九]{4}|[XＸx×]{1,4}"
_MD = r"[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3}|[XＸx×]{1,2}"
_DATE = rf"({_YEAR})\s*年\s*({_MD})\s*月\s*({_MD})\s*日"
_DATE_OPT_YEAR = rf"(?:({_YEAR})\s*年\s*)?({_MD})\s*月\s*({_MD})\s*日"
_RANGE_SEP = r"\s*(?:至|到|—{1,2}|－|-|–|~|～)\s*"

_PERIOD = re.compile(_DATE + _RANGE_SEP + _DATE_OPT_YEAR)
# A date followed, within the same clause and before any other date, by 反馈.
_FEEDBACK = re.compile(_DATE_OPT_YEAR + r"(?:(?![0-9０-９]{1,2}\s*月)[^。；;\n]){0,60}?反馈")
_DATE_LINE = re.compile(r"[（(]?\s*" + _DATE + r"\s*[)）]?")
_INSPECTOR = re.compile(
    r"(?:中央|[省市州区县盟旗]委)(?:[^，。；、,;\s“”]{0,12}?)巡[察视](?:[一二三四五六七八九十0-9]{0,3})组"
)
_TITLE_UNIT = re.compile(r"(.{1,40}?)关于")
_GENERIC_UNIT = re.compile(r"(?:中共)?[省市州区县乡镇村]?(?:委|党委|D委|工委|D工委|党工委|党组|D组)?")
_OPENING_UNIT = (
    re.compile(r"向([^，。；、\s]{2,30}?)反馈"),
    re.compile(r"对([^，。；、\s]{2,30}?)(?:进行|开展)了?(?:常规|专项|提级|机动)?巡[察视]"),
)
_UNIT_SUFFIX = re.compile(
    r"(?:委员会|委|组|局|办|院|会|厅|部|处|室|支部|公司|中心|街道|社区|村|镇|乡|政府|团|联|所|站|校|馆)$"
)
_SENTENCE_PUNCT = re.compile(r"[。，,；;：:！!？?、]")
_ITEM_START = re.compile(r"[一二三四五六七八九十]+[、是]|[（(]|[0-9０-９①-⑳]|第[一二三四五六七八九十]+[，,、]")

_CLOSING = re.compile(r"欢迎.{0,40}(?:监督|批评|反映|反馈|意见)|特此(?:通报|公告|公示)|如有意见建议")
_SIGNATURE_REMARK = re.compile(r"[（(][^（()）\n]{1,30}[)）]")  # （此件公开发布）

_NUM = r"[0-9０-９]{1,5}|[一二三四五六七八九十两]{1,4}"
_ASPECTS = re.compile(rf"({_NUM})\s*(?:个)?(?:方面|大类)")
_PROBLEMS = re.compile(rf"({_NUM})\s*(?:个|项|条)(?:巡[察视])?(?:反馈)?(?:具体)?问题")
_MEASURES = re.compile(
    rf"({_NUM})\s*(?:条|项)(?:具体)?(?:整改)?(?:措施|举措)|(?:整改)?(?:措施|举措)\s*({_NUM})\s*(?:条|项)"
)
_COMPLETED = re.compile(
    rf"(?:整改完成|完成整改|整改到位)\s*({_NUM})\s*(?:个|项|条)"
    rf"|({_NUM})\s*(?:个|项|条)(?:具体)?问题(?:已经?)?(?:全部)?(?:完成整改|整改完成|整改到位)"
)


def number(text: str) -> int | None:
    """Parse an Arabic (also full-width) or small Chinese numeral; ``None`` if it is neither.

    >>> [number(s) for s in ("12", "１２", "十二", "二十", "三", "二〇二三", "X")]
    [12, 12, 12, 20, 3, 2023, None]
    """
    s = text.strip().translate(_FULLWIDTH)
    if not s:
        return None
    if s.isascii() and s.isdigit():
        return int(s)
    if "十" in s:
        head, _, tail = s.partition("十")
        if len(head) > 1 or len(tail) > 1 or any(c not in _CN_DIGITS for c in head + tail):
            return None
        return (_CN_DIGITS[head] if head else 1) * 10 + (_CN_DIGITS[tail] if tail else 0)
    if all(c in _CN_DIGITS for c in s):
        value = 0
        for c in s:
            value = value * 10 + _CN_DIGITS[c]
        return value
    return None


def iso_date(year: str | int | None, month: str | int | None, day: str | int | None) -> str | None:
    """``YYYY-MM-DD`` for a valid date, ``None`` for placeholders or impossible dates.

    >>> iso_date("2023", "8", "1"), iso_date("2023", "X", "1"), iso_date(2023, 2, 30)
    ('2023-08-01', None, None)
    """
    parts = [p if isinstance(p, int) or p is None else number(p) for p in (year, month, day)]
    y, m, d = parts
    if y is None or m is None or d is None:
        return None
    try:
        return _dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _ymd(iso: str | None) -> tuple[int, int, int] | None:
    if iso is None:
        return None
    y, m, d = iso.split("-")
    return int(y), int(m), int(d)


def is_date_line(line: str) -> bool:
    """True when ``line`` is only a date (a signature's date line), placeholders allowed."""
    return _DATE_LINE.fullmatch(line.strip()) is not None


def publication_date(line: str) -> str | None:
    """The ISO date of a signature date line, ``None`` if it is not one or has placeholders."""
    m = _DATE_LINE.fullmatch(line.strip())
    return iso_date(m.group(1), m.group(2), m.group(3)) if m else None


def is_unit_line(line: str) -> bool:
    """True for a short signature line naming a unit (``中共XX县委员会``, ``XX镇D委``).

    >>> is_unit_line("中共XX市XX区XX街道工作委员会"), is_unit_line("一、总体情况")
    (True, False)
    """
    s = line.strip()
    return (
        1 < len(s) <= 40
        and _SENTENCE_PUNCT.search(s) is None
        and _ITEM_START.match(s) is None
        and _UNIT_SUFFIX.search(s) is not None
    )


def tail_bounds(lines: list[str], first: int = 0) -> tuple[int, int]:
    """``(closing_start, signature_start)``: indices into the notice's non-blank ``lines``.

    The signature is the run of unit, date and short remark lines at the very end (at most
    four); the closing formula (``欢迎广大干部群众……监督``) is the last line that starts
    with it among the four lines above.  Both are ``len(lines)`` when absent; no index is
    below ``first`` (the title).

    >>> tail_bounds(["标题", "正文。", "欢迎广大干部群众监督。", "中共XX县委员会", "2023年8月30日"], 1)
    (2, 3)
    """
    n = len(lines)
    sig = n
    while sig - 1 >= first and n - sig < 4 and _signature_line(lines[sig - 1]):
        sig -= 1
    for k in range(sig - 1, max(first, sig - 4) - 1, -1):
        if _CLOSING.match(lines[k]):
            return k, sig
    return sig, sig


def is_closing_line(line: str) -> bool:
    """True when ``line`` starts the closing formula (``欢迎广大干部群众……监督``, ``特此通报``).

    >>> is_closing_line("欢迎广大干部群众对巡察整改落实情况进行监督。"), is_closing_line("一是加强学习。")
    (True, False)
    """
    return _CLOSING.match(line.strip()) is not None


def _signature_line(line: str) -> bool:
    return is_date_line(line) or is_unit_line(line) or _SIGNATURE_REMARK.fullmatch(line) is not None


def issuing_unit(title: str, signature: list[str], opening: str) -> str | None:
    """The issuing unit: named in the title, else the signature's unit line, else the
    opening paragraph, else a bare level in the title (``县委``).

    >>> issuing_unit("县委关于省委巡视反馈意见整改进展情况的通报", [], "省委巡视组向X县委反馈了巡视意见")
    'X县委'
    """
    named = title_unit(title)
    if named:
        return named
    signed = next((s for s in signature if is_unit_line(s) and not is_date_line(s)), None)
    if signed:
        return signed
    head, sep, _ = title.partition("关于")
    return opening_unit(opening) or ((head.strip() or None) if sep else None)


def title_unit(title: str) -> str | None:
    """The unit named before ``关于`` in a title, kept as written (masked ``D`` included).

    A bare level such as ``县委`` or ``D组`` says no more than "a committee" and gives ``None``;
    the caller then looks at the signature and the opening paragraph.

    >>> title_unit("XX街道D工委关于巡察整改进展情况的通报"), title_unit("县委关于巡视整改的通报")
    ('XX街道D工委', None)
    """
    m = _TITLE_UNIT.match(title.strip())
    if not m:
        return None
    unit = m.group(1).strip(" \u3000：:，,")
    if not unit or _GENERIC_UNIT.fullmatch(unit):
        return None
    return unit


def opening_unit(opening: str) -> str | None:
    """The inspected unit named in the opening paragraph (``向X县委反馈``, ``对XX进行了巡察``).

    >>> opening_unit("省委第一巡视组对X县进行了巡视。省委巡视组向X县委反馈了巡视意见。")
    'X县委'
    """
    for pattern in _OPENING_UNIT:
        m = pattern.search(opening)
        if m:
            unit = re.split(r"及|和|与", m.group(1))[0].strip()
            if len(unit) >= 2 and unit not in ("我单位", "我社区", "我局", "我委"):
                return unit
    return None


def inspector(opening: str) -> str | None:
    """The inspection group of the opening paragraph (``区委第一巡察组``, ``省委第八巡视组``).

    >>> inspector("十三届县委第三巡察组对县科技局D组进行了巡察")
    '县委第三巡察组'
    """
    m = _INSPECTOR.search(opening)
    return m.group() if m else None


def period(opening: str) -> tuple[str | None, str | None, int]:
    """Start and end of the inspection and the offset where the range ends (0 if none).

    The end's year is carried over from the start, and moves to the next year when the
    end's month and day come before the start's (``2022年12月1日至1月15日``).

    >>> period("2022年2月17日—4月15日，区委第四巡察组")
    ('2022-02-17', '2022-04-15', 16)
    """
    m = _PERIOD.search(opening)
    if not m:
        return None, None, 0
    start = iso_date(m.group(1), m.group(2), m.group(3))
    end_year: str | int | None = m.group(4)
    if end_year is None:
        end_year = number(m.group(1))
        first, last = _ymd(start), (number(m.group(5)), number(m.group(6)))
        if end_year is not None and first is not None and None not in last and last < first[1:]:
            end_year += 1
    end = iso_date(end_year, m.group(5), m.group(6))
    return start, end, m.end()


def feedback_date(
    opening: str, after: int = 0, *, reference: str | None = None, published: str | None = None
) -> str | None:
    """The date the inspection group gave its feedback (``于2023年4月12日反馈``).

    A date without a year (``8月30日，巡察组向…反馈``) takes the year of ``reference`` (the
    period's end), the next year when it falls before the reference; without a reference,
    the year of ``published`` (the previous year when it would fall after publication).

    >>> feedback_date("2022年2月17日—4月15日巡察。8月30日，巡察组向区国资委D委反馈", 15, reference="2022-04-15")
    '2022-08-30'
    """
    m = _FEEDBACK.search(opening, after)
    if not m:
        return None
    if m.group(1) is not None:
        return iso_date(m.group(1), m.group(2), m.group(3))
    month, day = number(m.group(2)), number(m.group(3))
    if month is None or day is None:
        return None
    ref = _ymd(reference)
    if ref is not None:
        year = ref[0] + 1 if (month, day) < ref[1:] else ref[0]
        return iso_date(year, month, day)
    pub = _ymd(published)
    if pub is not None:
        year = pub[0] - 1 if (month, day) > pub[1:] else pub[0]
        return iso_date(year, month, day)
    return None


def declared_counts(text: str) -> dict[str, int]:
    """Counts a notice states about itself, from its framing text (first mention of each).

    >>> declared_counts("指出3方面12个问题。制定整改措施68条，反馈问题已整改完成10个")
    {'aspects': 3, 'problems': 12, 'measures': 68, 'completed': 10}
    >>> declared_counts("将反馈的主要问题分解为X个方面X个具体问题")
    {}
    """
    out: dict[str, int] = {}
    for key, pattern in (
        ("aspects", _ASPECTS),
        ("problems", _PROBLEMS),
        ("measures", _MEASURES),
        ("completed", _COMPLETED),
    ):
        for m in pattern.finditer(text):
            raw = next((g for g in m.groups() if g is not None), None)
            value = number(raw) if raw is not None else None
            if value is not None and value > 0:
                out[key] = value
                break
    return out
