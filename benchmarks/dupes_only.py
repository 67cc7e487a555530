"""All-pairs dupes alone on generated notices: load the files, run ``find_matches``, print time and memory.

    /usr/bin/time -v python benchmarks/dupes_only.py benchmarks/data/n10000 [limit]

(``benchmarks/run.py`` measures the same stage among all the others; this is the quick re-check.)
"""

from __future__ import annotations

import glob
import resource
import sys
import time

import simtool
from simtool.match.engine import find_matches


def main() -> None:
    files = sorted(glob.glob(f"{sys.argv[1]}/corpus/notices/*.txt"))
    if len(sys.argv) > 2:
        files = files[: int(sys.argv[2])]
    t = time.perf_counter()
    notices = simtool.load(files).notices
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    m = find_matches(notices, min_sim=0.8, scope="cross")
    find_s = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"{len(notices)} notices: load {load_s:.1f} s, find_matches {find_s:.1f} s, {len(m)} pairs, peak RSS {rss} MB"
    )


if __name__ == "__main__":
    main()
