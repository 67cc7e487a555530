"""LSH banding over MinHash signatures.

Signatures are cut into ``bands`` bands of ``rows`` values; two texts become a candidate
pair when any band is identical.  The number of bands and rows comes from datasketch's
optimal-parameter search for the target Jaccard threshold.  LSH answers are candidates only:
every one is verified (``simtool.match.verify``) before anything is reported.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

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


def _band_codes(keys: np.ndarray, k: int, max_bucket: int) -> np.ndarray:
    """Pair codes ``lo * m + hi`` of rows sharing band ``k`` (stars for oversized buckets)."""
    m = keys.shape[0]
    col = keys[:, k]
    order = _key_order(col)
    sorted_col = col[order]
    bounds = np.flatnonzero(np.diff(sorted_col)) + 1
    starts = np.concatenate([[0], bounds]).astype(np.int64)
    sizes = np.diff(np.concatenate([starts, [m]])).astype(np.int64)
    big = sizes > max_bucket
    pairs = pairs_in_groups(order, starts[~big], sizes[~big])
    if big.any():
        spokes = sizes[big] - 1
        hub = np.repeat(order[starts[big]], spokes)
        pos = (
            np.repeat(starts[big], spokes)
            + 1
            + (np.arange(spokes.sum()) - np.repeat(np.cumsum(spokes) - spokes, spokes))
        )
        pairs = np.concatenate([pairs, np.stack([hub, order[pos]], axis=1)])
    lo = np.minimum(pairs[:, 0], pairs[:, 1])
    hi = np.maximum(pairs[:, 0], pairs[:, 1])
    return lo * m + hi


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


BANDS_PER_BLOCK = 4


def block_count(keys: np.ndarray, bands_per_block: int = BANDS_PER_BLOCK) -> int:
    """How many blocks ``candidate_blocks`` yields at most for ``keys`` (one per ``bands_per_block`` bands)."""
    return -(-keys.shape[1] // bands_per_block) + 1  # and the block of extra pairs


def candidate_blocks(
    keys: np.ndarray,
    *,
    max_bucket: int = 64,
    bands_per_block: int = BANDS_PER_BLOCK,
    extra: np.ndarray | None = None,
) -> Iterator[np.ndarray]:
    """Distinct candidate pairs ``(i, j)``, ``i < j``, in blocks of a few bands each, every pair once.

    Memory stays bounded by one block plus the sorted codes of the pairs already given, so a
    caller can verify and drop each block before the next is built.  A bucket larger than
    ``max_bucket`` — a dense family of near-identical texts, such as one measure copied with small
    edits into hundreds of notices — contributes a star (each member with the bucket's first
    member) instead of all its pairs, keeping the cost linear in the family's size.
    ``extra``: sorted distinct pair codes ``i * len(keys) + j`` proposed otherwise (shared runs),
    given as a last block without the pairs the bands gave.
    """
    m = keys.shape[0]
    seen = np.empty(0, dtype=np.int64)
    groups = [
        range(first, min(first + bands_per_block, keys.shape[1])) for first in range(0, keys.shape[1], bands_per_block)
    ]
    for bands in [*groups, None]:
        if bands is None:
            if extra is None:
                break
            codes = extra
        else:
            codes = sorted_unique(np.concatenate([_band_codes(keys, k, max_bucket) for k in bands]))
        if len(seen) and len(codes):
            at = np.minimum(np.searchsorted(seen, codes), len(seen) - 1)
            codes = codes[seen[at] != codes]
        if not len(codes):
            continue
        seen = np.concatenate([seen, codes])
        seen.sort(kind="stable")  # two sorted runs: a linear merge
        yield np.stack([codes // m, codes % m], axis=1)


def candidate_pairs(keys: np.ndarray, *, max_bucket: int = 64) -> np.ndarray:
    """All distinct candidate pairs at once (see ``candidate_blocks``), sorted."""
    blocks = list(candidate_blocks(keys, max_bucket=max_bucket))
    if not blocks:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(blocks)
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
