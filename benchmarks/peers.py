"""The brute-force oracle and the peers simtool is compared with, all on the same distinct texts.

* ``brute_force`` — ``rapidfuzz.process.cdist`` over all texts (exact, length-bounded): the oracle;
* ``simtool_core`` — simtool's engine on distinct texts (signatures → band keys → candidates → verify);
* ``datasketch_pipeline`` — what a user writes by hand with datasketch and rapidfuzz;
* ``text_dedup_run`` — text-dedup's MinHash in its own venv (``/tmp/tdvenv``);
* ``what_if`` — simtool's engine with other ``EngineParams`` (not the defaults), for the record.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

TEXT_DEDUP_VENV = Path("/tmp/tdvenv")


def pair_codes(i: np.ndarray, j: np.ndarray, m: int) -> np.ndarray:
    """Unordered pairs as sorted unique codes ``min * m + max``."""
    lo, hi = np.minimum(i, j).astype(np.int64), np.maximum(i, j).astype(np.int64)
    return np.unique(lo * m + hi)


def found_codes(m: Any, inverse: np.ndarray, m_texts: int) -> np.ndarray:
    """Distinct-text pairs the engine's matches ``m`` hold (near-duplicates, not containments), as ``pair_codes``,
    plus the clause-window pairs a matched pair of their two sentences stands for (``find_matches`` leaves
    those out: the sentence pair says it)."""
    u = m.units
    da, db = inverse[m.a], inverse[m.b]
    keep = (da != db) & ~m.contained
    codes = [pair_codes(da[keep], db[keep], m_texts)]
    if u.level is not None and u.sentence is not None:
        sent = np.flatnonzero((u.level[m.a] == 0) & (u.level[m.b] == 0))
        key = (u.notice.astype(np.int64) << 32) | u.sentence.astype(np.int64)
        members: dict[int, list[int]] = {}
        for k, code in enumerate(key.tolist()):
            members.setdefault(code, []).append(k)
        for a, b in zip(m.a[sent].tolist(), m.b[sent].tolist()):
            ua, ub = members[int(key[a])], members[int(key[b])]
            i, j = np.meshgrid(inverse[ua], inverse[ub], indexing="ij")
            ok = (i != j).ravel()
            codes.append(pair_codes(i.ravel()[ok], j.ravel()[ok], m_texts))
    return np.unique(np.concatenate(codes))


def brute_force(texts: Sequence[str], min_sim: float, rows: int = 1024) -> np.ndarray:
    """All pairs (i < j) with Indel similarity ≥ min_sim, as codes ``i * len(texts) + j``: the exact oracle.

    ``rapidfuzz.process.cdist`` (normalized Indel, ``score_cutoff``, all cores) of every text against every other
    whose length allows the threshold — Indel similarity is at most ``2 min(la, lb) / (la + lb)``, so a pair with
    ``lb > la (2 - min_sim) / min_sim`` cannot reach it; the texts are sorted by length and each block of rows is
    compared with the columns up to that bound.  Nothing that could reach ``min_sim`` is skipped.
    """
    from rapidfuzz import process
    from rapidfuzz.distance import Indel

    m = len(texts)
    if m < 2:
        return np.empty(0, np.int64)
    lens = np.fromiter(map(len, texts), np.int64, m)
    order = np.argsort(lens, kind="stable")
    slens = lens[order]
    stexts = [texts[i] for i in order.tolist()]
    factor = (2 - min_sim) / min_sim if min_sim > 0 else np.inf
    found: list[np.ndarray] = []
    for i0 in range(0, m, rows):
        i1 = min(m, i0 + rows)
        hi = (
            m
            if not np.isfinite(factor)
            else int(np.searchsorted(slens, np.floor(slens[i1 - 1] * factor + 1e-9), side="right"))
        )
        res = process.cdist(
            stexts[i0:i1],
            stexts[i0:hi],
            scorer=Indel.normalized_similarity,
            score_cutoff=min_sim - 1e-6,  # rapidfuzz drops some scores exactly on a tighter cutoff
            workers=-1,
            dtype=np.float64,
        )
        r, c = np.nonzero(res >= min_sim - 1e-9)
        keep = c > r
        a, b = order[i0 + r[keep]], order[i0 + c[keep]]
        found.append(np.minimum(a, b).astype(np.int64) * m + np.maximum(a, b))
    return np.unique(np.concatenate(found))


def simtool_core(
    texts: Sequence[str], min_sim: float, params: Any = None, max_bucket: int | None = None
) -> dict[str, Any]:
    """simtool's engine on distinct texts: signatures → band keys → candidates → rapidfuzz verification."""
    from simtool.match.engine import DEFAULT_PARAMS, keys_for
    from simtool.match.lsh import candidate_pairs
    from simtool.match.verify import verify

    t0 = time.perf_counter()
    keys = keys_for(texts, params or DEFAULT_PARAMS, min_sim)
    t1 = time.perf_counter()
    cand = candidate_pairs(keys) if max_bucket is None else candidate_pairs(keys, max_bucket=max_bucket)
    t2 = time.perf_counter()
    ver = verify(texts, cand, min_sim)
    t3 = time.perf_counter()
    m = len(texts)
    similar = ~ver.contained
    return {
        "seconds": t3 - t0,
        "bands_rows": list((params or DEFAULT_PARAMS).bands(min_sim)),
        "stages": {"signatures+band keys": t1 - t0, "candidate_pairs": t2 - t1, "verify": t3 - t2},
        "candidates": int(len(cand)),
        "pairs": int(len(ver.i)),
        "contained_pairs": int(ver.contained.sum()),
        "codes": pair_codes(ver.i[similar], ver.j[similar], m),
        "verified": ver,
    }


def datasketch_pipeline(texts: Sequence[str], min_sim: float, threshold: float, num_perm: int = 128) -> dict[str, Any]:
    """What a user writes by hand: char-bigram shingles, ``MinHash.bulk``, ``MinHashLSH`` insert + query,
    candidates verified with rapidfuzz (``process.cpdist``, normalized Indel ≥ min_sim)."""
    from datasketch import MinHash, MinHashLSH
    from rapidfuzz import process
    from rapidfuzz.distance import Indel

    t0 = time.perf_counter()
    shingles = [[t[k : k + 2].encode("utf-8") for k in range(len(t) - 1)] or [t.encode("utf-8")] for t in texts]
    mhs = MinHash.bulk(shingles, num_perm=num_perm)
    t1 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    with lsh.insertion_session() as session:
        for k, mh in enumerate(mhs):
            session.insert(k, mh)
    t2 = time.perf_counter()
    cand: set[tuple[int, int]] = set()
    for k, mh in enumerate(mhs):
        for j in lsh.query(mh):
            if j > k:
                cand.add((k, j))
    t3 = time.perf_counter()
    pairs = np.array(sorted(cand), dtype=np.int64).reshape(-1, 2)
    scores = (
        process.cpdist(
            [texts[i] for i in pairs[:, 0]],
            [texts[j] for j in pairs[:, 1]],
            scorer=Indel.normalized_similarity,
            score_cutoff=min_sim - 1e-6,  # rapidfuzz drops some scores exactly on a tighter cutoff
            workers=-1,
            dtype=np.float64,
        )
        if len(pairs)
        else np.empty(0)
    )
    keep = np.asarray(scores) >= min_sim - 1e-9
    t4 = time.perf_counter()
    return {
        "seconds": t4 - t0,
        "stages": {"shingles+MinHash.bulk": t1 - t0, "LSH insert": t2 - t1, "LSH query": t3 - t2, "verify": t4 - t3},
        "candidates": int(len(pairs)),
        "pairs": int(keep.sum()),
        "b": lsh.b,
        "r": lsh.r,
        "codes": pair_codes(pairs[keep, 0], pairs[keep, 1], len(texts)),
    }


def text_dedup_run(texts: Sequence[str], threshold: float, work: Path, num_perm: int = 128) -> dict[str, Any]:
    """text-dedup's MinHash (``python -m text_dedup.minhash``) in its own venv on the same texts.

    Its tokenizer splits on ``\\W`` (a Chinese clause would be one token), so each text is given with a space
    between characters and ``--ngram 2``: the shingles are character bigrams as in simtool. text-dedup clusters
    (union-find over LSH buckets) and does not verify; recall counts oracle pairs that end in one cluster.
    """
    py = TEXT_DEDUP_VENV / "bin" / "python"
    if not py.exists():
        return {"status": f"not run: no venv at {TEXT_DEDUP_VENV} (pip install text-dedup there first)"}
    work.mkdir(parents=True, exist_ok=True)
    src = work / "texts.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        for k, t in enumerate(texts):
            f.write(json.dumps({"text": " ".join(t), "id": k}, ensure_ascii=False) + "\n")
    out = work / "out"
    cmd = [
        str(py),
        "-m",
        "text_dedup.minhash",
        "--path",
        "json",
        "--data_files",
        str(src),
        "--split",
        "train",
        "--cache_dir",
        str(work / "cache"),
        "--output",
        str(out),
        "--column",
        "text",
        "--num_perm",
        str(num_perm),
        "--threshold",
        str(threshold),
        "--ngram",
        "2",
        "--min_length",
        "0",
        "--debug",
        "--num_proc",
        str(os.cpu_count() or 1),
        "--idx_column",
        "id",
    ]
    env = dict(os.environ, HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=work)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        return {"status": "failed", "error": proc.stderr[-2000:], "command": " ".join(cmd)}
    version = subprocess.run(
        [str(py), "-c", "import importlib.metadata as m; print(m.version('text-dedup'))"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    dump = subprocess.run(
        [
            str(py),
            "-c",
            "import pickle,sys,json; uf=pickle.load(open(sys.argv[1],'rb')); n=int(sys.argv[2]);"
            "print(json.dumps([uf.find(i) for i in range(n)]))",
            str(out / "uf.pkl"),
            str(len(texts)),
        ],
        capture_output=True,
        text=True,
        cwd=work,
    )
    if dump.returncode != 0:
        return {"status": "failed reading clusters", "error": dump.stderr[-2000:], "seconds": seconds}
    clusters = np.array(json.loads(dump.stdout), dtype=np.int64)
    own = [ln.strip() for ln in proc.stderr.splitlines() + proc.stdout.splitlines() if "Total" in ln]
    shutil.rmtree(work, ignore_errors=True)
    sizes = Counter(clusters.tolist())
    implied = sum(k * (k - 1) // 2 for k in sizes.values())
    return {
        "status": "ok",
        "version": version,
        "seconds": seconds,
        "own_total": own[-1] if own else None,
        "clusters": len(sizes),
        "largest_cluster": max(sizes.values()),
        "implied_pairs": implied,
        "cluster_of": clusters,
    }


def compare(
    texts: list[str], min_sim: float, oracle: np.ndarray | None, use_text_dedup: bool, work: Path
) -> dict[str, Any]:
    """simtool core, datasketch and (optionally) text-dedup on the same distinct texts; recall vs ``oracle``."""
    from simtool.match.engine import DEFAULT_PARAMS

    threshold = DEFAULT_PARAMS.lsh_threshold(min_sim)
    out: dict[str, Any] = {"texts": len(texts), "lsh_threshold": threshold}
    st = simtool_core(texts, min_sim)
    ds = datasketch_pipeline(texts, min_sim, threshold, DEFAULT_PARAMS.num_perm)
    m = len(texts)
    for name, res in (("simtool", st), ("datasketch", ds)):
        row = {k: v for k, v in res.items() if k not in ("codes", "verified")}
        if oracle is not None:
            row["recall_vs_oracle"] = float(np.isin(oracle, res["codes"]).mean()) if len(oracle) else 1.0
        out[name] = row
    both = np.intersect1d(st["codes"], ds["codes"]).size
    out["agreement"] = {
        "simtool_only": int(st["codes"].size - both),
        "datasketch_only": int(ds["codes"].size - both),
        "both": int(both),
    }
    out["simtool"]["precision_recomputed"] = recompute_precision(texts, st["verified"], min_sim)
    if use_text_dedup:
        td = text_dedup_run(texts, threshold, work / "text-dedup")
        if td.get("status") == "ok":
            cl = td.pop("cluster_of")
            if oracle is not None and len(oracle):
                td["recall_vs_oracle"] = float((cl[oracle // m] == cl[oracle % m]).mean())
            same = cl[st["codes"] // m] == cl[st["codes"] % m] if st["codes"].size else np.ones(0, bool)
            td["simtool_pairs_in_one_cluster"] = float(same.mean()) if same.size else 1.0
        out["text_dedup"] = td
    else:
        out["text_dedup"] = {"status": "not run (disabled for this run)"}
    return out


def recompute_precision(texts: Sequence[str], ver: Any, min_sim: float) -> float:
    """Share of verified pairs whose score, recomputed with rapidfuzz, is really ≥ min_sim."""
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import Indel

    if len(ver.i) == 0:
        return 1.0
    sim = ~ver.contained
    ok = 0
    if sim.any():
        s = process.cpdist(
            [texts[i] for i in ver.i[sim]],
            [texts[j] for j in ver.j[sim]],
            scorer=Indel.normalized_similarity,
            workers=-1,
            dtype=np.float64,
        )
        ok += int((np.asarray(s) >= min_sim - 1e-9).sum())
    for i, j in zip(ver.i[~sim].tolist(), ver.j[~sim].tolist()):
        a, b = sorted((texts[i], texts[j]), key=len)
        ok += fuzz.partial_ratio(a, b) / 100 >= min_sim - 1e-9
    return ok / len(ver.i)


WHAT_IF: tuple[dict[str, Any], ...] = (  # not simtool's defaults: what other settings would give on the same texts
    {"threshold": 0.3},
    {"threshold": 0.4},
    {"threshold": 0.5},
    {"ngram": 3, "threshold": 0.3},
    {"max_bucket": 200},
    {"max_bucket": 50},
    {"threshold": 0.3, "max_bucket": 50},
)


def what_if(texts: list[str], min_sim: float, oracle: np.ndarray) -> list[dict[str, Any]]:
    """simtool's engine core with other ``EngineParams`` (and ``candidate_pairs(max_bucket=…)``, default 5000) on the
    same texts: recall against the oracle, candidates, seconds."""
    from simtool.match.engine import DEFAULT_PARAMS

    rows = []
    for over in WHAT_IF:
        fields = {k: v for k, v in over.items() if k != "max_bucket"}
        params = replace(DEFAULT_PARAMS, **fields)
        try:
            res = simtool_core(texts, min_sim, params, over.get("max_bucket"))
        except Exception as exc:  # an engine that rejects a setting is reported, not fatal
            rows.append({"params": over, "error": f"{type(exc).__name__}: {exc}"})
            continue
        rows.append(
            {
                "params": over,
                "bands_rows": list(params.bands(min_sim)),
                "seconds": res["seconds"],
                "candidates": res["candidates"],
                "pairs": res["pairs"],
                "recall_vs_oracle": float(np.isin(oracle, res["codes"]).mean()) if oracle.size else 1.0,
            }
        )
    return rows
