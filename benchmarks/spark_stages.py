"""Where the Spark and local engines could part: their units, their verified edges and the JSONL, stage by stage.

``benchmarks/spark.py`` compares the two engines' JSONL by its SHA-256 only; when that differs, this
says at which stage.  Each step runs in its own process (``PYTHONHASHSEED`` may be set apart) and saves
its arrays under ``--work`` (several GB at 10k notices):

    python benchmarks/spark_stages.py edges local  --corpus benchmarks/data/short10000 --work /tmp/st
    python benchmarks/spark_stages.py edges spark  --corpus benchmarks/data/short10000 --work /tmp/st
    python benchmarks/spark_stages.py compare      --work /tmp/st
    PYTHONHASHSEED=1 python benchmarks/spark_stages.py lines local --corpus … --work /tmp/st
    PYTHONHASHSEED=2 python benchmarks/spark_stages.py lines spark --corpus … --work /tmp/st

``edges``: the units (``units_on`` or ``SparkEngine.units``) and the verified edges among their
distinct texts (``verified_edges`` or ``SparkEngine``).  ``lines``: ``find_matches`` on those saved
edges and the SHA-256 of ``pair_lines`` (what ``simtool dupes --format jsonl`` prints).
"""

from __future__ import annotations

import argparse
import hashlib
import time

import numpy as np

UNIT_COLUMNS = ("notice", "start", "end", "kind", "problem", "seq", "sentence", "level", "segment")
MATCH_COLUMNS = ("a", "b", "score", "contained", "family", "family_size", "a_start", "a_end", "b_start", "b_end")


def edges(engine: str, corpus: str, work: str, partitions: int) -> None:
    from simtool.match.engine import DEFAULT_PARAMS, verified_edges
    from simtool.match.parallel import units_on
    from simtool.match.units import collapse
    from simtool.store.corpus import load

    notices = load([corpus]).notices
    t = time.perf_counter()
    if engine == "local":
        units = units_on(notices, "literal", 2)
    else:
        from simtool.spark.engine import SparkEngine
        from simtool.spark.session import session

        finder = SparkEngine(session("local[2]", partitions=partitions), partitions=partitions)
        units = finder.units(notices)
    text = np.array([int(hashlib.md5(x.encode()).hexdigest()[:15], 16) for x in units.text], dtype=np.int64)
    np.savez(f"{work}/units-{engine}.npz", text=text, **{k: getattr(units, k) for k in UNIT_COLUMNS})
    print(engine, "units", len(units), round(time.perf_counter() - t, 1), flush=True)
    distinct, _ = collapse(units.text)
    t = time.perf_counter()
    e = (
        verified_edges(distinct, DEFAULT_PARAMS, 0.8, jobs=2)
        if engine == "local"
        else finder(distinct, DEFAULT_PARAMS, 0.8)
    )
    np.savez(f"{work}/edges-{engine}.npz", **e._asdict())
    print(engine, "edges", len(e.i), round(time.perf_counter() - t, 1), flush=True)


def compare(work: str) -> None:
    for name in ("units", "edges", "matches"):
        try:
            a, b = np.load(f"{work}/{name}-local.npz"), np.load(f"{work}/{name}-spark.npz")
        except OSError:
            print(name, "missing")
            continue
        for k in a.files:
            same = a[k].shape == b[k].shape and np.array_equal(a[k], b[k])
            where = "" if same or a[k].shape != b[k].shape else f" first at {int(np.flatnonzero(a[k] != b[k])[0])}"
            print(f"{name}.{k}: {len(a[k]):,} rows, {'equal' if same else 'DIFFERENT' + where}")


def lines(engine: str, corpus: str, work: str) -> None:
    from simtool.analyses.dupes import pair_lines
    from simtool.match.engine import find_matches
    from simtool.match.verify import Verified
    from simtool.store.corpus import load

    notices = load([corpus]).notices
    z = np.load(f"{work}/edges-{engine}.npz")
    e = Verified(*(z[k] for k in Verified._fields))
    t = time.perf_counter()
    m = find_matches(notices, min_sim=0.8, scope="cross", edge_finder=lambda texts, params, min_sim: e)
    np.savez(f"{work}/matches-{engine}.npz", unit_family=m.unit_family, **{k: getattr(m, k) for k in MATCH_COLUMNS})
    digest, n = hashlib.sha256(), 0
    for line in pair_lines(notices, m):
        digest.update(line.encode("utf-8") + b"\n")
        n += 1
    print(engine, "records", n, digest.hexdigest(), round(time.perf_counter() - t, 1), flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("step", choices=("edges", "lines", "compare"))
    p.add_argument("engine", nargs="?", choices=("local", "spark"), default="local")
    p.add_argument("--corpus", default="benchmarks/data/short10000")
    p.add_argument("--work", required=True)
    p.add_argument("--partitions", type=int, default=128)
    a = p.parse_args()
    if a.step == "edges":
        edges(a.engine, a.corpus, a.work, a.partitions)
    elif a.step == "lines":
        lines(a.engine, a.corpus, a.work)
    else:
        compare(a.work)


if __name__ == "__main__":
    main()
