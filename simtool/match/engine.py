"""The near-duplicate engine: units → distinct texts → MinHash → LSH → verified matches.

Identical normalized units are collapsed first into families (one representative with all its
occurrences), so a formula shared by thousands of notices costs linear time.  Only distinct
texts are sketched and banded; every LSH candidate is verified with rapidfuzz.  Families larger
than ``max_family`` are reported as stars (each occurrence paired with the representative).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from simtool.core.types import Notice, Scope, View
from simtool.match import sketch
from simtool.match.lsh import band_keys, candidate_blocks, lsh_params
from simtool.match.units import SENTENCE, Units, build_units, collapse
from simtool.match.verify import SENTENCE_CONTAIN_RATIO, contained_span, verify
from simtool.text.normalize import normalize_map

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
    candidates to verification as 28 × 2 bands without stop bigrams.
    """

    ngram: int = 2
    num_perm: int = sketch.DEFAULT_NUM_PERM
    seed: int = sketch.DEFAULT_SEED
    mode: Literal["char", "word"] = "char"
    threshold: float | None = None
    stop: bool = True

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
        list(texts), n=params.ngram, num_perm=params.num_perm, seed=params.seed, mode=params.mode, stop=stop
    )
    return band_keys(sigs, b, r)


@dataclass(slots=True)
class Matches:
    """Verified unit pairs (columns).  ``a < b`` index ``units``; ``family`` is -1 unless the pair is
    part of a star drawn for an identical family larger than ``max_family``.

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

    def __len__(self) -> int:
        return len(self.a)


_EDGE_PUNCT = frozenset("，,、：:；;。.！!？?　 \n\t")


def aligned_part(short: str, long_: str, raw_long: str) -> tuple[int, int]:
    """The span of ``raw_long`` (whose normalized text is ``long_``) that matches ``short``,
    without punctuation at its start."""
    s, e, _score = contained_span(short, long_)
    lo, hi = normalize_map(raw_long).span(s, e)
    while lo < hi and raw_long[lo] in _EDGE_PUNCT:
        lo += 1
    return lo, hi


def aligned_spans(
    texts: Sequence[str], units: Units, a: np.ndarray, b: np.ndarray, contained: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The aligned span of each pair ``(a[k], b[k])`` in each notice text (``texts`` by notice index)."""
    a_start, a_end = units.start[a].copy(), units.end[a].copy()
    b_start, b_end = units.start[b].copy(), units.end[b].copy()
    found: dict[tuple[int, str], tuple[int, int]] = {}
    for k in np.flatnonzero(contained).tolist():
        x, y = int(a[k]), int(b[k])
        long_, short, side_a = (x, y, True) if len(units.text[x]) > len(units.text[y]) else (y, x, False)
        start = int(units.start[long_])
        span = found.get((long_, units.text[short]))
        if span is None:
            raw = texts[int(units.notice[long_])][start : int(units.end[long_])]
            span = found[(long_, units.text[short])] = aligned_part(units.text[short], units.text[long_], raw)
        if side_a:
            a_start[k], a_end[k] = start + span[0], start + span[1]
        else:
            b_start[k], b_end[k] = start + span[0], start + span[1]
    return a_start, a_end, b_start, b_end


def covered_by_sentences(units: Units, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairs involving a clause window whose two sentences are themselves matched as sentences."""
    if units.level is None or units.sentence is None or not len(a):
        return np.zeros(len(a), dtype=bool)
    code = (units.notice.astype(np.int64) << 20) | units.sentence.astype(np.int64)
    ka, kb = code[a], code[b]
    lo, hi = np.minimum(ka, kb), np.maximum(ka, kb)
    key = lo * (1 << 40) + hi
    both = (units.level[a] == SENTENCE) & (units.level[b] == SENTENCE)
    whole = np.unique(key[both])
    if not len(whole):
        return np.zeros(len(a), dtype=bool)
    at = np.minimum(np.searchsorted(whole, key), len(whole) - 1)
    return ~both & (whole[at] == key)


def _families(inverse: np.ndarray, n_distinct: int) -> tuple[np.ndarray, np.ndarray]:
    """Members of each distinct text: ``order`` sorted by family, and each family's start in it."""
    order = np.argsort(inverse, kind="stable")
    counts = np.bincount(inverse, minlength=n_distinct)
    starts = np.concatenate([[0], np.cumsum(counts)])
    return order, starts


def find_matches(
    notices: Sequence[Notice],
    *,
    min_sim: float = DEFAULT_MIN_SIM,
    view: View = "literal",
    scope: Scope = "all",
    max_family: int = DEFAULT_MAX_FAMILY,
    params: EngineParams = DEFAULT_PARAMS,
    units: Units | None = None,
) -> Matches:
    """All verified similar unit pairs among ``notices``."""
    units = units if units is not None else build_units(notices, view)
    distinct, inverse = collapse(units.text)
    order, starts = _families(inverse, len(distinct))
    out_a: list[np.ndarray] = []
    out_b: list[np.ndarray] = []
    out_s: list[np.ndarray] = []
    out_c: list[np.ndarray] = []
    out_f: list[np.ndarray] = []
    out_z: list[np.ndarray] = []

    def add(a: np.ndarray, b: np.ndarray, s: float | np.ndarray, c: bool | np.ndarray, f: int, z: int) -> None:
        out_a.append(a)
        out_b.append(b)
        out_s.append(np.broadcast_to(np.asarray(s, dtype=np.float64), a.shape).copy())
        out_c.append(np.broadcast_to(np.asarray(c, dtype=bool), a.shape).copy())
        out_f.append(np.full(a.shape, f, dtype=np.int64))
        out_z.append(np.full(a.shape, z, dtype=np.int64))

    # identical texts: all pairs in a small family, a star in a large one
    sizes = np.diff(starts)
    for fam in np.flatnonzero(sizes > 1).tolist():
        members = order[starts[fam] : starts[fam + 1]]
        z = len(members)
        if z <= max_family:
            i, j = np.triu_indices(z, 1)
            add(members[i], members[j], 1.0, False, -1, z)
        else:
            add(np.full(z - 1, members[0]), members[1:], 1.0, False, int(members[0]), z)

    # similar distinct texts: LSH candidates, verified block by block (bounded memory)
    if len(distinct) > 1:
        for pairs in candidate_blocks(keys_for(distinct, params, min_sim)):
            ver = verify(distinct, pairs, min_sim, contain_ratio=SENTENCE_CONTAIN_RATIO)
            single = (sizes[ver.i] == 1) & (sizes[ver.j] == 1)  # most texts occur once: no expansion
            out_a.append(order[starts[ver.i[single]]])
            out_b.append(order[starts[ver.j[single]]])
            out_s.append(ver.score[single].astype(np.float64))
            out_c.append(ver.contained[single])
            out_f.append(np.full(int(single.sum()), -1, dtype=np.int64))
            out_z.append(np.ones(int(single.sum()), dtype=np.int64))
            rest = np.flatnonzero(~single).tolist()
            for u, v, s, c in zip(
                ver.i[rest].tolist(), ver.j[rest].tolist(), ver.score[rest].tolist(), ver.contained[rest].tolist()
            ):
                mu = order[starts[u] : starts[u + 1]]
                mv = order[starts[v] : starts[v + 1]]
                if len(mu) * len(mv) <= max_family * max_family:
                    add(np.repeat(mu, len(mv)), np.tile(mv, len(mu)), s, c, -1, 1)
                else:  # linear: representative of each side against all members of the other
                    add(np.full(len(mv), mu[0]), mv, s, c, -1, 1)
                    add(mu[1:], np.full(len(mu) - 1, mv[0]), s, c, -1, 1)

    if not out_a:
        e = np.empty(0, dtype=np.int64)
        return Matches(units, e, e, np.empty(0), np.empty(0, dtype=bool), e, e, e, e, e, e)
    a, b = np.concatenate(out_a), np.concatenate(out_b)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    sc, cont = np.concatenate(out_s), np.concatenate(out_c)
    rep, size = np.concatenate(out_f), np.concatenate(out_z)
    same = units.notice[lo] == units.notice[hi]
    keep = lo != hi
    if scope == "cross":
        keep &= ~same
    elif scope == "within":
        keep &= same
    lo, hi, sc, cont, rep, size = lo[keep], hi[keep], sc[keep], cont[keep], rep[keep], size[keep]
    idx = np.lexsort((hi, lo))
    lo, hi, cont = lo[idx], hi[idx], cont[idx]
    spans = aligned_spans([n.text for n in notices], units, lo, hi, cont)
    return Matches(units, lo, hi, sc[idx], cont, rep[idx], size[idx], *spans)
