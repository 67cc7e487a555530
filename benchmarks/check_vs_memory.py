"""``check`` of stored notices against their store, next to the in-memory analysis of the same files.

On the seeds (and on 61 notices sharing one formula) the two are equal, and a test says so
(``tests/test_shared.py``).  This measures how far they agree on a larger generated corpus, where
formulas come in many variants: the in-memory engine gathers a formula and its near-identical variants
into a family drawn as a star (each occurrence paired with one representative), which needs the
verified edges of the whole corpus; ``check`` knows only the families of identical texts (a text
stored more than ``max_family`` times), so it pairs a checked formula variant with every stored
occurrence of each variant it matches.

    python benchmarks/check_vs_memory.py benchmarks/data/short1000 --every 50

Per sampled notice: shared characters, 总文字复制比, 单篇最大复制比's source and the ranked sources, in
memory (``notice_shares`` of ``find_matches`` over all notices) and from ``check_notices`` against a
store of the same files.  Results: ``benchmarks/results/check-vs-memory-<name>.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from recall import ROOT, provenance  # noqa: E402


def measure(corpus: Path, every: int) -> dict[str, Any]:
    import simtool
    from simtool.analyses.check import check_notices
    from simtool.analyses.shared import notice_shares
    from simtool.read.batch import use_all_cores
    from simtool.store.sqlite import Store

    use_all_cores()
    notices = simtool.load([str(corpus)]).notices
    t = time.perf_counter()
    shares = notice_shares(notices, simtool.find_matches(notices, scope="all"))
    memory_s = time.perf_counter() - t
    picked = list(range(0, len(notices), every))
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "s.db")
        simtool.ingest([str(corpus)], db, jobs=2)
        with Store(db, create=False) as store:
            t = time.perf_counter()
            checked = check_notices([notices[k] for k in picked], store)
            check_s = (time.perf_counter() - t) / len(picked)

    def named(nid: str | None) -> str | None:  # a notice's path relative to the repository
        return nid if nid is None else os.path.relpath(nid, ROOT)

    rows = []
    for k, rec in zip(picked, checked):
        st = shares[k]
        mem = {s.source: s.shared for s in st.sources}
        got = {s.notice: s.shared for s in rec.sources}
        rows.append(
            {
                "notice": named(notices[k].id),
                "shared": [st.shared, rec.shared],
                "copy_ratio": [st.copy_ratio, rec.copy_ratio],
                "max_source": [named(st.max_source), named(rec.max_source)],
                "sources": [len(mem), len(got)],
                "sources_only_check": len(set(got) - set(mem)),
                "sources_only_memory": len(set(mem) - set(got)),
                "sources_shared_differs": sum(1 for s in set(got) & set(mem) if got[s] != mem[s]),
                "equal": (st.shared, st.copy_ratio, st.max_source) == (rec.shared, rec.copy_ratio, rec.max_source)
                and list(mem.items()) == list(got.items()),
            }
        )
    return {"notices": len(notices), "memory_seconds": memory_s, "check_seconds_per_notice": check_s, "rows": rows}


def markdown(name: str, r: dict[str, Any]) -> str:
    p, rows = r["provenance"], r["rows"]
    n = len(rows)
    gap = [abs(x["copy_ratio"][1] - x["copy_ratio"][0]) for x in rows]
    extra = [x["shared"][1] - x["shared"][0] for x in rows]
    lines = [
        f"# check against a store vs the in-memory analysis: {name} ({r['notices']:,} notices, every {r['every']}th checked)",
        "",
        f"- command: `{p['command']}`",
        f"- date: {p['date']}; commit {p['commit']}{' (simtool/ has uncommitted changes)' if p['simtool_dirty'] else ''}",
        f"- load before: `{p['uptime']}`",
        f"- in memory (find_matches + notice_shares of all notices): {r['memory_seconds']:.1f} s; "
        f"check: {r['check_seconds_per_notice']:.2f} s per notice",
        "",
        f"| | of {n} notices |",
        "|---|---:|",
        f"| equal in everything (shared, 总文字复制比, 单篇最大复制比's source, every source and its characters) | {sum(x['equal'] for x in rows)} |",
        f"| same 单篇最大复制比 source | {sum(x['max_source'][0] == x['max_source'][1] for x in rows)} |",
        f"| 总文字复制比 within 0.005 | {sum(g <= 0.005 for g in gap)} |",
        f"| largest 总文字复制比 difference | {max(gap, default=0):.4f} |",
        f"| characters check counts more (min / median / max) | {min(extra, default=0)} / {sorted(extra)[n // 2] if n else 0} / {max(extra, default=0)} |",
        f"| sources: in memory / check (mean) | {sum(x['sources'][0] for x in rows) / max(n, 1):.0f} / {sum(x['sources'][1] for x in rows) / max(n, 1):.0f} |",
        f"| sources only check finds (mean) | {sum(x['sources_only_check'] for x in rows) / max(n, 1):.0f} |",
        f"| sources only memory finds (mean) | {sum(x['sources_only_memory'] for x in rows) / max(n, 1):.0f} |",
        "",
        "| notice | shared (memory, check) | 总文字复制比 | sources | only check | differing |",
        "|---|---|---|---|---:|---:|",
    ]
    for x in rows:
        lines.append(
            f"| {Path(x['notice']).name} | {x['shared'][0]}, {x['shared'][1]} | {x['copy_ratio'][0]}, {x['copy_ratio'][1]}"
            f" | {x['sources'][0]}, {x['sources'][1]} | {x['sources_only_check']} | {x['sources_shared_differs']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, help="a benchmarks/synth.py folder (its corpus/notices is read)")
    ap.add_argument("--every", type=int, default=50, help="check every k-th notice")
    ap.add_argument("--name", default=None)
    a = ap.parse_args()
    corpus = (a.data / "corpus" / "notices").resolve()
    name = a.name or a.data.name
    r = {"provenance": provenance("python benchmarks/check_vs_memory.py " + " ".join(sys.argv[1:])), "every": a.every}
    r |= measure(corpus, a.every)
    out = ROOT / "benchmarks" / "results" / f"check-vs-memory-{name}"
    out.with_suffix(".json").write_text(json.dumps(r, ensure_ascii=False, indent=1), encoding="utf-8")
    out.with_suffix(".md").write_text(markdown(name, r), encoding="utf-8")
    print(out.with_suffix(".md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
