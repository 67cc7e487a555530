"""The Spark engine against the local engine: all-pairs dupes (scope cross) on a generated corpus.

Each engine runs in its own child process (``python benchmarks/spark.py --step …``); its peak memory
is sampled over its whole process tree (the driver, and for Spark the JVM and its Python workers),
every stage is timed with ``simtool.core.timing.recording``, and the JSONL that ``simtool dupes
--format jsonl`` would print is written to a file whose SHA-256 is compared: the engines must agree
byte for byte.

    python benchmarks/spark.py --notices 200 1000 [--master local[2]] [--partitions 8]

Data: ``benchmarks/data/scale<N>`` or ``spark<N>`` (``benchmarks/synth.py``; made here when missing).  Results:
``benchmarks/results/spark-<N>.md`` and ``.json``, with the command, date, commit and load.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from recall import provenance  # noqa: E402


def tree_rss_mb(root: int) -> int:
    """Resident memory of ``root`` and all its descendants (from /proc), in MB."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parent[int(d)] = int(fields[1])
            rss[int(d)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    keep, todo = set(), [root]
    while todo:
        p = todo.pop()
        keep.add(p)
        todo.extend(c for c, pp in parent.items() if pp == p and c not in keep)
    return sum(rss.get(p, 0) for p in keep) // (1 << 20)


class PeakSampler:
    """The largest ``tree_rss_mb`` of this process seen every ``every`` seconds."""

    def __init__(self, every: float = 0.5) -> None:
        self.peak, self.every, self.stop = 0, every, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, tree_rss_mb(os.getpid()))
            self.stop.wait(self.every)

    def done(self) -> int:
        self.stop.set()
        self.thread.join()
        return max(self.peak, tree_rss_mb(os.getpid()))


def step(engine: str, corpus: str, out: str, master: str, partitions: int) -> dict[str, Any]:
    from simtool.analyses.dupes import pair_records
    from simtool.core.timing import recording, stage
    from simtool.match.engine import find_matches
    from simtool.report import output
    from simtool.store.corpus import load

    sampler = PeakSampler()
    t = time.perf_counter()
    with recording() as rec:
        with stage("load notices"):
            notices = load([corpus]).notices
        kwargs: dict[str, Any] = {}
        if engine == "spark":
            from simtool.spark.engine import SparkEngine
            from simtool.spark.session import session

            with stage("spark session"):
                spark = session(master, partitions=partitions, conf={"spark.ui.enabled": "true"})
            finder = SparkEngine(spark, partitions=partitions, timed=True)
            kwargs = {"edge_finder": finder, "units": finder.units(notices)}
        m = find_matches(notices, min_sim=0.8, scope="cross", **kwargs)
        digest = hashlib.sha256()
        records = 0
        with stage("records"), open(out, "w", encoding="utf-8") as f:
            for r in pair_records(notices, m):
                line = output.jsonl_line(r) + "\n"
                f.write(line)
                digest.update(line.encode("utf-8"))
                records += 1
        os.remove(out)  # written as the CLI would, hashed, and not kept (4.7 GB at 1,000 notices)
    total = time.perf_counter() - t
    shuffle = spark_stages(spark) if engine == "spark" else []
    return {
        "spark_stages": shuffle,
        "engine": engine,
        "master": master if engine == "spark" else None,
        "partitions": partitions if engine == "spark" else None,
        "seconds": round(total, 2),
        "notices": len(notices),
        "units": len(m.units),
        "pairs": len(m),
        "records": records,
        "sha256": digest.hexdigest(),
        "stages": {k: round(v, 2) for k, v in rec.seconds.items()},
        "counts": rec.counts,
        "peak_mb": sampler.done(),
    }


def spark_stages(spark: Any) -> list[dict[str, Any]]:
    """Per Spark stage: tasks, executor run time and shuffle bytes, from the UI's REST API."""
    import urllib.request

    sc = spark.sparkContext
    url = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}/stages"
    try:
        with urllib.request.urlopen(url, timeout=30) as f:
            stages = json.load(f)
    except OSError:
        return []
    keep = (
        "stageId",
        "name",
        "numTasks",
        "executorRunTime",
        "shuffleReadBytes",
        "shuffleWriteBytes",
        "shuffleWriteRecords",
        "inputBytes",
        "outputBytes",
        "peakExecutionMemory",
    )
    rows = sorted(({k: s.get(k) for k in keep} for s in stages), key=lambda s: s["stageId"])
    for row in rows:  # Spark names a stage after its call site: keep the path inside the repository
        row["name"] = str(row["name"] or "").replace(f"{ROOT}/", "")
    return rows


def child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--step", *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if out.returncode:
        return {"failed": out.stderr.strip()[-2000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_data(n: int, length: str = "full") -> Path:
    """Full-length notices: ``benchmarks/data/scale<N>`` when it was made (by benchmarks/scale.py), else
    ``spark<N>``; short ones: ``short<N>`` (as benchmarks/scale.py names them); made here when missing."""
    data = BENCH / "data" / f"scale{n}"
    if length == "full" and (data / "manifest.json").exists():
        return data
    data = BENCH / "data" / (f"spark{n}" if length == "full" else f"short{n}")
    if not (data / "manifest.json").exists():
        cmd = [sys.executable, str(BENCH / "synth.py"), "--notices", str(n), "--length", length, "--out", str(data)]
        subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
    return data


def markdown(r: dict[str, Any]) -> str:
    p = r["provenance"]
    dirty = " (simtool/ has uncommitted changes)" if p["simtool_dirty"] else ""
    runs = r["runs"]
    lines = [
        f"# Spark engine vs local engine: dupes on {r['notices']} generated notices"
        + (" (short: ~4,000 characters each)" if r.get("length") == "short" else ""),
        "",
        f"- command: `{p['command']}`; machine: 2 cores, 24 GB; Spark {r.get('spark_version', '?')}, Java 17",
        f"- date: {p['date']}; commit {p['commit']}{dirty}",
        f"- load before: `{p['uptime']}`; after: `{r['load_after']}`",
        "",
        "| engine | seconds | peak RSS (process tree) | records | JSONL SHA-256 |",
        "|---|---:|---:|---:|---|",
    ]
    for run in runs:
        if "failed" in run:
            lines.append(f"| {run.get('engine', '?')} | failed | | | `{run['failed'][-200:]}` |")
            continue
        name = run["engine"] + (f" {run['master']}, {run['partitions']} partitions" if run["master"] else "")
        if run.get("earlier"):
            name += f" (run of {run['earlier']})"
        lines.append(
            f"| {name} | {run['seconds']:.1f} | {run['peak_mb']} MB | {run['records']:,} | `{run['sha256'][:16]}…` |"
        )
    ok = [run for run in runs if "failed" not in run]
    same = len(ok) == len(runs) and len({run["sha256"] for run in ok}) == 1
    lines += ["", f"Byte-identical JSONL: **{'yes' if same else 'NO'}**.", "", "Stages (seconds):", ""]
    names: list[str] = []
    for run in ok:
        names += [k for k in run["stages"] if k not in names]
    lines += ["| stage | " + " | ".join(run["engine"] for run in ok) + " |", "|---|" + "---:|" * len(ok)]
    for k in names:
        lines.append(f"| {k} | " + " | ".join(f"{run['stages'].get(k, 0):.2f}" for run in ok) + " |")
    counts = ok[0]["counts"] if ok else {}
    lines += ["", "Counts: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + "."]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notices", type=int, nargs="+", default=[200])
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--engines", nargs="+", default=["local", "spark"])
    ap.add_argument("--length", choices=["full", "short"], default="full", help="notice length (benchmarks/synth.py)")
    ap.add_argument("--step", nargs=5, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.step:
        engine, corpus, out, master, partitions = a.step
        print(json.dumps(step(engine, corpus, out, master, int(partitions))))
        return 0
    import pyspark

    for n in a.notices:
        data = ensure_data(n, a.length)
        corpus = str(data / "corpus" / "notices")
        r: dict[str, Any] = {
            "notices": n,
            "length": a.length,
            "spark_version": pyspark.__version__,
            "provenance": provenance("python benchmarks/spark.py " + " ".join(sys.argv[1:])),
            "runs": [],
        }
        res = BENCH / "results" / (f"spark-{n}" if a.length == "full" else f"spark-{n}-short")
        earlier = json.loads(res.with_suffix(".json").read_text("utf-8")) if res.with_suffix(".json").exists() else {}
        for engine in ("local", "spark"):
            if engine not in a.engines:  # kept from the earlier run of this file (its date is noted)
                kept = [
                    dict(x, earlier=earlier["provenance"]["date"])
                    for x in earlier.get("runs", [])
                    if x.get("engine") == engine
                ]
                r["runs"] += kept[:1]
                continue
            out = str(data / f"dupes-{engine}.jsonl")
            r["runs"].append(child(engine, corpus, out, a.master, str(a.partitions)))
            print(json.dumps(r["runs"][-1])[:400], file=sys.stderr)
        r["load_after"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        res.with_suffix(".json").write_text(json.dumps(r, ensure_ascii=False, indent=1), encoding="utf-8")
        res.with_suffix(".md").write_text(markdown(r), encoding="utf-8")
        print(f"wrote {res}.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
