"""Small pure functions over character spans ``(start, end)``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import numpy as np

_LINE = re.compile(r"[^\n]*\n?")
_WHITESPACE = np.array([c for c in range(0x3100) if chr(c).isspace()], dtype=np.uint32)  # U+3000 is the last


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of spans as sorted, disjoint spans.

    >>> merge_spans([(5, 9), (0, 3), (2, 4), (9, 10)])
    [(0, 4), (5, 10)]
    """
    out: list[tuple[int, int]] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def count_chars(text: str, spans: Iterable[tuple[int, int]] | None = None) -> int:
    """Characters of ``text`` (inside ``spans`` when given) that are not white space.

    >>> count_chars("一是 加强\\n学习", [(0, 4)])
    3
    """
    if spans is None:
        return sum(1 for c in text if not c.isspace())
    return sum(len(text[a:b]) - sum(1 for c in text[a:b] if c.isspace()) for a, b in merge_spans(spans))


class CharCounter:
    r"""``count_chars`` for many span lists over one text, in time proportional to the spans.

    >>> CharCounter("一是 加强\n学习").count([(0, 4), (2, 5)])
    4
    """

    def __init__(self, text: str) -> None:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        self.prefix = np.concatenate([[0], np.cumsum(~np.isin(codes, _WHITESPACE), dtype=np.int64)])

    def count(self, spans: Iterable[tuple[int, int]] | None = None) -> int:
        if spans is None:
            return int(self.prefix[-1])
        n = len(self.prefix) - 1
        return int(sum(int(self.prefix[min(b, n)] - self.prefix[min(a, n)]) for a, b in merge_spans(spans)))


def subtract_spans(spans: Iterable[tuple[int, int]], remove: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` minus ``remove``.

    >>> subtract_spans([(0, 10)], [(2, 4), (8, 12)])
    [(0, 2), (4, 8)]
    """
    rem = merge_spans(remove)
    out: list[tuple[int, int]] = []
    for a, b in merge_spans(spans):
        cur = a
        for ra, rb in rem:
            if rb <= cur or ra >= b:
                continue
            if ra > cur:
                out.append((cur, ra))
            cur = max(cur, rb)
        if cur < b:
            out.append((cur, b))
    return out


def line_spans(text: str) -> Iterator[tuple[int, int, int]]:
    r"""For every line of ``text``: the span of its content without surrounding white space, and
    where the line ends (before its line break).  A blank line gives an empty span at its start.

    >>> list(line_spans("  一是\n\n二是\t"))
    [(2, 4, 4), (5, 5, 5), (6, 8, 9)]
    """
    for m in _LINE.finditer(text):
        raw = m.group()
        if not raw:
            break
        body = raw.rstrip("\n")
        stripped = body.strip()
        line_end = m.start() + len(body)
        if not stripped:
            yield m.start(), m.start(), line_end
            continue
        start = m.start() + (len(body) - len(body.lstrip()))
        yield start, start + len(stripped), line_end
