"""End-to-end benchmark of simtool on generated notices: speed, memory, recall and precision, and peers.

For each N: generate N notices with ``benchmarks/synth.py`` (unless already there), then measure, each stage in
its own child process so that its peak RSS is its own:

* ingest + index into a fresh store (``simtool.cli.commands.run_ingest``);
* all-pairs ``dupes`` (``simtool.match.engine.find_matches(min_sim, scope="cross")``) on notices read from the store and
  from the files; recall against the generator's ground truth and precision (every reported pair's score
  recomputed with rapidfuzz);
* ``check`` of one notice against the store (cold = first call, builds the LSH cache; warm = second call);
* on a subset (the seeds + the first ``--subset`` notices): recall against the brute-force rapidfuzz oracle
  (``process.cdist`` over all distinct normalized unit texts), and the peers on the same texts: the brute force
  itself, a hand-written datasketch pipeline (``MinHash.bulk`` + ``MinHashLSH`` + rapidfuzz verification) and
  text-dedup's MinHash (when its separate venv exists);
* peers at scale (the seeds + the first 1,000 / 3,000 notices): simtool's engine core vs datasketch (and
  text-dedup) on the same distinct texts, timed in the same run.

Results go to ``benchmarks/results/run-<N>.md`` and ``run-<N>.json``.

    python benchmarks/run.py --notices 1000 10000
    python benchmarks/run.py --smoke
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate import ground_truth_eval, precision_of_matches  # noqa: E402
from peers import brute_force, compare, found_codes, what_if  # noqa: E402
from report import markdown  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Settings:
    """What one benchmark run measures (plain data, passed to the stage processes as JSON)."""

    notices: int
    seed: int = 1
    min_sim: float = 0.8
    subset: int = 200  # generated notices in the oracle subset (the 18 seed notices are added)
    peer_sizes: tuple[int, ...] = ()  # notice counts for the peers-at-scale comparison
    text_dedup: bool = True
    data_root: str = "benchmarks/data"
    results_dir: str | None = "benchmarks/results"
    check_notices: int = 3
    profile: bool = False
    smoke: bool = False
    what_if: bool = True  # also try other EngineParams on the oracle subset
    mem_limit_gb: float = 10.0  # address-space cap of each stage process (0: none)
    stage_timeout: float = 1800.0  # seconds
    jobs: int | None = None  # ingest worker processes (None: one per core)

    @property
    def data(self) -> Path:
        return Path(self.data_root) / f"n{self.notices}"


def default_peer_sizes(n: int) -> tuple[int, ...]:
    """Peers at scale: 400 notices, twice the oracle subset (LSH candidates grow with the square of the texts at
    simtool's LSH threshold, for datasketch as for simtool: 1,000 notices do not fit in 10 GiB; see the growth table)."""
    return (400,) if n >= 400 else ()


# ============================================================================================ helpers
def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict[str, Any]:
    import datasketch
    import rapidfuzz

    mem = next(
        (ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")), "0"
    )
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                ["git", "status", "--porcelain", "simtool"], cwd=ROOT, capture_output=True, text=True
            ).stdout.strip()
        )
    except OSError:
        commit, dirty = "?", False
    from simtool.match.engine import DEFAULT_PARAMS

    try:  # other engineers change simtool/ while benchmarks run: record exactly which code was measured
        diff = subprocess.run(["git", "diff", "HEAD", "--", "simtool"], cwd=ROOT, capture_output=True).stdout
        diff_sha = hashlib.sha256(diff).hexdigest()[:12] if diff else None
    except OSError:
        diff_sha = None
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(int(mem) / 2**20, 1),
        "cpu": cpu,
        "engine_params": repr(DEFAULT_PARAMS),
        "lsh_bands_rows_at_min_sim_0.8": list(DEFAULT_PARAMS.bands(0.8)),
        "simtool_uncommitted_diff_sha256": diff_sha,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "datasketch": datasketch.__version__,
        "rapidfuzz": rapidfuzz.__version__,
        "commit": commit + ("+dirty simtool/" if dirty else ""),
    }


def subset_paths(data: Path, count: int) -> list[str]:
    corpus = data / "corpus"
    return [str(corpus / "seeds")] + [str(corpus / "notices" / f"n{i:06d}.txt") for i in range(count)]


def distinct_unit_texts(notices: Sequence[Any]) -> tuple[list[str], int]:
    from simtool.match.units import build_units, collapse

    units = build_units(notices, "literal")
    distinct, _ = collapse(units.text)
    return distinct, len(units)


# ============================================================================================ stages (child processes)
def stage_ingest(s: Settings, db: str) -> dict[str, Any]:
    import simtool
    from simtool.store.sqlite import Store

    for f in Path(db).parent.glob(Path(db).name + "*"):
        f.unlink()
    t0 = time.perf_counter()
    result = simtool.ingest([str(s.data / "corpus")], db, jobs=s.jobs)
    seconds = time.perf_counter() - t0
    with Store(db) as store:
        notices = store.count_notices()
    size = sum(f.stat().st_size for f in Path(db).parent.glob(Path(db).name + "*"))
    return {
        "seconds": seconds,
        "exit_code": 0 if not result.skipped else 1,
        "notices": notices,
        "jobs": s.jobs,
        "db_mb": round(size / 2**20, 1),
        "summary": f"{result.added} files added, {result.skipped} skipped, {notices} notices",
    }


def stage_dupes(s: Settings, db: str, source: str, evaluate: bool) -> dict[str, Any]:
    import simtool
    from simtool.match import engine
    from simtool.store.sqlite import Store

    t0 = time.perf_counter()
    if source == "store":
        with Store(db, create=False) as store:
            notices = list(store.notices())
    else:
        loaded = simtool.load([str(s.data / "corpus")])
        notices = loaded.notices
    load_s = time.perf_counter() - t0
    from simtool.core.timing import recording

    with recording() as rec:
        t1 = time.perf_counter()
        m = engine.find_matches(notices, min_sim=s.min_sim, scope="cross")
        find_s = time.perf_counter() - t1
    breakdown = {k: round(v, 3) for k, v in rec.seconds.items()}
    sizes = dict(rec.counts)
    families = int(len(np.unique(m.unit_family[m.unit_family >= 0])))
    out: dict[str, Any] = {
        "source": source,
        "notices": len(notices),
        "load_seconds": load_s,
        "find_matches_seconds": find_s,
        "seconds": load_s + find_s,
        "units": len(m.units),
        "pairs": len(m),
        "families": families,
        **sizes,
        "breakdown": breakdown,
        "peak_rss_mb_before_eval": peak_rss_mb(),
    }
    if evaluate:
        t2 = time.perf_counter()
        out["precision"] = precision_of_matches(m, s.min_sim)
        out["ground_truth"] = ground_truth_eval(s.data, notices, m, s.min_sim)
        kinds = Counter()
        from simtool.core.types import SEGMENT_KINDS

        ka = m.units.kind[m.a]
        kb = m.units.kind[m.b]
        combos, counts = np.unique(np.stack([np.minimum(ka, kb), np.maximum(ka, kb)]), axis=1, return_counts=True)
        for (x, y), c in zip(combos.T.tolist(), counts.tolist()):
            kinds[f"{SEGMENT_KINDS[x]}–{SEGMENT_KINDS[y]}"] = int(c)
        out["pairs_by_kind"] = dict(kinds.most_common(8))
        out["eval_seconds"] = time.perf_counter() - t2
    return out


def stage_lsh(s: Settings) -> dict[str, Any]:
    """The LSH load of all N notices, without verifying: units, distinct texts, band keys, and the pairs inside band
    buckets (what ``index.candidate_pairs`` has to enumerate; an upper bound of the distinct candidates)."""
    import simtool
    from simtool.match.engine import DEFAULT_PARAMS, keys_for

    t0 = time.perf_counter()
    notices = simtool.load([str(s.data / "corpus")]).notices
    t1 = time.perf_counter()
    texts, units = distinct_unit_texts(notices)
    t2 = time.perf_counter()
    keys = keys_for(texts, DEFAULT_PARAMS, s.min_sim)
    t3 = time.perf_counter()
    import inspect

    from simtool.match.lsh import candidate_pairs

    max_bucket = inspect.signature(candidate_pairs).parameters["max_bucket"].default
    pairs = 0
    pairs_capped = 0
    pairs_engine = 0  # all pairs of a bucket up to max_bucket members, a star (size - 1 pairs) above
    largest = 0
    for k in range(keys.shape[1]):
        _, counts = np.unique(keys[:, k], return_counts=True)
        counts = counts.astype(np.int64)
        pairs += int((counts * (counts - 1) // 2).sum())
        c = np.minimum(counts, 5000)
        pairs_capped += int((c * (c - 1) // 2).sum())
        small = counts <= max_bucket
        pairs_engine += int((counts[small] * (counts[small] - 1) // 2).sum() + (counts[~small] - 1).sum())
        largest = max(largest, int(counts.max()))
    D = len(texts)
    return {
        "notices": len(notices),
        "units": units,
        "distinct_texts": D,
        "load_seconds": t1 - t0,
        "units_seconds": t2 - t1,
        "keys_seconds": t3 - t2,
        "bands_rows": list(DEFAULT_PARAMS.bands(s.min_sim)),
        "bucket_pairs": pairs,
        "bucket_pairs_capped_5000": pairs_capped,
        "largest_bucket": largest,
        "bucket_pairs_per_text_pair": pairs_capped / (D * (D - 1) / 2) if D > 1 else 0.0,
        "engine_max_bucket": max_bucket,
        "bucket_pairs_engine": pairs_engine,
    }


def stage_check(s: Settings, db: str) -> dict[str, Any]:
    import simtool
    from simtool.analyses.check import check_notices
    from simtool.store.sqlite import Store

    n = s.notices
    picks = sorted({n // 2, n // 3, n // 5, (2 * n) // 3, n - 1, 1})[: max(2, s.check_notices)]
    results = []
    with Store(db, create=False) as store:
        for k, i in enumerate(picks):
            path = str(s.data / "corpus" / "notices" / f"n{i:06d}.txt")
            t0 = time.perf_counter()
            notice = simtool.load([path]).notices[0]
            parse_s = time.perf_counter() - t0
            times = []
            for _ in range(2 if k == 0 else 1):
                t1 = time.perf_counter()
                rec = check_notices([notice], store, min_sim=s.min_sim)[0]
                times.append(time.perf_counter() - t1)
            results.append(
                {
                    "notice": path,
                    "parse_seconds": parse_s,
                    "seconds": times,
                    "copy_ratio": rec.copy_ratio,
                    "sources": len(rec.sources),
                    "matches": len(rec.matches),
                }
            )
    warm = [results[0]["seconds"][1]] + [r["seconds"][0] for r in results[1:]]
    return {
        "cold_seconds": results[0]["seconds"][0],
        "warm_seconds": results[0]["seconds"][1],
        "warm_median_seconds": float(np.median(warm)),
        "warm_max_seconds": float(max(warm)),
        "calls": results,
    }


def stage_oracle(s: Settings) -> dict[str, Any]:
    import simtool
    from simtool.match.engine import find_matches
    from simtool.match.units import collapse

    count = min(s.subset, s.notices)
    notices = simtool.load(subset_paths(s.data, count)).notices
    texts, units = distinct_unit_texts(notices)
    t0 = time.perf_counter()
    oracle = brute_force(texts, s.min_sim)
    brute_s = time.perf_counter() - t0
    out = compare(texts, s.min_sim, oracle, s.text_dedup, Path(tempfile.mkdtemp(prefix="simtool-bench-")))
    out.update(
        {
            "notices": len(notices),
            "generated_notices": count,
            "units": units,
            "oracle_pairs": int(oracle.size),
            "brute_force_seconds": brute_s,
        }
    )
    if s.what_if:
        out["what_if"] = what_if(texts, s.min_sim, oracle)
    # the end-to-end engine on the same notices (all scopes: the oracle knows no notices)
    t1 = time.perf_counter()
    m = find_matches(notices, min_sim=s.min_sim, scope="all")
    e2e_s = time.perf_counter() - t1
    distinct, inv = collapse(m.units.text)
    assert distinct == texts
    codes = found_codes(m, inv, len(texts))
    out["ground_truth"] = ground_truth_eval(s.data, notices, m, s.min_sim)
    out["find_matches"] = {
        "seconds": e2e_s,
        "pairs": int(len(m)),
        "recall_vs_oracle": float(np.isin(oracle, codes).mean()) if oracle.size else 1.0,
        **{k: v for k, v in precision_of_matches(m, s.min_sim).items() if k == "precision"},
    }
    return out


def stage_peers(s: Settings, size: int) -> dict[str, Any]:
    import simtool

    notices = simtool.load(subset_paths(s.data, size)).notices
    texts, units = distinct_unit_texts(notices)
    out = compare(texts, s.min_sim, None, s.text_dedup, Path(tempfile.mkdtemp(prefix="simtool-bench-")))
    out.update({"notices": len(notices), "generated_notices": size, "units": units})
    return out


def stage_profile(s: Settings, db: str, what: str) -> dict[str, Any]:
    import cProfile
    import pstats

    prof = cProfile.Profile()
    if what == "ingest":
        prof.runcall(stage_ingest, s, db)
    else:
        prof.runcall(stage_dupes, s, db, "files", False)
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(30)
    tot = io.StringIO()
    pstats.Stats(prof, stream=tot).sort_stats("tottime").print_stats(20)
    return {"cumulative": buf.getvalue()[-12000:], "tottime": tot.getvalue()[-8000:]}


STAGES: dict[str, Callable[..., dict[str, Any]]] = {
    "ingest": stage_ingest,
    "lsh": stage_lsh,
    "dupes": stage_dupes,
    "check": stage_check,
    "oracle": stage_oracle,
    "peers": stage_peers,
    "profile": stage_profile,
}


def child_main(stage: str, payload: str, out_file: str) -> int:
    os.chdir(ROOT)
    args = json.loads(payload)
    s = Settings(**{**args.pop("settings"), "peer_sizes": tuple(args.pop("peer_sizes", ()))})
    t0 = time.perf_counter()
    res = STAGES[stage](s, **args)
    res["wall_seconds"] = time.perf_counter() - t0
    res["peak_rss_mb"] = peak_rss_mb()
    Path(out_file).write_text(json.dumps(res, ensure_ascii=False, default=_json_default), encoding="utf-8")
    return 0


def _json_default(o: Any) -> Any:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))


def in_child(stage: str, s: Settings, **kwargs: Any) -> dict[str, Any]:
    """Run one stage in a fresh Python process; returns its JSON (with its own peak RSS)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    settings = asdict(s)
    payload = json.dumps({"settings": settings, "peer_sizes": list(s.peer_sizes), **kwargs})
    cmd = [sys.executable, str(Path(__file__).resolve()), "--stage", stage, "--payload", payload, "--stage-out", out]
    limit = int(s.mem_limit_gb * 2**30)

    def cap() -> None:  # a stage that would take the shared machine's memory fails instead
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=s.stage_timeout,
            preexec_fn=cap if limit > 0 else None,
        )
    except subprocess.TimeoutExpired:
        seconds = time.perf_counter() - t0
        print(f"  [{stage}] timed out after {seconds:.0f} s", file=sys.stderr, flush=True)
        return {
            "failed": f"timed out after {seconds:.0f} s (--stage-timeout {s.stage_timeout:g})",
            "wall_seconds": seconds,
            "peak_rss_mb": float("nan"),
        }
    if proc.returncode != 0:
        seconds = time.perf_counter() - t0
        tail = proc.stderr.strip().splitlines()[-1:] or ["?"]
        print(f"  [{stage}] failed after {seconds:.0f} s: {tail[0]}", file=sys.stderr, flush=True)
        return {
            "failed": f"{tail[0][:300]} after {seconds:.0f} s (memory cap {s.mem_limit_gb:g} GiB)",
            "stderr": proc.stderr[-3000:],
            "wall_seconds": seconds,
            "peak_rss_mb": float("nan"),
        }
    res = json.loads(Path(out).read_text(encoding="utf-8"))
    os.unlink(out)
    res["process_seconds"] = time.perf_counter() - t0
    print(
        f"  [{stage} {kwargs.get('source', kwargs.get('size', ''))}] {res.get('wall_seconds', 0):.1f} s, "
        f"peak RSS {res['peak_rss_mb']:.0f} MB",
        file=sys.stderr,
        flush=True,
    )
    return res


# ============================================================================================ orchestration
def run(s: Settings) -> dict[str, Any]:
    """Generate (if needed) and measure one N; returns every number (also written to results_dir)."""
    os.chdir(ROOT)
    started = dt.datetime.now(dt.timezone.utc)
    load_before = load_average()
    manifest_path = s.data / "manifest.json"
    gen_seconds = None
    manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.exists() else None
    sys.path.insert(0, str(BENCH))
    import synth

    if (
        manifest is None
        or manifest.get("notices") != s.notices
        or manifest.get("seed") != s.seed
        or manifest.get("generator_version") != synth.GENERATOR_VERSION
    ):
        print(f"generating {s.notices:,} notices into {s.data} …", file=sys.stderr, flush=True)
        s.data.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        manifest = synth.generate(s.notices, s.data, s.seed, quiet=False)
        gen_seconds = time.perf_counter() - t0
    db = str(s.data / "bench.db")
    print(f"measuring N={s.notices:,} (load average {load_before})", file=sys.stderr, flush=True)
    res: dict[str, Any] = {
        "settings": {**asdict(s), "peer_sizes": list(s.peer_sizes)},
        "manifest": manifest,
        "generation_seconds": gen_seconds,
        "machine_at_start": machine(),
    }
    res["ingest"] = in_child("ingest", s, db=db)
    res["lsh"] = in_child("lsh", s)
    res["dupes_store"] = in_child("dupes", s, db=db, source="store", evaluate=False)
    if "failed" in res["dupes_store"]:  # the same work from the files would fail the same way: save the time
        res["dupes_files"] = {
            "failed": f"not run: dupes from the store failed ({res['dupes_store']['failed']})",
            "peak_rss_mb": float("nan"),
        }
    else:
        res["dupes_files"] = in_child("dupes", s, db=db, source="files", evaluate=True)
    res["check"] = in_child("check", s, db=db)
    res["oracle"] = in_child("oracle", s)
    res["peers"] = [{**in_child("peers", s, size=size), "generated_notices": size} for size in s.peer_sizes]
    if s.profile:
        res["profile"] = {w: in_child("profile", s, db=db, what=w) for w in ("ingest", "dupes")}
    res["machine"] = machine()
    res["date"] = started.strftime("%Y-%m-%d %H:%M UTC")
    res["load_average"] = {"before": load_before, "after": load_average()}
    res["command"] = command_line()
    if s.results_dir:
        out = Path(s.results_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / f"run-{s.notices}.json").write_text(
            json.dumps(res, ensure_ascii=False, indent=1, default=_json_default), encoding="utf-8"
        )
        (out / f"run-{s.notices}.md").write_text(markdown(res, out), encoding="utf-8")
    return res


def command_line() -> str:
    if Path(sys.argv[0]).name == "run.py":
        return "python " + " ".join(shlex.quote(a) for a in [os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]])
    return "benchmarks.run.run(...) from " + " ".join(shlex.quote(a) for a in sys.argv[:3])


# ============================================================================================ CLI
def smoke_settings(**over: Any) -> Settings:
    base = Settings(
        notices=30,
        subset=30,
        peer_sizes=(),
        text_dedup=False,
        check_notices=2,
        smoke=True,
        results_dir=None,
        what_if=False,
    )
    return replace(base, **over)


def smoke_summary(r: dict[str, Any]) -> dict[str, Any]:
    """The numbers the smoke test asserts on; ``ok`` is False when a stage failed or a bound is missed."""
    failed = {k: v["failed"] for k, v in r.items() if isinstance(v, dict) and "failed" in v}
    if failed:
        return {"ok": False, "failed": failed}
    o, d = r["oracle"], r["dupes_files"]
    out = {
        "recall_vs_oracle": o["simtool"]["recall_vs_oracle"],
        "find_matches_recall_vs_oracle": o["find_matches"]["recall_vs_oracle"],
        "precision_subset": o["find_matches"]["precision"],
        "precision": d["precision"]["precision"],
        "recall_ground_truth": d["ground_truth"]["recall_detectable"],
        "oracle_pairs": o["oracle_pairs"],
    }
    out["ok"] = (
        min(out["recall_vs_oracle"], out["find_matches_recall_vs_oracle"]) >= 0.98
        and out["precision"] == 1.0
        and out["precision_subset"] == 1.0
    )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notices", type=int, nargs="+", default=[1000])
    ap.add_argument("--smoke", action="store_true", help="N=30, everything end to end in well under a minute")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--min-sim", type=float, default=0.8)
    ap.add_argument("--subset", type=int, default=200, help="generated notices in the brute-force oracle subset")
    ap.add_argument("--peer-sizes", type=int, nargs="*", help="notice counts for peers at scale (default 400)")
    ap.add_argument(
        "--mem-limit-gb", type=float, default=10.0, help="address-space cap of each stage process (0: none)"
    )
    ap.add_argument("--stage-timeout", type=float, default=1800.0, help="seconds before a stage is stopped")
    ap.add_argument("--no-what-if", action="store_true", help="skip the other-EngineParams runs on the oracle subset")
    ap.add_argument("--no-text-dedup", action="store_true")
    ap.add_argument("--profile", action="store_true", help="also cProfile ingest and dupes (extra runs)")
    ap.add_argument("--jobs", type=int, default=None, help="ingest worker processes (default: one per core)")
    ap.add_argument("--results", default="benchmarks/results")
    ap.add_argument("--report-only", action="store_true", help="rewrite run-<N>.md from run-<N>.json")
    ap.add_argument(
        "--add-peers",
        type=int,
        nargs="+",
        metavar="NOTICES",
        help="run only the peers stage at these sizes and add it to an existing run-<N>.json",
    )
    ap.add_argument("--stage", help=argparse.SUPPRESS)
    ap.add_argument("--payload", help=argparse.SUPPRESS)
    ap.add_argument("--stage-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.stage:
        return child_main(args.stage, args.payload, args.stage_out)
    if args.smoke:
        t0 = time.perf_counter()
        s = smoke_settings(results_dir=args.results if "--results" in (argv or sys.argv) else None)
        r = run(s)
        summary = smoke_summary(r)
        summary["seconds"] = round(time.perf_counter() - t0, 1)
        print(json.dumps(summary, indent=1))
        return 0 if summary["ok"] else 1
    if args.add_peers:
        for n in sorted(args.notices):
            out = Path(args.results)
            r = json.loads((out / f"run-{n}.json").read_text("utf-8"))
            s = Settings(
                **{
                    **r["settings"],
                    "peer_sizes": tuple(args.add_peers),
                    "results_dir": args.results,
                    "text_dedup": not args.no_text_dedup,
                    "stage_timeout": args.stage_timeout,
                    "mem_limit_gb": args.mem_limit_gb,
                }
            )
            before = load_average()
            for size in args.add_peers:
                p = in_child("peers", s, size=size)
                p.update(
                    {
                        "added_later": {
                            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                            "load_average_before": before,
                            "load_average_after": load_average(),
                            "command": command_line(),
                        },
                        "generated_notices": size,
                    }
                )
                r["peers"] = [q for q in r["peers"] if q.get("generated_notices") != size or "failed" in q] + [p]
            (out / f"run-{n}.json").write_text(
                json.dumps(r, ensure_ascii=False, indent=1, default=_json_default), encoding="utf-8"
            )
            (out / f"run-{n}.md").write_text(markdown(r, out), encoding="utf-8")
        return 0
    if args.report_only:
        for n in sorted(args.notices):
            out = Path(args.results)
            r = json.loads((out / f"run-{n}.json").read_text("utf-8"))
            (out / f"run-{n}.md").write_text(markdown(r, out), encoding="utf-8")
        return 0
    for n in sorted(args.notices):
        peer = tuple(args.peer_sizes) if args.peer_sizes is not None else default_peer_sizes(n)
        s = Settings(
            notices=n,
            seed=args.seed,
            min_sim=args.min_sim,
            subset=args.subset,
            peer_sizes=tuple(p for p in peer if p <= n),
            text_dedup=not args.no_text_dedup,
            results_dir=args.results,
            profile=args.profile,
            mem_limit_gb=args.mem_limit_gb,
            stage_timeout=args.stage_timeout,
            what_if=not args.no_what_if,
            jobs=args.jobs,
        )
        run(s)
        print(f"wrote {args.results}/run-{n}.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
