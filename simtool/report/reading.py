"""The order in which a reviewer reads pairs on the terminal: copied problems and measures first,
the longest first; then the framing (openings, closings, headings); pairs of 套话 (the formulas
every notice writes, ``simtool.analyses.phrases``) last.

Ordered by score alone, the first screen of ``simtool dupes`` on the seeds was the opening formula
现将巡察整改进展情况予以公布。 paired across every notice; the copying a reviewer looks for came
pages later.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from typing import Any

Span = tuple[int, int]
FORMULA_SHARE = 0.5  # a pair whose side lies this much inside its notice's 套话 spans is a formula's
SUBSTANCE = frozenset({"problem", "measure"})  # segment kinds whose copying a reviewer looks for


def formula_part(spans: Sequence[Span], start: int, end: int) -> float:
    """The share of ``[start, end)`` covered by ``spans`` (sorted, disjoint).

    >>> formula_part([(0, 4), (6, 8)], 2, 8)
    0.6667
    """
    if end <= start:
        return 0.0
    inside = 0
    for a, b in spans[max(0, bisect_left(spans, (start, start)) - 1) :]:
        if a >= end:
            break
        inside += max(0, min(b, end) - max(a, start))
    return round(inside / (end - start), 4)


def reading_order(
    records: Iterable[dict[str, Any]], formulaic: Callable[[str], Sequence[Span]]
) -> list[tuple[bool, dict[str, Any]]]:
    """``(is_formula, record)`` of each pair record: a pair with a problem or measure on one side
    first, then the other pairs (framing, headings), then the pairs of 套话; within each, the
    longest pair (characters of both sides) first, then the highest score, then by position.
    ``formulaic(notice_id)``: the notice's 套话 spans, sorted and disjoint."""

    def is_formula(r: dict[str, Any]) -> bool:
        return any(formula_part(formulaic(r[s]["notice"]), r[s]["start"], r[s]["end"]) >= FORMULA_SHARE for s in "ab")

    def key(fr: tuple[bool, dict[str, Any]]) -> tuple[int, int, float, str, int, str, int]:
        formula, r = fr
        a, b = r["a"], r["b"]
        substance = a.get("segment", "measure") in SUBSTANCE or b.get("segment", "measure") in SUBSTANCE
        tier = 2 if formula else 0 if substance else 1
        size = a["end"] - a["start"] + b["end"] - b["start"]
        return (tier, -size, -r["score"], a["notice"], a["start"], b["notice"], b["start"])

    return sorted(((is_formula(r), r) for r in records), key=key)
