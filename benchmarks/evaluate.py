"""Recall and precision of simtool's reported pairs against the generator's ground truth and by recomputation."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from peers import brute_force


def notice_key(notice_id: str) -> str:
    """Notice id as given (``benchmarks/data/n30/corpus/notices/n000001.txt``) → truth key (``notices/n000001.txt``)."""
    return notice_id.replace("\\", "/").split("/corpus/", 1)[1]


def ground_truth_eval(data: Path, notices: Sequence[Any], m: Any, min_sim: float) -> dict[str, Any]:
    """Recall of the generator's copied segments and the lineage of reported pairs."""
    from rapidfuzz.distance import Indel

    from simtool.text.normalize import normalize
    from simtool.match.units import UNIT_KINDS

    keys = [notice_key(n.id) for n in notices]
    index_of = {k: i for i, k in enumerate(keys)}
    base = np.zeros(len(notices) + 1, np.int64)
    np.cumsum([len(n.text) + 1 for n in notices], out=base[1:])
    seg_rows: list[tuple[int, int, int, str, str]] = []  # notice index, start, end, origin, kind
    for line in open(data / "segments.jsonl", encoding="utf-8"):
        rec = json.loads(line)
        ni = index_of.get(rec["notice"])
        if ni is None:
            continue
        for kind, a, b, origin in rec["segments"]:
            seg_rows.append((ni, a, b, origin, kind))
    for ni, (k, n) in enumerate(zip(keys, notices)):
        if k.startswith("seeds/"):
            for si, s in enumerate(n.segments):
                if s.kind in UNIT_KINDS:
                    seg_rows.append((ni, s.start, s.end, f"seed:{k}:{si}", s.kind))
    seg_rows.sort()
    seg_notice = np.array([r[0] for r in seg_rows], np.int64)
    g_start = base[seg_notice] + np.array([r[1] for r in seg_rows], np.int64)
    g_end = base[seg_notice] + np.array([r[2] for r in seg_rows], np.int64)
    seg_at = {(keys[r[0]], r[1], r[2]): k for k, r in enumerate(seg_rows)}
    origins = [r[3] for r in seg_rows]

    u = m.units
    mid = base[u.notice] + (u.start + u.end) // 2
    useg = np.searchsorted(g_start, mid, side="right") - 1
    useg[(useg < 0) | (mid >= g_end[np.maximum(useg, 0)])] = -1
    sa, sb = useg[m.a], useg[m.b]
    mapped = (sa >= 0) & (sb >= 0)
    # identical normalized texts are one family in the engine (a large family is reported as a star around one
    # representative), so "found" is judged on distinct texts: a reported pair stands for its two texts
    from simtool.match.units import collapse

    _, inv = collapse(u.text)
    D = int(inv.max()) + 1 if len(inv) else 1
    ta, tb = inv[m.a], inv[m.b]
    found_text_pairs = set((np.minimum(ta, tb) * D + np.maximum(ta, tb)).tolist())
    units_of_seg: dict[int, list[int]] = {}
    for k in np.flatnonzero(useg >= 0).tolist():
        units_of_seg.setdefault(int(useg[k]), []).append(int(inv[k]))

    def found_pair(ti: int, si: int) -> bool:
        return any(
            min(x, y) * D + max(x, y) in found_text_pairs
            for x in units_of_seg.get(ti, ())
            for y in units_of_seg.get(si, ())
        )

    # lineage classes: origins, with seed segments that are themselves similar (≥ 0.5) merged
    seed_ids = sorted({o for o in origins if o.startswith("seed:")})
    seed_text = {
        f"seed:{keys[r[0]]}:{si}": normalize(notices[r[0]].segments[si].text)
        for r in seg_rows
        if r[3].startswith("seed:")
        for si in [int(r[3].rsplit(":", 1)[1])]
        if keys[r[0]].startswith("seeds/")
    }
    seed_ids = [s for s in seed_ids if s in seed_text]
    for o in sorted({o for o in origins if o.startswith("heading:")}):  # 一、… section headings taken from the seeds
        seed_text[o] = normalize(o.split(":", 1)[1])
        seed_ids.append(o)
    parent = list(range(len(seed_ids)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    if seed_ids:
        for code in brute_force([seed_text[s] for s in seed_ids], 0.5).tolist():
            i, j = divmod(code, len(seed_ids))
            parent[find(i)] = find(j)
    seed_class = {s: f"seedclass:{find(k)}" for k, s in enumerate(seed_ids)}
    lineage = np.array([hash(seed_class.get(o, o)) for o in origins] + [0], dtype=np.int64)
    same_line = lineage[sa] == lineage[sb]
    explained = mapped & same_line
    unexplained = np.flatnonzero(~explained)
    examples = []
    for k in unexplained[:5].tolist():
        ia, ib = int(m.a[k]), int(m.b[k])
        examples.append(
            {
                "score": float(m.score[k]),
                "a": u.text[ia][:80],
                "b": u.text[ib][:80],
                "a_origin": origins[sa[k]] if sa[k] >= 0 else None,
                "b_origin": origins[sb[k]] if sb[k] >= 0 else None,
            }
        )

    # the truth rows
    rows = [json.loads(line) for line in open(data / "truth.jsonl", encoding="utf-8")]
    total = Counter()
    det = Counter()
    hit = Counter()
    unresolved = 0
    outside = 0
    codes = []
    detectable = []
    labels: list[tuple[str, tuple[str, ...]]] = []
    for r in rows:
        if r["scope"] != "cross":
            continue
        t, s = r["target"], r["source"]
        if t["notice"] not in index_of or s["notice"] not in index_of:  # a subset of the notices was loaded
            outside += 1
            continue
        ti = seg_at.get((t["notice"], t["start"], t["end"]))
        si = seg_at.get((s["notice"], s["start"], s["end"]))
        if ti is None or si is None or t["notice"] not in index_of or s["notice"] not in index_of:
            unresolved += 1
            continue
        ttext = notices[index_of[t["notice"]]].text[t["start"] : t["end"]]
        stext = notices[index_of[s["notice"]]].text[s["start"] : s["end"]]
        d = Indel.normalized_similarity(normalize(ttext), normalize(stext)) >= min_sim - 1e-9
        codes.append(found_pair(ti, si))
        detectable.append(d)
        labels.append((t["kind"], tuple(r["edits"])))
    found = np.array(codes, bool)
    detectable_arr = np.array(detectable, bool)
    by_edit: dict[str, list[int]] = {}
    by_kind: dict[str, list[int]] = {}
    for (kind, edits), f, d in zip(labels, found.tolist(), detectable):
        total[kind] += 1
        if d:
            det[kind] += 1
            hit[kind] += f
            by_kind.setdefault(kind, [0, 0])
            by_kind[kind][0] += f
            by_kind[kind][1] += 1
            for e in edits or ("none",):
                by_edit.setdefault(e, [0, 0])
                by_edit[e][0] += f
                by_edit[e][1] += 1
    n_det = int(detectable_arr.sum())
    return {
        "copied_segments_cross": len(codes),
        "unresolved": unresolved,
        "outside_loaded_notices": outside,
        "detectable": n_det,
        "found_of_detectable": int(found[detectable_arr].sum()),
        "recall_detectable": float(found[detectable_arr].mean()) if n_det else 1.0,
        "recall_all": float(found.mean()) if len(found) else 1.0,
        "found_below_min_sim": int(found[~detectable_arr].sum()),
        "recall_by_kind": {k: round(v[0] / v[1], 4) for k, v in sorted(by_kind.items())},
        "recall_by_edit": {k: [round(v[0] / v[1], 4), v[1]] for k, v in sorted(by_edit.items())},
        "pairs": int(len(m)),
        "pairs_unmapped": int((~mapped).sum()),
        "pairs_same_lineage": float(explained.mean()) if len(m) else 1.0,
        "unexplained_examples": examples,
    }


def precision_of_matches(m: Any, min_sim: float) -> dict[str, Any]:
    """Every reported pair's score recomputed on the normalized texts (ratio, or partial ratio for containment)."""
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import Indel

    from simtool.match.units import collapse

    u = m.units
    distinct, inv = collapse(u.text)
    da, db = inv[m.a], inv[m.b]
    identical = da == db
    D = len(distinct)
    ok = int(identical.sum())
    sim = ~identical & ~m.contained
    codes, first = np.unique(np.minimum(da[sim], db[sim]) * D + np.maximum(da[sim], db[sim]), return_inverse=True)
    if codes.size:
        s = np.asarray(
            process.cpdist(
                [distinct[c // D] for c in codes.tolist()],
                [distinct[c % D] for c in codes.tolist()],
                scorer=Indel.normalized_similarity,
                workers=-1,
                dtype=np.float64,
            )
        )
        ok += int((s[first] >= min_sim - 1e-9).sum())
    cont = np.flatnonzero(~identical & m.contained)
    cache: dict[tuple[int, int], bool] = {}
    for k in cont.tolist():
        key = (int(da[k]), int(db[k]))
        if key not in cache:
            a, b = sorted((distinct[key[0]], distinct[key[1]]), key=len)
            cache[key] = fuzz.partial_ratio(a, b) / 100 >= min_sim - 1e-9
        ok += cache[key]
    return {
        "pairs": int(len(m)),
        "identical_text_pairs": int(identical.sum()),
        "contained_pairs": int(m.contained.sum()),
        "distinct_text_pairs": int(codes.size),
        "precision": ok / len(m) if len(m) else 1.0,
    }
