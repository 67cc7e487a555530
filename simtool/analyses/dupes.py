"""Near-duplicate pairs and passages as records (the ``dupes`` contract of design.md)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any, NamedTuple

import numpy as np
from rapidfuzz import fuzz, process

from simtool.core.types import Notice, View
from simtool.match.engine import Matches, covered_by_sentences
from simtool.match.units import CLAUSE, LEVEL_NAMES, SENTENCE, Units
from simtool.match.verify import align, similarity
from simtool.text.normalize import normalize, normalize_map


def side(n: Notice, start: int, end: int) -> dict[str, Any]:
    return {"notice": n.id, "title": n.title, "unit": n.unit, "start": start, "end": end, "text": n.text[start:end]}


def family_id(n: Notice, start: int) -> str:
    return f"{n.id}@{start}"


def pair_records(notices: Sequence[Notice], m: Matches) -> Iterator[dict[str, Any]]:
    """One record per verified pair, in a deterministic order (by notice, then offset).

    ``start``/``end`` of each side are the aligned span (the part of a longer unit that matches
    a shorter one); ``unit`` says whether the pair was matched as sentences or as clauses;
    each side names the segment (kind, problem number) its sentence lies in.  Clause pairs that
    repeat another pair are left out (``reported_pairs``).  ``match`` is ``identical``, ``similar``
    (the two texts' Indel similarity is the score) or ``contained`` (the shorter text inside the
    longer one: their ``partial_ratio`` is the score).
    """
    fields = _Sides(notices, m.units).fields
    for rows in _row_chunks(notices, m):
        for score, scope, match, unit, sa, sb, family, size in zip(*rows):
            rec: dict[str, Any] = {
                "score": score,
                "scope": scope,
                "match": match,
                "unit": unit,
                "a": dict(fields(sa)),
                "b": dict(fields(sb)),
            }
            if family is not None:
                rec["family"] = family
                rec["family_size"] = size
            yield rec


def pair_lines(notices: Sequence[Notice], m: Matches) -> Iterator[str]:
    """``jsonl_line`` of every ``pair_records`` record, byte for byte, with each side's JSON encoded
    once per span instead of once per pair (a unit is in many pairs; encoding was most of the time),
    a slice of rows at a time (``simtool.analyses.pair_text`` makes the slices on several processes)."""
    reported, maker = Reported(notices, m), LineMaker(notices, m.units)
    for lo in reported.starts():
        yield from maker.lines(reported.rows(lo))


class LineMaker:
    """The JSONL lines of slices of reported pairs, each side's JSON made once (``_Sides``), each
    family's fields once per family and size."""

    def __init__(self, notices: Sequence[Notice], units: Units) -> None:
        self.sides = _Sides(notices, units)
        self.tails: dict[tuple[str | None, int], str] = {}

    def lines(self, rows: _Rows) -> Iterator[str]:
        sides, tails = self.sides, self.tails
        if len(sides.json) >= _Sides.LIMIT:
            sides.json.clear()
        known, encoded = sides.json.get, sides.encoded
        a_json = [known(k) or encoded(k) for k in rows.a]
        b_json = [known(k) or encoded(k) for k in rows.b]
        ends = []
        for family, size in zip(rows.family, rows.size):
            if family is None:
                ends.append("")
                continue
            tail = tails.get((family, size))
            if tail is None:
                tail = tails[family, size] = f',"family":{json.dumps(family, ensure_ascii=False)},"family_size":{size}'
            ends.append(tail)
        return (
            f'{{"score":{score},"scope":"{scope}","match":"{match}","unit":"{unit}","a":{sa},"b":{sb}{tail}}}'
            for score, scope, match, unit, sa, sb, tail in zip(
                map(float.__repr__, rows.score), rows.scope, rows.match, rows.unit, a_json, b_json, ends
            )
        )


Side = tuple[int, int, int, int]  # notice index, unit, start, end
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class _Sides:
    """The fields of each side of a pair (``side`` and its segment), made once per unit and span,
    as a dict and as JSON; forgotten every ``LIMIT`` spans to bound memory."""

    LIMIT = 1 << 19

    def __init__(self, notices: Sequence[Notice], units: Units) -> None:
        self.notices, self.units = notices, units
        self.made: dict[Side, dict[str, Any]] = {}
        self.json: dict[Side, str] = {}
        self.heads: dict[int, str] = {}  # JSON of a notice's fields, without its closing brace
        self.tails: dict[tuple[int, int], str] = {}  # JSON of a segment's fields, with the closing brace

    def fields(self, key: Side) -> dict[str, Any]:
        """``side`` and segment fields of ``key`` = (notice index, unit, start, end)."""
        return self._kept(self.made, key, self._fields)

    def encoded(self, key: Side) -> str:
        """The JSON of ``fields(key)``."""
        return self._kept(self.json, key, self._encode)

    def _fields(self, key: Side) -> dict[str, Any]:
        ni, unit, start, end = key
        n = self.notices[ni]
        return side(n, start, end) | _segment(n, self.units, unit)

    def _encode(self, key: Side) -> str:
        """``json.dumps(self._fields(key), ensure_ascii=False, separators=(",", ":"))``, from the JSON of
        the notice's fields and of the segment's, made once each."""
        ni, unit, start, end = key
        head = self.heads.get(ni)
        if head is None:
            n = self.notices[ni]
            head = self.heads[ni] = _compact({"notice": n.id, "title": n.title, "unit": n.unit})[:-1]
        seg = -1 if self.units.segment is None else int(self.units.segment[unit])
        tail = self.tails.get((ni, seg))
        if tail is None:
            fields = _segment(self.notices[ni], self.units, unit)
            tail = self.tails[ni, seg] = "," + _compact(fields)[1:] if fields else "}"
        text = encode_basestring(self.notices[ni].text[start:end])
        return f'{head},"start":{start},"end":{end},"text":{text}{tail}'

    def _kept(self, cache: dict[Side, Any], key: Side, make: Callable[[Side], Any]) -> Any:
        got = cache.get(key)
        if got is None:
            if len(cache) >= self.LIMIT:
                cache.clear()
            got = cache[key] = make(key)
        return got


class _Rows(NamedTuple):
    """A slice of the reported pairs, column by column (Python values): score, scope, match, unit,
    the two sides ``(notice index, unit, start, end)``, family (``None``: none) and family size."""

    score: list[float]
    scope: list[str]
    match: list[str]
    unit: list[str]
    a: list[Side]
    b: list[Side]
    family: list[str | None]
    size: list[int]


def _row_chunks(notices: Sequence[Notice], m: Matches) -> Iterator[_Rows]:
    """The reported pairs, ``ROWS_AT_ONCE`` at a time (``Reported``)."""
    reported = Reported(notices, m)
    for lo in reported.starts():
        yield reported.rows(lo)


class Reported:
    """The pairs ``dupes`` reports (``reported_pairs``), found once and given as slices of
    ``ROWS_AT_ONCE`` rows; a run of clause pairs (``clause_runs``) is one row, its first pair's,
    with the merged spans and score."""

    def __init__(self, notices: Sequence[Notice], m: Matches) -> None:
        u = m.units
        keep = reported_pairs(m)
        self.notices, self.units = notices, u
        self.a, self.b = m.a[keep], m.b[keep]
        a, b = self.a, self.b
        self.level = np.zeros(len(keep), dtype=np.int64) if u.level is None else np.maximum(u.level[a], u.level[b])
        self.runs = clause_runs(notices, m, keep)
        self.run_at = np.array(sorted(self.runs), dtype=np.int64)
        self.contained = _contained(notices, m, keep)
        self.spans = (m.a_start[keep], m.a_end[keep], m.b_start[keep], m.b_end[keep])
        self.score, self.family, self.family_size = m.score[keep], m.family[keep], m.family_size[keep]
        self.families: dict[int, str] = {}  # family_id of each representative unit, once

    def starts(self) -> range:
        """The first row of each slice."""
        return range(0, len(self.a), ROWS_AT_ONCE)

    def rows(self, lo: int) -> _Rows:
        """The slice of rows from ``lo``."""
        notices, u, a, b, spans = self.notices, self.units, self.a, self.b, self.spans
        runs, run_at, families = self.runs, self.run_at, self.families
        texts = u.text
        clause, sentence = LEVEL_NAMES[CLAUSE], LEVEL_NAMES[SENTENCE]
        sl = slice(lo, lo + ROWS_AT_ONCE)
        ua, ub = a[sl].tolist(), b[sl].tolist()
        ia, ib = u.notice[a[sl]].tolist(), u.notice[b[sl]].tolist()
        a0, a1, b0, b1 = (x[sl].tolist() for x in spans)
        sc = self.score[sl].tolist()
        match = [
            "contained" if c else ("identical" if texts[x] == texts[y] else "similar")
            for c, x, y in zip(self.contained[sl].tolist(), ua, ub)
        ]
        dropped = []
        for k in run_at[np.searchsorted(run_at, lo) : np.searchsorted(run_at, lo + len(ua))].tolist():
            run, r = runs[k], k - lo
            if run[0] < 0:
                dropped.append(r)  # part of a run given with its first pair
                continue
            a0[r], a1[r], b0[r], b1[r], sc[r] = run
            same = normalize(notices[ia[r]].text[run[0] : run[1]]) == normalize(notices[ib[r]].text[run[2] : run[3]])
            match[r] = "identical" if same else "similar"
        fam: list[str | None] = []
        for rep in self.family[sl].tolist():
            if rep < 0:
                fam.append(None)
                continue
            name = families.get(rep)
            if name is None:
                name = families[rep] = family_id(notices[int(u.notice[rep])], int(u.start[rep]))
            fam.append(name)
        rows = _Rows(
            sc,
            ["within" if x == y else "cross" for x, y in zip(ia, ib)],
            match,
            [clause if lev == CLAUSE else sentence for lev in self.level[sl].tolist()],
            list(zip(ia, ua, a0, a1)),
            list(zip(ib, ub, b0, b1)),
            fam,
            self.family_size[sl].tolist(),
        )
        if dropped:
            gone = set(dropped)
            rows = _Rows._make([v for r, v in enumerate(col) if r not in gone] for col in rows)
        return rows


SCORE_SLACK = 0.01  # a containment shown by its texts within this of its score (raw text, before normalization)


def _contained(notices: Sequence[Notice], m: Matches, keep: np.ndarray) -> np.ndarray:
    """Whether each pair of ``keep`` is reported as ``contained``: a containment whose two reported
    texts show it, the shorter found inside the other at its score (``partial_ratio``).

    The matched part of the longer unit may be cut shorter than the contained unit
    (``区委第四巡察组对XX乡党委进行了巡察。`` for ``区委第四巡察组对区国资委党委进行了巡察。``); then
    ``partial_ratio`` of the two texts swaps their roles and may score lower, while they are a
    similar pair as wholes (their similarity is the score): such a pair is reported as similar.
    """
    contained = m.contained[keep].copy()
    u, a = m.units, m.a[keep]
    a0, a1, b0, b1 = m.a_start[keep], m.a_end[keep], m.b_start[keep], m.b_end[keep]
    a_whole = (a0 == u.start[a]) & (a1 == u.end[a])  # the contained unit is whole; the other side is the part
    short_len = np.where(a_whole, a1 - a0, b1 - b0)
    part_len = np.where(a_whole, b1 - b0, a1 - a0)
    cut = np.flatnonzero(contained & (part_len < short_len))
    score = m.score[keep][cut]
    columns = (u.notice[a[cut]], a0[cut], a1[cut], u.notice[m.b[keep][cut]], b0[cut], b1[cut])
    for lo, rows in _row_slices(columns):
        left, right = [], []
        for ia, x0, x1, ib, y0, y1 in rows:
            left.append(notices[ia].text[x0:x1])
            right.append(notices[ib].text[y0:y1])
        part = process.cpdist(left, right, scorer=fuzz.partial_ratio, workers=-1, dtype=np.float64) / 100
        contained[cut[lo : lo + len(part)]] = part >= score[lo : lo + len(part)] - SCORE_SLACK
    return contained


ROWS_AT_ONCE = 1 << 16  # rows turned into Python values at a time (all of 18M pairs' would take 8 GB)


def _row_slices(columns: Sequence[np.ndarray]) -> Iterator[tuple[int, Iterator[tuple[Any, ...]]]]:
    """``(first row, rows)`` of ``zip(*(c.tolist() for c in columns))``, ``ROWS_AT_ONCE`` rows at a time."""
    n = len(columns[0]) if columns else 0
    for lo in range(0, n, ROWS_AT_ONCE):
        yield lo, zip(*(c[lo : lo + ROWS_AT_ONCE].tolist() for c in columns))


RUN_GAP = 2  # characters (a comma, a space) allowed between two clause pairs of one run


def clause_runs(notices: Sequence[Notice], m: Matches, keep: np.ndarray) -> dict[int, tuple[int, int, int, int, float]]:
    """Clause pairs of ``keep`` (positions in it) that follow each other on both sides inside the same
    two sentences, merged into one pair: ``{first: (a_start, a_end, b_start, b_end, score)}`` for the
    first pair of each run and ``(-1, …)`` for the others.  A long passage shared by two otherwise
    different sentences is one finding, not a row of clause fragments.  A run is kept only where the
    merged texts are as similar as its least similar pair (outside families)."""
    u = m.units
    out: dict[int, tuple[int, int, int, int, float]] = {}
    if u.level is None or u.sentence is None or not len(keep):
        return out
    a, b = m.a[keep], m.b[keep]
    clause = ((u.level[a] != SENTENCE) | (u.level[b] != SENTENCE)) & (m.family[keep] < 0)
    idx = np.flatnonzero(clause)
    if len(idx) < 2:
        return out
    sa = (u.notice[a[idx]].astype(np.int64) << 24) | u.sentence[a[idx]]
    sb = (u.notice[b[idx]].astype(np.int64) << 24) | u.sentence[b[idx]]
    a0, a1 = m.a_start[keep][idx], m.a_end[keep][idx]
    b0, b1 = m.b_start[keep][idx], m.b_end[keep][idx]
    scores = m.score[keep][idx]
    order = np.lexsort((b0, a0, sb, sa))
    ka, kb, x0, x1, y0, y1 = (c[order] for c in (sa, sb, a0, a1, b0, b1))
    # a row continues the previous one's run when both sentences are the same and it follows it on both sides
    goes_on = (
        (ka[1:] == ka[:-1])
        & (kb[1:] == kb[:-1])
        & (x0[1:] - x1[:-1] <= RUN_GAP)
        & (y0[1:] - y1[:-1] <= RUN_GAP)
        & (x0[1:] >= x0[:-1])
        & (y0[1:] >= y0[:-1])
    )
    firsts = np.flatnonzero(np.r_[True, ~goes_on])
    lengths = np.diff(np.r_[firsts, len(order)])
    for first, n in zip(firsts[lengths > 1].tolist(), lengths[lengths > 1].tolist()):
        group = order[first : first + n]
        head = int(idx[group[0]])
        na, nb = notices[int(u.notice[a[head]])], notices[int(u.notice[b[head]])]
        lo_a, hi_a = int(a0[group].min()), int(a1[group].max())
        lo_b, hi_b = int(b0[group].min()), int(b1[group].max())
        score = round(similarity(normalize(na.text[lo_a:hi_a]), normalize(nb.text[lo_b:hi_b])), 4)
        if score >= float(scores[group].min()):
            rows = idx[group]
            for g in rows.tolist():
                out[g] = (-1, 0, 0, 0, 0.0)
            out[int(rows.min())] = (lo_a, hi_a, lo_b, hi_b, score)
    return out


WALKED_GROUP = 32  # clause pairs between two sentences up to which reported_pairs compares them in arrays


def reported_pairs(m: Matches) -> np.ndarray:
    """Indexes of the pairs ``dupes`` reports, in order: every sentence pair, and the clause pairs that
    say something new.  A clause pair inside two sentences matched as sentences is left out (the
    sentence pair says it); of the clause pairs between the same two sentences, overlapping windows
    (``c1c2`` and ``c2c3`` of one clause run) are one finding: the best pair is kept (highest score,
    then longest), and another only where it covers other characters on one side at least."""
    u = m.units
    keep = ~covered_by_sentences(u, m.a, m.b)
    if u.level is None or u.sentence is None or not len(m):
        return np.flatnonzero(keep)
    clause = keep & ((u.level[m.a] != SENTENCE) | (u.level[m.b] != SENTENCE))
    idx = np.flatnonzero(clause)
    if not len(idx):
        return np.flatnonzero(keep)
    sa = (u.notice[m.a[idx]].astype(np.int64) << 24) | u.sentence[m.a[idx]]
    sb = (u.notice[m.b[idx]].astype(np.int64) << 24) | u.sentence[m.b[idx]]
    size = (m.a_end[idx] - m.a_start[idx]) + (m.b_end[idx] - m.b_start[idx])
    group = np.lexsort((idx, -size, -m.score[idx], sb, sa))
    order, ga, gb = idx[group], sa[group], sb[group]
    new_group = np.ones(len(order), dtype=bool)
    new_group[1:] = (ga[1:] != ga[:-1]) | (gb[1:] != gb[:-1])
    starts = np.flatnonzero(new_group)
    sizes = np.diff(np.append(starts, len(order)))
    # in each group, a pair goes when it overlaps on both sides a pair kept before it.  Groups of up to
    # WALKED_GROUP pairs are walked all at once, one place in the group at a time against each earlier
    # place; a larger one (two long sentences cut into many windows) pair by pair
    a0, a1, b0, b1 = (x[order] for x in (m.a_start, m.a_end, m.b_start, m.b_end))
    walked = np.repeat(sizes <= WALKED_GROUP, sizes)
    place = np.arange(len(order)) - np.repeat(starts, sizes)
    by_place = np.flatnonzero(walked)[np.argsort(place[walked], kind="stable")]
    at_place = np.split(by_place, np.cumsum(np.bincount(place[walked]))[:-1]) if len(by_place) else []
    kept = np.ones(len(order), dtype=bool)
    for p in range(1, len(at_place)):
        rows = at_place[p]
        for q in range(p):
            prev = rows - (p - q)
            hit = (
                kept[prev]
                & (a0[rows] < a1[prev])
                & (a0[prev] < a1[rows])
                & (b0[rows] < b1[prev])
                & (b0[prev] < b1[rows])
            )
            kept[rows[hit]] = False
    for first, n in zip(starts[sizes > WALKED_GROUP].tolist(), sizes[sizes > WALKED_GROUP].tolist()):
        spans = list(zip(*(x[first : first + n].tolist() for x in (a0, a1, b0, b1))))
        chosen: list[tuple[int, int, int, int]] = []
        for k, (x0, x1, y0, y1) in enumerate(spans):
            if any(x0 < q1 and p0 < x1 and y0 < r1 and w0 < y1 for p0, q1, w0, r1 in chosen):
                kept[first + k] = False
            else:
                chosen.append(spans[k])
    keep[order[~kept]] = False
    return np.flatnonzero(keep)


def _segment(n: Notice, u: Units, k: int) -> dict[str, Any]:
    if u.segment is None:
        return {}
    seg = n.segments[int(u.segment[k])]
    return {"segment": seg.kind, "problem": seg.problem, "segment_start": seg.start, "segment_end": seg.end}


@dataclass(frozen=True, slots=True)
class Passage:
    """Matched sentences between two notices that follow each other on both sides (gaps of at most
    ``PASSAGE_GAP`` unmatched sentences), merged into one span on each side (CNKI's 片段)."""

    a: int
    b: int
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    units: int
    score: float


PASSAGE_GAP = 1  # unmatched sentences allowed inside a passage


def passages(m: Matches, *, cross_only: bool = True) -> list[Passage]:
    """Merge matches between the same two notices whose sentences follow each other on both sides."""
    u = m.units
    order_key = u.sentence if u.sentence is not None else u.seq
    na, nb = u.notice[m.a], u.notice[m.b]
    keep = np.flatnonzero(na != nb) if cross_only else np.arange(len(m))
    sa, sb = order_key[m.a[keep]], order_key[m.b[keep]]
    order = keep[np.lexsort((m.b_start[keep], m.a_start[keep], sb, sa, nb[keep], na[keep]))]
    out: list[Passage] = []
    cur: list[Any] | None = None
    for k in order.tolist():
        ia, ib = int(m.a[k]), int(m.b[k])
        key = (int(u.notice[ia]), int(u.notice[ib]))
        xa, xb = int(order_key[ia]), int(order_key[ib])
        spans = (int(m.a_start[k]), int(m.a_end[k]), int(m.b_start[k]), int(m.b_end[k]))
        if (
            cur is not None
            and (cur[0], cur[1]) == key
            and 0 <= xa - cur[8] <= PASSAGE_GAP + 1
            and 0 <= xb - cur[9] <= PASSAGE_GAP + 1
        ):
            cur[2], cur[3] = min(cur[2], spans[0]), max(cur[3], spans[1])
            cur[4], cur[5] = min(cur[4], spans[2]), max(cur[5], spans[3])
            cur[6] += 1
            cur[7] += float(m.score[k])
            cur[8], cur[9] = xa, max(cur[9], xb)
            continue
        if cur is not None:
            out.append(_passage(cur))
        cur = [key[0], key[1], *spans, 1, float(m.score[k]), xa, xb]
    if cur is not None:
        out.append(_passage(cur))
    return out


def _passage(cur: list[Any]) -> Passage:
    a, b, a_start, a_end, b_start, b_end, units, total = cur[:8]
    return Passage(a, b, a_start, a_end, b_start, b_end, units, round(total / units, 4))


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


def passage_records(notices: Sequence[Notice], m: Matches) -> list[dict[str, Any]]:
    """One record per passage (``dupes --passages``): both sides' spans and texts, the number of
    matched units and their mean score; longest first."""
    out: list[dict[str, Any]] = [
        {
            "score": p.score,
            "units": p.units,
            "a": side(notices[p.a], p.a_start, p.a_end),
            "b": side(notices[p.b], p.b_start, p.b_end),
        }
        for p in passages(m)
    ]
    out.sort(key=lambda r: (-(r["a"]["end"] - r["a"]["start"]), r["a"]["notice"], r["a"]["start"], r["b"]["notice"]))
    return out


def _containers(m: Matches) -> dict[int, np.ndarray]:
    """Each family's longer units that contain it (the other side of its star's containments), by representative."""
    sel = np.flatnonzero((m.family >= 0) & m.contained)
    rep = m.family[sel]
    other = np.where(m.unit_family[m.a[sel]] == rep, m.b[sel], m.a[sel])
    order = np.lexsort((other, rep))
    rep, other = rep[order], other[order]
    cuts = np.flatnonzero(np.diff(rep)) + 1
    return {int(g[0]): np.unique(o) for g, o in zip(np.split(rep, cuts), np.split(other, cuts)) if len(g)}


def family_records(notices: Sequence[Notice], m: Matches) -> list[dict[str, Any]]:
    """One record per family (a text and its near-identical variants used more than ``max_family``
    times, drawn as a star in the pairs): the representative, every wording with its count and
    similarity to the representative, and how many units and notices use it (``units``: its own
    occurrences and, ``inside``, the longer units that contain it); largest first."""
    u = m.units
    members = np.flatnonzero(m.unit_family >= 0)
    if not len(members):
        return []
    members = members[np.lexsort((members, m.unit_family[members]))]
    cuts = np.flatnonzero(np.diff(m.unit_family[members])) + 1
    inside = _containers(m)
    out: list[dict[str, Any]] = []
    for group in np.split(members, cuts):
        rep = int(m.unit_family[group[0]])
        holders = inside.get(rep, np.empty(0, dtype=np.int64))
        rn = notices[int(u.notice[rep])]
        raw: dict[str, str] = {}
        counts: dict[str, int] = defaultdict(int)
        for k in group.tolist():
            raw.setdefault(u.text[k], notices[int(u.notice[k])].text[int(u.start[k]) : int(u.end[k])])
            counts[u.text[k]] += 1
        variants = [
            {"text": raw[norm], "count": counts[norm], "score": round(similarity(u.text[rep], norm), 4)}
            for norm in sorted(counts, key=lambda t: (-counts[t], t != u.text[rep], t))
        ]
        out.append(
            {
                "family": family_id(rn, int(u.start[rep])),
                "units": len(group) + len(holders),
                "inside": len(holders),
                "notices": len(set(u.notice[group].tolist()) | set(u.notice[holders].tolist())),
                "wordings": len(variants),
                "representative": side(rn, int(u.start[rep]), int(u.end[rep])) | _segment(rn, u, rep),
                "variants": variants,
            }
        )
    out.sort(key=lambda r: (-r["units"], r["family"]))
    return out
