"""Shingles and MinHash signatures, computed in batches with numpy.

A signature row is bit-for-bit the ``hashvalues`` of a :class:`datasketch.MinHash` built with the same
``num_perm``, ``seed``, ``scheme`` and ``hashfunc=shingle_hash_bytes`` and updated with the text's
shingles encoded as UTF-32-LE, so rows can be handed to datasketch (``LeanMinHash``, ``MinHashLSH``).
The fraction of equal positions in two rows estimates the Jaccard similarity of the two shingle
sets (with ideal random permutations the standard error is ``sqrt(J(1-J)/num_perm)``, about 0.04 at 128);
it is an estimate, not a measurement. LSH built on these rows only proposes candidates, which must be
verified on the text itself.

The batch core :func:`signatures_from_hashes` is a pure function over flat arrays, so it can run
unchanged per partition on Spark.
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import numpy as np

from simtool.core.threads import threads

__all__ = [
    "DEFAULT_NGRAM",
    "DEFAULT_NUM_PERM",
    "DEFAULT_SCHEME",
    "DEFAULT_SEED",
    "DEFAULT_WORD_NGRAM",
    "MAX_HASH",
    "Scheme",
    "char_shingles",
    "permutations",
    "shingle_hash_bytes",
    "shingle_hashes",
    "signatures",
    "signatures_from_hashes",
    "word_shingle_hashes",
    "word_shingles",
]

Scheme = Literal["affine32", "legacy"]
DEFAULT_NGRAM = 3  # characters per shingle in "char" mode
DEFAULT_WORD_NGRAM = 2  # jieba words per shingle in "word" mode
DEFAULT_NUM_PERM = 128
DEFAULT_SEED = 1
# datasketch 2.x default. "legacy" (datasketch < 2.0: (a*h+b) mod 2**61-1, low 32 bits) is kept for
# compatibility; datasketch documents it as biased upward on large sets.
DEFAULT_SCHEME: Scheme = "affine32"
MAX_HASH = (1 << 32) - 1  # value of an empty MinHash in both schemes

_M32 = 0xFFFFFFFF
_C1, _C2 = 0xCC9E2D51, 0x1B873593
_MERSENNE = np.uint64((1 << 61) - 1)
_CHUNK = 1 << 15  # elements per cache-sized block of elementwise work
_CELLS = 1 << 13  # (text, shingle) cells per signature block: cells x num_perm values stay in cache
_TABLE_BYTES = 1 << 30  # "legacy" permuted-hash table budget per batch of texts
_PUNCT = re.compile(r"[\W_]+")


def shingle_hash_bytes(b: bytes) -> int:
    """MurmurHash3_x86_32 (seed 0) of ``b``: the shingle hash, usable as datasketch ``hashfunc``.

    >>> shingle_hash_bytes(b"test") == 0xBA6BD213
    True
    >>> shingle_hash_bytes("整改".encode("utf-32-le")) == int(shingle_hashes("整改", 2)[0])
    True
    """
    h, n4 = 0, len(b) & ~3
    for (k,) in struct.iter_unpack("<I", b[:n4]):
        k = (k * _C1) & _M32
        k = (((k << 15) | (k >> 17)) * _C2) & _M32
        h ^= k
        h = (((h << 13) | (h >> 19)) * 5 + 0xE6546B64) & _M32
    if n4 < len(b):
        k = (int.from_bytes(b[n4:], "little") * _C1) & _M32
        h ^= (((k << 15) | (k >> 17)) * _C2) & _M32
    h ^= len(b)
    h = ((h ^ (h >> 16)) * 0x85EBCA6B) & _M32  # finalizer, as _fmix32
    h = ((h ^ (h >> 13)) * 0xC2B2AE35) & _M32
    return h ^ (h >> 16)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3 finalizer on a uint32 array, in place."""
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def _murmur_columns(cols: Sequence[np.ndarray]) -> np.ndarray:
    """Murmur3 of rows of uint32 blocks: row p is the key (cols[0][p], cols[1][p], ...)."""
    h = np.zeros(len(cols[0]), np.uint32)
    for col in cols:
        k = col * np.uint32(_C1)
        k = (k << np.uint32(15)) | (k >> np.uint32(17))
        k *= np.uint32(_C2)
        h ^= k
        h = (h << np.uint32(13)) | (h >> np.uint32(19))
        h *= np.uint32(5)
        h += np.uint32(0xE6546B64)
    h ^= np.uint32(4 * len(cols))
    return _fmix32(h)


def _workers(workers: int | None) -> int:
    if workers is None:
        workers = threads()  # 1 in a pool worker (simtool.core.threads)
    return max(1, min(4, os.cpu_count() or 1) if workers is None else workers)


def _run_blocks(fn: Callable[[int, int], None], bounds: np.ndarray, workers: int) -> None:
    """Call fn(bounds[i], bounds[i+1]) for every block; numpy releases the GIL, so threads help."""
    pairs = list(zip(bounds[:-1].tolist(), bounds[1:].tolist()))
    if workers == 1 or len(pairs) < 4:
        for lo, hi in pairs:
            fn(lo, hi)
        return
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda p: fn(*p), pairs))


def _flat_char_hashes(texts: Sequence[str], n: int, workers: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of all char n-grams of all texts, flat, and offsets (len(texts)+1) into them."""
    if n < 1:
        raise ValueError("n must be >= 1")
    lens = np.fromiter(map(len, texts), np.int64, len(texts))
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), np.uint32)
    ends = np.cumsum(lens)
    counts = np.where(lens >= n, lens - n + 1, (lens > 0).astype(np.int64))
    offsets = np.zeros(len(texts) + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    windows = max(cps.size - n + 1, 0)
    hw = np.empty(windows, np.uint32)

    def hash_block(lo: int, hi: int) -> None:
        hw[lo:hi] = _murmur_columns([cps[lo + j : hi + j] for j in range(n)])

    _run_blocks(hash_block, np.unique(np.r_[np.arange(0, windows, 4 * _CHUNK), windows]), workers)
    keep = np.ones(windows, bool)  # drop windows that run past the end of their text
    for d in range(1, n):
        p = ends - d
        keep[p[(p >= ends - lens) & (p < windows)]] = False
    hashes = hw[keep]
    short = np.flatnonzero((lens > 0) & (lens < n))
    if short.size:  # a non-empty text shorter than n is one shingle: the whole text
        at = np.empty(short.size, np.uint32)
        for length in np.unique(lens[short]).tolist():
            sel = lens[short] == length
            first = (ends - lens)[short[sel]]
            at[sel] = _murmur_columns([cps[first + j] for j in range(length)])
        hashes = np.insert(hashes, offsets[short] - np.arange(short.size), at)
    return hashes, offsets


def char_shingles(text: str, n: int = DEFAULT_NGRAM) -> list[str]:
    """All character n-grams in order (reference implementation).

    >>> char_shingles("整改落实")
    ['整改落', '改落实']
    >>> char_shingles("整改"), char_shingles("")
    (['整改'], [])
    """
    if n < 1:
        raise ValueError("n must be >= 1")
    if 0 < len(text) < n:
        return [text]
    return [text[i : i + n] for i in range(len(text) - n + 1)]


def shingle_hashes(text: str, n: int = DEFAULT_NGRAM) -> np.ndarray:
    """uint32 hashes of ``char_shingles(text, n)``, in the same order."""
    return _flat_char_hashes([text], n, 1)[0]


def word_shingles(text: str, n: int = DEFAULT_WORD_NGRAM) -> list[str]:
    """jieba word n-grams (words joined without separator); punctuation tokens are dropped.

    A text with fewer than n words gives its words joined as one shingle; no words gives [].
    """
    from simtool.core.words import cut  # imported lazily: loading jieba's dictionary takes about a second

    if n < 1:
        raise ValueError("n must be >= 1")
    words = [w for w in cut(text) if w.strip() and not _PUNCT.fullmatch(w)]
    if 0 < len(words) < n:
        return ["".join(words)]
    return ["".join(words[i : i + n]) for i in range(len(words) - n + 1)]


def word_shingle_hashes(text: str, n: int = DEFAULT_WORD_NGRAM) -> np.ndarray:
    """uint32 hashes of ``word_shingles(text, n)`` (Murmur3 of each shingle's UTF-32-LE bytes)."""
    hs = [shingle_hash_bytes(s.encode("utf-32-le")) for s in word_shingles(text, n)]
    return np.array(hs, np.uint32)


def permutations(
    num_perm: int = DEFAULT_NUM_PERM, seed: int = DEFAULT_SEED, *, scheme: Scheme = DEFAULT_SCHEME
) -> tuple[np.ndarray, np.ndarray]:
    """The permutation parameters ``a, b`` that ``datasketch.MinHash(num_perm, seed, scheme=scheme)`` draws
    (uint32 for "affine32", uint64 for "legacy")."""
    if num_perm < 1:
        raise ValueError("num_perm must be positive")
    gen = np.random.RandomState(seed)
    if scheme == "legacy":
        ab = [
            (gen.randint(1, _MERSENNE, dtype=np.uint64), gen.randint(0, _MERSENNE, dtype=np.uint64))
            for _ in range(num_perm)
        ]
        pair = np.array(ab, dtype=np.uint64).T
        return pair[0].copy(), pair[1].copy()
    if scheme != "affine32":
        raise ValueError(f"unsupported scheme {scheme!r}")
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    return a, gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)


def _mod_mersenne(x: np.ndarray) -> np.ndarray:
    """``x % (2**61 - 1)`` for uint64 x without division, in place."""
    r = x & _MERSENNE
    x >>= np.uint64(61)
    x += r  # < 2**61 + 7: at most one subtraction left
    x -= _MERSENNE * (x >= _MERSENNE)
    return x


def _permuted(x: np.ndarray, a: np.ndarray, b: np.ndarray, scheme: Scheme) -> np.ndarray:
    """Permuted values ``x[..., k] -> perm_k(x)`` (shape x.shape + (num_perm,), uint32), as datasketch does it."""
    if scheme == "affine32":
        g: np.ndarray = np.multiply(_fmix32(x.astype(np.uint32))[..., None], a)  # wraps modulo 2**32
        g += b
        return g
    g = np.multiply(x.astype(np.uint64)[..., None], a)  # wraps modulo 2**64, like datasketch
    g += b
    return _mod_mersenne(g).astype(np.uint32)  # & MAX_HASH


def _unique_inverse(h: np.ndarray, workers: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(h, return_inverse=True)`` for uint32 hashes, without the slow argsort."""
    s = np.sort(h)
    uniq = s[np.r_[True, s[1:] != s[:-1]]] if s.size else s
    bits = max(1, min(31, int(uniq.size).bit_length() + 1))  # ~0.5 unique values per bucket
    shift = np.uint32(32 - bits)
    first = np.searchsorted(uniq, np.arange(1 << bits, dtype=np.uint64) << np.uint64(32 - bits)).astype(np.int32)
    inv = np.empty(h.size, np.int32)

    def block(lo: int, hi: int) -> None:
        key = h[lo:hi]
        pos = first[key >> shift]
        todo = np.flatnonzero(uniq[pos] != key)
        while todo.size:  # step to the right value inside the bucket
            pos[todo] += 1
            todo = todo[uniq[pos[todo]] != key[todo]]
        inv[lo:hi] = pos

    _run_blocks(block, np.r_[np.arange(0, h.size, 8 * _CHUNK), h.size], workers)
    return uniq, inv


def _sign_batch(
    out: np.ndarray, hashes: np.ndarray, offsets: np.ndarray, a: np.ndarray, b: np.ndarray, scheme: Scheme, workers: int
) -> None:
    """Write the signatures of texts ``offsets[:-1]`` into the rows of ``out`` (empty texts are skipped)."""
    counts = np.diff(offsets)
    order = np.argsort(counts, kind="stable")  # similar counts side by side: little padding
    sizes = counts[order]
    if scheme == "legacy":  # the modulo is costly: permute each distinct hash once, then gather
        uniq, inv = _unique_inverse(hashes[offsets[0] : offsets[-1]], workers)
        table = np.empty((uniq.size, a.size), np.uint32)
        _run_blocks(
            lambda lo, hi: table.__setitem__(slice(lo, hi), _permuted(uniq[lo:hi], a, b, scheme)),
            np.r_[np.arange(0, uniq.size, _CELLS // 2), uniq.size],
            workers,
        )
    bounds = [int(np.searchsorted(sizes, 0, side="right"))]
    while bounds[-1] < sizes.size:  # blocks of at most about _CELLS (text, shingle) cells
        lo = bounds[-1]
        hi = min(sizes.size, lo + max(1, _CELLS // int(sizes[lo])))
        bounds.append(min(hi, lo + max(1, _CELLS // int(sizes[hi - 1]))))
    steps = np.arange(int(sizes[-1]) if sizes.size else 0)

    def block(lo: int, hi: int) -> None:
        last = sizes[lo:hi] - 1  # a text shorter than the block's longest repeats its last hash
        cells = np.minimum(steps[: last[-1] + 1], last[:, None]) + offsets[order[lo:hi], None]
        if scheme == "legacy":
            values = np.take(table, inv[cells - offsets[0]], axis=0)
        else:
            values = _permuted(hashes[cells], a, b, scheme)
        out[order[lo:hi]] = values.min(axis=1)

    _run_blocks(block, np.array(bounds), workers)


def signatures_from_hashes(
    hashes: np.ndarray,
    offsets: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    *,
    scheme: Scheme = DEFAULT_SCHEME,
    workers: int | None = None,
) -> np.ndarray:
    """MinHash signatures (m, num_perm) uint64 of m texts; text i owns ``hashes[offsets[i]:offsets[i+1]]``.

    A text with no hashes gets the empty value ``MAX_HASH`` everywhere. ``a, b`` come from
    :func:`permutations` with the same ``scheme``. Memory stays bounded: work goes in cache-sized blocks
    of texts, and "legacy" keeps a table of permuted distinct hashes of at most ``_TABLE_BYTES`` at a time.
    """
    hashes = np.ascontiguousarray(hashes, np.uint32)
    offsets = np.asarray(offsets, np.int64)
    dtype = np.uint32 if scheme == "affine32" else np.uint64
    if a.dtype != dtype or b.dtype != dtype or a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"a, b must be 1-d {np.dtype(dtype).name} arrays of one shape for scheme {scheme!r}")
    counts = np.diff(offsets)
    if (
        offsets.ndim != 1
        or offsets.size < 1
        or (counts.size and (counts.min() < 0 or offsets[0] < 0 or offsets[-1] > hashes.size))
    ):
        raise ValueError("offsets must be a non-decreasing 1-d array within hashes")
    out = np.full((counts.size, a.size), MAX_HASH, np.uint64)
    step = max(1, _TABLE_BYTES // (4 * a.size)) if scheme == "legacy" else hashes.size + 1
    cuts = np.searchsorted(offsets, np.arange(offsets[0], offsets[-1], step), side="right") - 1
    cuts = np.unique(np.r_[0, cuts, counts.size])
    for lo, hi in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
        _sign_batch(out[lo:hi], hashes, offsets[lo : hi + 1], a, b, scheme, _workers(workers))
    return out


def signatures(
    texts: Sequence[str],
    *,
    n: int | None = None,
    num_perm: int = DEFAULT_NUM_PERM,
    seed: int = DEFAULT_SEED,
    mode: Literal["char", "word"] = "char",
    scheme: Scheme = DEFAULT_SCHEME,
    workers: int | None = None,
    stop: np.ndarray | None = None,
    perms: int | None = None,
) -> np.ndarray:
    """MinHash signatures (len(texts), num_perm) uint64 of char n-gram (or jieba word n-gram) shingles.

    Row i equals ``datasketch.MinHash(num_perm, seed, hashfunc=shingle_hash_bytes, scheme=scheme)``
    updated with the shingles of ``texts[i]`` as UTF-32-LE bytes. ``n`` defaults to ``DEFAULT_NGRAM``
    characters or ``DEFAULT_WORD_NGRAM`` words. ``workers`` threads share the numpy work.
    ``stop`` (sorted uint32 shingle hashes) leaves out stop shingles — the genre's commonest
    bigrams, which make unrelated texts look alike — except from a text that has no other shingle.
    ``perms``: only the first ``perms`` values of each signature (LSH bands use 111 of 128, and every
    value costs the same).
    """
    a, b = permutations(num_perm, seed, scheme=scheme)
    if perms is not None:
        a, b = a[:perms].copy(), b[:perms].copy()
    if mode == "char":
        hashes, offsets = _flat_char_hashes(texts, DEFAULT_NGRAM if n is None else n, _workers(workers))
    elif mode == "word":
        parts = [word_shingle_hashes(t, DEFAULT_WORD_NGRAM if n is None else n) for t in texts]
        offsets = np.cumsum([0] + [p.size for p in parts], dtype=np.int64)
        hashes = np.concatenate([np.zeros(0, np.uint32), *parts])
    else:
        raise ValueError(f"unknown mode {mode!r}")
    if stop is not None and stop.size and hashes.size:
        hashes, offsets = drop_stop(hashes, offsets, stop)
    return signatures_from_hashes(hashes, offsets, a, b, scheme=scheme, workers=workers)


STOP_MIN_KEEP = 16


def drop_stop(
    hashes: np.ndarray, offsets: np.ndarray, stop: np.ndarray, min_keep: int = STOP_MIN_KEEP
) -> tuple[np.ndarray, np.ndarray]:
    """Remove stop shingles from a flat batch (``offsets`` from 0), except from a short text: one with
    fewer than ``min_keep`` other shingles keeps them all, for its few shingles are all it has.

    >>> h, o = drop_stop(np.array([1, 2, 3, 2, 2], np.uint32), np.array([0, 3, 5]), np.array([2], np.uint32), 1)
    >>> h.tolist(), o.tolist()
    ([1, 3, 2, 2], [0, 2, 4])
    """
    counts = np.diff(offsets)
    keep = ~np.isin(hashes, stop, assume_unique=False)
    owner = np.repeat(np.arange(counts.size), counts)
    kept = np.bincount(owner[keep], minlength=counts.size)
    keep |= np.repeat(kept < min_keep, counts)
    new_counts = np.bincount(owner[keep], minlength=counts.size)
    return hashes[keep], np.concatenate([[0], np.cumsum(new_counts)]).astype(np.int64)
