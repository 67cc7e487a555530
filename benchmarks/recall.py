"""Recall and precision of ``simtool dupes`` (through its CLI) on realistically copied notices and on the seeds.

Data: ``synth.py --realistic`` notices (one notice per file), and ``corpora/seeds``.  The tool runs as a user runs
it: ``simtool dupes DIR --scope cross --min-sim 0.8 --format jsonl``; nothing of simtool's internals is used
(only ``simtool.normalize`` for the oracle and the recomputed scores, and ``simtool.load`` to get the seed
notices' texts, which the offsets of a compilation refer to).

* recall vs the sentence oracle (``oracle.py``): an oracle pair (two distinct normalized texts, occurring in two
  different notices) is found when some reported pair has its side a overlapping an occurrence u of one text and
  its side b an occurrence v of the other (in the notices of a and b), each by ≥ 50 % of the shorter of u and v;
  a family (records with ``family``: a formula and its variants drawn as a star) counts every pair of the texts
  its records cover (each side ≥ 50 % of the unit), as the star says they are all variants of one wording;
* ground truth (``truth.jsonl``): a planted copy (target span T ← source span S) whose normalized texts are still
  ≥ min-sim similar (Indel) is found when the reported pairs linking its two notices, with one side overlapping S
  and the other overlapping T, cover together ≥ 50 % of T and ≥ 50 % of S (a sentence-level engine reports a
  copied measure as several sentence pairs); by copy kind and by edit kind;
* precision: every reported pair's score recomputed with rapidfuzz on ``simtool.normalize(text)`` of its two sides
  (Indel normalized similarity; ``fuzz.partial_ratio`` for ``match == "contained"``); the share ≥ min-sim − 0.01.

    python benchmarks/recall.py --notices 200 --oracle-notices 100
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from oracle import Oracle, read_notice_files, run_oracle  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SIMTOOL = str(ROOT / ".venv" / "bin" / "simtool")


def provenance(command: str) -> dict[str, Any]:
    def sh(*a: str) -> str:
        return subprocess.run(a, cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return {
        "command": command,
        "date": sh("date", "-u"),
        "uptime": sh("uptime"),
        "commit": sh("git", "rev-parse", "--short", "HEAD"),
        "simtool_dirty": bool(sh("git", "status", "--porcelain", "simtool")),
    }


def ensure_data(data: Path, notices: int, seed: int) -> dict[str, Any]:
    import synth

    mf = data / "manifest.json"
    if mf.exists():
        m = json.loads(mf.read_text("utf-8"))
        if (
            m.get("notices") == notices
            and m.get("seed") == seed
            and m.get("generator_version") == synth.GENERATOR_VERSION
            and m.get("realistic") == synth.REALISTIC_VERSION
        ):
            return m
    data.mkdir(parents=True, exist_ok=True)
    return synth.generate(notices, data, seed, quiet=True, realistic=True)


def run_dupes(paths: Sequence[str], min_sim: float) -> tuple[list[dict], float, str]:
    cmd = [SIMTOOL, "dupes", *paths, "--scope", "cross", "--min-sim", str(min_sim), "--format", "jsonl"]
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr[-500:]}")
    return [json.loads(x) for x in p.stdout.splitlines() if x.strip()], seconds, " ".join(cmd[1:])


# ------------------------------------------------------------------------------------------------ spans
TOOL_MAPS: dict[str, Any] = {}  # notice id → tool-text index → file-text index, where the reader changed the text


def tool_text_maps(path: str, file_texts: dict[str, str]) -> dict[str, Any]:
    """Offsets of the tool's notice texts (``simtool.load``) → offsets of the files, where the two differ.

    The reader may join hard-wrapped lines or drop page footers, so the offsets ``dupes`` reports refer to a text
    that is not the file; ground truth and oracle are in file offsets.  The map comes from the Indel alignment
    (``rapidfuzz.distance.Indel.opcodes``) of the two texts: a tool character maps to its aligned file character,
    an inserted one to the next file position.
    """
    import numpy as np
    from rapidfuzz.distance import Indel

    import simtool

    maps: dict[str, Any] = {}
    for n in simtool.load([path]).notices:
        f = file_texts.get(n.id)
        if f is None or n.text == f:
            continue
        m = np.zeros(len(n.text) + 1, np.int64)
        for tag, i1, i2, j1, j2 in Indel.opcodes(f, n.text):
            if tag == "equal":
                m[j1:j2] = np.arange(i1, i2)
            elif tag in ("insert", "replace"):
                m[j1:j2] = i1
        m[len(n.text)] = len(f)
        maps[n.id] = m
    return maps


STRUCTURE = ("title", "signature")  # segments that hold no oracle units (oracle.py)


def structure_spans(path: str, ids: Sequence[str]) -> list[list[tuple[int, int]]]:
    """Per notice of ``ids``: the spans (file offsets) of its title and signature/date lines as simtool parses them."""
    import simtool

    spans: dict[str, list[tuple[int, int]]] = {}
    for n in simtool.load([path], jobs=1).notices:
        m = TOOL_MAPS.get(n.id)
        out = []
        for seg in n.segments:
            if seg.kind in STRUCTURE and seg.end > seg.start:
                a, b = (seg.start, seg.end) if m is None else (int(m[seg.start]), int(m[seg.end - 1]) + 1)
                out.append((a, b))
        spans[n.id] = out
    return [spans.get(i, []) for i in ids]


def resolve(rec: dict, texts: dict[str, str]) -> tuple[int, int] | None:
    """The side's span in the notice text we hold; None when its ``text`` is not there (the reader changed it)."""
    t = texts.get(rec["notice"])
    if t is None:
        return None
    a, b = rec["start"], rec["end"]
    m = TOOL_MAPS.get(rec["notice"])
    if m is not None and 0 <= a < b <= len(m) - 1:
        return int(m[a]), int(m[b - 1]) + 1
    if t[a:b] == rec["text"]:
        return a, b
    k = t.find(rec["text"], max(0, a - 200))
    return (k, k + len(rec["text"])) if k >= 0 and rec["text"] else None


def overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def precision(pairs: Sequence[dict], min_sim: float) -> dict[str, Any]:
    from rapidfuzz import fuzz
    from rapidfuzz.distance import Indel

    import simtool

    ok = low = 0
    worst: list[tuple[float, str, str, float]] = []
    for r in pairs:
        x, y = simtool.normalize(r["a"]["text"]), simtool.normalize(r["b"]["text"])
        if r.get("match") == "contained":
            s, l_ = sorted((x, y), key=len)
            score = fuzz.partial_ratio(s, l_) / 100
        else:
            score = Indel.normalized_similarity(x, y)
        if score >= min_sim - 0.01:
            ok += 1
        else:
            low += 1
            worst.append((round(score, 4), x[:60], y[:60], r["score"]))
    worst.sort()
    return {
        "pairs": len(pairs),
        "recomputed_ge_min_sim_minus_0.01": ok,
        "precision": round(ok / len(pairs), 4) if pairs else 1.0,
        "lowest": worst[:5],
    }


def oracle_recall(o: Oracle, pairs: Sequence[dict], texts: dict[str, str]) -> dict[str, Any]:
    """Share of the oracle's distinct-text pairs that some reported pair covers (the 50 % rule above)."""
    index = {n: i for i, n in enumerate(o.notices)}
    by_notice: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # notice → (start, end, text id)
    for ti, occ in enumerate(o.occurrences):
        for ni, a, b, _ in occ:
            by_notice[ni].append((a, b, ti))
    for v in by_notice.values():
        v.sort()
    starts = {ni: [a for a, _, _ in v] for ni, v in by_notice.items()}
    import bisect

    def units_in(ni: int, a: int, b: int) -> list[tuple[int, int, int]]:
        v = by_notice.get(ni, [])
        hi = bisect.bisect_left(starts.get(ni, []), b)
        return [(x, y, t) for x, y, t in v[:hi] if y > a and overlap(a, b, x, y) > 0]

    found: set[tuple[int, int]] = set()
    members: dict[str, set[int]] = defaultdict(set)
    unresolved = 0
    for r in pairs:
        na, nb = index.get(r["a"]["notice"]), index.get(r["b"]["notice"])
        if na is None or nb is None:
            continue
        sa, sb = resolve(r["a"], texts), resolve(r["b"], texts)
        if sa is None or sb is None:
            unresolved += 1
            continue
        ua, ub = units_in(na, *sa), units_in(nb, *sb)
        for x0, x1, tx in ua:
            ox = overlap(*sa, x0, x1)
            for y0, y1, ty in ub:
                need = 0.5 * min(x1 - x0, y1 - y0)
                if ox >= need and overlap(*sb, y0, y1) >= need:
                    found.add((min(tx, ty), max(tx, ty)))
        if "family" in r:  # a star: both sides stand for the family (every member similar to its representative)
            for side, units in ((sa, ua), (sb, ub)):
                members[r["family"]].update(t for x0, x1, t in units if overlap(*side, x0, x1) >= 0.5 * (x1 - x0))
    for group in members.values():
        ids = sorted(group)
        found.update((x, y) for k, x in enumerate(ids) for y in ids[k:])
    by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed: list[dict] = []
    for i, j, s, kind in o.pairs:
        units = {k for _, _, _, k in o.occurrences[i]} | {k for _, _, _, k in o.occurrences[j]}
        cls = ("contained" if kind == "contained" else "identical" if i == j else "similar") + (
            "/sentence" if "sentence" in units else "/window"
        )
        hit = (i, j) in found
        by[cls][0] += hit
        by[cls][1] += 1
        by["all"][0] += hit
        by["all"][1] += 1
        if not hit and len(missed) < 8 and kind != "contained":
            missed.append({"score": s, "kind": cls, "a": o.texts[i][:70], "b": o.texts[j][:70]})
    return {
        "oracle": o.summary(),
        "reported_pairs_with_unresolved_text": unresolved,
        "recall": {
            k: {"found": v[0], "pairs": v[1], "recall": round(v[0] / v[1], 4) if v[1] else None}
            for k, v in sorted(by.items())
        },
        "missed_examples": missed,
    }


def truth_recall(
    data: Path, pairs: Sequence[dict], texts: dict[str, str], prefix: str, min_sim: float
) -> dict[str, Any]:
    """Recall of the generator's planted copies (sources among the loaded notices), by copy kind and edit kind."""
    from rapidfuzz.distance import Indel

    import simtool

    by_pair: dict[tuple[str, str], list[tuple[tuple[int, int], tuple[int, int]]]] = defaultdict(list)
    family_sides: dict[str, list[tuple[tuple[int, int], str]]] = defaultdict(list)  # notice → (span, family)
    for r in pairs:
        sa, sb = resolve(r["a"], texts), resolve(r["b"], texts)
        if sa is None or sb is None:
            continue
        by_pair[(r["a"]["notice"], r["b"]["notice"])].append((sa, sb))
        by_pair[(r["b"]["notice"], r["a"]["notice"])].append((sb, sa))
        if "family" in r:  # a star: every member is similar to the representative, so to each other
            family_sides[r["a"]["notice"]].append((sa, r["family"]))
            family_sides[r["b"]["notice"]].append((sb, r["family"]))

    def families(notice: str, a: int, b: int) -> set[str]:
        return {f for span, f in family_sides.get(notice, []) if overlap(*span, a, b) >= 0.5 * (b - a)}

    def covered(spans: list[tuple[int, int]], a: int, b: int) -> int:
        cov, end = 0, a
        for x, y in sorted(spans):
            x, y = max(x, end), min(y, b)
            if y > x:
                cov += y - x
                end = y
        return cov

    by_copy: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # found, detectable, all
    by_edit: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    outside = 0
    missed: dict[str, list[dict]] = defaultdict(list)
    for line in open(data / "truth.jsonl", encoding="utf-8"):
        row = json.loads(line)
        if row["scope"] != "cross":
            continue
        t, s = row["target"], row["source"]
        tn, sn = prefix + t["notice"], prefix + s["notice"]
        if tn not in texts or sn not in texts:
            outside += 1  # seed sources: not in the DIR given to dupes
            continue
        copy = row.get("copy", "segment")
        tt, st = texts[tn][t["start"] : t["end"]], texts[sn][s["start"] : s["end"]]
        det = Indel.normalized_similarity(simtool.normalize(tt), simtool.normalize(st)) >= min_sim - 1e-9
        ts, ss = [], []
        for pt, ps in by_pair.get((tn, sn), []):
            if overlap(*pt, t["start"], t["end"]) and overlap(*ps, s["start"], s["end"]):
                ts.append(pt)
                ss.append(ps)
        hit = covered(ts, t["start"], t["end"]) >= 0.5 * (t["end"] - t["start"]) and covered(
            ss, s["start"], s["end"]
        ) >= 0.5 * (s["end"] - s["start"])
        if not hit and families(tn, t["start"], t["end"]) & families(sn, s["start"], s["end"]):
            hit = True
        by_copy[copy][2] += 1
        if not det:
            continue
        by_copy[copy][0] += hit
        by_copy[copy][1] += 1
        for e in row["edits"] or ["none"]:
            by_edit[e][0] += hit
            by_edit[e][1] += 1
        if not hit and len(missed[copy]) < 3:
            missed[copy].append({"edits": row["edits"], "target": tt[:80], "source": st[:80]})
    f = sum(v[0] for v in by_copy.values())
    d = sum(v[1] for v in by_copy.values())
    return {
        "rule": "found = reported pairs of the two notices cover >= 50% of T and >= 50% of S, or one family's star pairs"
        " cover >= 50% of each; over copies >= min-sim",
        "copies_with_source_outside": outside,
        "recall_detectable": round(f / d, 4) if d else None,
        "by_copy": {
            k: {"found": v[0], "detectable": v[1], "all": v[2], "recall": round(v[0] / v[1], 4) if v[1] else None}
            for k, v in sorted(by_copy.items())
        },
        "by_edit": {
            k: {"found": v[0], "detectable": v[1], "recall": round(v[0] / v[1], 4)} for k, v in sorted(by_edit.items())
        },
        "missed_examples": dict(missed),
    }


def oracle_finds_truth(o: Oracle, data: Path, prefix: str, min_sim: float, texts: dict[str, str]) -> dict[str, Any]:
    """Does the oracle itself hold the planted copies (a check of the oracle, not of the engine)?

    A planted copy T ← S (both notices in the oracle, still ≥ min-sim similar) is held when some oracle pair has
    an occurrence u in T's notice and v in S's notice with overlap(u, T) ≥ 50 % of min(|u|, |T|) and likewise for
    v and S.
    """
    from rapidfuzz.distance import Indel

    import simtool

    index = {n: i for i, n in enumerate(o.notices)}
    pair_set = {(i, j) for i, j, _, _ in o.pairs}
    by_notice: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for ti, occ in enumerate(o.occurrences):
        for ni, a, b, _ in occ:
            by_notice[ni].append((a, b, ti))

    def near(ni: int, a: int, b: int) -> list[int]:
        return [t for x, y, t in by_notice.get(ni, []) if overlap(a, b, x, y) >= 0.5 * min(y - x, b - a)]

    by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in open(data / "truth.jsonl", encoding="utf-8"):
        row = json.loads(line)
        t, s = row["target"], row["source"]
        tn, sn = index.get(prefix + t["notice"]), index.get(prefix + s["notice"])
        if tn is None or sn is None or row["scope"] != "cross":
            continue
        tt = texts[prefix + t["notice"]][t["start"] : t["end"]]
        st = texts[prefix + s["notice"]][s["start"] : s["end"]]
        if Indel.normalized_similarity(simtool.normalize(tt), simtool.normalize(st)) < min_sim - 1e-9:
            continue
        ut, us = near(tn, t["start"], t["end"]), near(sn, s["start"], s["end"])
        held = any((min(x, y), max(x, y)) in pair_set for x in ut for y in us)
        by[row.get("copy", "segment")][0] += held
        by[row.get("copy", "segment")][1] += 1
    return {
        k: {"held": v[0], "detectable": v[1], "share": round(v[0] / v[1], 4) if v[1] else None}
        for k, v in sorted(by.items())
    }


# ------------------------------------------------------------------------------------------------ main
def evaluate_generated(data: Path, oracle_notices: int, min_sim: float) -> dict[str, Any]:
    notices_dir = data / "corpus" / "notices"
    rel = os.path.relpath(notices_dir, ROOT)
    pairs, seconds, cmd = run_dupes([rel], min_sim)
    ids, raw = read_notice_files([rel])
    texts = dict(zip(ids, raw))
    TOOL_MAPS.clear()
    TOOL_MAPS.update(tool_text_maps(rel, texts))
    out: dict[str, Any] = {
        "notices_whose_tool_text_differs_from_the_file": len(TOOL_MAPS),
        "dupes_command": "simtool " + cmd,
        "dupes_seconds": round(seconds, 1),
        "reported_pairs": len(pairs),
    }
    out["precision"] = precision(pairs, min_sim)
    out["ground_truth"] = truth_recall(data, pairs, texts, os.path.relpath(data / "corpus", ROOT) + "/", min_sim)
    sub = ids[:oracle_notices]
    o = run_oracle(sub, [texts[i] for i in sub], min_sim, skip=structure_spans(rel, sub))
    keep = set(sub)
    sub_pairs = [r for r in pairs if r["a"]["notice"] in keep and r["b"]["notice"] in keep]
    out["oracle_subset_notices"] = len(sub)
    out["vs_oracle"] = oracle_recall(o, sub_pairs, texts)
    out["oracle_holds_planted_copies"] = oracle_finds_truth(
        o, data, os.path.relpath(data / "corpus", ROOT) + "/", min_sim, texts
    )
    return out


def evaluate_seeds(min_sim: float) -> dict[str, Any]:
    import simtool

    TOOL_MAPS.clear()  # the seeds' texts below are the tool's own
    pairs, seconds, cmd = run_dupes(["corpora/seeds"], min_sim)
    loaded = simtool.load(["corpora/seeds"])
    ids = [n.id for n in loaded.notices]
    texts = {n.id: n.text for n in loaded.notices}
    o = run_oracle(ids, [texts[i] for i in ids], min_sim, skip=structure_spans("corpora/seeds", ids))
    return {
        "dupes_command": "simtool " + cmd,
        "dupes_seconds": round(seconds, 1),
        "reported_pairs": len(pairs),
        "precision": precision(pairs, min_sim),
        "vs_oracle": oracle_recall(o, pairs, texts),
    }


def markdown(r: dict[str, Any]) -> str:
    p = r["provenance"]
    g = r.get("generated")
    lines = [
        f"# simtool dupes on realistic copies ({r['notices']} generated notices) and on the seeds",
        "",
        f"- command: `{p['command']}`",
        f"- date: {p['date']}; commit {p['commit']}{' (simtool/ has uncommitted changes)' if p['simtool_dirty'] else ''}",
        f"- load: `{p['uptime']}`",
        "",
        "Baseline: the engine as it was at this commit; see benchmarks/README.md for data, metric and ground truth.",
        "",
    ]
    for name, res in (("generated", g), ("seeds", r.get("seeds"))):
        if not res:
            continue
        lines += [
            f"## {name}",
            "",
            f"`{res['dupes_command']}`: {res['reported_pairs']:,} pairs in {res['dupes_seconds']} s",
            "",
        ]
        pr = res["precision"]
        lines += [
            f"Precision (recomputed ≥ min-sim − 0.01): **{pr['precision']}** ({pr['recomputed_ge_min_sim_minus_0.01']:,} of {pr['pairs']:,})",
            "",
        ]
        vo = res["vs_oracle"]
        oc = vo["oracle"]
        lines += [
            f"Recall vs the sentence oracle ({oc['notices']} notices, {oc['units']:,} units, {oc['distinct_texts']:,} distinct texts, "
            f"{oc['pairs']:,} pairs, {oc['seconds'].get('total')} s):",
            "",
            "| oracle pairs | found | pairs | recall |",
            "|---|---:|---:|---:|",
        ]
        for k, v in vo["recall"].items():
            lines.append(f"| {k} | {v['found']:,} | {v['pairs']:,} | {v['recall']} |")
        lines.append("")
        if "oracle_holds_planted_copies" in res:
            lines += [
                "The oracle's own check: planted copies (≥ min-sim) that it holds as pairs: "
                + ", ".join(
                    f"{k} {v['held']}/{v['detectable']}" for k, v in res["oracle_holds_planted_copies"].items()
                ),
                "",
            ]
        if "ground_truth" in res:
            gt = res["ground_truth"]
            lines += [
                f"Ground truth (copies still ≥ min-sim similar): recall **{gt['recall_detectable']}**",
                "",
                "| copy kind | found | detectable | all |",
                "|---|---:|---:|---:|",
            ]
            for k, v in gt["by_copy"].items():
                lines.append(f"| {k} | {v['found']:,} ({v['recall']}) | {v['detectable']:,} | {v['all']:,} |")
            lines += ["", "| edit kind | found | detectable | recall |", "|---|---:|---:|---:|"]
            for k, v in gt["by_edit"].items():
                lines.append(f"| {k} | {v['found']:,} | {v['detectable']:,} | {v['recall']} |")
            lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notices", type=int, default=200)
    ap.add_argument("--oracle-notices", type=int, default=None, help="oracle on the first K notices (default: all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--min-sim", type=float, default=0.8)
    ap.add_argument("--data", type=Path, default=None, help="default benchmarks/data/real<N>")
    ap.add_argument("--no-seeds", action="store_true")
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    args = ap.parse_args(argv)
    command = "python benchmarks/recall.py " + " ".join(argv if argv is not None else sys.argv[1:])
    data = args.data or ROOT / "benchmarks" / "data" / f"real{args.notices}"
    r: dict[str, Any] = {"provenance": provenance(command), "notices": args.notices}
    r["manifest"] = ensure_data(data, args.notices, args.seed)
    r["generated"] = evaluate_generated(data, args.oracle_notices or args.notices, args.min_sim)
    if not args.no_seeds:
        r["seeds"] = evaluate_seeds(args.min_sim)
    r["provenance"]["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    r["provenance"]["uptime_after"] = provenance("")["uptime"]
    if args.results:
        args.results.mkdir(parents=True, exist_ok=True)
        (args.results / f"recall-{args.notices}.json").write_text(json.dumps(r, ensure_ascii=False, indent=1), "utf-8")
        (args.results / f"recall-{args.notices}.md").write_text(markdown(r), "utf-8")
    print(markdown(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
