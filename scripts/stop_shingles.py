"""Write simtool/data/stop_bigrams.txt: the character bigrams found in the most matching units of
the seed corpus (document frequency over distinct normalized units).

These bigrams (整改, 工作, 加强 …) occur in almost every notice; left in, they make unrelated
measures look alike to MinHash and flood LSH with false candidates.  Run from the repo root:
``python scripts/stop_shingles.py``.
"""

from __future__ import annotations

import collections
from pathlib import Path

import simtool
from simtool.match.units import build_units, collapse

TOP = 80


def main() -> None:
    units = build_units(simtool.load(["corpora/seeds"]).notices)
    distinct, _ = collapse(units.text)
    df = collections.Counter(g for t in distinct for g in {t[k : k + 2] for k in range(len(t) - 1)})
    ranked = sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    lines = [f"# the {TOP} commonest character bigrams of the seed corpus's units (made by scripts/stop_shingles.py)"]
    lines += [g for g, _ in ranked]
    Path("simtool/data/stop_bigrams.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
