"""Verification and alignment of candidate pairs with rapidfuzz.

Similarity is rapidfuzz's normalized Indel similarity (``fuzz.ratio / 100``) on normalized
text.  A short text contained in a much longer one is found with partial alignment and
reported as containment.  Alignment returns offsets (opcodes), kept all the way to the report.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from simtool.match.lsh import lex_order
from simtool.text.sentences import MIN_SENTENCE_CHARS

CONTAIN_MIN_CHARS = 12
MIN_BLOCK = 4  # equal runs shorter than this inside a similar pair (a shared 的, 和, 工作) are not copying
MIN_SHARED = MIN_SENTENCE_CHARS  # a pair sharing fewer equal characters than this shares nothing (CNKI's 13)
CONTAIN_LEN_RATIO = 0.6  # measures (clusters): a contained text is at most this share of the longer one
SENTENCE_CONTAIN_RATIO = 1.0  # sentences: containment is tried up to equal lengths (a shared clause of two
# equally long sentences is copied text: at 0.9, 314 of 12,911 contained oracle pairs were out of reach)


class Verified(NamedTuple):
    """Verified pairs over a list of texts: indexes, scores, whether the match is containment, and
    ``start``/``end``: the part of the longer text that matches the shorter one (all of it unless
    the pair is a containment)."""

    i: np.ndarray
    j: np.ndarray
    score: np.ndarray
    contained: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def take(self, keep: np.ndarray) -> Verified:
        return Verified(*(col[keep] for col in self))

    def sorted(self) -> Verified:
        """The pairs in ``(i, j)`` order."""
        return self.take(lex_order(self.i, self.j))

    @staticmethod
    def joined(parts: Sequence[Verified]) -> Verified:
        """The pairs of ``parts`` one after the other (typed columns also when there are none)."""
        types = (np.int64, np.int64, np.float64, bool, np.int64, np.int64)
        return Verified(
            *(
                np.concatenate([p[k] for p in parts]).astype(t) if parts else np.empty(0, dtype=t)
                for k, t in enumerate(types)
            )
        )


def text_lengths(texts: Sequence[str] | np.ndarray) -> np.ndarray:
    """``len`` of every text, as an array (``verify`` takes it to spare recomputing it block by block)."""
    return np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))


def text_array(texts: Sequence[str]) -> np.ndarray:
    """``texts`` as a numpy array of objects, for ``picked`` (and ``verify``) to gather from: made once
    for all the candidate blocks over the same texts.

    >>> text_array(["ab", "cd"]).shape
    (2,)
    """
    out = np.empty(len(texts), dtype=object)
    out[:] = texts
    return out


def picked(texts: Sequence[str] | np.ndarray, idx: np.ndarray) -> Sequence[str]:
    """``[texts[i] for i in idx]``: taken in numpy from an array of objects (``text_array``), four times
    as fast as Python's lookups on millions of texts, where they miss the cache; from a list,
    gathered in C (``operator.itemgetter``).

    >>> picked(["a", "b", "c"], np.array([2, 0])), picked(["a"], np.array([0])), picked(["a"], np.array([], int))
    (('c', 'a'), ['a'], [])
    >>> picked(text_array(["a", "b", "c"]), np.array([2, 0])).tolist()
    ['c', 'a']
    """
    if isinstance(texts, np.ndarray):
        got_array: Sequence[str] = texts[idx]
        return got_array
    if len(idx) > 1:
        got: tuple[str, ...] = operator.itemgetter(*idx.tolist())(texts)
        return got
    return [texts[int(i)] for i in idx]


def similarity(a: str, b: str) -> float:
    """Normalized Indel similarity in [0, 1].

    >>> similarity("加强党的建设", "加强党的建设")
    1.0
    """
    return float(Indel.normalized_similarity(a, b))


def pair_scores(left: Sequence[str], right: Sequence[str], min_sim: float, workers: int = -1) -> np.ndarray:
    """Indel similarity of ``left[k]`` and ``right[k]``; 0 where below ``min_sim``.

    A score exactly on the threshold counts (9/10 is 0.8999… in floating point).  rapidfuzz's own
    cutoff is given some slack (at ``min_sim - 1e-9`` it drops some pairs of exactly 0.8, such as
    40 of 50 characters in common) and the threshold applied here.
    """
    if not len(left):
        return np.empty(0)
    cutoff = max(0.0, min_sim - 1e-6)
    out = np.asarray(
        process.cpdist(
            left, right, scorer=Indel.normalized_similarity, score_cutoff=cutoff, workers=workers, dtype=np.float64
        ),
        dtype=np.float64,
    )
    out[out < min_sim - 1e-9] = 0.0
    return out


def verify(
    texts: Sequence[str] | np.ndarray,
    pairs: np.ndarray,
    min_sim: float,
    *,
    containment: bool = True,
    contain_ratio: float = CONTAIN_LEN_RATIO,
    require_runs: bool = True,
    lengths: np.ndarray | None = None,
    workers: int = -1,
) -> Verified:
    """Keep the candidate ``pairs`` whose texts really are similar (score ≥ ``min_sim``).

    A shorter text is tried as contained in the longer one (``fuzz.partial_ratio`` ≥ ``min_sim``);
    a containment counts only when the two share ``MIN_SHARED`` characters in runs of ``MIN_BLOCK``
    (``equal_runs``), as copied text is counted: a short sentence whose best window differs every
    few characters, or which only shares a stock opening (出台《关于进一步明确), is not copied.
    Measures compared by theme (clusters) pass ``require_runs=False``; ``texts``: a list, or ``text_array``
    of it (faster when verifying many blocks); ``lengths``: ``text_lengths(texts)``;
    ``workers``: rapidfuzz threads (-1: every core; a Spark task takes 1, its executor runs one per core).
    """
    if len(pairs) == 0:
        e = np.empty(0, dtype=np.int64)
        return Verified(e, e, np.empty(0), np.empty(0, dtype=bool), e, e)
    if lengths is None:
        lengths = text_lengths(texts)
    la, lb = lengths[pairs[:, 0]], lengths[pairs[:, 1]]
    short, long_ = np.minimum(la, lb), np.maximum(la, lb)
    cutoff = min_sim - 1e-9
    # Indel similarity is at most 2·short / (short + long): pairs whose lengths rule it out can only be containments
    possible = 2 * short >= cutoff * (short + long_)
    may_contain = (short >= CONTAIN_MIN_CHARS) & (short <= contain_ratio * long_)
    if not containment:
        may_contain[:] = False
    tried = np.flatnonzero(possible | may_contain)
    whole = np.zeros(len(pairs))
    if len(tried):  # one Indel pass serves both the similarity and the containment bound
        whole[tried] = pair_scores(picked(texts, pairs[tried, 0]), picked(texts, pairs[tried, 1]), 0.0, workers)
    scores = np.where(possible & (whole >= cutoff), whole, 0.0)
    contained = np.zeros(len(pairs), dtype=bool)
    spans: list[tuple[int, int, int]] = []  # of the containments, in order
    if containment:
        # exact filter: partial_ratio(s, l) ≥ p needs a window w of l (|w| ≥ p/(2 − p)·|s|, windows
        # at the ends are shorter) with LCS(s, w) ≥ p/(2 − p)·|s|, so LCS(s, l) is at least that and the
        # Indel similarity of s and l at least 2·p/(2 − p)·|s| / (|s| + |l|); a containment kept by its
        # runs shares MIN_SHARED characters with a window of l, so LCS(s, l) = sim·(|s| + |l|)/2 ≥ MIN_SHARED
        bound = 2 * (cutoff / (2 - cutoff)) * short / (short + long_) - 1e-6
        ok = may_contain & (scores < cutoff) & (whole >= bound)
        if require_runs:
            ok &= whole * (short + long_) / 2 >= MIN_SHARED - 1e-6
        todo = np.flatnonzero(ok)
        if len(todo):
            a_short = la[todo] <= lb[todo]
            shorts = picked(texts, np.where(a_short, pairs[todo, 0], pairs[todo, 1]))
            longs = picked(texts, np.where(a_short, pairs[todo, 1], pairs[todo, 0]))
            pct = min_sim * 100 - 1e-7
            found_parts = [_containment(x, y, pct, require_runs) for x, y in zip(shorts, longs)]
            part = np.fromiter((f[3] for f in found_parts), dtype=np.float64, count=len(todo))
            hit = part >= cutoff
            scores[todo[hit]] = part[hit]
            contained[todo[hit]] = True
            spans = [found_parts[k][:3] for k in np.flatnonzero(hit).tolist()]
    keep = scores >= cutoff
    start = np.zeros(len(pairs), dtype=np.int64)
    end = long_.copy()
    if contained.any():
        found = np.array(spans, dtype=np.int64).reshape(-1, 3)
        at = np.flatnonzero(contained)
        start[at], end[at] = found[:, 0], found[:, 1]
        keep[at[found[:, 2] == 0]] = False
    return Verified(pairs[keep, 0], pairs[keep, 1], np.round(scores[keep], 4), contained[keep], start[keep], end[keep])


def _containment(short: str, long_: str, cutoff: float, require_runs: bool) -> tuple[int, int, int, float]:
    """``(start, end, kept, score)`` of ``short`` inside ``long_``: the part of ``long_`` that matches it
    best (``contained_span``), 0 for ``kept`` when they share too little in runs (``equal_runs``) to be
    kept, and the score (``fuzz.partial_ratio / 100``; 0 below ``cutoff``, in percent)."""
    at = long_.find(short)
    if at >= 0:  # a verbatim containment (the commonest) shares all of its characters in one run
        end = at + len(short)
        kept = len(short) >= MIN_SHARED or not require_runs or bool(equal_runs(short, short))
        return at, end, int(kept), 1.0
    r = fuzz.partial_ratio_alignment(short, long_, score_cutoff=cutoff)
    if r is None or r.score < cutoff:
        return 0, 0, 0, 0.0
    start, end = r.dest_start, r.dest_end
    return start, end, int(not require_runs or bool(equal_runs(short, long_[start:end]))), r.score / 100


class Alignment(NamedTuple):
    """Where two texts agree: matching blocks ``(a_start, b_start, length)`` in each text."""

    blocks: list[tuple[int, int, int]]
    score: float


def align(a: str, b: str) -> Alignment:
    """Align two normalized texts; the blocks say which characters are the same."""
    ops = Indel.opcodes(a, b)
    blocks = [(op.src_start, op.dest_start, op.src_end - op.src_start) for op in ops if op.tag == "equal"]
    return Alignment(blocks, similarity(a, b))


def equal_runs(a: str, b: str) -> list[tuple[int, int, int, int]]:
    """``(a_start, a_end, b_start, b_end)`` of each run of at least ``MIN_BLOCK`` equal characters in
    the alignment of two normalized texts; none when they add up to fewer than ``MIN_SHARED``.

    >>> equal_runs("一是加强理论学习,提高思想认识和政治站位。", "二是加强理论学习,提高思想认识和理论水平。")
    [(1, 16, 1, 16)]
    >>> equal_runs("按巡察整改专题民主生活会,", "召开巡察整改专题民主生活会")  # 11 equal characters: too few
    []
    """
    runs = [
        (op.src_start, op.src_end, op.dest_start, op.dest_end)
        for op in Indel.opcodes(a, b)
        if op.tag == "equal" and op.src_end - op.src_start >= MIN_BLOCK
    ]
    return runs if sum(e - s for s, e, _, _ in runs) >= MIN_SHARED else []


def contained_span(short: str, long_: str) -> tuple[int, int, float]:
    """The span of ``long_`` that best matches ``short`` and its score in [0, 1] (its first
    occurrence when ``short`` is a substring: a verbatim copy, the commonest case)."""
    at = long_.find(short) if short else -1
    if at >= 0:
        return at, at + len(short), 1.0
    r = fuzz.partial_ratio_alignment(short, long_)
    if r is None:
        return 0, 0, 0.0
    return r.dest_start, r.dest_end, r.score / 100
