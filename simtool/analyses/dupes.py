"""Near-duplicate pairs and passages as records (the ``dupes`` contract of design.md)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simtool.core.types import Notice, View
from simtool.match.engine import Matches
from simtool.match.verify import align
from simtool.text.normalize import normalize_map


def side(n: Notice, start: int, end: int) -> dict[str, Any]:
    return {"notice": n.id, "title": n.title, "unit": n.unit, "start": start, "end": end, "text": n.text[start:end]}


def family_id(n: Notice, start: int) -> str:
    return f"{n.id}@{start}"


def pair_records(notices: Sequence[Notice], m: Matches) -> Iterator[dict[str, Any]]:
    """One record per verified pair, in a deterministic order (by notice, then offset)."""
    u = m.units
    for k in range(len(m)):
        ua, ub = int(m.a[k]), int(m.b[k])
        na, nb = notices[int(u.notice[ua])], notices[int(u.notice[ub])]
        score = float(m.score[k])
        rec: dict[str, Any] = {
            "score": score,
            "scope": "within" if na is nb else "cross",
            "match": "contained" if m.contained[k] else ("identical" if u.text[ua] == u.text[ub] else "similar"),
            "a": side(na, int(u.start[ua]), int(u.end[ua])),
            "b": side(nb, int(u.start[ub]), int(u.end[ub])),
        }
        if m.family[k] >= 0:
            rep = int(m.family[k])
            rec["family"] = family_id(notices[int(u.notice[rep])], int(u.start[rep]))
            rec["family_size"] = int(m.family_size[k])
        yield rec


@dataclass(frozen=True, slots=True)
class Passage:
    """Adjacent matched units between two notices merged into one span on each side."""

    a: int
    b: int
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    units: int
    score: float


def passages(m: Matches, *, cross_only: bool = True) -> list[Passage]:
    """Merge matches between the same two notices whose units follow each other on both sides."""
    u = m.units
    na, nb = u.notice[m.a], u.notice[m.b]
    keep = na != nb if cross_only else np.ones(len(m), dtype=bool)
    a, b, s = m.a[keep], m.b[keep], m.score[keep]
    order = np.lexsort((u.seq[b], u.seq[a], u.notice[b], u.notice[a]))
    out: list[Passage] = []
    cur: list[Any] | None = None
    for k in order.tolist():
        ia, ib = int(a[k]), int(b[k])
        key = (int(u.notice[ia]), int(u.notice[ib]))
        sa, sb = int(u.seq[ia]), int(u.seq[ib])
        if cur is not None and (cur[0], cur[1]) == key and sa == cur[8] + 1 and sb == cur[9] + 1:
            cur[3] = max(cur[3], int(u.end[ia]))
            cur[5] = max(cur[5], int(u.end[ib]))
            cur[6] += 1
            cur[7] += float(s[k])
            cur[8], cur[9] = sa, sb
            continue
        if cur is not None:
            out.append(Passage(cur[0], cur[1], cur[2], cur[3], cur[4], cur[5], cur[6], round(cur[7] / cur[6], 4)))
        cur = [
            key[0],
            key[1],
            int(u.start[ia]),
            int(u.end[ia]),
            int(u.start[ib]),
            int(u.end[ib]),
            1,
            float(s[k]),
            sa,
            sb,
        ]
    if cur is not None:
        out.append(Passage(cur[0], cur[1], cur[2], cur[3], cur[4], cur[5], cur[6], round(cur[7] / cur[6], 4)))
    return out


def same_spans(a_text: str, b_text: str, view: View = "literal") -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Spans of the two original texts that are the same after normalization (for highlighting)."""
    na, nb = normalize_map(a_text, view), normalize_map(b_text, view)
    spans_a: list[tuple[int, int]] = []
    spans_b: list[tuple[int, int]] = []
    for sa, sb, length in align(na.text, nb.text).blocks:
        if length <= 0:
            continue
        spans_a.append(na.span(sa, sa + length))
        spans_b.append(nb.span(sb, sb + length))
    return spans_a, spans_b
