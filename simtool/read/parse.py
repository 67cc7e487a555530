"""Parsing one rectification notice into metadata and structural segments.

The parser reads a notice line by line (one pass, regular expressions only):

* the first line is the title; the last lines are the signature (a unit line and a date
  line) and, above them, the closing formula (``欢迎广大干部群众……监督``);
* ``一、`` lines open sections.  A section about organisation, responsibility, results or
  next steps (``一、整改工作组织情况``, ``三、下一步工作打算``) is framing; a section about the
  problems (``二、整改落实情况``) holds headings, problems and measures;
* inside a problem section an item (``（一）``, ``1.``, ``（1）``, ``关于……的问题``, and in
  notices that list sub-problems as ``一是跨年度入账。……`` those lines too) is a heading when
  the next line is a deeper item and it has no text of its own; otherwise it is a problem.
  The problem statement is the item's first sentence; the rest of the line and the lines
  below it until the next item are its measures, one per ``一是/二是…`` or ``①②…``.

Every segment's ``text`` is the exact (stripped) slice of the notice's text; segments never
overlap; labels (``整改情况：``) and status remarks (``已完成整改。``) belong to no segment.
A problem segment keeps the number it is printed with (``Segment.label``, see :func:`problem_label`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from simtool.core.spans import line_spans
from simtool.core.types import Notice, Segment, SegmentKind
from simtool.read import markers
from simtool.read import parse_meta as meta
from simtool.read.clean import clean
from simtool.read.layout import unwrap
from simtool.read.markers import LineKind
from simtool.read.split import FALLBACK_TITLE_CHARS, is_title_line, split_notices

_RANK: dict[str, int] = {"l1": 1, "l2": 2, "l3": 3, "l4": 4, "about": 5, "sub": 6}
_ITEMS = frozenset(("l2", "l3", "l4", "about", "sub"))

_PROBLEM_LABEL = markers.PROBLEM_LABEL
_ENUM_START = markers.ENUM_START
_LABEL = markers.LABEL
_SENTENCE = re.compile(r"(?>“[^”]*”|[^。：:])*?[。：:]")
_STATEMENT_MAX = 160
_ENUM_INLINE = re.compile(r"(?<![^\s。；;，,：:、）)”！？!?])(?:([一二三四五六七八九十]{1,2})是|([①-⑳]))")
_STATUS = re.compile(
    r"\s*(?:已完成整改|已整改到位|已全部整改到位|已整改完成|已完成|整改完成|基本完成整改"
    r"|在整改时限内有序推进整改|正在整改中?|持续整改中?)\s*(?:[。；;，,]|$)"
)
_AIM_LEAD = re.compile(r"针对(?>“[^”\n]*”|[^。；;：:①-⑳\n]){2,150}?[。；;]")
_FRAMING_HEAD = re.compile(
    r"下一步|下步|打算|今后|总体情况|组织领导|组织情况|主体责任|政治站位|政治担当|政治责任"
    r"|统一思想|高度重视|整改成效|巩固|长效|转化|工作举措"
)
_STRONG_PROBLEM_HEAD = re.compile(r"问题|整改落实情况|整改进展情况|具体整改|整改情况")
_PROBLEM_HEAD = re.compile(r"问题|整改|聚焦|落实情况|具体措施")
_PROBLEM_MARK = re.compile(r"整改情况\s*[:：]|针对“[^”\n]{1,80}”的整改情况")
_NEGATIVE = re.compile(
    r"不|未|没有|无|差距|缓慢|滞后|薄弱|欠缺|缺|弱|违规|违纪|问题|流失|随意|乱|虚|假|挪用|截留"
    r"|超|偏|漏|难"
)
_ACTION = re.compile(
    r"进一步|持续|加强|强化|建立|健全|完善|制定|规范|严格|推进|推动|开展|组织|召开|落实|深化|提高|提升|优化"
    r"|加快|加大|坚持|积极|全面|认真|督促|指导|印发|出台|成立|明确|细化|压实|梳理|切实|狠抓|抓好|扎实|着力"
    r"|深入|大力|不断|及时|定期|做好|实施|构建|聚焦|筑牢|夯实|增强|拓宽|探索|设立|补齐|清理|整治|严肃|从严"
    r"|依法|全力|稳步|主动|围绕|结合|针对|通过|根据|按照|对|将|把|由|在|已|以|与|向|为"
)
_PROBLEM_WORDS = re.compile(
    r"问题|不够|不足|不到位|不严|不力|不实|不深|不高|不强|不规范|不完善|不及时|不健全|未|缺|差距|滞后|薄弱|欠缺"
    r"|弱化|虚化|偏差|漏洞|短板|隐患|风险|乏力"
)
_CONTINUED = ("，", "、", ",")
_FINAL = frozenset("。！？；：:!?;”」』）)")


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    text: str
    kind: LineKind


@dataclass(slots=True)
class _Builder:
    """Segments under construction, with the heading stack and the current problem."""

    text: str
    segments: list[Segment] = field(default_factory=list)
    stack: list[tuple[int, str]] = field(default_factory=list)
    problems: int = 0
    current: int | None = None
    current_rank: int = 0

    def path(self) -> tuple[str, ...]:
        return tuple(t for _, t in self.stack)

    def emit(self, kind: SegmentKind, start: int, end: int, problem: int | None = None) -> None:
        """Add the stripped span ``[start, end)``; nothing for a blank span."""
        piece = self.text[start:end]
        s = start + (len(piece) - len(piece.lstrip()))
        e = start + len(piece.rstrip())
        if e > s:
            path, seg_text = self.path(), self.text[s:e]
            label = problem_label(path, seg_text) if kind == "problem" else None
            self.segments.append(Segment(kind, s, e, seg_text, path, problem, label))

    def extend_last(self, end: int) -> None:
        """Make the last segment run to ``end`` (a sentence continued on the next line)."""
        last = self.segments[-1]
        e = last.start + len(self.text[last.start : end].rstrip())
        self.segments[-1] = replace(last, end=e, text=self.text[last.start : e])

    def heading(self, rank: int, start: int, end: int) -> None:
        self.pop_to(rank)
        self.emit("heading", start, end)
        self.stack.append((rank, self.text[start:end].strip()))
        self.current = None

    def pop_to(self, rank: int) -> None:
        while self.stack and self.stack[-1][0] >= rank:
            self.stack.pop()


_NUMERAL = re.compile(r"[0-9０-９一二三四五六七八九十]")
_NUMBERED: dict[LineKind, re.Pattern[str]] = {
    "l2": markers.L2,
    "l3": markers.L3,
    "l4": markers.L4,
    "enum": markers.ENUM_START,
    "about": markers.PROBLEM_LABEL,
}


def _printed_number(line: str) -> str | None:
    """The number an item line starts with, as printed (white space and a trailing colon dropped).

    >>> [_printed_number(s) for s in ("（二）关于……", "12.制度不健全", "(3)学习", "一是跨年度入账", "问题三：……")]
    ['（二）', '12.', '(3)', '一是', '问题三']
    >>> _printed_number("一、总体情况"), _printed_number("关于学习不深入的问题"), _printed_number("问题：……")
    (None, None, None)
    """
    pattern = _NUMBERED.get(markers.line_kind(line))
    m = pattern.match(line) if pattern is not None else None
    if m is None:
        return None
    number = re.sub(r"\s+", "", m.group()).rstrip(":：")
    return number if _NUMERAL.search(number) else None


def problem_label(heading: Sequence[str], text: str) -> str | None:
    """The printed number of a problem segment: the numbers of the item headings above it
    (``（二）``, ``1.``, ``（3）``; not the ``一、`` section) followed by its own.

    ``None`` when the problem itself is printed without a number (``关于……的问题。`` under a
    numbered heading).  It depends only on the segment's ``heading`` and ``text``, so a store can
    derive it again on load.

    >>> problem_label(("二、整改落实情况", "（二）关于财经纪律的问题"), "12.报销不规范。")
    '（二）12.'
    >>> problem_label(("二、整改落实情况",), "（三）内控制度执行不到位。")
    '（三）'
    >>> problem_label(("二、整改落实情况", "1.关于经济工作的问题"), "关于学习不够到位的问题。") is None
    True
    """
    own = _printed_number(text)
    if own is None:
        return None
    chain = [_printed_number(h) for h in heading if markers.line_kind(h) != "l1"]
    return "".join([*(c for c in chain if c), own])


def _lines(text: str) -> list[_Line]:
    """Non-blank lines; in hard-wrapped text (PDF) a wrapped sentence is one logical line."""
    phys = [(s, e) for s, e, _ in line_spans(text) if e > s]
    width = _wrap_width([e - s for s, e in phys])
    out: list[_Line] = []
    for s, e in phys:
        if out and width and _wrapped(text, out[-1], s, e, width):
            last = out[-1]
            merged = text[last.start : e]
            out[-1] = _Line(last.start, e, merged, _kind(merged))
            continue
        piece = text[s:e]
        out.append(_Line(s, e, piece, _kind(piece)))
    return out


def _wrap_width(lengths: list[int]) -> int:
    """The line width of hard-wrapped text, 0 when lines are paragraphs.

    Text is taken as wrapped when at least 40 % of at least 8 lines share (within 10 %)
    a width of at most 120 characters, the width of the longer lines.
    """
    if len(lengths) < 8:
        return 0
    width = sorted(lengths)[int(len(lengths) * 0.8)]
    if width > 120 or width < 10:
        return 0
    near = sum(1 for n in lengths if 0.9 * width <= n <= 1.05 * width)
    return width if near >= 0.4 * len(lengths) else 0


def _wrapped(text: str, last: _Line, start: int, end: int, width: int) -> bool:
    """Whether physical line ``[start, end)`` continues ``last`` (a full line cut mid-sentence)."""
    tail_len = last.end - (text.rfind("\n", last.start, last.end) + 1 or last.start)
    if tail_len < 0.9 * width or text[last.end - 1] in _FINAL:
        return False
    return _kind(text[start:end]) in ("plain", "about") and not _LABEL.match(text, start, end)


_kind = markers.line_kind


def _statement_end(text: str, ln: _Line) -> int:
    """End of an item's statement: its first sentence (``。``/``：`` outside quotes)."""
    label = _PROBLEM_LABEL.match(text, ln.start, ln.end)
    start = label.end() if label else ln.start
    m = _SENTENCE.match(text, start, min(ln.end, start + _STATEMENT_MAX))
    return m.end() if m else ln.end


def _problem_like(line: str) -> bool:
    """Whether ``一是……。`` starts with a short problem (``跨年度入账``) rather than an action."""
    head = _ENUM_START.match(line)
    start = head.end() if head else 0
    m = _SENTENCE.match(line, start, min(len(line), start + 40))
    if not m:
        return False
    first = line[start : m.end()].rstrip("。：:；;，, ")
    if not first or len(first) > 24 or _ACTION.match(first):
        return False
    return _NEGATIVE.search(first) is not None or len(first) <= 10


def _is_problem_section(head: str | None, lines: list[_Line]) -> bool:
    """Whether a section lists problems (by its ``一、`` heading, else by its content)."""
    if any(ln.kind == "about" or _PROBLEM_MARK.match(ln.text) for ln in lines):
        return True
    if head is not None:
        if _FRAMING_HEAD.search(head) and not _STRONG_PROBLEM_HEAD.search(head):
            return False
        if _PROBLEM_HEAD.search(head):
            return True
    return any(ln.kind in _ITEMS and "问题" in ln.text[:_STATEMENT_MAX] for ln in lines)


def _sections(body: list[_Line]) -> list[tuple[int, int, bool]]:
    """``(first, stop, is_problem)`` per section; a section starts at an ``一、`` line."""
    if not body:
        return []
    starts = [0] + [i for i, ln in enumerate(body) if ln.kind == "l1" and i > 0]
    out: list[tuple[int, int, bool]] = []
    for k, a in enumerate(starts):
        z = starts[k + 1] if k + 1 < len(starts) else len(body)
        head = body[a].text if body[a].kind == "l1" else None
        out.append((a, z, _is_problem_section(head, body[a + 1 if head else a : z])))
    return out


def _mark_subproblems(body: list[_Line], sections: list[tuple[int, int, bool]]) -> list[_Line]:
    """Turn ``一是……`` lines into sub-problems when most of them read as problems."""
    enum = [i for a, z, prob in sections if prob for i in range(a, z) if body[i].kind == "enum"]
    votes = sum(1 for i in enum if _problem_like(body[i].text))
    if len(enum) < 3 or votes < 0.6 * len(enum):
        return body
    out = list(body)
    for i in enum:
        ln = out[i]
        out[i] = _Line(ln.start, ln.end, ln.text, "sub")
    return out


def _cuts(text: str, start: int, end: int) -> list[int]:
    """Offsets of ``一是/二是…`` and ``①②…`` that follow on from each other."""
    cuts: list[int] = []
    last_cn = last_circled = 0
    for m in _ENUM_INLINE.finditer(text, start, end):
        opens = m.start() == start  # ``二是……。三是……`` on a line of its own goes on from there
        if m.group(1):
            v = meta.number(m.group(1)) or 0
            if v in (last_cn + 1, 1) or (v == last_cn and v > 0) or (opens and v > 0):
                cuts.append(m.start())
                last_cn = v
        else:
            v = ord(m.group(2)) - ord("①") + 1
            if v in (last_circled + 1, 1) or opens:
                cuts.append(m.start())
                last_circled = v
    return cuts


def _measures(b: _Builder, start: int, end: int) -> None:
    """Measures of the current problem in ``[start, end)``: one per enumerated item."""
    text = b.text
    while start < end and text[start].isspace():
        start += 1
    label = _LABEL.match(text, start, end)
    if label:
        start = label.end()
    status = _STATUS.match(text, start, end)
    if status:
        start = status.end()
    cuts = _cuts(text, start, end)
    bounds = [start, *[c for c in cuts if c > start], end]
    for a, z in zip(bounds, bounds[1:], strict=False):
        if a == start and cuts and cuts[0] != start:  # the lead before 一是
            lead = text[a:z].strip()
            if lead.endswith(("：", ":")) or _STATUS.fullmatch(lead):
                continue
        b.emit("measure", a, z, b.current)


def _framing_line(b: _Builder, ln: _Line) -> None:
    """A line of framing text: a short ``（一）`` line is a heading, anything else framing."""
    if ln.kind in ("l2", "l3", "l4") and len(ln.text) <= 60 and "。" not in ln.text:
        b.heading(_RANK[ln.kind], ln.start, ln.end)
    elif _continues(b, ln):
        b.extend_last(ln.end)
    else:
        b.emit("framing", ln.start, ln.end)


def _continues(b: _Builder, ln: _Line) -> bool:
    """Whether ``ln`` carries on the last segment's sentence (which ended in ``，``)."""
    if ln.kind != "plain" or not b.segments:
        return False
    last = b.segments[-1]
    return last.kind in ("measure", "framing") and last.text.endswith(_CONTINUED)


def _problem_section(b: _Builder, body: list[_Line], a: int, z: int) -> None:
    """Headings, problems and measures of the body lines ``a``..``z`` of a problem section."""
    text = b.text
    for i in range(a, z):
        ln = body[i]
        if ln.kind in _ITEMS:
            rank = _RANK[ln.kind]
            st_end = _statement_end(text, ln)
            inline = bool(text[st_end : ln.end].strip())
            nxt = body[i + 1] if i + 1 < z else None
            deeper = nxt is not None and nxt.kind in _ITEMS and _RANK[nxt.kind] > rank
            bare = nxt is None or nxt.kind in _ITEMS
            if not inline and (deeper or (bare and rank <= 2)):
                b.heading(rank, ln.start, ln.end)
                continue
            if b.current is not None and rank > b.current_rank and not _PROBLEM_WORDS.search(text, ln.start, st_end):
                b.emit("measure", ln.start, ln.end, b.current)  # 1.组织学习…… numbered under its problem
                continue
            b.pop_to(rank)
            b.problems += 1
            b.current, b.current_rank = b.problems, rank
            b.emit("problem", ln.start, st_end, b.current)
            _measures(b, st_end, ln.end)
        elif b.current is None:
            _framing_line(b, ln)
        elif _continues(b, ln):
            b.extend_last(ln.end)
        else:
            start = ln.start
            last = b.segments[-1] if b.segments else None
            lead = _AIM_LEAD.match(text, ln.start, ln.end)
            if lead and last is not None and last.kind == "problem" and last.problem == b.current:
                b.extend_last(lead.end())  # 针对……问题。 restates the problem in detail
                start = lead.end()
            _measures(b, start, ln.end)


def _title_lines(lines: list[_Line], title: str | None) -> int:
    """How many leading lines form the title (0 when the first line is body text)."""
    if not lines:
        return 0
    first = lines[0].text
    if title is None:
        return 1 if len(first) <= 80 and "。" not in first else 0
    if first != title and len(lines) > 1 and first + lines[1].text == title:
        return 2  # a unit line above the title line
    return 1 if first == title or is_title_line(first) else 0


def _structure(text: str, title: str | None) -> tuple[list[Segment], list[_Line], int, int, int]:
    """Segments of ``text`` plus the lines, title line count, closing and signature starts."""
    lines = _lines(text)
    b = _Builder(text)
    n_title = _title_lines(lines, title)
    for ln in lines[:n_title]:
        b.emit("title", ln.start, ln.end)
    closing, sig = meta.tail_bounds([ln.text for ln in lines], n_title)
    body = lines[n_title:closing]
    sections = _sections(body)
    body = _mark_subproblems(body, sections)
    for a, z, is_problem in sections:
        b.stack.clear()
        b.current = None
        if a < z and body[a].kind == "l1":
            ln = body[a]
            st_end = _statement_end(text, ln) if len(ln.text) > 60 else ln.end
            b.heading(1, ln.start, st_end)
            if st_end < ln.end:
                b.emit("framing", st_end, ln.end)
            a += 1
        if is_problem:
            _problem_section(b, body, a, z)
        else:
            for ln in body[a:z]:
                _framing_line(b, ln)
    b.stack.clear()
    for ln in lines[closing:sig]:
        b.emit("closing", ln.start, ln.end)
    for ln in lines[sig:]:
        b.emit("signature", ln.start, ln.end)
    return b.segments, lines, n_title, closing, sig


def _opening(lines: list[_Line], n_title: int) -> str:
    """The opening paragraph(s): body lines before the first heading or item (at most 3)."""
    out: list[str] = []
    for ln in lines[n_title : n_title + 3]:
        if ln.kind != "plain" and out:
            break
        out.append(ln.text)
    return "\n".join(out)


def parse_notice(text: str, *, notice_id: str, path: str, index: int, title: str | None = None) -> Notice:
    """Parse one notice's own text (its span from :func:`split_notices`, stripped).

    ``index`` is the notice's 1-based position in its file.  ``title`` defaults to the first
    non-empty line (at most 60 characters).
    """
    segments, lines, n_title, closing, sig = _structure(text, title)
    if title is None:
        title = lines[0].text[:FALLBACK_TITLE_CHARS] if lines else ""
    opening = _opening(lines, n_title)
    signature = [ln.text for ln in lines[sig:]]
    date = next((d for d in map(meta.publication_date, reversed(signature)) if d), None)
    start, end, after = meta.period(opening)
    feedback = meta.feedback_date(opening, after, reference=end or start, published=date)
    unit = meta.issuing_unit(title, signature, opening)
    first_problem = next((s.start for s in segments if s.kind == "problem"), len(text))
    framing = "\n".join(s.text for s in segments if s.kind == "framing" and s.start < first_problem)
    return Notice(
        id=notice_id,
        path=path,
        index=index,
        title=title,
        text=text,
        segments=tuple(segments),
        unit=unit,
        inspector=meta.inspector(opening),
        period_start=start,
        period_end=end,
        feedback_date=feedback,
        date=date,
        declared=meta.declared_counts(framing),
    )


def notices_from_text(text: str, path: str) -> tuple[list[Notice], tuple[str, ...]]:
    """Clean, unwrap, split and parse a document's text; also return the removed lines.

    Cleaning drops distributor noise; :func:`~simtool.read.layout.unwrap` drops page furniture
    and joins hard-wrapped lines, so each notice's ``text`` is a slice of the unwrapped text.
    The removed lines are the noise lines, then the page furniture.  Notice ids are ``path``
    as given, plus ``#k`` (1-based) when the file holds more than one.
    """
    cleaned = clean(text)
    laid = unwrap(cleaned.text)
    spans = split_notices(laid.text)
    many = len(spans) > 1
    notices = [
        parse_notice(laid.text[s:e], notice_id=f"{path}#{k}" if many else path, path=path, index=k, title=t)
        for k, (t, s, e) in enumerate(spans, start=1)
    ]
    return notices, cleaned.removed + laid.removed
