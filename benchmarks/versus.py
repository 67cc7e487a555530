"""simtool vs the straightforward datasketch pipeline: end to end, in one run, on the same notice files (issue 12).

The goal (issue 12): at N = 1,000 notices, simtool is ≥ 5× faster than the pipeline a user writes with datasketch
and rapidfuzz, end to end, at equal or better recall against the sentence oracle.

* **simtool**, through its CLI, each command in its own subprocess (wall time; peak RSS from ``os.wait4``):
  ``simtool ingest notices --db <tmp>/s.db --quiet`` then
  ``simtool dupes --db <tmp>/s.db --scope cross --min-sim 0.8 --format jsonl -o <tmp>/dupes.jsonl``
  (run in ``DIR/corpus``, so notice ids are ``notices/<file>``).
* **datasketch**, in a subprocess of this script (``--worker``, for its own peak RSS), timed end to end:
  read every file (UTF-8, else GBK); cut into sentences and clause windows with ``sentences.pieces``, which
  normalizes with ``simtool.normalize``; keep the oracle's units (``oracle.build_units``: ≥ 13 characters, no
  title/signature/date lines, no date ranges) and collapse identical texts, so the pipeline and the oracle have
  the same distinct texts; character trigrams (UTF-8); ``MinHash.bulk(num_perm=128)``; ``MinHashLSH(threshold)``
  insertion session; ``query`` of every text; rapidfuzz verification of every candidate
  (``process.cpdist``, ``workers=-1``): Indel normalized similarity ≥ min-sim, or — the oracle counts
  containments — ``fuzz.partial_ratio`` ≥ 100·min-sim for a shorter text in a longer one.  Stages: read+cut,
  shingle+bulk, insert, query, verify.  The title/signature spans come from simtool's parser and are computed
  outside the timed pipeline (a user without simtool would keep those units and do a little more work).
* **Recall** of both against the brute-force sentence oracle (``oracle.run_oracle``) on the first K notices
  (``--oracle-notices``, default 100): simtool's JSONL records are scored by ``recall.oracle_recall`` (reported
  sides mapped to file offsets through ``recall.tool_text_maps``), restricted to records with both notices among
  the K; a datasketch-verified pair of distinct texts finds the oracle pair of the same two strings; an identical
  text in two notices (oracle kind ``identical``) is found by the collapse.

    python benchmarks/versus.py benchmarks/data/short1000 --name short-1000
    python benchmarks/versus.py /tmp/short100 --name smoke --results /tmp/versus   # a smoke run

Writes ``benchmarks/results/versus-<name>.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parent.parent
SIMTOOL = str(ROOT / ".venv" / "bin" / "simtool")
NOTICES = "notices"  # the folder under DIR/corpus; notice ids are "notices/<file>"


# ------------------------------------------------------------------------------------------------ helpers
def shown(path: Path | str) -> str:
    """A path for the results: relative to the repository root, else only its last two parts."""
    p = Path(path).resolve()
    try:
        return str(p.relative_to(ROOT))
    except ValueError:
        return "<outside the repository>/" + "/".join(p.parts[-2:])


def run_child(cmd: Sequence[str], cwd: Path, timeout: float, stdout: Path | None = None) -> dict[str, Any]:
    """Run ``cmd``; wall seconds, peak RSS (MiB, ``os.wait4``) and exit status; killed after ``timeout`` s."""
    out = open(stdout, "w") if stdout else subprocess.DEVNULL
    err = tempfile.TemporaryFile()
    t = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, start_new_session=True)
    killed = False
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - t > timeout and not killed:
            os.killpg(p.pid, signal.SIGKILL)
            killed = True
        time.sleep(0.05)
    seconds = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if stdout:
        out.close()  # type: ignore[union-attr]
    err.seek(0)
    tail = err.read().decode("utf-8", "replace")[-800:]
    err.close()
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "exit": p.returncode,
        "timed_out": killed,
        "stderr_tail": tail if p.returncode else "",
    }


def machine() -> dict[str, Any]:
    mem = cpu = ""
    with contextlib.suppress(OSError):
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    with contextlib.suppress(OSError):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    from importlib.metadata import version

    libs = {k: version(k) for k in ("simtool", "datasketch", "rapidfuzz", "numpy")}
    libs["python"] = platform.python_version()
    return {"nproc": os.cpu_count(), "memory": mem, "cpu": cpu, "libraries": libs}


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def git(*a: str) -> str:
    return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def read_files(folder: Path) -> tuple[list[str], list[str]]:
    """Notice ids (``notices/<file>``, as simtool names them when run in DIR/corpus) and decoded texts."""
    ids, texts = [], []
    for f in sorted(folder.glob("*.txt")):
        data = f.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gbk", "replace")
        ids.append(f"{NOTICES}/{f.name}")
        texts.append(text)
    return ids, texts


# ------------------------------------------------------------------------------------------------ datasketch
def datasketch_worker(args: argparse.Namespace) -> int:
    """The pipeline, timed from the files to the verified pairs; writes its result as JSON to ``args.out``."""
    t0 = time.perf_counter()
    import numpy as np
    from datasketch import MinHash, MinHashLSH
    from oracle import build_units
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import Indel

    skip_by_id: dict[str, list[list[int]]] = json.loads(Path(args.skip).read_text("utf-8"))
    t_import = time.perf_counter() - t0

    t0 = time.perf_counter()
    ids, raw = read_files(Path(args.worker))
    texts, occ = build_units(raw, args.min_chars, [[tuple(s) for s in skip_by_id.get(i, [])] for i in ids])
    t1 = time.perf_counter()
    shingles = [[t[k : k + 3].encode("utf-8") for k in range(len(t) - 2)] or [t.encode("utf-8")] for t in texts]
    mhs = MinHash.bulk(shingles, num_perm=args.num_perm)
    t2 = time.perf_counter()
    lsh = MinHashLSH(threshold=args.threshold, num_perm=args.num_perm)
    with lsh.insertion_session() as session:
        for k, mh in enumerate(mhs):
            session.insert(k, mh)
    t3 = time.perf_counter()
    cand: list[tuple[int, int]] = []
    for k, mh in enumerate(mhs):
        cand.extend((k, j) for j in lsh.query(mh) if j > k)
    t4 = time.perf_counter()
    pairs = np.array(cand, dtype=np.int64).reshape(-1, 2)
    a = [texts[i] for i in pairs[:, 0].tolist()]
    b = [texts[j] for j in pairs[:, 1].tolist()]
    sim = np.asarray(
        process.cpdist(
            a, b, scorer=Indel.normalized_similarity, score_cutoff=args.min_sim, workers=-1, dtype=np.float64
        )
    )
    similar = sim >= args.min_sim - 1e-9
    rest = np.flatnonzero(~similar & np.array([len(x) != len(y) for x, y in zip(a, b)], dtype=bool))
    contained = np.zeros(len(pairs), dtype=bool)
    if len(rest):
        short = [min(a[k], b[k], key=len) for k in rest.tolist()]
        long_ = [max(a[k], b[k], key=len) for k in rest.tolist()]
        pr = np.asarray(
            process.cpdist(
                short,
                long_,
                scorer=fuzz.partial_ratio,
                score_cutoff=args.min_sim * 100,
                workers=-1,
                dtype=np.float64,
            )
        )
        contained[rest] = pr >= args.min_sim * 100 - 1e-6
    verified = similar | contained
    t5 = time.perf_counter()

    notices_of = [{n for n, _, _, _ in oc} for oc in occ]
    k = args.oracle_notices
    in_sub = [any(n < k for n in ns) for ns in notices_of]
    sub_pairs = [[texts[i], texts[j]] for i, j in pairs[verified].tolist() if in_sub[i] and in_sub[j]]
    result = {
        "threshold": args.threshold,
        "bands": lsh.b,
        "rows": lsh.r,
        "seconds": round(t5 - t0, 2),
        "import_seconds": round(t_import, 2),
        "stages": {
            "read+cut": round(t1 - t0, 2),
            "shingle+MinHash.bulk": round(t2 - t1, 2),
            "LSH insert": round(t3 - t2, 2),
            "LSH query": round(t4 - t3, 2),
            "verify": round(t5 - t4, 2),
        },
        "files": len(ids),
        "chars": sum(map(len, raw)),
        "units": sum(map(len, occ)),
        "distinct_texts": len(texts),
        "candidates": int(len(pairs)),
        "verified": int(verified.sum()),
        "verified_similar": int(similar.sum()),
        "verified_contained_only": int(contained.sum()),
        "cross_notice_identical_texts": sum(len(ns) > 1 for ns in notices_of),
        "subset_texts": [t for t, ok in zip(texts, in_sub) if ok],
        "subset_pairs": sub_pairs,
    }
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False), "utf-8")
    return 0


def datasketch_recall(o: Any, res: dict[str, Any]) -> dict[str, Any]:
    """Share of the oracle's pairs among the pipeline's verified text pairs (identical texts: by the collapse)."""
    from collections import defaultdict

    index = {t: i for i, t in enumerate(o.texts)}
    have = {index[t] for t in res["subset_texts"] if t in index}
    found: set[tuple[int, int]] = set()
    for x, y in res["subset_pairs"]:
        i, j = index.get(x), index.get(y)
        if i is not None and j is not None:
            found.add((min(i, j), max(i, j)))
    by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for i, j, _, kind in o.pairs:
        units = {k for _, _, _, k in o.occurrences[i]} | {k for _, _, _, k in o.occurrences[j]}
        cls = ("contained" if kind == "contained" else "identical" if i == j else "similar") + (
            "/sentence" if "sentence" in units else "/window"
        )
        hit = (i in have) if i == j else (i, j) in found
        for key in (cls, "all"):
            by[key][0] += hit
            by[key][1] += 1
    return {
        "oracle_texts_missing_from_the_pipeline": len(set(range(len(o.texts))) - have),
        "recall": {
            k: {"found": v[0], "pairs": v[1], "recall": round(v[0] / v[1], 4) if v[1] else None}
            for k, v in sorted(by.items())
        },
    }


# ------------------------------------------------------------------------------------------------ main run
def run(args: argparse.Namespace, command: str) -> dict[str, Any]:
    import recall
    from oracle import run_oracle

    data = args.data.resolve()
    corpus = data / "corpus"
    folder = corpus / NOTICES
    if not folder.is_dir():
        raise SystemExit(f"no {NOTICES}/ folder under {data / 'corpus'}")
    r: dict[str, Any] = {
        "command": command,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": git("rev-parse", "--short", "HEAD"),
        "simtool_dirty": bool(git("status", "--porcelain", "simtool")),
        "simtool_diff_sha256": hashlib.sha256(git("diff", "HEAD", "--", "simtool").encode()).hexdigest()[:12],
        "machine": machine(),
        "loadavg_before": loadavg(),
        "data": shown(data),
        "oracle_notices": args.oracle_notices,
        "min_sim": args.min_sim,
    }
    with tempfile.TemporaryDirectory(prefix="versus-") as tmp_:
        tmp = Path(tmp_)
        # 1. simtool, through its CLI
        db, jsonl = tmp / "s.db", tmp / "dupes.jsonl"
        ingest_cmd = [SIMTOOL, "ingest", NOTICES, "--db", str(db), "--quiet"]
        dupes_cmd = [SIMTOOL, "dupes", "--db", str(db), "--scope", "cross", "--min-sim", str(args.min_sim)]
        dupes_cmd += ["--format", "jsonl", "-o", str(jsonl)]
        print("simtool ingest …", flush=True)
        ing = run_child(ingest_cmd, corpus, args.timeout)
        print(f"  {ing}\nsimtool dupes …", flush=True)
        dup = run_child(dupes_cmd, corpus, args.timeout) if ing["exit"] == 0 else {"exit": None, "skipped": True}
        print(f"  {dup}", flush=True)

        def cli(cmd: list[str]) -> str:
            return "simtool " + " ".join(c.replace(str(tmp), "<tmp>") for c in cmd[1:])

        records = [json.loads(x) for x in open(jsonl, encoding="utf-8") if x.strip()] if dup.get("exit") == 0 else []
        r["simtool"] = {
            "cwd": shown(corpus),
            "ingest": {"command": cli(ingest_cmd), **ing},
            "dupes": {"command": cli(dupes_cmd), **dup},
            "records": len(records),
            "jsonl_bytes": jsonl.stat().st_size if jsonl.exists() else None,
        }
        ok = ing["exit"] == 0 and dup.get("exit") == 0
        r["simtool"]["seconds"] = round(ing["seconds"] + dup["seconds"], 2) if ok else None
        r["simtool"]["peak_rss_mib"] = max(ing["peak_rss_mib"], dup["peak_rss_mib"]) if ok else None

        # what both recall measures and the oracle need: file texts, the tool-text maps, the skipped spans
        t = time.perf_counter()
        ids, raw = read_files(folder)
        texts = dict(zip(ids, raw))
        with contextlib.chdir(corpus):
            recall.TOOL_MAPS.clear()
            recall.TOOL_MAPS.update(recall.tool_text_maps(NOTICES, texts))
            skip = recall.structure_spans(NOTICES, ids)
        skip_file = tmp / "skip.json"
        skip_file.write_text(json.dumps(dict(zip(ids, skip)), ensure_ascii=False), "utf-8")
        r["untimed_parse_seconds"] = round(time.perf_counter() - t, 1)
        r["notices"] = len(ids)
        r["chars"] = sum(map(len, raw))

        # 2. the datasketch pipeline, one subprocess per LSH threshold
        r["datasketch"] = []
        for th in args.thresholds:
            out = tmp / f"ds-{th}.json"
            cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(folder), "--threshold", str(th)]
            cmd += ["--skip", str(skip_file), "--out", str(out), "--oracle-notices", str(args.oracle_notices)]
            cmd += ["--min-sim", str(args.min_sim), "--num-perm", str(args.num_perm)]
            print(f"datasketch threshold {th} …", flush=True)
            child = run_child(cmd, ROOT, args.timeout)
            res = json.loads(out.read_text("utf-8")) if child["exit"] == 0 else {"threshold": th}
            res["process"] = child
            print(f"  {child} {res.get('stages')} candidates {res.get('candidates')}", flush=True)
            r["datasketch"].append(res)

        # 3. recall against the oracle on the first K notices
        sub = ids[: args.oracle_notices]
        print(f"oracle on {len(sub)} notices …", flush=True)
        o = run_oracle(sub, [texts[i] for i in sub], args.min_sim, skip=skip[: len(sub)])
        keep = set(sub)
        sub_records = [x for x in records if x["a"]["notice"] in keep and x["b"]["notice"] in keep]
        r["oracle"] = o.summary()
        vs = recall.oracle_recall(o, sub_records, texts)
        r["simtool"]["vs_oracle"] = {
            "records_in_subset": len(sub_records),
            "unresolved_sides": vs["reported_pairs_with_unresolved_text"],
            "recall": vs["recall"],
        }
        for res in r["datasketch"]:
            if "subset_pairs" in res:
                res["vs_oracle"] = datasketch_recall(o, res)
                res["verified_in_subset"] = len(res.pop("subset_pairs"))
                res["subset_texts"] = len(res["subset_texts"])
    r["loadavg_after"] = loadavg()
    r["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    s = r["simtool"]["seconds"]
    for res in r["datasketch"]:
        res["x_simtool"] = round(res["process"]["seconds"] / s, 2) if s and res["process"]["exit"] == 0 else None
    return r


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    st = r["simtool"]
    o = r["oracle"]
    lines = [
        f"# simtool vs the datasketch pipeline, end to end: {r['notices']:,} notices ({r['data']})",
        "",
        f"- command: `{r['command']}`",
        f"- date (UTC): {r['date']} → {r['finished']}; commit {r['commit']}"
        + (
            f" (simtool/ has uncommitted changes, diff sha256 {r.get('simtool_diff_sha256')})"
            if r["simtool_dirty"]
            else ""
        ),
        f"- machine: {m['nproc']} cores ({m['cpu']}), {m['memory']}; load average before {r['loadavg_before']}, "
        f"after {r['loadavg_after']}",
        "- libraries: " + ", ".join(f"{k} {v}" for k, v in m["libraries"].items()),
        f"- data: {r['notices']:,} notice files, {r['chars']:,} characters; min-sim {r['min_sim']}",
        "",
        "simtool (its CLI, run in `" + st["cwd"] + "`):",
        "",
        f"    {st['ingest']['command']}",
        f"    {st['dupes']['command']}",
        "",
        "datasketch: this script's `--worker` subprocess — read (UTF-8, else GBK), `sentences.pieces` cut +"
        " `simtool.normalize`, the oracle's units (`oracle.build_units`), identical texts collapsed, character"
        " trigrams, `MinHash.bulk(num_perm=128)`, `MinHashLSH` insertion session + `query` of every text,"
        " `rapidfuzz.process.cpdist` of every candidate: Indel ≥ min-sim, else `fuzz.partial_ratio` ≥ 100·min-sim"
        " (shorter text in a longer one). Time from the first file read to the verified pairs (imports excluded).",
        "",
        "| | wall s | × simtool | peak RSS MiB | candidates | verified pairs | recall vs oracle |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]

    def rec(v: dict[str, Any] | None, key: str = "all") -> str:
        x = (v or {}).get("recall", {}).get(key)
        return f"{x['recall']}" if x and x["recall"] is not None else "–"

    if st["seconds"] is not None:
        lines.append(
            f"| simtool ingest + dupes | {st['seconds']} (ingest {st['ingest']['seconds']}, dupes "
            f"{st['dupes']['seconds']}) | 1 | {st['peak_rss_mib']} (ingest {st['ingest']['peak_rss_mib']}, dupes "
            f"{st['dupes']['peak_rss_mib']}) | – | {st['records']:,} records ({(st.get('jsonl_bytes') or 0) / 2**20:,.0f} MiB JSONL) | **{rec(st.get('vs_oracle'))}** |"
        )
    else:
        lines.append(f"| simtool | failed: ingest {st['ingest']['exit']}, dupes {st['dupes'].get('exit')} | | | | | |")
    for d in r["datasketch"]:
        p = d["process"]
        name = f"datasketch LSH threshold {d['threshold']}" + (f" ({d['bands']} × {d['rows']})" if "bands" in d else "")
        if p["exit"] != 0:
            why = "timed out" if p["timed_out"] else f"exit {p['exit']}"
            lines.append(f"| {name} | {why} after {p['seconds']} | | {p['peak_rss_mib']} | | | |")
            continue
        lines.append(
            f"| {name} | {d['seconds']} (process {p['seconds']}) | **{d['x_simtool']}** | {p['peak_rss_mib']} | "
            f"{d['candidates']:,} | {d['verified']:,} ({d['verified_similar']:,} similar + "
            f"{d['verified_contained_only']:,} contained) | **{rec(d.get('vs_oracle'))}** |"
        )
    lines += ["", "× simtool = the datasketch subprocess's wall time / simtool's ingest + dupes wall time.", ""]
    ok = [d for d in r["datasketch"] if d["process"]["exit"] == 0]
    if ok:
        stages = list(ok[0]["stages"])
        lines += [
            "datasketch stages (s):",
            "",
            "| threshold | " + " | ".join(stages) + " | units | distinct texts |",
            "|---|" + "---:|" * (len(stages) + 2),
        ]
        for d in ok:
            lines.append(
                f"| {d['threshold']} | "
                + " | ".join(str(d["stages"][s]) for s in stages)
                + f" | {d['units']:,} | {d['distinct_texts']:,} |"
            )
        lines.append("")
    kinds = sorted({k for k in st.get("vs_oracle", {}).get("recall", {})} | {"all"})
    lines += [
        f"Recall vs the sentence oracle on the first {o['notices']} notices ({o['units']:,} units, "
        f"{o['distinct_texts']:,} distinct texts, {o['pairs']:,} pairs; simtool's records with both notices among "
        f"them: {st.get('vs_oracle', {}).get('records_in_subset', 0):,}, unresolved sides "
        f"{st.get('vs_oracle', {}).get('unresolved_sides', 0)}):",
        "",
        "| oracle pairs | pairs | simtool | " + " | ".join(f"datasketch {d['threshold']}" for d in ok) + " |",
        "|---|---:|---:|" + "---:|" * len(ok),
    ]
    for k in kinds:
        n = st.get("vs_oracle", {}).get("recall", {}).get(k, {}).get("pairs", 0)
        lines.append(
            f"| {k} | {n:,} | {rec(st.get('vs_oracle'), k)} | "
            + " | ".join(rec(d.get("vs_oracle"), k) for d in ok)
            + " |"
        )
    lines += [
        "",
        "Fairness notes: the datasketch pipeline gets the oracle's own units (the same distinct texts), and the "
        f"title/signature/date spans they exclude come from simtool's parser, computed outside its timing "
        f"({r['untimed_parse_seconds']} s here); identical texts in two notices count as found for it (the collapse "
        "finds them). simtool's times include starting its CLI, SQLite storage and parsing every notice. Both use "
        "both cores (simtool ingest's worker processes and its engine; rapidfuzz `workers=-1`).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, nargs="?", help="a synth.py folder (its notices are in corpus/notices)")
    ap.add_argument("--name", default=None, help="results/versus-<name>.md (default: the folder's name)")
    ap.add_argument("--oracle-notices", type=int, default=100)
    ap.add_argument("--thresholds", type=float, nargs="+", default=[0.3, 0.5])
    ap.add_argument("--min-sim", type=float, default=0.8)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--min-chars", type=int, default=13)
    ap.add_argument("--timeout", type=float, default=7200, help="seconds for each subprocess")
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--threshold", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--skip", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return datasketch_worker(args)
    if args.data is None:
        ap.error("give the data folder")
    command = "python benchmarks/versus.py " + " ".join(
        shown(a) if Path(a).exists() else a for a in (argv if argv is not None else sys.argv[1:])
    )
    r = run(args, command)
    name = args.name or args.data.resolve().name
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"versus-{name}.json").write_text(json.dumps(r, ensure_ascii=False, indent=1), "utf-8")
    md = markdown(r)
    (args.results / f"versus-{name}.md").write_text(md, "utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
