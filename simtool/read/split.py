"""Splitting a cleaned document into the notices it holds.

A notice starts at its title: a line standing alone that ends in 通报/公告/公示/报告 and
speaks of 整改/巡察/巡视 (``XX街道D工委关于巡察整改进展情况的通报``).  A compilation's own
title and its table of contents are not notices: table-of-contents lines carry a page
number after a tab or a dotted leader, and a title candidate that is followed by another
candidate (a list of titles) is an entry of the table, not the start of a notice.

A document without any recognizable title is one notice spanning its whole stripped text,
titled by its first non-empty line (at most 60 characters).

>>> text = "目录\\n甲县委关于巡察整改进展情况的通报\\t1\\n\\n甲县委关于巡察整改进展情况的通报\\n根据统一部署……。\\n"
>>> [(t, text[s:e][:8]) for t, s, e in split_notices(text)]
[('甲县委关于巡察整改进展情况的通报', '甲县委关于巡察整')]
"""

from __future__ import annotations

import re
from typing import NamedTuple

from simtool.core.spans import line_spans
from simtool.read.parse_meta import is_date_line, is_unit_line

FALLBACK_TITLE_CHARS = 60
_LONGEST_TITLE_LINE = 100

_TITLE_END = re.compile(r"(?:通报|公告|公示|报告)$")
_TITLE_TOPIC = re.compile(r"整改|巡察|巡视")
_TOC_TAIL = re.compile(r"(?:\t\s*[0-9０-９]*|(?:[.…·．_—-]\s*){3,}[0-9０-９]{1,4}|[ \u3000]{2,}[0-9０-９]{1,4})\s*$")
_TOC_HEAD = re.compile(r"目\s*录")
_BAD_START = re.compile(r"[一二三四五六七八九十]+[、.．]|[（(]|[0-9０-９①-⑳]|[《“\"]")
_PUNCT = re.compile(r"[。；;！!？?，,：:]")
_BODY_LINE = re.compile(r"[^\n]{40,}[。；;]")


class _Line(NamedTuple):
    start: int  # offset of the first non-blank character
    end: int  # offset just after the last non-blank character
    text: str  # stripped text, table-of-contents page number removed
    blank: bool
    toc: bool
    candidate: bool


def is_title_line(line: str) -> bool:
    """True when ``line`` looks like a notice title standing alone.

    >>> is_title_line("关于巡察整改阶段性进展情况的通报"), is_title_line("二、整改落实情况")
    (True, False)
    >>> is_title_line("关于巡察整改进展情况的通报汇编（17篇）")
    False
    """
    s = line.strip()
    return (
        6 <= len(s) <= 80
        and _TITLE_END.search(s) is not None
        and _TITLE_TOPIC.search(s) is not None
        and _PUNCT.search(s) is None
        and _BAD_START.match(s) is None
    )


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    for start, end, line_end in line_spans(text):
        if start == end:
            out.append(_Line(start, start, "", True, False, False))
            continue
        stripped, body = text[start:end], text[start:line_end]
        if len(stripped) > _LONGEST_TITLE_LINE:  # body text: neither a title nor a TOC entry
            out.append(_Line(start, end, stripped, False, False, False))
            continue
        tail = _TOC_TAIL.search(body)
        entry = body[: tail.start()].strip() if tail else stripped
        toc = bool(tail and entry) or _TOC_HEAD.fullmatch(stripped) is not None
        out.append(_Line(start, end, entry or stripped, False, toc, is_title_line(entry or stripped)))
    return out


def _title_indices(lines: list[_Line]) -> list[int]:
    """Indices of title lines: candidates not in a table of contents nor in a list of titles."""
    nonblank = [i for i, ln in enumerate(lines) if not ln.blank]
    titles: list[int] = []
    for pos, i in enumerate(nonblank):
        ln = lines[i]
        if not ln.candidate or ln.toc:
            continue
        nxt = lines[nonblank[pos + 1]] if pos + 1 < len(nonblank) else None
        if nxt is not None and (nxt.candidate or nxt.toc):
            continue  # an entry in a list of titles, or a compilation title over its 目录
        titles.append(i)
    return titles


def _with_unit_line(lines: list[_Line], i: int) -> tuple[int, str]:
    """Start index and title for title line ``i``; a unit line directly above joins the title.

    ``中共XX县委员会`` on its own line right above ``关于巡察整改进展情况的通报`` (and after a
    blank line) is the first half of a two-line title.
    """
    title = lines[i].text
    if i >= 1:
        above = lines[i - 1]
        before_blank = i == 1 or lines[i - 2].blank
        if (
            not above.blank
            and not above.toc
            and before_blank
            and is_unit_line(above.text)
            and not is_date_line(above.text)
            and not title.startswith(above.text)
        ):
            return i - 1, above.text + title
    return i, title


def _stripped_span(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    return start + lead, start + len(piece.rstrip())


def _fallback_title(text: str, start: int, end: int) -> str:
    for line in text[start:end].split("\n"):
        if line.strip():
            return line.strip()[:FALLBACK_TITLE_CHARS]
    return ""


def split_notices(text: str) -> list[tuple[str, int, int]]:
    """``(title, start, end)`` of each notice in cleaned ``text``; ``text[start:end]`` is stripped.

    Text before the first title (a compilation's title, its table of contents, a preface)
    is dropped unless it holds body text, in which case it becomes a notice of its own.
    """
    lines = _lines(text)
    titles = _title_indices(lines)
    if not titles:
        start, end = _stripped_span(text, 0, len(text))
        return [(_fallback_title(text, start, end), start, end)] if end > start else []
    heads = [_with_unit_line(lines, i) for i in titles]
    out: list[tuple[str, int, int]] = []
    first = lines[heads[0][0]].start
    lead_start, lead_end = _stripped_span(text, 0, first)
    if lead_end > lead_start:
        body = [ln for ln in lines if not ln.blank and not ln.toc and ln.end <= first]
        if any(_BODY_LINE.search(ln.text) for ln in body):
            out.append((_fallback_title(text, lead_start, lead_end), lead_start, lead_end))
    for k, (i, title) in enumerate(heads):
        start = lines[i].start
        stop = lines[heads[k + 1][0]].start if k + 1 < len(heads) else len(text)
        s, e = _stripped_span(text, start, stop)
        out.append((title, s, e))
    return out
