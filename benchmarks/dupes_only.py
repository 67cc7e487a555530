"""All-pairs dupes alone on generated notices: load the files, run ``find_matches`` on both cores, print
time, memory, pairs, candidates and where the time goes.

    /usr/bin/time -v python benchmarks/dupes_only.py benchmarks/data/n10000 [limit]

(``benchmarks/run.py`` measures the same stage among all the others; this is the quick re-check.)
"""

from __future__ import annotations

import glob
import resource
import sys
import time

import simtool
from simtool.core.timing import recording
from simtool.match.engine import find_matches
from simtool.read.batch import use_all_cores


def main() -> None:
    use_all_cores()
    files = sorted(glob.glob(f"{sys.argv[1]}/corpus/notices/*.txt"))
    if len(sys.argv) > 2:
        files = files[: int(sys.argv[2])]
    t = time.perf_counter()
    notices = simtool.load(files).notices
    load_s = time.perf_counter() - t
    with recording() as rec:
        t = time.perf_counter()
        m = find_matches(notices, min_sim=0.8, scope="cross")
        find_s = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"{len(notices)} notices: load {load_s:.1f} s, find_matches {find_s:.1f} s, {len(m)} pairs "
        f"({int(m.contained.sum())} containments), {rec.counts.get('candidates', 0)} candidates, peak RSS {rss} MB"
    )
    print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in rec.seconds.items()))


if __name__ == "__main__":
    main()
