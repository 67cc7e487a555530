"""Notice-pair overlap (重合度, 复制比) and each notice's copy ratios.

For two notices A and B, ``shared_a`` is the number of non-white-space characters of A inside
units (problems, measures, framing sentences …) that the engine matched with some unit of B
(重合字数) — for a short unit of B found inside a long unit of A, only the aligned part of A's
unit; ``ratio_a = shared_a / a_chars``.  The ``*_substantive`` ratios leave formulaic
text (spans covered by phrases used across many notices, see ``simtool.analyses.phrases``) out of both
numerator and denominator.  These are the same definitions that ``simtool check`` uses.

Identical units shared by more than ``max_family`` notices are matched as a star by the engine
(each occurrence with one representative), so a pair that shares only such a unit — in
practice a formula — may miss it; per-notice ratios are not affected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simtool.analyses.dupes import passages
from simtool.analyses.phrases import formulaic_phrases, formulaic_spans
from simtool.core.spans import merge_spans, subtract_spans
from simtool.core.types import Notice
from simtool.match.engine import DEFAULT_MIN_SIM, Matches, find_matches
from simtool.match.verify import contained_span
from simtool.text.normalize import Normalized, normalize_map

Span = tuple[int, int]
_WHITESPACE = np.array([c for c in range(0x3100) if chr(c).isspace()], dtype=np.uint32)  # U+3000 is the last


class _Counter:
    """Non-white-space characters of one text over spans in O(1) per span (prefix sums)."""

    def __init__(self, text: str) -> None:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        self.prefix = np.concatenate([[0], np.cumsum(~np.isin(codes, _WHITESPACE), dtype=np.int64)])

    def count(self, spans: Sequence[Span]) -> int:
        return int(sum(int(self.prefix[b] - self.prefix[a]) for a, b in merge_spans(spans)))

    @property
    def total(self) -> int:
        return int(self.prefix[-1])


@dataclass(frozen=True, slots=True)
class _Side:
    """One notice's character counts: all, formulaic, and the formulaic spans themselves."""

    counter: _Counter
    formulaic: list[Span]
    chars: int
    substantive: int

    def shared(self, spans: Sequence[Span]) -> tuple[int, int]:
        """(shared chars, shared chars outside formulaic text) of ``spans``."""
        merged = merge_spans(spans)
        return self.counter.count(merged), self.counter.count(subtract_spans(merged, self.formulaic))


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def default_formulaic(notices: Sequence[Notice]) -> dict[str, list[Span]]:
    """Formulaic spans learned from ``notices`` themselves (empty when they are too few)."""
    return formulaic_spans(notices, formulaic_phrases(notices))


def _sides(notices: Sequence[Notice], formulaic: dict[str, list[Span]]) -> list[_Side]:
    out = []
    for n in notices:
        counter = _Counter(n.text)
        form = merge_spans(formulaic.get(n.id, []))
        out.append(_Side(counter, form, counter.total, counter.total - counter.count(form)))
    return out


def _pair_units(notices: Sequence[Notice], m: Matches) -> dict[tuple[int, int], tuple[list[Span], list[Span]]]:
    """For each notice pair (input order), the spans of A's and B's units matched across.

    When a short unit is contained in a long one (``contained``), only the aligned part of the
    long unit counts, not all of it.
    """
    u = m.units
    na, nb = u.notice[m.a], u.notice[m.b]
    cross = np.flatnonzero(na != nb)
    maps: dict[int, Normalized] = {}

    def aligned(long_: int, short: int) -> Span:
        start, end = int(u.start[long_]), int(u.end[long_])
        nm = maps.get(long_)
        if nm is None:
            nm = maps[long_] = normalize_map(notices[int(u.notice[long_])].text[start:end])
        s, e, _score = contained_span(u.text[short], u.text[long_])
        a, b = nm.span(s, e)
        return start + a, start + b

    out: dict[tuple[int, int], tuple[list[Span], list[Span]]] = {}
    for k in cross[np.lexsort((nb[cross], na[cross]))].tolist():
        ua, ub = int(m.a[k]), int(m.b[k])
        span_a: Span = (int(u.start[ua]), int(u.end[ua]))
        span_b: Span = (int(u.start[ub]), int(u.end[ub]))
        if m.contained[k]:
            if len(u.text[ua]) > len(u.text[ub]):
                span_a = aligned(ua, ub)
            else:
                span_b = aligned(ub, ua)
        spans_a, spans_b = out.setdefault((int(na[k]), int(nb[k])), ([], []))
        spans_a.append(span_a)
        spans_b.append(span_b)
    return out


def _prepare(
    notices: Sequence[Notice], min_sim: float, matches: Matches | None, formulaic: dict[str, list[Span]] | None
) -> tuple[Matches, list[_Side]]:
    if matches is None:
        matches = find_matches(notices, min_sim=min_sim, scope="cross")
    if formulaic is None:
        formulaic = default_formulaic(notices)
    return matches, _sides(notices, formulaic)


def likely_source(a: Notice, b: Notice) -> str | None:
    """The id of the notice published first, when both are dated on different days."""
    if a.date and b.date and a.date != b.date:
        return a.id if a.date < b.date else b.id
    return None


def overlap_records(
    notices: Sequence[Notice],
    *,
    min_sim: float = DEFAULT_MIN_SIM,
    matches: Matches | None = None,
    formulaic: dict[str, list[Span]] | None = None,
) -> list[dict[str, Any]]:
    """One record per notice pair sharing text (the ``overlap`` contract), ``a`` first in input order.

    Ranked by ``max(ratio_a_substantive, ratio_b_substantive)`` descending, then by the ids.
    ``matches`` (from ``find_matches(..., scope="cross")``) and ``formulaic`` (notice id →
    spans, e.g. from ``formulaic_spans``) are computed when not given.
    """
    matches, sides = _prepare(notices, min_sim, matches, formulaic)
    counts = Counter((p.a, p.b) for p in passages(matches))
    out = []
    for (i, j), (spans_a, spans_b) in _pair_units(notices, matches).items():
        a, b, sa, sb = notices[i], notices[j], sides[i], sides[j]
        shared_a, sub_a = sa.shared(spans_a)
        shared_b, sub_b = sb.shared(spans_b)
        out.append(
            {
                "a": a.id,
                "b": b.id,
                "a_chars": sa.chars,
                "b_chars": sb.chars,
                "shared_a": shared_a,
                "shared_b": shared_b,
                "ratio_a": _ratio(shared_a, sa.chars),
                "ratio_b": _ratio(shared_b, sb.chars),
                "ratio_a_substantive": _ratio(sub_a, sa.substantive),
                "ratio_b_substantive": _ratio(sub_b, sb.substantive),
                "likely_source": likely_source(a, b),
                "passages": counts.get((i, j), 0),
                "a_title": a.title,
                "b_title": b.title,
                "a_unit": a.unit,
                "b_unit": b.unit,
                "a_date": a.date,
                "b_date": b.date,
            }
        )
    out.sort(key=lambda r: (-max(r["ratio_a_substantive"], r["ratio_b_substantive"]), r["a"], r["b"]))
    return out


def notice_ratios(
    notices: Sequence[Notice],
    *,
    min_sim: float = DEFAULT_MIN_SIM,
    matches: Matches | None = None,
    formulaic: dict[str, list[Span]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Per notice id: 总文字复制比 ``copy_ratio`` (its units matched in any other notice),
    去除套话复制比 ``copy_ratio_substantive``, 单篇最大复制比 ``max_source_ratio`` with its
    ``max_source`` (ties go to the smaller id), ``shared``, ``chars`` and ``formulaic_share``.

    ``max_source_ratio`` equals the largest ``ratio_a``/``ratio_b`` of the notice in ``overlap_records``.
    """
    matches, sides = _prepare(notices, min_sim, matches, formulaic)
    union: list[list[Span]] = [[] for _ in notices]
    best: list[tuple[float, str | None]] = [(0.0, None) for _ in notices]
    for (i, j), (spans_a, spans_b) in _pair_units(notices, matches).items():
        for me, other, spans in ((i, j, spans_a), (j, i, spans_b)):
            union[me].extend(spans)
            ratio = _ratio(sides[me].counter.count(spans), sides[me].chars)
            if (-ratio, notices[other].id) < (-best[me][0], best[me][1] or "\U0010ffff"):
                best[me] = (ratio, notices[other].id)
    out: dict[str, dict[str, Any]] = {}
    for k, n in enumerate(notices):
        side = sides[k]
        shared, sub = side.shared(union[k])
        out[n.id] = {
            "copy_ratio": _ratio(shared, side.chars),
            "copy_ratio_substantive": _ratio(sub, side.substantive),
            "max_source_ratio": best[k][0],
            "max_source": best[k][1],
            "shared": shared,
            "chars": side.chars,
            "formulaic_share": _ratio(side.chars - side.substantive, side.chars),
        }
    return out
