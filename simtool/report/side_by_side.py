"""全文对照: two notices' full texts side by side, aligned passage by passage, as one offline page.

The page shows a ``compare`` record (``simtool.analyses.check.compare_notices``): its passages
(``a``/``b`` spans and the ``same`` spans inside them) and ratios.  Passages that follow each other
in both texts are aligned row by row (the heaviest such chain); the text between them is shown
beside the other side's text between the same passages.  A passage off the chain (text moved to
another place) stays marked where it is.  Every character of both texts appears exactly once,
but for the white space at the ends of a row.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from simtool.analyses.check import ComparePassage, CompareSide, Comparison
from simtool.core.spans import CharCounter
from simtool.core.types import Notice
from simtool.report.html import write_atomic
from simtool.report.output import inert
from simtool.report.pages import Span, marked, render_page


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the page: a passage (``kind="passage"``) or the text between two (``"gap"``)."""

    kind: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a: Markup
    b: Markup
    score: float | None


def spans_of(passages: Sequence[ComparePassage]) -> list[tuple[Span, Span]]:
    """Each passage as its span in A and its span in B (what ``chain`` orders)."""
    return [((p.a.start, p.a.end), (p.b.start, p.b.end)) for p in passages]


def chain(passages: Sequence[tuple[Span, Span]]) -> list[int]:
    """Indexes of the passages (each its span in A and in B) that follow each other in both texts
    with the most characters.

    >>> p = lambda a, b, n: ((a, a + n), (b, b + n))
    >>> chain([p(0, 50, 10), p(20, 0, 30), p(60, 40, 5)])
    [1, 2]
    """
    order = sorted(range(len(passages)), key=lambda i: (passages[i][0][0], passages[i][1][0]))
    best: list[int] = []
    prev: list[int] = []
    for k, i in enumerate(order):
        (ia, ja), (ib, jb) = passages[i]
        weight = ja - ia + jb - ib
        best.append(weight)
        prev.append(-1)
        for j in range(k):
            (_, pa_end), (_, pb_end) = passages[order[j]]
            if pa_end <= ia and pb_end <= ib and best[j] + weight > best[k]:
                best[k], prev[k] = best[j] + weight, j
    if not order:
        return []
    k = max(range(len(order)), key=lambda x: (best[x], -x))
    out = []
    while k >= 0:
        out.append(order[k])
        k = prev[k]
    return out[::-1]


def _side(p: ComparePassage, side: str) -> CompareSide:
    return p.a if side == "a" else p.b


def _layers(passages: Sequence[ComparePassage], side: str) -> list[tuple[str, list[Span]]]:
    sides = [_side(p, side) for p in passages]
    same = [(x.start + s, x.start + e) for x in sides for s, e in x.same if e > s]
    inside = [(x.start, x.end) for x in sides]
    return [("same", same), ("diff", inside)]


def _cell(text: str, layers: list[tuple[str, list[Span]]], start: int, end: int) -> Markup:
    """``text[start:end]`` marked, without the line breaks and spaces at its ends."""
    part = text[start:end]
    lead = len(part) - len(part.lstrip())
    return marked(part.strip(), layers, start + lead)


def rows(record: Comparison, a: Notice, b: Notice) -> list[Row]:
    """The rows of the page: gaps and aligned passages, in the order of both texts."""
    passages = record.passages
    la, lb = _layers(passages, "a"), _layers(passages, "b")
    out: list[Row] = []
    ca = cb = 0

    def add(kind: str, ea: int, eb: int, score: float | None) -> None:
        nonlocal ca, cb
        if kind == "passage" or a.text[ca:ea].strip() or b.text[cb:eb].strip():
            out.append(Row(kind, ca, ea, cb, eb, _cell(a.text, la, ca, ea), _cell(b.text, lb, cb, eb), score))
        ca, cb = ea, eb

    for i in chain(spans_of(passages)):
        p = passages[i]
        add("gap", p.a.start, p.b.start, None)
        add("passage", p.a.end, p.b.end, float(p.score))
    add("gap", len(a.text), len(b.text), None)
    return out


def compare_context(record: Comparison, a: Notice, b: Notice, *, min_sim: float | None = None) -> dict[str, Any]:
    """Everything the 全文对照 page shows."""
    same_chars = [
        CharCounter(n.text).count(
            [(x.start + s, x.start + e) for x in (_side(p, side) for p in record.passages) for s, e in x.same]
        )
        for n, side in ((a, "a"), (b, "b"))
    ]
    return {
        "record": record,
        "a": a,
        "b": b,
        "rows": rows(record, a, b),
        "aligned": len(chain(spans_of(record.passages))),
        "same_a": same_chars[0],
        "same_b": same_chars[1],
        "chars_a": CharCounter(a.text).count(),
        "chars_b": CharCounter(b.text).count(),
        "min_sim": min_sim,
    }


def render_compare(record: Comparison, a: Notice, b: Notice, *, min_sim: float | None = None) -> str:
    """The 全文对照 page of ``a`` and ``b`` for their compare record."""
    return render_page("side_by_side.html.j2", **compare_context(record, a, b, min_sim=min_sim))


def write_compare_page(record: Comparison, a: Notice, b: Notice, out: str, *, min_sim: float | None = None) -> str:
    """Write the 全文对照 page to ``out`` and say so on stderr."""
    write_atomic(out, render_compare(record, a, b, min_sim=min_sim))
    sys.stderr.write(inert(f"全文对照已写入 {out}") + "\n")
    return out
