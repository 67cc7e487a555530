"""Exact shared strings: the longest normalized strings that many notices share (a helper).

These fragments are not what users see as 套话 (``simtool.analyses.formulas`` builds whole
formulas from sentence units); they remain an exact, fast way to ask which strings K notices share.

A *phrase* is a string of the literal normalized view (``normalize``) that

* has at least ``min_len`` characters and starts and ends with a word (no punctuation at its ends),
* is used by at least ``K`` notices (``K`` = ``min_notices``, by default ``max(3, ceil(0.2 × notices))``;
  with fewer notices than ``K`` there are no phrases),
* does not cross a sentence end (``。；！？``) nor the border of a segment (title, heading, problem,
  measure …, see ``formulaic.pieces``): a phrase is a clause or a sentence, never the tail of one
  sentence glued to the head of the next, so the list stays readable and a whole copied notice
  does not become one 8,000-character "phrase" (commas and colons may stand inside a phrase);
* is *closed*: no longer such string containing it is used by the same notices, i.e. a phrase is
  not listed when a longer listed phrase contains it and is used by the same set of notices.

The method is exact and runs in about linear time (``mine_phrases``): a hashing pass keeps only
the text covered by ``min_len``-grams that may be used by ``K`` notices (hashing can only
over-count, so nothing is lost), then a suffix array with LCP over that reduced text enumerates
the closed strings, counting distinct notices per suffix-tree node (Hui's method).  On 10,000
synthetic notices (83 M characters) it takes about 30 s of CPU time, a third of it normalizing.

Finding given phrases in notices (``formulaic_spans``, ``formulaic_share``) lives in
``simtool.analyses.formulaic``.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import numpy as np

from simtool.analyses.formulaic import gram_hashes, matching_text
from simtool.analyses.formulas import default_min_notices
from simtool.core.timing import Laps
from simtool.core.types import Notice

DEFAULT_MIN_LEN = 6
DEFAULT_MAX_PHRASES = 500
_TABLE_BITS = 24
_TABLE_MASK = np.uint64((1 << _TABLE_BITS) - 1)


@dataclass(frozen=True, slots=True)
class Phrase:
    """One formulaic phrase: ``notices`` distinct notices, ``units`` distinct issuing units,
    ``occurrences`` start positions in all notices (overlapping ones included), ``examples``
    the first five notice ids in sorted order."""

    phrase: str
    notices: int
    units: int
    occurrences: int
    examples: tuple[str, ...]

    def record(self) -> dict[str, Any]:
        return {
            "phrase": self.phrase,
            "notices": self.notices,
            "units": self.units,
            "occurrences": self.occurrences,
            "examples": list(self.examples),
        }


# -- stage 1: keep only text covered by possibly frequent min_len-grams ---------------------------


def _frequent_cover(codes: np.ndarray, owner: np.ndarray, n_notices: int, k: int, min_len: int) -> np.ndarray:
    """Mask of positions covered by a ``min_len``-gram that may occur in ≥ ``k`` notices.

    Windows are hashed (``gram_hashes``, shifted to make room for the notice index); distinct
    (hash, notice) keys are counted by sorting.  Collisions can only merge counts, so every
    window truly used by ``k`` notices is kept: the mask may be too wide, never too narrow.
    """
    n = len(codes)
    cover = np.zeros(n, dtype=bool)
    m = n - min_len + 1
    if m <= 0:
        return cover
    valid = codes[:m] != 0
    for j in range(1, min_len):
        valid &= codes[j : j + m] != 0
    h = gram_hashes(codes, min_len)
    bits = max(1, int(n_notices).bit_length())
    h >>= np.uint64(bits)
    keys = h[valid]
    keys <<= np.uint64(bits)
    keys |= owner[:m][valid].astype(np.uint64)
    keys.sort()
    if not len(keys):
        return cover
    keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])] >> np.uint64(bits)  # distinct (hash, notice)
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    counts = np.diff(np.concatenate([starts, [len(keys)]]))
    frequent = keys[starts[counts >= k]]
    del keys, starts, counts
    if not len(frequent):
        return cover
    table = np.zeros(1 << _TABLE_BITS, dtype=bool)  # cheap prefilter before the exact lookup
    table[frequent & _TABLE_MASK] = True
    idx = np.flatnonzero(table[h & _TABLE_MASK] & valid)
    hv = h[idx]
    at = np.minimum(np.searchsorted(frequent, hv), len(frequent) - 1)
    idx = idx[frequent[at] == hv]
    for j in range(min_len):
        cover[idx + j] = True
    return cover


# -- stage 2: suffix array, LCP and closed phrases over the reduced text --------------------------


def _suffix_array(codes: np.ndarray, max_run: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Suffix array by prefix doubling; ``ranks[j]`` ranks the prefixes of length ``2**j``.

    Doubling stops once prefixes are longer than ``max_run`` (the longest text between two
    separators): suffixes still tied are equal up to a separator and their order is immaterial.
    """
    n = len(codes)
    rank = np.unique(codes, return_inverse=True)[1].astype(np.int64) + 1
    ranks = [rank]
    k = 1
    while k < max_run + 1 and int(rank.max()) < n:
        nxt = np.zeros(n, dtype=np.int64)
        nxt[: n - k] = rank[k:]
        key = rank * (n + 2) + nxt
        order = np.argsort(key)
        sk = key[order]
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.cumsum(np.concatenate([[1], sk[1:] != sk[:-1]]))
        ranks.append(rank)
        k *= 2
    return np.argsort(rank, kind="stable"), ranks


def _lcp(sa: np.ndarray, ranks: list[np.ndarray], run: np.ndarray) -> np.ndarray:
    """``lcp[i]`` = common prefix of suffixes ``sa[i-1]`` and ``sa[i]`` not crossing a separator
    (``lcp[0] = lcp[n] = 0``), by binary lifting over the doubling ranks."""
    n = len(sa)
    x, y = sa[:-1], sa[1:]
    common = np.zeros(n - 1, dtype=np.int64)
    for j in range(len(ranks) - 1, -1, -1):
        px, py = x + common, y + common
        ok = (px < n) & (py < n)
        eq = np.zeros(n - 1, dtype=bool)
        eq[ok] = ranks[j][px[ok]] == ranks[j][py[ok]]
        common += eq.astype(np.int64) << j
    common = np.minimum(common, np.minimum(run[x], run[y]))
    return np.concatenate([[0], common, [0]])


def _run_lengths(codes: np.ndarray) -> np.ndarray:
    """For each position, the distance to the next separator (0 on a separator; ``codes`` ends with one).

    >>> _run_lengths(np.array([5, 6, 0, 7, 0])).tolist()
    [2, 1, 0, 1, 0]
    """
    pos = np.arange(len(codes), dtype=np.int64)
    nxt = np.where(codes == 0, pos, len(codes))
    nxt = np.minimum.accumulate(nxt[::-1])[::-1]
    return nxt - pos


@dataclass(frozen=True, slots=True)
class _Node:
    depth: int
    lb: int
    rb: int
    notices: int


def _closed_nodes(lcp: np.ndarray, prev: np.ndarray, k: int) -> list[_Node]:
    """Suffix-tree nodes (LCP intervals) used by ≥ ``k`` notices that are right-closed: no child
    (right extension) keeps all their notices.  ``lcp`` values below ``min_len`` must be 0."""
    n = len(lcp) - 1
    depth, lbs, dup, best = [0], [0], [0], [0]
    out: list[_Node] = []
    positive = lcp[1:] > 0
    steps = np.flatnonzero(positive | np.concatenate([[False], positive[:-1]])) + 1
    for i in steps.tolist():
        h = int(lcp[i])
        lb = i - 1
        child: tuple[int, int] | None = None
        while h < depth[-1]:
            d, lb, du, bc = depth.pop(), lbs.pop(), dup.pop(), best.pop()
            distinct = i - lb - du
            if distinct >= k and bc != distinct:
                out.append(_Node(d, lb, i - 1, distinct))
            if h <= depth[-1]:
                dup[-1] += du
                best[-1] = max(best[-1], distinct)
                child = None
            else:
                child = (du, distinct)
        if h > depth[-1]:
            depth.append(h)
            lbs.append(lb)
            dup.append(child[0] if child else 0)
            best.append(child[1] if child else 0)
        j = int(prev[i]) if i < n else -1
        if h > 0 and j >= 0:
            dup[bisect_right(lbs, j) - 1] += 1  # Hui: the link (j, i) belongs to their LCA
    return out


def _is_edge(c: str) -> bool:
    return unicodedata.category(c)[0] in "PZ" or c.isspace()


def trim(phrase: str) -> str:
    """``phrase`` without punctuation at either end (phrases start and end with a word).

    >>> trim(',请及时向我们反映.')
    '请及时向我们反映'
    """
    a, b = 0, len(phrase)
    while a < b and _is_edge(phrase[a]):
        a += 1
    while b > a and _is_edge(phrase[b - 1]):
        b -= 1
    return phrase[a:b]


@dataclass(slots=True)
class _Reduced:
    """The reduced text (only stretches covered by possibly frequent grams, ``\\x00`` between them),
    its suffix array and the notice of each position."""

    text: str
    owner: np.ndarray
    sa: np.ndarray

    def interval(self, s: str) -> tuple[int, int]:
        """The suffix-array range of the suffixes starting with ``s`` (binary search)."""
        t, sa, m = self.text, self.sa, len(s)
        lo = bisect_left(range(len(sa)), s, key=lambda i: t[sa[i] : sa[i] + m])
        hi = bisect_right(range(len(sa)), s, lo=lo, key=lambda i: t[sa[i] : sa[i] + m])
        return lo, hi

    def members(self, lo: int, hi: int) -> list[int]:
        return np.unique(self.owner[self.sa[lo:hi]]).tolist()


def _closed_phrases(notices: Sequence[Notice], k: int, min_len: int) -> tuple[_Reduced, list[tuple[str, int, int]]]:
    """The reduced text and its closed frequent strings as ``(string, sa_lo, sa_hi)``."""
    clock = Laps("phrases")
    texts = [matching_text(n) for n in notices]
    clock.lap("normalize")
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    owner = np.repeat(np.arange(len(notices), dtype=np.int32), [len(t) for t in texts])
    del texts
    cover = _frequent_cover(codes, owner, len(notices), k, min_len)
    clock.lap("frequent grams")
    keep = np.flatnonzero(cover | np.concatenate([[False], cover[:-1]]))
    rcodes = np.where(cover[keep], codes[keep], 0).astype(np.uint32)
    rowner = owner[keep]
    del codes, owner, cover, keep
    if not len(rcodes):
        return _Reduced("", rowner, np.zeros(0, dtype=np.int64)), []
    run = _run_lengths(rcodes)
    sa, ranks = _suffix_array(rcodes, int(run.max()))
    clock.lap("suffix array")
    lcp = _lcp(sa, ranks, run)
    del ranks
    lcp[lcp < min_len] = 0
    owner_sa = rowner[sa]
    order = np.argsort(owner_sa, kind="stable")
    prev = np.full(len(sa) + 1, -1, dtype=np.int64)
    same = owner_sa[order[1:]] == owner_sa[order[:-1]]
    prev[order[1:][same]] = order[:-1][same]
    nodes = _closed_nodes(lcp, prev, k)
    clock.lap("lcp and nodes")
    red = _Reduced(rcodes.tobytes().decode("utf-32-le"), rowner, sa)
    strings = [red.text[int(sa[nd.lb]) : int(sa[nd.lb]) + nd.depth] for nd in nodes]
    widest_left: dict[str, int] = {}  # right-closed strings are left-closed unless some xs keeps the notices
    for s, nd in zip(strings, nodes):
        widest_left[s[1:]] = max(widest_left.get(s[1:], 0), nd.notices)
    return red, [(s, nd.lb, nd.rb + 1) for s, nd in zip(strings, nodes) if widest_left.get(s, 0) != nd.notices]


def mine_phrases(
    notices: Sequence[Notice],
    *,
    min_notices: int | None = None,
    min_len: int = DEFAULT_MIN_LEN,
) -> list[Phrase]:
    """All formulaic phrases of ``notices``, ranked by notices, length (both descending), text.

    Exact: closed frequent strings from the suffix tree are trimmed of edge punctuation and
    recounted (a trimmed string is used by at least the notices of the untrimmed one); a trimmed
    string contained in a longer one with the same notice count (hence the same notice set)
    is dropped.  Every string that starts and ends with a word, is used by ≥ K notices and has
    no longer such superstring with the same notices is listed.  ``[]`` when fewer notices than K.
    """
    k = default_min_notices(len(notices)) if min_notices is None else max(2, min_notices)
    if not notices or len(notices) < k:
        return []
    red, closed = _closed_phrases(notices, k, min_len)
    stats: dict[str, tuple[int, int, list[int]]] = {}  # phrase -> (lo, hi, members)
    for s, lo, hi in closed:
        t = trim(s)
        if len(t) < min_len or t in stats:
            continue
        if t != s:
            lo, hi = red.interval(t)
        stats[t] = (lo, hi, red.members(lo, hi))
    by_count: dict[int, list[str]] = {}
    for t, (_lo, _hi, members) in stats.items():
        by_count.setdefault(len(members), []).append(t)
    listed: list[str] = []
    for group in by_count.values():
        group.sort(key=lambda t: (-len(t), t))
        longer: list[str] = []
        for _length, same_len in groupby(group, key=len):
            batch = list(same_len)
            haystack = "\x00".join(longer)
            listed.extend(t for t in batch if t not in haystack)
            longer.extend(batch)
    out = []
    for t in listed:
        lo, hi, members = stats[t]
        units = {notices[i].unit if notices[i].unit is not None else "\x00" + notices[i].id for i in members}
        ids = sorted(notices[i].id for i in members)
        out.append(Phrase(t, len(members), len(units), hi - lo, tuple(ids[:5])))
    out.sort(key=lambda p: (-p.notices, -len(p.phrase), p.phrase))
    return out


def fragment_records(
    notices: Sequence[Notice],
    *,
    min_notices: int | None = None,
    min_len: int = DEFAULT_MIN_LEN,
    max_phrases: int = DEFAULT_MAX_PHRASES,
) -> list[dict[str, Any]]:
    """``{"phrase","notices","units","occurrences","examples"}`` records of the exact shared strings,
    at most ``max_phrases`` of them, ranked by notices desc, length desc, then phrase."""
    return [p.record() for p in mine_phrases(notices, min_notices=min_notices, min_len=min_len)[:max_phrases]]
