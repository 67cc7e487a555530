"""Brute-force sentence oracle: every cross-notice pair of similar sentences / clause windows, exactly.

Units: the sentences and clause windows of every notice (``sentences.pieces``: cut at 。！？； and enumerators,
long sentences into windows at ，：), normalized with ``simtool.normalize``; units shorter than ``min_chars``
normalized characters are dropped.  Identical normalized texts are collapsed first (one distinct text, many
occurrences).  Two kinds of pair are reported, over the distinct texts:

* ``similar`` — rapidfuzz Indel normalized similarity ≥ ``min_sim``: ``process.cdist`` of every text against every
  text whose length can reach it (Indel similarity ≤ 2·min(la, lb)/(la + lb)), in row blocks — exact;
* ``contained`` — a *sentence* inside a longer sentence: ``fuzz.partial_ratio`` ≥ ``min_sim``·100, for the pairs
  the Indel test did not already report, whose best window shares at least 13 characters with the sentence in
  runs of at least 4 (``simtool.match.verify.equal_runs``: how simtool counts copied characters, CNKI's 13
  consecutive characters).  Without that rule most "containments" of a 13–20-character sentence are a stock
  opening it shares with another sentence (出台《关于进一步明确 …) or a window differing every few characters:
  nothing a reviewer calls copied, and nothing 复制比 counts.  Exact filter first: partial_ratio ≥ s·100 needs a
  window w of b with LCS(a, w) ≥ s/2·(la + |w|) ≥ s/(2 − s)·la, so at least that many characters of a (with
  multiplicity) occur in b; the bound Σ_c count_a(c)·[c ∈ b] is one sparse product, and only pairs passing it
  are scored.

Text outside what a notice says — its title, signature and date lines (``skip`` spans, from simtool's parse: the
oracle measures matching, not parsing, which the seed facts test) — holds no units: 某局党组关于巡察整改进展情况的通报
is in every notice.  Nor does a piece that is no evidence by itself (``simtool.match.units.is_evidence``: a date
range such as 2022年1月至2022年11月).

A distinct-text pair counts when its two texts occur in two different notices (scope cross).  The result keeps,
per distinct text, its occurrences ``(notice index, start, end, kind)`` so a pair can be expanded or matched to
reported spans.

    python benchmarks/oracle.py DIR_OR_FILES... [--min-sim 0.8] [--out pairs.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sentences import Piece, pieces  # noqa: E402

from simtool.match.units import is_evidence  # noqa: E402


@dataclass(slots=True)
class Oracle:
    """Distinct unit texts, their occurrences and the cross-notice pairs among them."""

    notices: list[str]
    texts: list[str]
    occurrences: list[list[tuple[int, int, int, str]]]  # per text: (notice index, start, end, "sentence"|"window")
    pairs: list[tuple[int, int, float, str]] = field(default_factory=list)  # (text i, text j ≥ i, score, kind)
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict:
        kinds: dict[str, int] = {}
        for i, j, _, kind in self.pairs:
            cls = kind if kind == "contained" else ("identical" if i == j else "similar")
            units = {k for _, _, _, k in self.occurrences[i]} | {k for _, _, _, k in self.occurrences[j]}
            cls += "/sentence" if "sentence" in units else "/window"
            kinds[cls] = kinds.get(cls, 0) + 1
        return {
            "notices": len(self.notices),
            "units": sum(map(len, self.occurrences)),
            "distinct_texts": len(self.texts),
            "pairs": len(self.pairs),
            "pairs_by_kind": dict(sorted(kinds.items())),
            "seconds": {k: round(v, 1) for k, v in self.seconds.items()},
        }


Spans = Sequence[tuple[int, int]]


def _inside(spans: Spans, a: int, b: int) -> bool:
    """Whether most of ``[a, b)`` lies in ``spans``."""
    return 2 * sum(max(0, min(b, y) - max(a, x)) for x, y in spans) > b - a


def build_units(
    texts: Sequence[str], min_chars: int = 13, skip: Sequence[Spans] | None = None
) -> tuple[list[str], list[list[tuple[int, int, int, str]]]]:
    index: dict[str, int] = {}
    occ: list[list[tuple[int, int, int, str]]] = []
    for ni, text in enumerate(texts):
        p: Piece
        for p in pieces(text, min_chars=min_chars):
            if (skip is not None and _inside(skip[ni], p.start, p.end)) or not is_evidence(p.norm, min_chars):
                continue
            k = index.setdefault(p.norm, len(index))
            if k == len(occ):
                occ.append([])
            occ[k].append((ni, p.start, p.end, p.kind))
    return list(index), occ


def similar_pairs(
    texts: Sequence[str], min_sim: float, rows: int = 512, workers: int = 2
) -> list[tuple[int, int, float]]:
    """All (i < j) with Indel normalized similarity ≥ min_sim (exact, length-bounded cdist)."""
    from rapidfuzz import process
    from rapidfuzz.distance import Indel

    m = len(texts)
    lens = np.fromiter(map(len, texts), np.int64, m)
    order = np.argsort(lens, kind="stable")
    slens = lens[order]
    stexts = [texts[i] for i in order.tolist()]
    factor = (2 - min_sim) / min_sim
    out: list[tuple[int, int, float]] = []
    for i0 in range(0, m, rows):
        i1 = min(m, i0 + rows)
        hi = int(np.searchsorted(slens, np.floor(slens[i1 - 1] * factor + 1e-9), side="right"))
        res = process.cdist(
            stexts[i0:i1],
            stexts[i0:hi],
            scorer=Indel.normalized_similarity,
            score_cutoff=min_sim - 1e-6,  # rapidfuzz drops some scores exactly on a tighter cutoff
            workers=workers,
            dtype=np.float32,
        )
        r, c = np.nonzero(res >= min_sim - 1e-6)
        keep = c > r
        for a, b, s in zip(order[i0 + r[keep]].tolist(), order[i0 + c[keep]].tolist(), res[r[keep], c[keep]].tolist()):
            out.append((min(a, b), max(a, b), float(s)))
    return out


def contained_pairs(
    texts: Sequence[str], sentence: np.ndarray, min_sim: float, min_chars: int, block: int = 2048, workers: int = 2
) -> list[tuple[int, int, float]]:
    """Sentence a (≥ min_chars) in a longer sentence b with partial_ratio ≥ min_sim·100 (exact filter, then scored)."""
    from rapidfuzz import fuzz, process
    from scipy import sparse

    idx = np.flatnonzero(sentence)
    if len(idx) < 2:
        return []
    sub = [texts[i] for i in idx.tolist()]
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for r, t in enumerate(sub):
        counts: dict[int, int] = {}
        for ch in t:
            c = vocab.setdefault(ch, len(vocab))
            counts[c] = counts.get(c, 0) + 1
        for c, v in counts.items():
            rows.append(r)
            cols.append(c)
            vals.append(v)
    counts_m = sparse.csr_matrix((np.array(vals, np.float32), (rows, cols)), shape=(len(sub), len(vocab)))
    presence_t = (counts_m > 0).astype(np.float32).T.tocsr()
    lens = np.fromiter(map(len, sub), np.int64, len(sub))
    need = np.ceil(min_sim / (2 - min_sim) * lens - 1e-9)
    cand_a: list[np.ndarray] = []
    cand_b: list[np.ndarray] = []
    for r0 in range(0, len(sub), block):
        r1 = min(len(sub), r0 + block)
        bound = (counts_m[r0:r1] @ presence_t).tocoo()
        ra, cb = bound.row + r0, bound.col
        ok = (bound.data >= need[ra]) & (lens[cb] > lens[ra]) & (lens[ra] >= min_chars)
        cand_a.append(ra[ok])
        cand_b.append(cb[ok])
    a = np.concatenate(cand_a)
    b = np.concatenate(cand_b)
    if not len(a):
        return []
    scores = np.asarray(
        process.cpdist(
            [sub[i] for i in a.tolist()],
            [sub[i] for i in b.tolist()],
            scorer=fuzz.partial_ratio,
            score_cutoff=min_sim * 100 - 1e-6,
            workers=workers,
            dtype=np.float32,
        )
    )
    ok = scores >= min_sim * 100 - 1e-4
    out = []
    for x, y, s in zip(idx[a[ok]].tolist(), idx[b[ok]].tolist(), scores[ok].tolist()):
        if shares_a_run(texts[x], texts[y]):
            out.append((min(x, y), max(x, y), s / 100))
    return out


def shares_a_run(short: str, long_: str) -> bool:
    """Whether ``short`` shares ≥ 13 characters in runs of ≥ 4 with its best window of ``long_``."""
    from rapidfuzz import fuzz

    from simtool.match.verify import equal_runs

    at = long_.find(short)
    if at >= 0:
        return True
    r = fuzz.partial_ratio_alignment(short, long_)
    return r is not None and bool(equal_runs(short, long_[r.dest_start : r.dest_end]))


def run_oracle(
    notice_ids: Sequence[str],
    notice_texts: Sequence[str],
    min_sim: float = 0.8,
    min_chars: int = 13,
    skip: Sequence[Spans] | None = None,
) -> Oracle:
    t0 = time.perf_counter()
    texts, occ = build_units(notice_texts, min_chars, skip)
    o = Oracle(list(notice_ids), texts, occ)
    o.seconds["units"] = time.perf_counter() - t0
    notices_of = [{n for n, _, _, _ in oc} for oc in occ]

    def cross(i: int, j: int) -> bool:
        a, b = notices_of[i], notices_of[j]
        return len(a | b) > 1 if i != j else len(a) > 1

    t = time.perf_counter()
    sim = similar_pairs(texts, min_sim)
    o.seconds["similar"] = time.perf_counter() - t
    pairs = {(i, i): (1.0, "similar") for i in range(len(texts)) if cross(i, i)}
    for i, j, s in sim:
        if cross(i, j):
            pairs[(i, j)] = (s, "similar")
    t = time.perf_counter()
    is_sentence = np.array([any(k == "sentence" for _, _, _, k in oc) for oc in occ], bool)
    for i, j, s in contained_pairs(texts, is_sentence, min_sim, min_chars):
        if (i, j) not in pairs and cross(i, j):
            pairs[(i, j)] = (s, "contained")
    o.seconds["contained"] = time.perf_counter() - t
    o.pairs = sorted((i, j, round(s, 4), k) for (i, j), (s, k) in pairs.items())
    o.seconds["total"] = time.perf_counter() - t0
    return o


def read_notice_files(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """One notice per file (the generated corpora): id = the path as given / found, text = the decoded file."""
    files: list[str] = []
    for p in paths:
        q = Path(p)
        files += [str(f) for f in sorted(q.rglob("*.txt"))] if q.is_dir() else [p]
    texts = []
    for f in files:
        data = Path(f).read_bytes()
        for enc in ("utf-8", "gb18030"):
            try:
                texts.append(data.decode(enc))
                break
            except UnicodeDecodeError:
                continue
        else:
            texts.append(data.decode("utf-8", "replace"))
    return files, texts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--min-sim", type=float, default=0.8)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    ids, texts = read_notice_files(args.paths)
    o = run_oracle(ids, texts, args.min_sim)
    print(json.dumps(o.summary(), ensure_ascii=False, indent=1))
    if args.out:
        args.out.write_text(
            json.dumps(
                {
                    "summary": o.summary(),
                    "notices": o.notices,
                    "texts": o.texts,
                    "occurrences": o.occurrences,
                    "pairs": o.pairs,
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
