"""LSH banding over MinHash signatures.

Signatures are cut into ``bands`` bands of ``rows`` values; two texts become a candidate
pair when any band is identical.  The number of bands and rows comes from datasketch's
optimal-parameter search for the target Jaccard threshold.  LSH answers are candidates only:
every one is verified (``simtool.match.verify``) before anything is reported.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_PRIME = np.uint64(0x100000001B3)


_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(64)


def _integral(f: Callable[[np.ndarray], np.ndarray], lo: float, hi: float) -> float:
    """∫ f from ``lo`` to ``hi`` by 64-point Gauss–Legendre quadrature (f is smooth here)."""
    half = (hi - lo) / 2
    return float(half * np.sum(_WEIGHTS * f(half * _NODES + (hi + lo) / 2)))


def false_positive_area(threshold: float, bands: int, rows: int) -> float:
    """∫₀ᵗ P(candidate | Jaccard s) ds, with P = 1 − (1 − sʳ)ᵇ."""
    return _integral(lambda s: 1 - (1 - s**rows) ** bands, 0.0, threshold)


def false_negative_area(threshold: float, bands: int, rows: int) -> float:
    """∫ₜ¹ P(not a candidate | Jaccard s) ds, with P = (1 − sʳ)ᵇ."""
    return _integral(lambda s: (1 - s**rows) ** bands, threshold, 1.0)


@functools.cache
def lsh_params(threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5) -> tuple[int, int]:
    """(bands, rows) minimising the weighted areas of false positives and false negatives at ``threshold``.

    The formula is datasketch's ``MinHashLSH`` parameter search (``datasketch/lsh.py``,
    ``_optimal_param``, after Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, §3.4):
    over every ``bands × rows ≤ num_perm``, minimise ``fp_weight·∫₀ᵗ(1−(1−sʳ)ᵇ)ds +
    fn_weight·∫ₜ¹(1−sʳ)ᵇds``.  datasketch integrates with scipy's ``quad``; we use Gauss–Legendre
    quadrature, and a test checks that both pick the same parameters.

    >>> lsh_params(0.3, 128)
    (37, 3)
    """
    best, opt = float("inf"), (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            err = fp_weight * false_positive_area(threshold, b, r) + fn_weight * false_negative_area(threshold, b, r)
            if err < best:
                best, opt = err, (b, r)
    return opt


def splitmix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finalizer of each uint64 (wrapping): a well-mixed hash of an integer."""
    x = x ^ (x >> np.uint64(30))
    x = x * _MIX1
    x = x ^ (x >> np.uint64(27))
    x = x * _MIX2
    return x ^ (x >> np.uint64(31))


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 63-bit key per band and signature: shape (len(signatures), bands), dtype int64.

    Keys fit SQLite's signed INTEGER.  Equal bands give equal keys; different bands collide
    with probability ~2^-63.
    """
    sig = np.ascontiguousarray(signatures, dtype=np.uint64)
    out = np.empty((sig.shape[0], bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(bands):
            h = np.full(sig.shape[0], np.uint64(k + 1) * _PRIME, dtype=np.uint64)
            for j in range(k * rows, (k + 1) * rows):
                h = splitmix(h ^ sig[:, j])
            out[:, k] = h
    return (out >> np.uint64(1)).astype(np.int64)


def pairs_in_groups(order: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """All pairs (as order positions) inside each group ``order[start:start+size]``."""
    keep = sizes > 1
    starts, sizes = starts[keep], sizes[keep]
    if not len(sizes):
        return np.empty((0, 2), dtype=np.int64)
    pos = np.repeat(starts, sizes) + (np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes))
    group_end = np.repeat(starts + sizes, sizes)
    counts = group_end - pos - 1
    left = np.repeat(pos, counts)
    block = np.repeat(np.cumsum(counts) - counts, counts)
    right = left + 1 + (np.arange(counts.sum()) - block)
    return np.stack([order[left], order[right]], axis=1)


def index_bits(n: int) -> int:
    """Low bits that hold an index below ``n`` when it is packed under a key's high bits.

    >>> index_bits(1), index_bits(2), index_bits(1024), index_bits(1025)
    (1, 1, 10, 11)
    """
    return max(1, (n - 1).bit_length())


def lex_order(*keys: np.ndarray) -> np.ndarray:
    """``np.lexsort(keys[::-1])``: the stable order by the first key, then the next …, of integer keys.
    When they are non-negative and fit together in 63 bits (unit and text indexes, offsets), they are
    packed into one and sorted once with a stable sort, two to three times faster than ``lexsort``.

    >>> lex_order(np.array([2, 1, 2, 1]), np.array([0, 5, 0, 3])).tolist()
    [3, 1, 0, 2]
    >>> lex_order(np.array([2, -1]), np.array([0, 5])).tolist()
    [1, 0]
    """
    if not keys or not len(keys[0]):
        return np.zeros(0, dtype=np.int64)
    bits = [index_bits(int(k.max()) + 1) for k in keys]
    if sum(bits) > 63 or any(int(k.min()) < 0 for k in keys):
        return np.lexsort(keys[::-1]).astype(np.int64)
    packed = keys[0].astype(np.int64)
    for k, b in zip(keys[1:], bits[1:]):
        packed = (packed << b) | k.astype(np.int64, copy=False)
    return np.argsort(packed, kind="stable").astype(np.int64, copy=False)


def _key_order(col: np.ndarray) -> np.ndarray:
    """``np.argsort(col, kind="stable")`` of int64 keys, as one sort of each key's high bits packed with
    its row (numpy sorts plain integers with SIMD, ten times faster than ``argsort``).  Two keys that
    differ only in the low bits given to the row (one pair in ~2^40 of hashed keys; small test keys)
    leave rows out of order, and the plain argsort is done instead.

    >>> _key_order(np.array([5, 4, 5, 0])).tolist()
    [3, 1, 0, 2]
    """
    m = len(col)
    bits = np.uint64(index_bits(m))
    packed = ((col.astype(np.uint64) >> bits) << bits) | np.arange(m, dtype=np.uint64)
    packed.sort()
    order = (packed & ((np.uint64(1) << bits) - np.uint64(1))).astype(np.int64)
    keys = col[order]
    if m > 1 and bool(np.any(keys[1:] < keys[:-1])):
        return np.argsort(col, kind="stable").astype(np.int64)
    return order


def sorted_unique(x: np.ndarray, *, runs: bool = False) -> np.ndarray:
    """``np.unique(x)`` by sorting (numpy 2's hash-based ``unique`` is several times slower on large int64 arrays).
    ``runs``: ``x`` is sorted arrays joined, which a merge sort (``kind="stable"``) finds and merges: six
    times faster than the default sort, which is slower on them than on random numbers.

    >>> sorted_unique(np.array([3, 1, 3, 2])).tolist(), sorted_unique(np.array([1, 3, 2, 3]), runs=True).tolist()
    ([1, 2, 3], [1, 2, 3])
    """
    x = np.sort(x, kind="stable" if runs else None)
    if len(x) < 2:
        return x
    keep = np.empty(len(x), dtype=bool)
    keep[0] = True
    np.not_equal(x[1:], x[:-1], out=keep[1:])
    return x[keep]


PAIRS_PER_BLOCK = 1 << 24  # band pairs (before the bands' duplicates go) of the rows of one block


@dataclass(frozen=True, slots=True)
class _Band:
    """One band's buckets, for listing the pairs whose smaller row is in a range of rows: ``order``
    the rows by key (rows ascending inside a bucket), ``rank[row]`` the row's place in it and
    ``partners[row]`` how many rows after it in its bucket it pairs with (all of a bucket of at most
    ``max_bucket`` rows, else only the bucket's first row, with every other: a star)."""

    order: np.ndarray
    rank: np.ndarray
    partners: np.ndarray

    @staticmethod
    def of(col: np.ndarray, max_bucket: int) -> _Band:
        m = len(col)
        order = _key_order(col)
        sorted_col = col[order]
        starts = np.r_[0, np.flatnonzero(sorted_col[1:] != sorted_col[:-1]) + 1] if m else np.zeros(0, np.int64)
        sizes = np.diff(np.r_[starts, m])
        place = np.arange(m, dtype=np.int64)
        end = np.repeat(starts + sizes, sizes)
        after = end - place - 1
        after[np.repeat(sizes > max_bucket, sizes) & (place != np.repeat(starts, sizes))] = 0
        small = np.int32 if m < 2**31 else np.int64  # rows and places
        rank = np.empty(m, dtype=small)
        rank[order] = place
        return _Band(order.astype(small), rank, after.astype(small)[rank])

    def codes(self, lo: int, hi: int, m: int) -> np.ndarray:
        """Pair codes ``i * m + j`` of this band's pairs whose smaller row ``i`` is in ``[lo, hi)``."""
        count = self.partners[lo:hi].astype(np.int64)
        total = int(count.sum())
        left = np.repeat(np.arange(lo, hi, dtype=np.int64), count)
        at = np.repeat(self.rank[lo:hi].astype(np.int64) + 1 - (np.cumsum(count) - count), count)
        at += np.arange(total, dtype=np.int64)
        return left * m + self.order[at]


class Buckets:
    """Every band's buckets of the band ``keys`` (rows × bands), a bucket above ``max_bucket`` rows as a
    star: what ``CandidateBlocks`` lists pairs from, built apart so that it can be built while the
    shared runs (its ``extra``) are still being found."""

    def __init__(self, keys: np.ndarray, max_bucket: int = 64) -> None:
        self.rows = keys.shape[0]
        self.bands = [_Band.of(keys[:, k], max_bucket) for k in range(keys.shape[1])]


class CandidateBlocks:
    """Distinct candidate pairs ``(i, j)``, ``i < j``, in blocks, every pair once: a block holds the pairs
    whose smaller row lies in its range of rows, from every band and from ``extra``.

    A bucket larger than ``max_bucket`` — a dense family of near-identical texts, such as one measure
    copied with small edits into hundreds of notices — contributes a star (each member with the
    bucket's first member) instead of all its pairs, keeping the cost linear in the family's size.
    ``extra``: sorted distinct pair codes ``i * len(keys) + j`` proposed otherwise (shared runs).
    The ranges are cut so that a block has about ``pairs_per_block`` pairs before the duplicates
    (a pair in several bands) go, so memory stays bounded by one block and the buckets (three int32
    per row and band, int32 below 2³¹ rows), and the caller can drop ``keys``; blocks never overlap, so no block is
    compared with the pairs given before it.
    """

    def __init__(
        self,
        keys: np.ndarray | Buckets,
        *,
        max_bucket: int = 64,
        pairs_per_block: int = PAIRS_PER_BLOCK,
        extra: np.ndarray | None = None,
    ) -> None:
        buckets = keys if isinstance(keys, Buckets) else Buckets(keys, max_bucket)
        self.m = m = buckets.rows
        self.bands = buckets.bands
        self.extra = np.empty(0, dtype=np.int64) if extra is None else extra
        per_row = np.zeros(m, dtype=np.int64)
        for band in self.bands:
            per_row += band.partners
        if len(self.extra):
            per_row += np.bincount(self.extra // m, minlength=m)
        ends = np.cumsum(per_row)
        total = int(ends[-1]) if m else 0
        cuts = np.searchsorted(ends, np.arange(pairs_per_block, total, pairs_per_block), side="right")
        self.cuts = sorted_unique(np.r_[0, cuts, m].astype(np.int64)).tolist() if total else [0]

    def __len__(self) -> int:
        return len(self.cuts) - 1

    def block(self, k: int) -> np.ndarray:
        """The pairs ``(i, j)`` of the ``k``-th block (rows ``i`` in its range), sorted; perhaps none."""
        m, extra = self.m, self.extra
        lo, hi = self.cuts[k], self.cuts[k + 1]
        parts = [band.codes(lo, hi, m) for band in self.bands]
        parts.append(extra[np.searchsorted(extra, lo * m) : np.searchsorted(extra, hi * m)])
        codes = sorted_unique(np.concatenate(parts))
        return np.stack([codes // m, codes % m], axis=1)

    def __iter__(self) -> Iterator[np.ndarray]:
        for k in range(len(self)):
            pairs = self.block(k)
            if len(pairs):
                yield pairs


def candidate_pairs(keys: np.ndarray, *, max_bucket: int = 64) -> np.ndarray:
    """All distinct candidate pairs at once (see ``CandidateBlocks``), sorted."""
    blocks = list(CandidateBlocks(keys, max_bucket=max_bucket))
    if not blocks:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(blocks)
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
