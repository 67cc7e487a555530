"""Shared runs: pairs of texts that have ``RUN_CHARS`` consecutive characters in common.

MinHash over bigrams proposes texts that are alike as wholes.  A sentence copied into a longer
one of another notice, not at its clause boundaries, shares with it one long run and little
else, so no clause window of the longer sentence looks like it and LSH rarely proposes the pair.
Every text's character ``RUN_CHARS``-grams are hashed (numpy, all texts at once); texts with a
gram in common are candidates, which ``verify`` then checks as any other.  A gram held by more
than ``max_holders`` texts is a formula (its texts are alike and found by LSH or as families), so
it proposes nothing: the work stays linear in the corpus.  A short text (``SHORT_TEXT_CHARS``) also
holds its runs of ``SHORT_RUN_CHARS``: a formula's variants share too few bigrams outside the stop
list, and no run of 12, while they share one of 8 (``gram_hashes``).

Measured on 200 generated notices against the brute-force sentence oracle (its first 100 notices;
``benchmarks/recall.py`` data): bands alone find 0.948 of the oracle's pairs (0.862 of the contained
sentences) with 2.78M candidates; runs of 8 characters held by ≤ 16 texts 0.960 (3.85M); 12 / ≤ 32
0.969 (0.933 contained, 3.86M); 10 / ≤ 32 0.969 (4.55M); 12 / ≤ 64 0.972 (4.26M).  Shorter runs are
held by more texts, so the cap drops more of them.  Of the contained pairs still missed at 12 / ≤ 32,
176 of 229 shared a run held by more than 32 texts (median 44): ≤ 64 finds 134 of them for 10 %
more candidates, and with containment tried up to equal lengths recall goes from 0.982 to 0.985.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from simtool.match.lsh import sorted_unique, splitmix

RUN_CHARS = 12  # a run of CNKI's 13 equal characters, less one for an edge that normalization moves
MAX_HOLDERS = 64  # a run in more texts than this is a formula's, and proposes no pairs

SHORT_TEXT_CHARS = 40  # texts up to this long are also candidates when they share …
SHORT_RUN_CHARS = 8  # … a run of this many characters

_BASE = np.uint64(0x9E3779B97F4A7C15)
CHARS_AT_ONCE = 1 << 22  # characters hashed at a time: temporaries of tens of MB, not GB
_SHORT_SALT = np.uint64(0xD6E8FEB86659FD93)  # keeps a text's short runs apart from its long ones
_TEXT_BITS = 26  # texts per call: up to 67 million distinct texts


def gram_hashes(
    texts: Sequence[str], n: int = RUN_CHARS, *, short_run: int = SHORT_RUN_CHARS
) -> tuple[np.ndarray, np.ndarray]:
    """``(hashes, holder)``: a 38-bit hash of every distinct ``n``-gram of each text, and the text's
    index, sorted; a text of at most ``SHORT_TEXT_CHARS`` characters also holds its ``short_run``-grams
    (hashed apart from the ``n``-grams), when ``short_run < n``.

    A short formula and its variant share few bigrams once the stop bigrams are left out, and often
    no run of ``n`` characters (欢迎广大干部群众对巡察整改落实情况进行监督。 and 欢迎广大干部群众对
    我单位落实巡察整改情况进行监督，: 0.81 similar, no band in common, a run of 9), so short texts are
    candidates also when they share a shorter run; on the seeds this finds 2 of the 7 oracle pairs
    missed before, and a text that short has few grams to add.

    >>> h, t = gram_hashes(["加强理论学习提高认识", "认真加强理论学习提高"], short_run=20)
    >>> sorted(set(h[t == 0]) & set(h[t == 1])) == sorted(set(gram_hashes(["加强理论学习提高"], short_run=20)[0]))
    True
    """
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    if not len(texts) or lengths.max(initial=0) < min(n, short_run):
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    # texts a slice at a time (bounded temporaries); each gram as (hash, text) packed in 64 bits: the
    # hash keeps its top 38 bits (a collision of two grams only proposes a pair that verify rejects)
    keys = []
    ends = np.cumsum(lengths)
    first = 0
    while first < len(texts):
        last = max(first + 1, int(np.searchsorted(ends, ends[first] - lengths[first] + CHARS_AT_ONCE, side="right")))
        chars = np.frombuffer("".join(texts[first:last]).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        size = lengths[first:last]
        begin = np.cumsum(size) - size
        parts = [_hashed_grams(chars, begin, size, n)]
        if short_run < n:
            h, who = _hashed_grams(chars, begin, np.where(size <= SHORT_TEXT_CHARS, size, 0), short_run)
            parts.append((h ^ _SHORT_SALT, who))
        for h, who in parts:
            h >>= np.uint64(_TEXT_BITS)
            h <<= np.uint64(_TEXT_BITS)
            h |= (who + first).astype(np.uint64)
            keys.append(h)
        first = last
    key = sorted_unique(np.concatenate(keys))  # each gram once per text
    return key >> np.uint64(_TEXT_BITS), (key & np.uint64((1 << _TEXT_BITS) - 1)).astype(np.int64)


def _hashed_grams(chars: np.ndarray, begin: np.ndarray, lengths: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The 64-bit hash of every ``n``-gram inside the texts at ``chars[begin:begin + lengths]``, and its text."""
    # the grams inside their own text: text t's first len(t) - n + 1 positions, in text order
    grams_of = np.maximum(lengths - n + 1, 0)
    who = np.repeat(np.arange(len(lengths), dtype=np.int64), grams_of)
    starts = np.repeat(begin - (np.cumsum(grams_of) - grams_of), grams_of) + np.arange(len(who), dtype=np.int64)
    if not len(who):
        return np.empty(0, dtype=np.uint64), who
    # every position's gram from contiguous slices (no gathers), then those
    span = len(chars) - n + 1
    h = np.zeros(span, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            h ^= chars[k : k + span]
            h *= _BASE
            h ^= h >> np.uint64(29)
    return h[starts], who


_SET_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F))


def distinct_holder_sets(who: np.ndarray, size: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The postings ``who`` (groups of ``size`` holders, ascending within a group) with each group
    whose holders are those of an earlier group left out, in the order they came.

    Texts sharing a run of ``L`` characters share its ``L - n + 1`` grams, all held by the same texts:
    at 1,000 notices the 1.1M grams held by 2 to 64 texts are 0.37M distinct holder sets, and the
    pairs made from them half as many.  Groups are told apart by two 64-bit sums of their holders'
    hashes (one mixed with the size), then compared holder by holder, so no two different sets are
    ever merged.

    >>> w, s = distinct_holder_sets(np.array([1, 2, 1, 3, 1, 2, 2, 3]), np.array([2, 2, 2, 2]))
    >>> w.tolist(), s.tolist()
    ([1, 2, 1, 3, 2, 3], [2, 2, 2])
    """
    if len(size) < 2:
        return who, size
    starts = np.cumsum(size) - size
    x = who.astype(np.uint64)
    with np.errstate(over="ignore"):
        first, second = (np.add.reduceat(splitmix(x * mix + mix), starts) for mix in _SET_MIX)
        first ^= splitmix(size.astype(np.uint64))
    order = np.argsort(first, kind="stable")
    k1, k2, z = first[order], second[order], size[order]
    same = (k1[1:] == k1[:-1]) & (k2[1:] == k2[:-1]) & (z[1:] == z[:-1])
    # a group equal to the one before it in that order, holder by holder, repeats it
    later, earlier = order[1:][same], order[:-1][same]
    if len(later):
        z = size[later]
        local = np.arange(int(z.sum())) - np.repeat(np.cumsum(z) - z, z)
        equal = who[np.repeat(starts[later], z) + local] == who[np.repeat(starts[earlier], z) + local]
        repeats = later[np.logical_and.reduceat(equal, np.cumsum(z) - z)]
    else:
        repeats = later
    if not len(repeats):
        return who, size
    keep = np.ones(len(size), dtype=bool)
    keep[repeats] = False
    return who[np.repeat(keep, size)], size[keep]


PAIRS_AT_ONCE = 1 << 24  # distinct codes waiting to be merged into the sorted ones found so far


def run_pairs(texts: Sequence[str], *, n: int = RUN_CHARS, max_holders: int | None = None) -> np.ndarray:
    """Pair codes ``i * len(texts) + j`` (``i < j``, sorted, distinct) of texts sharing an ``n``-gram
    held by at most ``max_holders`` texts (default ``MAX_HOLDERS``).

    Only the postings of grams held by 2 to ``max_holders`` texts are kept.  Holders ascend within a
    gram, so the pairs ``d`` postings apart in one gram are ``(i, j)`` with ``i < j``; they are made one
    distance at a time over the postings still that far from their gram's end, and merged as they
    come, so memory follows the distinct pairs, not every gram's."""
    max_holders = MAX_HOLDERS if max_holders is None else max_holders
    h, who = gram_hashes(texts, n)
    if not len(h):
        return np.empty(0, dtype=np.int64)
    bounds = np.r_[0, np.flatnonzero(h[1:] != h[:-1]) + 1, len(h)]
    size = np.diff(bounds)
    held = (size >= 2) & (size <= max_holders)
    who, size = distinct_holder_sets(who[np.repeat(held, size)], size[held])
    after = np.repeat(size - 1, size) - (np.arange(len(who)) - np.repeat(np.cumsum(size) - size, size))
    m = np.int64(len(texts))
    merged = np.empty(0, dtype=np.int64)
    fresh: list[np.ndarray] = []
    waiting = 0
    at = np.flatnonzero(after >= 1)  # postings with one more at distance d in their gram
    code_of = who * m
    d = 1
    while len(at):
        fresh.append(sorted_unique(code_of[at] + who[at + d]))
        waiting += len(fresh[-1])
        if waiting > max(len(merged), PAIRS_AT_ONCE):
            merged, fresh, waiting = sorted_unique(np.concatenate([merged, *fresh]), runs=True), [], 0
        d += 1
        at = at[after[at] >= d]
    return sorted_unique(np.concatenate([merged, *fresh]), runs=True)
