"""The near-duplicate engine: units → distinct texts → MinHash → LSH → verified matches.

Identical normalized units are collapsed first, so only distinct texts are sketched, banded and
verified (every LSH candidate with rapidfuzz).  A text and its near-identical variants used more
than ``max_family`` times form a family (``simtool.match.families``), reported as a star (each
occurrence paired with the representative), so a formula shared by thousands of notices costs
linear time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import Literal

import numpy as np

from simtool.core.timing import Laps, charge, progress, stage, tally
from simtool.core.types import Notice, Scope, View
from simtool.match import sketch
from simtool.match.families import find_families, with_containment_hubs
from simtool.match.lsh import (
    Buckets,
    CandidateBlocks,
    band_keys,
    lex_order,
    lsh_params,
    pairs_in_groups,
    sorted_unique,
)
from simtool.match.parallel import block_pairs, run_pairs_beside, units_on, verify_candidates, verify_jobs
from simtool.match.runs import RUN_CHARS
from simtool.match.units import SENTENCE, Units, collapse
from simtool.match.verify import (
    Verified,
    contained_span,
    pair_scores,
    text_lengths,
)
from simtool.read.batch import default_jobs
from simtool.text.normalize import Normalized, normalize_map, offsets_are_identity

DEFAULT_MIN_SIM = 0.8
DEFAULT_MAX_FAMILY = 50


@dataclass(frozen=True, slots=True)
class EngineParams:
    """Sketch and LSH parameters (plain frozen data).

    ``ngram`` is 2: on the seeds, pairs with Indel similarity ≥ 0.8 have character-bigram Jaccard
    ≥ 0.38 in 99 % of cases, against 0.14 for trigrams, so bigrams let LSH aim much higher for the
    same recall.  ``stop`` leaves out the genre's 80 commonest bigrams (simtool/data/stop_bigrams.txt),
    which otherwise make unrelated measures look alike (a text with fewer than 16 other bigrams keeps
    them).  ``threshold`` is the Jaccard similarity at which LSH aims; by default 0.5 below ``min_sim``
    (0.3 for min-sim 0.8: 37 bands × 3 rows).  On the seeds and on 60 synthetic notices this keeps
    every brute-force pair at min-sim 0.8 and 0.9 (≥ 0.98 at 0.7) while sending 1/17 as many
    candidates to verification as 28 × 2 bands without stop bigrams.  ``runs``: texts sharing a run of
    this many characters are candidates too (``simtool.match.runs``; 0: bands only).
    """

    ngram: int = 2
    num_perm: int = sketch.DEFAULT_NUM_PERM
    seed: int = sketch.DEFAULT_SEED
    mode: Literal["char", "word"] = "char"
    threshold: float | None = None
    stop: bool = True
    runs: int = RUN_CHARS

    def lsh_threshold(self, min_sim: float) -> float:
        if self.threshold is not None:
            return self.threshold
        return float(min(0.7, max(0.15, round(min_sim - 0.5, 2))))

    def bands(self, min_sim: float) -> tuple[int, int]:
        return lsh_params(self.lsh_threshold(min_sim), self.num_perm)


DEFAULT_PARAMS = EngineParams()
INDEX_MIN_SIM = 0.7  # the stored index (built for min-sim 0.8) serves check at min-sim ≥ this
INDEX_BUILD_SIM = 0.8


@functools.cache
def stop_hashes() -> np.ndarray:
    """Sorted shingle hashes of the stop bigrams (simtool/data/stop_bigrams.txt)."""
    path = Path(__file__).parent.parent / "data" / "stop_bigrams.txt"
    grams = [ln.strip() for ln in path.read_text("utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    return np.unique(np.array([sketch.shingle_hash_bytes(g.encode("utf-32-le")) for g in grams], dtype=np.uint32))


def keys_for(texts: Sequence[str], params: EngineParams, min_sim: float) -> np.ndarray:
    """Band keys (rows × bands) of ``texts``."""
    b, r = params.bands(min_sim)
    stop = stop_hashes() if params.stop and params.mode == "char" and params.ngram == 2 else None
    sigs = sketch.signatures(
        list(texts),
        n=params.ngram,
        num_perm=params.num_perm,
        seed=params.seed,
        mode=params.mode,
        stop=stop,
        perms=b * r,
    )
    return band_keys(sigs, b, r)


@dataclass(slots=True)
class Matches:
    """Verified unit pairs (columns).  ``a < b`` index ``units``; ``family`` is -1 unless the pair is
    part of a star drawn for a family (a text and its near-identical variants) used more than
    ``max_family`` times: then it is the family's representative unit and ``family_size`` its
    occurrences.  ``unit_family[u]`` is the representative of unit ``u``'s family (-1: none).

    ``a_start``/``a_end`` and ``b_start``/``b_end`` are the aligned spans in the two notices' texts:
    the whole unit, except for the longer side of a containment, where it is the part that matches
    the shorter unit.  Every consumer counts and paints these spans.
    """

    units: Units
    a: np.ndarray
    b: np.ndarray
    score: np.ndarray
    contained: np.ndarray
    family: np.ndarray
    family_size: np.ndarray
    a_start: np.ndarray
    a_end: np.ndarray
    b_start: np.ndarray
    b_end: np.ndarray
    unit_family: np.ndarray

    def __len__(self) -> int:
        return len(self.a)


_EDGE_PUNCT = frozenset("，,、：:；;。.！!？?　 \n\t")


def aligned_part(short: str, long_: str, raw_long: str) -> tuple[int, int]:
    """The span of ``raw_long`` (whose normalized text is ``long_``) that matches ``short``,
    without punctuation at its start."""
    s, e, _score = contained_span(short, long_)
    return raw_part(raw_long, s, e)


def sentence_ids(units: Units) -> np.ndarray:
    """A dense number for each unit's sentence (notice, sentence), in notice order: below ``2**32``, so
    that a pair of sentences packs into one int64 without overflow."""
    assert units.sentence is not None
    code = (units.notice.astype(np.int64) << 24) | units.sentence.astype(np.int64)
    return np.unique(code, return_inverse=True)[1].reshape(-1).astype(np.int64)


def covered_by_sentences(units: Units, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairs involving a clause window whose two sentences are themselves matched as sentences."""
    if units.level is None or units.sentence is None or not len(a):
        return np.zeros(len(a), dtype=bool)
    sid = sentence_ids(units)
    ka, kb = sid[a], sid[b]
    lo, hi = np.minimum(ka, kb), np.maximum(ka, kb)
    key = (lo << 32) | hi
    both = (units.level[a] == SENTENCE) & (units.level[b] == SENTENCE)
    whole = sorted_unique(key[both])
    if not len(whole):
        return np.zeros(len(a), dtype=bool)
    at = np.minimum(np.searchsorted(whole, key), len(whole) - 1)
    return ~both & (whole[at] == key)


def verified_edges(texts: Sequence[str], params: EngineParams, min_sim: float, *, jobs: int | None = None) -> Verified:
    """LSH candidates among distinct ``texts``, verified block by block (bounded memory), with the
    aligned part of each containment; sorted by ``(i, j)``, so that another engine computing the same
    pairs (``EdgeFinder``) gives the same matches.

    A containment needs ``MIN_SHARED`` characters in runs (``verify``), as ``shared_text`` counts
    copied text: one that shares less (a 13-character sentence whose best window differs every few
    characters) is no copy, and dropping them takes 5 % of the pairs.  Containments of clause
    windows are kept although they are most of the pairs: leaving them out (trying only whole
    sentences inside longer texts) halved the time at 200 notices but lost 9 % of the shared
    characters (18 % on the seeds: formulas such as 现将巡察整改进展情况予以公布 inside a longer
    clause), and ``check`` against a store must count what the in-memory engine counts.
    """
    found: list[Verified] = []
    if len(texts) > 1:
        jobs = default_jobs() if jobs is None else jobs
        with run_pairs_beside(texts, params.runs, jobs) as shared_runs:
            with stage("sketch"):
                keys = keys_for(texts, params, min_sim)
            t0 = perf_counter()
            buckets = Buckets(keys)
            del keys  # memory: the buckets are what is left of them
            built = perf_counter() - t0
            with stage("shared runs"):  # (on a second process: the time they take beyond the sketch and buckets)
                extra = shared_runs()
        t0 = perf_counter()
        jobs = verify_jobs(len(texts), jobs)
        candidates = CandidateBlocks(buckets, extra=extra, pairs_per_block=block_pairs(jobs))
        del buckets, extra
        built += perf_counter() - t0
        total = len(candidates)
        progress("verify", 0, total)
        t0 = perf_counter()
        listed = 0.0  # seconds spent listing the blocks' candidates (on every process)
        verified_blocks = verify_candidates(texts, candidates, min_sim, text_lengths(texts), jobs)
        for made, (n, verified, listing) in enumerate(verified_blocks, 1):
            tally("candidates", n)
            listed += listing
            found.append(verified)
            progress("verify", made, total)
        spent = perf_counter() - t0
        on_lists = min(spent, listed / jobs)  # (on a pool: the lists' share of the workers' time)
        charge("lsh candidates", built + on_lists)
        charge("verify", spent - on_lists)
    edges = Verified.joined(found)
    found.clear()  # memory: one copy of the edges while they are sorted, not two
    return edges.sorted()


EdgeFinder = Callable[[Sequence[str], EngineParams, float], Verified]
"""Verified edges among distinct texts: ``verified_edges`` here, or another engine's stage of it."""

_edge_finder: ContextVar[EdgeFinder | None] = ContextVar("edge_finder", default=None)


@contextmanager
def using_edge_finder(finder: EdgeFinder) -> Iterator[None]:
    """Inside the block, every ``find_matches`` (and the formula analysis) finds its edges with
    ``finder`` (``--engine spark``)."""
    token = _edge_finder.set(finder)
    try:
        yield
    finally:
        _edge_finder.reset(token)


def current_edge_finder() -> EdgeFinder:
    """The edge finder of the enclosing ``using_edge_finder`` block, else ``verified_edges``."""
    return _edge_finder.get() or verified_edges


@functools.lru_cache(maxsize=1 << 16)
def raw_part(raw: str, start: int, end: int, norm: str | None = None) -> tuple[int, int]:
    """The span of ``raw`` whose normalized text is ``normalize(raw)[start:end]``, without punctuation at
    its start (``norm``: ``normalize(raw)`` when known; most raw sentences are their own normalized text)."""
    same = raw == norm or (norm is not None and _identity(raw, norm))
    return _part_of_raw(raw, None if same else _offsets(raw), start, end)


def _part_of_raw(raw: str, offsets: Normalized | None, start: int, end: int) -> tuple[int, int]:
    """``raw_part`` given the offsets of ``normalize(raw)`` into ``raw`` (``None``: the same text)."""
    lo, hi = (start, end) if offsets is None else offsets.span(start, end)
    while lo < hi and raw[lo] in _EDGE_PUNCT:
        lo += 1
    return lo, hi


@functools.lru_cache(maxsize=1 << 14)
def _identity(raw: str, norm: str) -> bool:
    """``offsets_are_identity``, kept for the other parts of the same unit."""
    return offsets_are_identity(raw, norm)


@functools.lru_cache(maxsize=1024)
def _offsets(raw: str) -> Normalized:
    """``normalize_map(raw)``, kept for the next parts of the same unit (they come one after the other)."""
    return normalize_map(raw)


class _Pairs:
    """Unit pairs as they are found (columns of arrays), with the aligned part of the longer unit."""

    TYPES = (np.int64, np.int64, np.float64, bool, np.int64, np.int64, np.int64, np.int64, np.int64)

    def __init__(self) -> None:
        self.cols: list[list[np.ndarray]] = [[] for _ in self.TYPES]

    def add(
        self,
        a: np.ndarray,
        b: np.ndarray,
        score: float | np.ndarray,
        contained: bool | np.ndarray = False,
        family: int | np.ndarray = -1,
        size: int | np.ndarray = 1,
        long_unit: int | np.ndarray = -1,
        start: int | np.ndarray = 0,
        end: int | np.ndarray = 0,
    ) -> None:
        n = len(a)
        values = (a, b, score, contained, family, size, long_unit, start, end)
        for col, v, t in zip(self.cols, values, self.TYPES):
            col.append(np.asarray(v, dtype=t) if np.ndim(v) else np.full(n, v, dtype=t))

    def columns(self) -> list[np.ndarray]:
        """Each column as one array; the parts are let go as they are joined (this empties the pairs)."""
        out = []
        for c, t in zip(self.cols, self.TYPES):
            out.append(np.concatenate(c) if c else np.empty(0, dtype=t))
            c.clear()
        return out


def _occurrences(inverse: np.ndarray, n_distinct: int) -> tuple[np.ndarray, np.ndarray]:
    """Units of each distinct text: ``order`` sorted by text, and each text's start in it."""
    order = np.argsort(inverse, kind="stable")
    counts = np.bincount(inverse, minlength=n_distinct)
    return order, np.concatenate([[0], np.cumsum(counts)])


def find_matches(
    notices: Sequence[Notice],
    *,
    min_sim: float = DEFAULT_MIN_SIM,
    view: View = "literal",
    scope: Scope = "all",
    max_family: int = DEFAULT_MAX_FAMILY,
    params: EngineParams = DEFAULT_PARAMS,
    units: Units | None = None,
    edge_finder: EdgeFinder | None = None,
) -> Matches:
    """All verified similar unit pairs among ``notices``.

    Identical units are collapsed; distinct texts are sketched, banded and verified once.  A
    family (a text and its near-identical variants) used more than ``max_family`` times becomes a
    star: each occurrence paired with the representative, and a text matching the family is
    paired with one member of it, so a formula in every notice costs linear time.
    ``edge_finder`` computes the verified edges among the distinct texts (default: ``current_edge_finder()``).
    """
    laps = Laps("find_matches")
    units = units if units is not None else units_on(notices, view, default_jobs())
    laps.lap("units")
    distinct, inverse = collapse(units.text)
    order, starts = _occurrences(inverse, len(distinct))
    sizes = np.diff(starts)
    edges = (edge_finder or current_edge_finder())(distinct, params, min_sim)
    laps.lap("verified edges")
    near = ~edges.contained
    fams = find_families(distinct, sizes, edges.i[near], edges.j[near], min_sim, max_family)
    lengths = text_lengths(distinct)
    fams = with_containment_hubs(fams, lengths, sizes, edges.i[~near], edges.j[~near], max_family)
    laps.lap("families")
    pairs = _Pairs()
    unit_family = np.full(len(units), -1, dtype=np.int64)
    family_rep = np.full(len(distinct), -1, dtype=np.int64)  # per distinct text in a family: its rep unit
    family_total = np.zeros(len(distinct), dtype=np.int64)

    for members in fams.members().values():
        occ = np.concatenate([order[starts[t] : starts[t + 1]] for t in members.tolist()])
        text_of = inverse[occ]
        rep, z = int(occ[0]), len(occ)
        unit_family[occ] = rep
        family_rep[members], family_total[members] = rep, z
        home = units.notice[occ] == units.notice[rep]
        away = np.flatnonzero(~home)
        rep2 = int(occ[away[0]]) if len(away) else rep  # the partner of the occurrences in the rep's notice
        partner = np.where(home, rep2, rep)
        rest = occ != rep
        score = fams.score[text_of]
        at_home = np.flatnonzero(home & rest)
        if len(at_home) and inverse[rep2] != inverse[rep]:
            score[at_home] = pair_scores(
                [distinct[inverse[rep2]]] * len(at_home), [distinct[t] for t in text_of[at_home].tolist()], 0.0
            )
        pairs.add(partner[rest], occ[rest], np.round(score[rest], 4), family=rep, size=z)

    # identical texts outside families: all pairs (a family holds any text used more than max_family times)
    alone = np.flatnonzero((sizes > 1) & (fams.leader < 0))
    same_text = pairs_in_groups(order, starts[alone], sizes[alone])
    pairs.add(same_text[:, 0], same_text[:, 1], 1.0)

    # similar texts: every occurrence of each side, or one member of a family side
    in_fam_i, in_fam_j = fams.leader[edges.i], fams.leader[edges.j]
    same_family = (in_fam_i >= 0) & (in_fam_i == in_fam_j)
    plain = (in_fam_i < 0) & (in_fam_j < 0)
    _plain_pairs(pairs, edges.take(plain), units, lengths, order, starts, sizes, max_family * max_family)
    _family_pairs(
        pairs, edges.take(~plain & ~same_family), fams.leader, family_rep, family_total, lengths, order, starts
    )

    del edges  # memory: the unit pairs are what is left of them
    a, b, sc, cont, rep_col, size_col, long_unit, ls, le = pairs.columns()
    laps.lap("unit pairs")
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    del a, b
    same = units.notice[lo] == units.notice[hi]
    keep = lo != hi
    if scope == "cross":
        keep &= ~same
    elif scope == "within":
        keep &= same
    idx = np.flatnonzero(keep)
    idx = idx[lex_order(lo[idx], hi[idx])]  # (stable: idx ascends within a pair)
    first = np.ones(len(idx), dtype=bool)  # a pair drawn twice (a star both ways) is kept once
    first[1:] = (np.diff(lo[idx]) != 0) | (np.diff(hi[idx]) != 0)
    idx = idx[first]
    del same, keep, first
    lo, hi, long_unit, ls, le = lo[idx], hi[idx], long_unit[idx], ls[idx], le[idx]
    sc, cont, rep_col, size_col = sc[idx], cont[idx], rep_col[idx], size_col[idx]
    del idx
    texts = [n.text for n in notices]
    a_start, a_end = units.start[lo].copy(), units.end[lo].copy()
    b_start, b_end = units.start[hi].copy(), units.end[hi].copy()
    # containments: the aligned part of the longer unit, once per unit and part, a range of units at a time
    for todo in _by_unit_range(long_unit, len(units), SPAN_ROWS_AT_ONCE):
        found, back = _aligned_parts(texts, units, long_unit[todo], ls[todo], le[todo])
        offset = units.start[long_unit[todo]]
        lo_part, hi_part = offset + found[back, 0], offset + found[back, 1]
        on_a = long_unit[todo] == lo[todo]
        a_start[todo[on_a]], a_end[todo[on_a]] = lo_part[on_a], hi_part[on_a]
        b_start[todo[~on_a]], b_end[todo[~on_a]] = lo_part[~on_a], hi_part[~on_a]
    laps.lap("aligned spans")
    return Matches(units, lo, hi, sc, cont, rep_col, size_col, a_start, a_end, b_start, b_end, unit_family)


SPAN_ROWS_AT_ONCE = 1 << 21  # containments whose aligned parts are found together (bounded temporaries)


def _by_unit_range(long_unit: np.ndarray, n_units: int, rows: int) -> Iterator[np.ndarray]:
    """The rows with ``long_unit >= 0`` (ascending), in pieces of about ``rows`` that never split a unit:
    each piece holds the rows of a range of units, so that a unit's parts are found once, as in one piece.

    >>> [p.tolist() for p in _by_unit_range(np.array([2, -1, 0, 2, 1]), 3, 2)]
    [[2, 4], [0, 3]]
    """
    rows_of = np.flatnonzero(long_unit >= 0)
    if len(rows_of) <= rows:
        yield rows_of
        return
    unit = long_unit[rows_of]
    ends = np.cumsum(np.bincount(unit, minlength=n_units))
    cuts = sorted_unique(np.r_[0, np.searchsorted(ends, np.arange(rows, len(rows_of), rows)) + 1, n_units])
    for lo, hi in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
        piece = rows_of[(unit >= lo) & (unit < hi)]
        if len(piece):
            yield piece


def _aligned_parts(
    texts: Sequence[str], units: Units, unit: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``raw_part`` of each distinct ``(unit, start, end)`` (rows ``found``, offsets into the unit's raw
    text) and, for each input, its row.  A unit whose raw text maps to its normalized text place for
    place (most) has its parts found at once (leading punctuation skipped in numpy); the others are
    mapped once each and their parts found one by one."""
    if not len(unit):
        return np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.int64)
    order = lex_order(unit, start, end)
    u, s0, e0 = unit[order], start[order], end[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (u[1:] != u[:-1]) | (s0[1:] != s0[:-1]) | (e0[1:] != e0[:-1])
    back = np.empty(len(order), dtype=np.int64)
    back[order] = np.cumsum(new) - 1
    u, s0, e0 = u[new], s0[new], e0[new]
    cut = np.flatnonzero(np.r_[True, u[1:] != u[:-1]])
    sizes = np.diff(np.r_[cut, len(u)])
    notice, unit_start, unit_end = units.notice, units.start, units.end
    raws = [
        texts[n][a:b]
        for n, a, b in zip(notice[u[cut]].tolist(), unit_start[u[cut]].tolist(), unit_end[u[cut]].tolist())
    ]
    norms = [units.text[k] for k in u[cut].tolist()]
    same = np.fromiter(
        (raw == norm or offsets_are_identity(raw, norm) for raw, norm in zip(raws, norms)), dtype=bool, count=len(cut)
    )
    found = np.empty((len(u), 2), dtype=np.int64)
    plain = np.repeat(same, sizes)
    found[plain] = _parts_in_place(texts, notice[u[plain]], unit_start[u[plain]], s0[plain], e0[plain])
    for g in np.flatnonzero(~same).tolist():
        first, last = int(cut[g]), int(cut[g] + sizes[g])
        offsets = normalize_map(raws[g])
        found[first:last] = [
            _part_of_raw(raws[g], offsets, x, y) for x, y in zip(s0[first:last].tolist(), e0[first:last].tolist())
        ]
    return found, back


_EDGE_CODES = np.array(sorted(map(ord, _EDGE_PUNCT)), dtype=np.uint32)


def _parts_in_place(
    texts: Sequence[str], notice: np.ndarray, unit_start: np.ndarray, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """``_part_of_raw(raw, None, start, end)`` of each row, where ``raw`` is the unit's text starting at
    ``unit_start`` in its notice's text: the span without the punctuation at its start."""
    if not len(start):
        return np.empty((0, 2), dtype=np.int64)
    used = np.unique(notice)
    lengths = np.fromiter((len(texts[n]) for n in used.tolist()), dtype=np.int64, count=len(used))
    base = np.zeros(int(used[-1]) + 1, dtype=np.int64)
    base[used] = np.cumsum(lengths) - lengths
    chars = np.frombuffer("".join(texts[n] for n in used.tolist()).encode("utf-32-le"), dtype=np.uint32)
    edge = np.r_[np.isin(chars, _EDGE_CODES), False]  # and one past the end
    lo = start.copy()
    pos = base[notice] + unit_start + lo
    step = np.flatnonzero((lo < end) & edge[pos])
    while len(step):
        lo[step] += 1
        pos[step] += 1
        step = step[(lo[step] < end[step]) & edge[pos[step]]]
    return np.stack([lo, end], axis=1)


def _partners(occ: np.ndarray, other: np.ndarray, notice: np.ndarray) -> np.ndarray:
    """For each unit of ``occ``, the first unit of ``other`` in another notice (else the first of ``other``)."""
    first = int(other[0])
    away = np.flatnonzero(notice[other] != notice[first])
    alt = int(other[away[0]]) if len(away) else first
    return np.where(notice[occ] == notice[first], alt, first)


def _plain_pairs(
    pairs: _Pairs,
    e: Verified,
    units: Units,
    lengths: np.ndarray,
    order: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    limit: int,
) -> None:
    """Each edge's occurrences: all of them with all of the other side's while that makes at most
    ``limit`` pairs, else each occurrence with one of the other side (a star both ways); ``lengths``:
    of the distinct texts."""
    i_longer = lengths[e.i] > lengths[e.j]
    su, sv = sizes[e.i], sizes[e.j]
    prod = su * sv
    full = np.flatnonzero(prod <= limit)
    p = prod[full]
    edge = np.repeat(full, p)
    local = np.arange(int(p.sum())) - np.repeat(np.cumsum(p) - p, p)
    a = order[starts[e.i[edge]] + local // sv[edge]]
    b = order[starts[e.j[edge]] + local % sv[edge]]
    contained = e.contained[edge]
    long_unit = np.where(contained, np.where(i_longer[edge], a, b), -1)
    pairs.add(a, b, e.score[edge], contained, long_unit=long_unit, start=e.start[edge], end=e.end[edge])
    for k in np.flatnonzero(prod > limit).tolist():
        mu = order[starts[e.i[k]] : starts[e.i[k] + 1]]
        mv = order[starts[e.j[k]] : starts[e.j[k] + 1]]
        a = np.concatenate([mu, _partners(mv, mu, units.notice)])
        b = np.concatenate([_partners(mu, mv, units.notice), mv])
        longer = (a if i_longer[k] else b) if e.contained[k] else -1
        pairs.add(a, b, e.score[k], bool(e.contained[k]), long_unit=longer, start=int(e.start[k]), end=int(e.end[k]))


def _family_pairs(
    pairs: _Pairs,
    e: Verified,
    leader: np.ndarray,
    family_rep: np.ndarray,
    family_total: np.ndarray,
    lengths: np.ndarray,
    order: np.ndarray,
    starts: np.ndarray,
) -> None:
    """Pairs with a family on one side or both: the family's best-matching member (its first
    occurrence) with every occurrence of the other text, or with the other family's best member
    (``lengths``: of the distinct texts)."""
    if not len(e.i):
        return
    key_i = np.where(leader[e.i] >= 0, leader[e.i], -1 - e.i)
    key_j = np.where(leader[e.j] >= 0, leader[e.j], -1 - e.j)
    best = np.lexsort((np.arange(len(e.i)), -e.score, key_j, key_i))
    first = np.ones(len(best), dtype=bool)
    first[1:] = (np.diff(key_i[best]) != 0) | (np.diff(key_j[best]) != 0)
    k = best[first]
    ti, tj = e.i[k], e.j[k]
    # each side: every occurrence of a plain text, the first occurrence of a family member
    si = np.where(leader[ti] < 0, starts[ti + 1] - starts[ti], 1)
    sj = np.where(leader[tj] < 0, starts[tj + 1] - starts[tj], 1)
    prod = si * sj
    edge = np.repeat(np.arange(len(k)), prod)
    local = np.arange(int(prod.sum())) - np.repeat(np.cumsum(prod) - prod, prod)
    a = order[starts[ti[edge]] + local // sj[edge]]
    b = order[starts[tj[edge]] + local % sj[edge]]
    fam = np.where(leader[ti] >= 0, ti, tj)[edge]
    contained = e.contained[k][edge]
    i_longer = (lengths[ti] > lengths[tj])[edge]
    long_unit = np.where(contained, np.where(i_longer, a, b), -1)
    pairs.add(
        a,
        b,
        e.score[k][edge],
        contained,
        family_rep[fam],
        family_total[fam],
        long_unit,
        e.start[k][edge],
        e.end[k][edge],
    )
