"""How simtool scales: ingest (1 and 2 worker processes), all-pairs dupes from the store, check of one notice.

Each measured step runs in its own child process (``python benchmarks/scale.py --step …``), so that its peak RSS
is its own.  dupes is timed per stage with ``simtool.core.timing.recording`` (the engine marks its stages), and
counts the records ``simtool dupes --format jsonl`` would write, the families, and the verified pairs.

    python benchmarks/scale.py --notices 200 1000 [--realistic]

Data: ``benchmarks/synth.py --notices N`` (``benchmarks/data/scale<N>``, made once).  Results:
``benchmarks/results/scale-<N>.md`` and ``.json``, with the command, date, commit and load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from recall import provenance  # noqa: E402


def peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def step_ingest(corpus: str, db: str, jobs: int) -> dict[str, Any]:
    import simtool

    for f in Path(db).parent.glob(Path(db).name + "*"):
        f.unlink()
    from simtool.core.timing import recording

    t = time.perf_counter()
    with recording() as rec:
        res = simtool.ingest([corpus], db, jobs=jobs)
    return {
        "seconds": time.perf_counter() - t,
        "index_seconds": rec.seconds.get("index for check", 0.0),
        "files": res.added,
        "notices": res.notices,
        "peak_mb": peak_mb(),
    }


def step_dupes(db: str) -> dict[str, Any]:
    import numpy as np

    from simtool.analyses.dupes import family_records
    from simtool.analyses.pair_text import pair_text
    from simtool.core.timing import recording, stage
    from simtool.match.engine import find_matches
    from simtool.read.batch import use_all_cores
    from simtool.store.corpus import notices_for

    use_all_cores()  # as the simtool command does: verification on both cores
    t = time.perf_counter()
    with recording() as rec:
        with stage("load notices from the store"):
            notices = notices_for([], db)[0]
        m = find_matches(notices, min_sim=0.8, scope="cross")
        with stage("records (JSONL lines, as dupes --format jsonl writes them)"):
            records = sum(block.count(b"\n") for block in pair_text(notices, m, jobs=2))
        with stage("family records"):
            families = family_records(notices, m)
    total = time.perf_counter() - t
    return {
        "seconds": total,
        "notices": len(notices),
        "chars": sum(len(n.text) for n in notices),
        "units": len(m.units),
        "pairs": len(m),
        "records": records,
        "families": len(families),
        "family_units": int((m.unit_family >= 0).sum()),
        "star_pairs": int((m.family >= 0).sum()),
        "largest_family": max((f["units"] for f in families), default=0),
        "stages": {k: round(v, 2) for k, v in rec.seconds.items()},
        "counts": rec.counts,
        "contained_pairs": int(np.count_nonzero(m.contained)),
        "peak_mb": peak_mb(),
    }


def step_check(db: str, corpus: str) -> dict[str, Any]:
    import simtool
    from simtool.analyses.check import check_notices
    from simtool.core.timing import recording
    from simtool.store.sqlite import Store

    files = sorted(Path(corpus).glob("*.txt"))[:3]
    notices = simtool.load([str(f) for f in files]).notices
    times, stages, sources = [], [], []
    with Store(db, create=False) as store:
        for n in notices:
            t = time.perf_counter()
            with recording() as rec:
                got = check_notices([n], store, exclude={n.id})
            times.append(time.perf_counter() - t)
            stages.append(rec.seconds)
            sources.append(len(got[0].sources))
    return {"seconds": times, "stages": stages, "sources": sources, "peak_mb": peak_mb()}


def drop_page_cache() -> bool:
    """Empty the kernel's page cache (needs root), so that the first check reads the store and its
    index files from disk: a cold check.  Returns whether it could."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("1\n")
        return True
    except OSError:
        return False


def child(step: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--step", step, *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if out.returncode:
        return {"failed": out.stderr.strip()[-2000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_data(n: int, realistic: bool, length: str = "full", fresh: bool = False) -> Path:
    name = ("scale" if length == "full" else length) + f"{n}{'-real' if realistic else ''}{'-fresh' if fresh else ''}"
    data = BENCH / "data" / name
    if not (data / "manifest.json").exists():
        cmd = [sys.executable, str(BENCH / "synth.py"), "--notices", str(n), "--out", str(data), "--length", length]
        cmd += (["--realistic"] if realistic else []) + (["--fresh"] if fresh else [])
        subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
    return data


def markdown(r: dict[str, Any]) -> str:
    d, p = r["dupes"], r["provenance"]
    dirty = " (simtool/ has uncommitted changes)" if p["simtool_dirty"] else ""
    lines = [
        f"# Scale: {r['notices']} generated notices{' (realistic copying)' if r['realistic'] else ''}"
        f"{' of ~4,000 characters (synth.py --length short)' if r.get('length') == 'short' else ''}"
        f"{', own text with no seed run (synth.py --fresh)' if r.get('fresh') else ''}",
        "",
        f"- command: `{p['command']}`; machine: 2 cores, 24 GB",
        f"- date: {p['date']}; commit {p['commit']}{dirty}",
        f"- load before: `{p['uptime']}`; after: `{r['load_after']}`",
        "",
        "| step | seconds | peak RSS |",
        "|---|---:|---:|",
    ]
    for jobs, ing in r["ingest"].items():
        lines.append(
            f"| ingest + index, {jobs} worker(s) (of which the index for check: {ing.get('index_seconds', 0.0):.1f} s)"
            f" | {ing.get('seconds', float('nan')):.1f} | {ing.get('peak_mb', 0)} MB |"
        )
    run = f" (run of {r['dupes_run']})" if r.get("dupes_run") else ""
    if d:
        lines.append(
            f"| all-pairs dupes from the store (load, match, records){run} | {d['seconds']:.1f} | {d['peak_mb']} MB |"
        )
    c = r["check"].get("seconds", [])
    if c:
        lines.append(
            f"| check one notice against the store: first{' (page cache dropped: cold)' if r.get('page_cache_dropped') else ''}, then next ones | {c[0]:.2f}, {', '.join(f'{x:.2f}' for x in c[1:])} | {r['check']['peak_mb']} MB |"
        )
    warm = r["check"].get("stages", [])[1:]
    if warm:
        lines += [
            "",
            f"Where a warm check spends its time (mean of {len(warm)}; the notices have "
            f"{', '.join(f'{k:,}' for k in r['check']['sources'][1:])} sources each):",
            "",
            "| stage | seconds |",
            "|---|---:|",
        ]
        lines += [f"| {k} | {sum(w.get(k, 0.0) for w in warm) / len(warm):.3f} |" for k in warm[0]]
    if not d:
        return "\n".join(lines) + "\n"
    lines += [
        "",
        f"{d['notices']:,} notices, {d['chars']:,} characters, {d['units']:,} units; "
        f"{d.get('counts', {}).get('candidates', 0):,} LSH candidates; {d['pairs']:,} verified unit pairs "
        f"({d['contained_pairs']:,} containments), {d['records']:,} records; {d['families']:,} families "
        f"({d['family_units']:,} units, largest {d['largest_family']:,}), {d['star_pairs']:,} star pairs.",
        "",
        "Where dupes spends its time (stages nest: `find_matches: verified edges` holds sketch, candidates, verify):",
        "",
        "| stage | seconds |",
        "|---|---:|",
    ]
    lines += [f"| {k} | {v:.2f} |" for k, v in d["stages"].items()]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notices", type=int, nargs="+", default=[200])
    ap.add_argument("--realistic", action="store_true")
    ap.add_argument("--fresh", action="store_true", help="synth.py --fresh (new text holds no 13-character seed run)")
    ap.add_argument(
        "--length", choices=["full", "short"], default="full", help="synth.py --length (short: ~4,000 chars)"
    )
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument(
        "--keep-dupes",
        action="store_true",
        help="measure ingest and check only; keep the dupes figures of the results file (their run is named)",
    )
    ap.add_argument(
        "--skip-dupes",
        action="store_true",
        help="measure ingest and check only, with no dupes figures (a corpus beyond what all-pairs dupes holds in memory)",
    )
    ap.add_argument("--step", help=argparse.SUPPRESS)
    ap.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.step:
        fn = {"ingest": step_ingest, "dupes": step_dupes, "check": step_check}[a.step]
        args: list[Any] = list(a.args)
        if a.step == "ingest":
            args[2] = int(args[2])
        print(json.dumps(fn(*args)))
        return 0
    for n in a.notices:
        data = ensure_data(n, a.realistic, a.length, a.fresh)
        corpus = str(data / "corpus" / "notices")
        db = str(data / "scale.db")
        r: dict[str, Any] = {
            "notices": n,
            "realistic": a.realistic,
            "length": a.length,
            "fresh": a.fresh,
            "provenance": provenance("python benchmarks/scale.py " + " ".join(sys.argv[1:])),
            "ingest": {},
        }
        for jobs in sorted(a.jobs):
            r["ingest"][str(jobs)] = child("ingest", corpus, db, str(jobs))
        kind = f"{'-real' if a.realistic else ''}{'-short' if a.length == 'short' else ''}{'-fresh' if a.fresh else ''}"
        out = BENCH / "results" / f"scale-{n}{kind}"
        if a.skip_dupes:
            r["dupes"] = None
        elif a.keep_dupes:
            before = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
            r["dupes"] = before["dupes"]
            r["dupes_run"] = before.get("dupes_run") or (
                f"{before['provenance']['date']}, commit {before['provenance']['commit']}"
            )
        else:
            r["dupes"] = child("dupes", db)
        r["page_cache_dropped"] = drop_page_cache()
        r["check"] = child("check", db, corpus)
        r["load_after"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        out.with_suffix(".json").write_text(json.dumps(r, ensure_ascii=False, indent=1), encoding="utf-8")
        out.with_suffix(".md").write_text(markdown(r), encoding="utf-8")
        print(f"wrote {out}.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
