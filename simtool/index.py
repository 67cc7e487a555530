"""LSH banding over MinHash signatures.

Signatures are cut into ``bands`` bands of ``rows`` values; two texts become a candidate
pair when any band is identical.  The number of bands and rows comes from datasketch's
optimal-parameter search for the target Jaccard threshold.  LSH answers are candidates only:
every one is verified (``simtool.verify``) before anything is reported.
"""

from __future__ import annotations

import functools

import numpy as np

_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_PRIME = np.uint64(0x100000001B3)


@functools.cache
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) minimising false positives + false negatives at ``threshold`` (datasketch's method)."""
    from datasketch.lsh import _optimal_param

    b, r = _optimal_param(threshold, num_perm, 0.5, 0.5)
    return int(b), int(r)


def _splitmix(x: np.ndarray) -> np.ndarray:
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
                h = _splitmix(h ^ sig[:, j])
            out[:, k] = h
    return (out >> np.uint64(1)).astype(np.int64)


def _pairs_in_groups(order: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
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


def candidate_pairs(keys: np.ndarray, *, max_bucket: int = 64) -> np.ndarray:
    """Distinct pairs ``(i, j)``, ``i < j``, of rows sharing at least one band key.

    A bucket larger than ``max_bucket`` — a dense family of near-identical texts, such as one
    measure copied with small edits into hundreds of notices — contributes a star instead of all
    its pairs: each member paired with the bucket's first member.  That keeps the cost linear in
    the family's size; members stay reachable through the star.  Collapse identical texts first.
    """
    m = keys.shape[0]
    found: list[np.ndarray] = []
    for k in range(keys.shape[1]):
        col = keys[:, k]
        order = np.argsort(col, kind="stable").astype(np.int64)
        sorted_col = col[order]
        bounds = np.flatnonzero(np.diff(sorted_col)) + 1
        starts = np.concatenate([[0], bounds]).astype(np.int64)
        sizes = np.diff(np.concatenate([starts, [m]])).astype(np.int64)
        big = sizes > max_bucket
        pairs = _pairs_in_groups(order, starts[~big], sizes[~big])
        if big.any():
            hub = np.repeat(order[starts[big]], sizes[big] - 1)
            pos = np.repeat(starts[big], sizes[big] - 1) + 1 + (
                np.arange((sizes[big] - 1).sum()) - np.repeat(np.cumsum(sizes[big] - 1) - (sizes[big] - 1), sizes[big] - 1)
            )
            pairs = np.concatenate([pairs, np.stack([hub, order[pos]], axis=1)])
        if len(pairs):
            lo = np.minimum(pairs[:, 0], pairs[:, 1])
            hi = np.maximum(pairs[:, 0], pairs[:, 1])
            found.append(lo * m + hi)
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return np.stack([codes // m, codes % m], axis=1)
