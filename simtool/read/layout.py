"""Page layout undone before splitting: page furniture dropped, hard-wrapped lines joined.

PDF text layers, Word files laid out with a paragraph per printed line and hand-wrapped .txt
break lines at a fixed width in the middle of a sentence, and carry page footers and headers
(``- 1 -``, ``第 1 页 共 3 页``, the title repeated on every page).  :func:`unwrap` turns such
text back into one line per paragraph, so that the parser sees each sentence whole:

* :func:`drop_furniture` removes page-number lines (``- 1 -``, ``—2—``, ``第1页``, ``1/3``, and
  bare numbers where they stand at page edges or form a page sequence) and running headers and
  footers (the same short line at most page breaks).  A page break is a form feed (``\\f``,
  as :mod:`simtool.read.ingest` puts between PDF pages) or a page-number line.
* :func:`join_wrapped` joins a line that does not end a sentence to the next line, unless the
  next line starts a structural marker (``一、``, ``（一）``, ``1.``, ``（1）``, ``一是``, ``①``,
  ``关于……的问题``, ``整改情况：`` …), is a title, a signature line (unit, date), the closing
  formula or a page number, or is blank, or is indented as a new paragraph.  A line ending in
  ``，``/``、`` always continues.  When the text is hard-wrapped (many lines share one width and
  none is much longer, see :func:`_common_width`), a full line continues too, even one that ends
  a sentence (the paragraph goes on) or starts with a marker (a long item wrapped); a bare
  number or a short ``……：`` at the start of the next line is then no marker (``1`` / ``4宗``).
  Otherwise a heading or an item on its own line continues only when it is cut in the middle
  (inside a word, as ``simtool.core.words.word_across`` reads jieba's dictionary, after ``的``,
  before ``和``; an item with a comma or a label with text after it is body text); a body line
  that does not end a sentence continues when it holds a comma or a sentence, is cut inside a
  word or after ``的`` (a line of words alone, such as ``整改工作开展情况``, may be a heading and
  does not); a line inside an open quotation or bracket continues; a title broken over two lines
  becomes one line.  Between two joined CJK characters or digits nothing is inserted; between
  two Latin words one space.

Every kept character is left as it was, so offsets computed on the result are exact slices.

>>> unwrap("关于巡察整改进展情况的通报\\n根据区委统一部署，区委巡察组对我局\\n进行了巡察。\\n- 1 -\\n").text
'关于巡察整改进展情况的通报\\n根据区委统一部署，区委巡察组对我局进行了巡察。\\n'
>>> unwrap("一是加强学习，\\n提高认识。\\n第 1 页 共 1 页\\n")
Cleaned(text='一是加强学习，提高认识。\\n', removed=('第 1 页 共 1 页',))
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from simtool.core.types import Cleaned
from simtool.core.words import word_across
from simtool.read.markers import LABEL, line_kind, starts_structure
from simtool.read.parse_meta import is_closing_line, is_date_line, is_unit_line
from simtool.read.split import is_title_line

PAGE_BREAK = "\f"

_FINAL = frozenset("。！？；：…!?;:")
_CLOSERS = frozenset("”’」』）)】》〕〉\"'")
_CONTINUE = frozenset("，、,（(“‘《〈【〔—")
_CONNECTIVE = frozenset("的和与及或对把将被在从向为")  # a line cut after these goes on
_DASH = "-—–－―─_"
_NUM = "[0-9０-９]{1,4}"
_PAGE_NUMBER = re.compile(
    rf"[{_DASH}]{{1,3}}\s*{_NUM}\s*[{_DASH}]{{1,3}}"  # - 1 -   —2—
    rf"|第\s*{_NUM}\s*页(?:\s*[,，/、]?\s*共\s*{_NUM}\s*页)?"  # 第 1 页 共 3 页
    rf"|共\s*{_NUM}\s*页\s*[,，/、]?\s*第\s*{_NUM}\s*页"
    rf"|{_NUM}\s*/\s*{_NUM}"  # 1/3
    rf"|[Pp](?:age|AGE)\s*{_NUM}(?:\s*(?:of|/)\s*{_NUM})?"
)
_FRACTION = re.compile(rf"({_NUM})\s*/\s*({_NUM})")
_BARE = re.compile("[0-9０-９]{1,3}")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_TOC_HEAD = re.compile(r"目\s*录")
_REMARK = re.compile(r"[（(][^（()）\n]{1,30}[)）]")  # （此件公开发布）
_COMMA = re.compile(r"[，,]")
_RUNNING_MAX = 40  # a running header or footer is a short line
_MIN_PAGE_GAP = 8  # bare numbers this many lines apart (on average) form a page sequence
_FULL = 0.9  # a line at least this share of the text's line width is full (wrapped)


def is_page_number(line: str) -> bool:
    """True for an unambiguous page-number line (``- 1 -``, ``—2—``, ``第1页``, ``1/3``).

    >>> [is_page_number(s) for s in ("- 1 -", "—2—", "第 1 页 共 3 页", "1/3", "3/1", "1.", "2023年8月1日")]
    [True, True, True, True, False, False, False]
    """
    s = line.strip()
    if not _PAGE_NUMBER.fullmatch(s):
        return False
    m = _FRACTION.fullmatch(s)
    return m is None or 0 < int(m.group(1).translate(_FULLWIDTH_DIGITS)) <= int(m.group(2).translate(_FULLWIDTH_DIGITS))


def _signature_line(line: str) -> bool:
    s = line.strip()
    return is_date_line(s) or is_unit_line(s) or _REMARK.fullmatch(s) is not None


def _bare_number(line: str) -> int | None:
    s = line.strip()
    return int(s.translate(_FULLWIDTH_DIGITS)) if _BARE.fullmatch(s) else None


def _compact(line: str) -> str:
    return "".join(line.split())


@dataclass(slots=True)
class _Gap:
    """A page break: a run of blank, page-break and page-number lines between two content lines."""

    first: int  # index of the run's first line
    last: int  # index of the run's last line
    before: int | None  # the content line before the run
    after: int | None  # the content line after the run


def _page_sequence(lines: list[str], bare: list[int]) -> bool:
    """Whether the bare-number lines at ``bare`` read as page numbers (increasing, far apart)."""
    if len(bare) < 2:
        return False
    values = [_bare_number(lines[i]) or 0 for i in bare]
    increasing = all(b > a for a, b in zip(values, values[1:]))
    return increasing and (bare[-1] - bare[0]) / (len(bare) - 1) >= _MIN_PAGE_GAP


def _furniture(lines: list[str]) -> set[int]:
    """Indices of page-break and page-number lines (bare numbers included where they are pages)."""
    edges = {i for i, ln in enumerate(lines) if PAGE_BREAK in ln or is_page_number(ln)}
    bare = [i for i, ln in enumerate(lines) if i not in edges and _bare_number(ln) is not None]
    if _page_sequence(lines, bare):
        return edges | set(bare)
    out = set(edges)
    for i in bare:  # a bare number beside a page break, or ending the text, is a page number
        j = i + 1
        while j < len(lines) and j not in edges and not lines[j].strip():
            j += 1
        k = i - 1
        while k >= 0 and k not in edges and not lines[k].strip():
            k -= 1
        if j >= len(lines) or j in edges or k in edges:
            out.add(i)
    return out


def _gaps(lines: list[str], furniture: set[int]) -> list[_Gap]:
    gaps: list[_Gap] = []
    i, n = 0, len(lines)
    last_content: int | None = None
    while i < n:
        if i in furniture or not lines[i].strip():
            j = i
            while j + 1 < n and (j + 1 in furniture or not lines[j + 1].strip()):
                j += 1
            if any(k in furniture for k in range(i, j + 1)):
                gaps.append(_Gap(i, j, last_content, j + 1 if j + 1 < n else None))
            i = j + 1
            continue
        last_content = i
        i += 1
    return gaps


def _running(lines: list[str], gaps: list[_Gap]) -> set[int]:
    """Indices of running headers/footers: the same short line at most page breaks."""
    inner = [g for g in gaps if g.before is not None and g.after is not None]
    if not inner:
        return set()
    out: set[int] = set()
    content = [i for i, ln in enumerate(lines) if ln.strip() and PAGE_BREAK not in ln]
    for side in ("after", "before"):
        seen: dict[str, list[int]] = {}
        for g in inner:
            i = g.after if side == "after" else g.before
            assert i is not None
            if side == "after" and g.before is not None and _signature_line(lines[g.before]):
                continue  # a notice ended on the last page: this is the next notice's title
            key = _compact(lines[i])
            if 0 < len(key) <= _RUNNING_MAX and key[-1] not in "。；;":
                seen.setdefault(key, []).append(i)
        edge = content[0] if side == "after" else content[-1]  # the first page's header, the last's footer
        for key, hits in seen.items():
            total = len(hits) + (_compact(lines[edge]) == key and edge not in hits)
            if total >= 2 and len(hits) >= 0.5 * len(inner):
                out.update(hits)
    return out


def _split_pages(text: str) -> list[str]:
    """The lines of ``text`` with every page break as a line of its own (``"\\f"``).

    >>> _split_pages("甲\\n- 1 -\\n\\f乙\\f\\n丙")
    ['甲', '- 1 -', '\\x0c', '乙', '\\x0c', '丙']
    """
    out: list[str] = []
    for line in text.split("\n"):
        if PAGE_BREAK not in line:
            out.append(line)
            continue
        pieces = line.split(PAGE_BREAK)
        for k, piece in enumerate(pieces):
            if k:
                out.append(PAGE_BREAK)
            if piece.strip():
                out.append(piece)
    return out


def drop_furniture(text: str) -> Cleaned:
    """Remove page-number lines, page breaks and running headers/footers from ``text``.

    Blank lines around a page break go with it (a sentence may run on across the page);
    every other line is kept byte for byte.
    """
    if PAGE_BREAK not in text and not any(c.isdigit() for c in text):
        return Cleaned(text, ())
    lines = _split_pages(text)
    furniture = _furniture(lines)
    if not furniture:
        return Cleaned(text, ())
    gaps = _gaps(lines, furniture)
    running = _running(lines, gaps)
    drop = furniture | running
    removed = [lines[i].strip() for i in sorted(drop) if lines[i].strip(" \t\u3000" + PAGE_BREAK)]
    # A gap with a running line beside it spans that line too.
    for g in gaps:
        if g.before in running:
            g.first = g.before
        if g.after in running:
            g.last = g.after
    kept: list[str] = []
    gap_at = {g.first: g for g in gaps}
    i = 0
    while i < len(lines):
        gap = gap_at.get(i)
        if gap is not None:
            blank = any(not lines[k].strip() for k in range(gap.first, gap.last + 1) if k not in drop)
            prev = kept[-1].strip() if kept else ""
            ends = bool(prev) and (prev[-1] in _FINAL or is_date_line(prev))
            if blank and ends and gap.after is not None:
                kept.append("")
            if gap.after is None:  # trailing furniture: keep the text's final line break
                kept.append("")
            i = gap.last + 1
            continue
        if i not in drop:
            kept.append(lines[i])
        i += 1
    out = "\n".join(kept)
    return Cleaned(out, tuple(removed))


_WIDE = re.compile("[\u3000-\u303e\u4e00-\u9fff\uff01-\uff60]")  # CJK punctuation, ideographs, full width: W or F
_LOOK_UP = re.compile("[^\x00-\x7f\u3000-\u303e\u4e00-\u9fff\uff01-\uff60]")  # neither those nor ASCII


def _display(s: str) -> int:
    """Display columns of ``s``: 2 for an East Asian wide or full-width character, else 1.

    >>> _display("整改 ok，Ｄ委"), _display("①ＡＢ")
    (13, 5)
    """
    other = sum(unicodedata.east_asian_width(c) in "WF" for c in _LOOK_UP.findall(s))
    return len(s) + len(_WIDE.findall(s)) + other


def _indent(line: str) -> int:
    n = 0
    for c in line:
        if c == "\u3000":
            n += 2
        elif c in " \t":
            n += 1
        else:
            break
    return n


def _common_width(lengths: list[int], low: int, high: int) -> int:
    """The line width of hard-wrapped text, 0 when lines are paragraphs.

    Text is wrapped at width ``w`` (in ``[low, high]``) when at least 8 lines are given, at
    least a fifth of them (and 4) lie within 5 % below ``w``, and hardly any (5 %) are longer
    than ``w`` by more than 5 %: paragraphs broken at one width leave many lines of that width
    and none longer, while paragraph-per-line text has few lines of any one length.

    >>> _common_width([32] * 10 + [12, 20], 10, 120), _common_width(list(range(20, 200, 9)), 10, 120)
    (32, 0)
    >>> _common_width([60] * 26 + list(range(5, 58)) * 2, 10, 120)
    60
    """
    n = len(lengths)
    if n < 8:
        return 0
    ordered = sorted(lengths)
    best, best_count = 0, 0
    for w in sorted(set(x for x in ordered if low <= x <= high), reverse=True):
        longer = n - bisect.bisect_right(ordered, 1.05 * w)
        if longer > 0.05 * n:
            break  # narrower widths only have more lines above them
        count = bisect.bisect_right(ordered, w) - bisect.bisect_left(ordered, 0.95 * w)
        if count > best_count:
            best, best_count = w, count
    return best if best_count >= max(4, 0.2 * n) else 0


def _wrap_widths(lines: list[str]) -> tuple[int, int]:
    """``(characters, display columns)`` of a hard-wrapped text's lines, each 0 when not wrapped."""
    body = [s for s in (ln.strip() for ln in lines) if s and "\t" not in s]
    return _common_width([len(s) for s in body], 10, 120), _common_width([_display(s) for s in body], 20, 240)


_WORD_END = re.compile(r"(?<![A-Za-z])[A-Za-z]{2,}$")
_WORD_START = re.compile(r"[A-Za-z]{2,}(?![A-Za-z])")


def _joint(a: str, b: str) -> str:
    """What goes between joined lines: one space between two Latin words, else nothing.

    Chinese layout breaks a line anywhere, so a break between CJK characters, digits or
    inside an abbreviation (``P`` / ``PT``) is no gap; a break between two Latin words is,
    unless the line was cut at a fixed character count (the caller checks).

    >>> _joint("加强", "学习"), _joint("共11月1", "5日"), _joint("或P", "PT"), _joint("the", "next")
    ('', '', '', ' ')
    """
    if _WORD_END.search(a) and _WORD_START.match(b):
        return " "
    return ""


def _signature_below(lines: list[str], j: int) -> bool:
    """Whether non-blank line ``j`` belongs to a signature or stands above a title."""
    b = lines[j].strip()
    if is_date_line(b):
        return True
    if not is_unit_line(b):
        return False
    k = j + 1
    while k < len(lines) and not lines[k].strip():
        k += 1
    if k >= len(lines):
        return True
    nxt = lines[k].strip()
    return is_date_line(nxt) or is_unit_line(nxt) or is_title_line(nxt)


_SENTENCE_INSIDE = re.compile("[。；！？;!?]")
_PAIRS = (("“", "”"), ("（", "）"), ("(", ")"), ("《", "》"), ("【", "】"), ("「", "」"))
_QUOTE_CLOSERS = frozenset("”’」』")
_ITEM_KINDS = ("enum", "l3", "l4")  # an item line with a comma in it is body text, not a heading
_CONTINUATION_START = frozenset("和及的等")  # no heading, sentence or clause starts with these


def _unclosed(s: str) -> bool:
    """Whether a quotation or bracket opened in ``s`` is still open at its end."""
    return any(s.count(o) > s.count(c) for o, c in _PAIRS)


def _broken_heading(a: str, b: str) -> bool:
    """Whether heading or item line ``a`` is cut in the middle and ``b`` carries it on.

    A label followed by text (``整改情况：一是……``) and an item with a comma in it are body
    text; a heading is cut inside a word (``word_across``), after a
    connective (``……的``) or before ``和``/``及``/``的``/``等``.
    """
    s = a.lstrip(" \t\u3000")
    label = LABEL.match(s)
    if label and s[label.end() :].strip():
        return True
    if line_kind(s) in _ITEM_KINDS and _COMMA.search(s):
        return True
    return _cut_at_a_connective(a, b) or word_across(a, b)


def _cut_at_a_connective(a: str, b: str) -> bool:
    """Whether the break falls after ``的``/``对``/``和``… or before ``和``/``及``/``的``/``等``: nothing ends or starts there."""
    return a[-1] in _CONNECTIVE or b[0] in _CONTINUATION_START


def _continues(lines: list[str], i: int, logical: str, widths: tuple[int, int]) -> bool:
    """Whether line ``i + 1`` carries on the sentence of line ``i`` (``logical``: the joined line so far)."""
    a, b = lines[i].strip(), lines[i + 1].strip()
    if not a or not b or "\t" in a or "\t" in b:
        return False
    last = a[-1]
    if is_date_line(a) or is_title_line(logical) or _TOC_HEAD.fullmatch(a):
        return False
    chars, columns = widths
    full = bool(chars and len(a) >= _FULL * chars) or bool(columns and _display(a) >= _FULL * columns)
    filled = bool(chars and len(a) >= chars - 1) or bool(columns and _display(a) >= columns - 2)
    unclosed = last not in _FINAL and _unclosed(logical)  # inside “……” or （……）
    open_end = unclosed or (full and last not in _FINAL and last not in _CLOSERS)  # cut mid-sentence
    if open_end and last in _CONNECTIVE:
        pass  # ``针对“……”的`` / ``整改情况：``: nothing ends in 的, whatever the next line starts with
    elif starts_structure(b, weak=not open_end) or is_title_line(b) or _TOC_HEAD.fullmatch(b):
        return False
    if is_closing_line(b) or _signature_below(lines, i + 1) or is_page_number(b):
        return False
    head = logical.strip()
    if len(head) <= 60 and not is_title_line(a) and is_title_line(head + b):
        return True  # a title over two lines (centred lines may be indented differently)
    if _indent(lines[i + 1]) >= 2 and _indent(lines[i + 1]) > _indent(lines[i]):
        return False  # an indented line opens a paragraph
    if last in _CONTINUE or unclosed:
        return True
    quoted = last in _QUOTE_CLOSERS and len(a) > 1 and a[-2] not in _FINAL  # ……“双报到”  (no 。” )
    if last in _FINAL or (last in _CLOSERS and not quoted):
        # a sentence or a quotation that ends here, unless the line is filled to the width of
        # wrapped text (then the paragraph goes on)
        return filled
    if starts_structure(a) and not _SENTENCE_INSIDE.search(a[:-1]):
        # a heading or an item on its own line, unless cut in the middle; an item line that
        # already holds a sentence (四是…。严格执行…，) is a paragraph, not a heading
        return filled or _broken_heading(a, b)
    if full or _COMMA.search(a) or _SENTENCE_INSIDE.search(a) or word_across(a, b):
        return True  # a body line broken inside a sentence
    return _cut_at_a_connective(a, b)  # a line of words alone may be a heading


def join_wrapped(text: str) -> str:
    """Join hard-wrapped lines inside a sentence (see the module docstring for the rule).

    >>> join_wrapped("一、总体情况\\n区委巡察组反馈意见后，\\n我局高度重视。\\nXX街道D工委关于巡察整改\\n进展情况的通报\\n")
    '一、总体情况\\n区委巡察组反馈意见后，我局高度重视。\\nXX街道D工委关于巡察整改进展情况的通报\\n'
    """
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    widths = _wrap_widths(lines)
    out: list[str] = []
    logical = lines[0]
    for i in range(len(lines) - 1):
        if _continues(lines, i, logical, widths):
            a, b = logical.rstrip(), lines[i + 1].lstrip()
            cut = bool(widths[0]) and len(lines[i].strip()) >= widths[0] - 1  # broken by count
            logical = a + ("" if cut else _joint(a, b)) + b
        else:
            out.append(logical)
            logical = lines[i + 1]
    out.append(logical)
    return "\n".join(out)


def unwrap(text: str) -> Cleaned:
    """:func:`drop_furniture` then :func:`join_wrapped`; ``removed`` lists the dropped lines."""
    dropped = drop_furniture(text)
    return Cleaned(join_wrapped(dropped.text), dropped.removed)
