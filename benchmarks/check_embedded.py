"""``simtool check`` on new notices that embed a few sentences of ONE stored notice: copy ratio and source.

Cases (deterministic from ``--seed``): a new notice whose own text is new (``synth_text.Markov`` sentences: an
opening paragraph, sections of problems and measures, a next-steps paragraph; no formula copied from the seeds),
with 3–6 sentences (20–90 characters each) of one stored generated notice put into its own paragraphs, so that
they make 13–28 % of its characters.  The sentences are taken from the source notice's own text: not inside a span
that the generator's ground truth records as copied from, or copied to, another notice, and with at most 30 % of
their characters in 12-character runs that two stored notices share — so the source is unambiguous.  Each case
is written as .txt and as .docx (python-docx, one paragraph per line).

The store: ``simtool ingest <data>/corpus --db <tmp>/store.db`` (the generated notices and the seeds).  Per case
and format: ``simtool check FILE --db … --format jsonl``; we compare ``copy_ratio`` with the true share (embedded
characters / characters of the notice without line breaks; goal: within 0.05) and ``max_source`` (or
``sources[0].notice``) with the true source notice (goal: all).

    python benchmarks/check_embedded.py --cases 20 --data benchmarks/data/real200
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from recall import ROOT, SIMTOOL, ensure_data, provenance  # noqa: E402
from sentences import sentences  # noqa: E402


def copied_spans(data: Path) -> dict[str, list[tuple[int, int]]]:
    """Per generated notice, the spans the ground truth records as copied (as target or as source)."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for line in open(data / "truth.jsonl", encoding="utf-8"):
        r = json.loads(line)
        for side in ("target", "source"):
            s = r[side]
            spans.setdefault(s["notice"], []).append((s["start"], s["end"]))
    return spans


def pick_sentences(
    rng: random.Random, text: str, taken: list[tuple[int, int]], k: int, ok: Any = lambda s: True
) -> list[str]:
    cands = []
    for a, b, raw in sentences(text):
        body = re.sub("^[一二三四五六七八九十]{1,2}是", "", raw.strip())  # a measure's first sentence, without 一是
        if "\n" in body or not 20 <= len(body) <= 90 or body[-1] not in "。；":
            continue
        if any(x < b and a < y for x, y in taken):
            continue
        if body.startswith(("整改情况", "关于")) or body[:1].isdigit() or not ok(body):
            continue
        cands.append(body)
    return rng.sample(cands, k) if len(cands) >= k else []


def _norm(text: str) -> str:
    import simtool

    return simtool.normalize(text)


class OwnText:
    """New sentences that are not like anything in the store.  A drawn sentence is tested as written and with the
    enumerator a case may put before it (``二是``: the stored text has them too); every sentence and clause window
    of it is compared with every distinct unit of the stored notices: Indel similarity (``process.cdist``) and
    containment either way (``fuzz.partial_ratio``, against the units sharing one of its ``PROBE``-grams, which
    any window ≥ 0.8 similar to a 13-character unit does when the edits are substitutions); and its normalized
    character ``GRAM``-grams with all those of the stored notices.  A drawn sentence with any unit ≥ ``min_sim``
    similar or contained, or any ``GRAM``-gram in common, is rejected.  So the true copied share of a case is what
    was embedded: no own clause is a 13-character near-copy of stored text, which the first version of this test
    let through (own windows such as 加强诉求闭环管理的补充通知》 against a stored 二是加强诉求闭环管理的通知》)."""

    GRAM = 12
    PROBE = 4
    PREFIXES = ("", "二是")

    def __init__(self, gen: Any, files: list[Path], min_sim: float) -> None:
        from oracle import build_units, read_notice_files

        _, texts = read_notice_files([str(f) for f in files])
        self.store, _ = build_units(texts)
        self.by_probe: dict[str, list[int]] = {}
        for k, u in enumerate(self.store):
            for g in {u[i : i + self.PROBE] for i in range(len(u) - self.PROBE + 1)}:
                self.by_probe.setdefault(g, []).append(k)
        per_notice = [self._hashes(t) for t in map(_norm, texts)]
        self.grams, counts = np.unique(np.concatenate([np.unique(h) for h in per_notice]), return_counts=True)
        self.shared = self.grams[counts > 1]  # runs found in two or more stored notices
        self.gen = gen
        self.min_sim = min_sim
        self.rejected = 0
        self.pool: list[str] = []

    def _hashes(self, t: str) -> np.ndarray:
        return np.fromiter((hash(t[i : i + self.GRAM]) for i in range(len(t) - self.GRAM + 1)), np.int64)

    @staticmethod
    def _any_in(h: np.ndarray, table: np.ndarray) -> bool:
        if not len(h) or not len(table):
            return False
        pos = np.minimum(np.searchsorted(table, h), len(table) - 1)
        return bool((table[pos] == h).any())

    def shared_cover(self, sentence: str) -> float:
        """The share of ``sentence``'s normalized characters inside a 12-character run found in two stored notices."""
        t = _norm(sentence)
        h = self._hashes(t)
        if not len(h) or not len(self.shared):
            return 0.0
        pos = np.minimum(np.searchsorted(self.shared, h), len(self.shared) - 1)
        cover = np.zeros(len(t), bool)
        for i in np.flatnonzero(self.shared[pos] == h).tolist():
            cover[i : i + self.GRAM] = True
        return float(cover.mean())

    def mostly_unique(self, sentence: str) -> bool:
        """At most 30 % of the sentence in runs shared by two stored notices: its source is unambiguous (the
        Markov text of different notices shares runs of the seed sentences it was trained on)."""
        return self.shared_cover(sentence) <= 0.3

    def _refill(self, rng: random.Random) -> None:
        from rapidfuzz import process
        from rapidfuzz.distance import Indel
        from sentences import pieces

        drawn = [self.gen.measure_chain.draw(rng, self.gen.seen, 14, 80) for _ in range(60)]
        bad: set[int] = set()
        for k, d in enumerate(drawn):  # a long run in common with the store (cheap test first)
            if self._any_in(self._hashes(_norm(d)), self.grams):
                bad.add(k)
        units = [(k, p.norm) for k, d in enumerate(drawn) if k not in bad for x in self.PREFIXES for p in pieces(x + d)]
        for k, u in units:
            if k not in bad and self.contained_either_way(u):
                bad.add(k)
        units = [(k, u) for k, u in units if k not in bad]
        if units:
            res = process.cdist(
                [u for _, u in units],
                self.store,
                scorer=Indel.normalized_similarity,
                score_cutoff=self.min_sim - 1e-6,
                workers=2,
                dtype=np.float32,
            )
            bad |= {units[r][0] for r in np.flatnonzero((res >= self.min_sim - 1e-6).any(axis=1)).tolist()}
        self.rejected += len(bad)
        self.pool += [d for k, d in enumerate(drawn) if k not in bad]

    def contained_either_way(self, unit: str) -> bool:
        """Whether ``unit`` is inside a stored unit, or one inside it, at partial_ratio ≥ ``min_sim``."""
        from rapidfuzz import fuzz, process

        near = sorted(
            {k for i in range(len(unit) - self.PROBE + 1) for k in self.by_probe.get(unit[i : i + self.PROBE], ())}
        )
        if not near:
            return False
        cut = 100 * self.min_sim - 1e-6
        return (
            process.extractOne(unit, [self.store[k] for k in near], scorer=fuzz.partial_ratio, score_cutoff=cut)
            is not None
        )

    def draw(self, rng: random.Random) -> str:
        while not self.pool:
            self._refill(rng)
        return self.pool.pop()


def build_case(gen: Any, own_text: OwnText, rng: random.Random, embedded: list[str], share: float) -> tuple[str, int]:
    """A new notice (own text) with ``embedded`` in its own paragraphs; returns text and embedded chars."""
    from synth_text import _cn, mask, new_identity

    ident = new_identity(rng)
    copied = sum(len(s) for s in embedded)
    own_target = int(copied / share) - copied
    seen = gen.seen
    paragraphs: list[list[str]] = []  # each: the sentences of one own paragraph
    opening = own_text.draw(rng) + own_text.draw(rng)
    n_own = len(opening)
    while n_own < own_target or len(paragraphs) < len(embedded) + 1:
        para = [own_text.draw(rng) for _ in range(rng.randint(1, 3))]
        paragraphs.append(para)
        n_own += sum(map(len, para))
        if len(paragraphs) > 400:
            break
    slots = rng.sample(range(len(paragraphs)), len(embedded))
    for s, slot in zip(embedded, slots):
        para = paragraphs[slot]
        para.insert(rng.randint(0, len(para)), s)  # a sentence of the source among own sentences
    lines = [f"{ident.unit}关于巡察整改进展情况的通报", mask(opening, ident.masked), "一、巡察反馈问题整改情况"]
    per = max(2, len(paragraphs) // 4)
    problem = 0
    for k, para in enumerate(paragraphs):
        if k % per == 0:
            problem += 1
            heading = re.split("[，。；、]", gen.problem_chain.draw(rng, seen, 8, 30))[0][:12]  # < 13: not a unit
            lines.append(f"（{_cn(problem)}）{heading}")
        lines.append(f"{_cn(k % per + 1)}是" + "".join(mask(x, ident.masked) if x not in embedded else x for x in para))
    lines.append(ident.formal)
    lines.append(f"{ident.year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日")
    return "\n".join(lines) + "\n", copied


def write_docx(path: Path, text: str) -> None:
    import docx

    d = docx.Document()
    for line in text.rstrip("\n").split("\n"):
        d.add_paragraph(line)
    d.save(str(path))


def run_check(path: Path, db: Path) -> dict[str, Any]:
    p = subprocess.run(
        [SIMTOOL, "check", str(path), "--db", str(db), "--format", "jsonl"], cwd=ROOT, capture_output=True, text=True
    )
    recs = [json.loads(x) for x in p.stdout.splitlines() if x.strip().startswith("{")]
    if p.returncode not in (0, 1) or not recs:
        return {"error": f"exit {p.returncode}: {p.stderr.strip()[-300:]}"}
    return recs[0]


def run(
    data: Path, cases: int, seed: int, workdir: Path, formats: tuple[str, ...] = ("txt", "docx"), gen: Any = None
) -> dict[str, Any]:
    """The cases against a fresh store of ``data``; ``gen`` (a ``synth.Generator``) supplies the own text."""
    import synth

    gen = gen or synth.Generator(seed + 1000)
    notices = sorted((data / "corpus" / "notices").glob("*.txt"))
    own_text = OwnText(gen, notices + sorted((data / "corpus" / "seeds").glob("*.txt")), 0.8)
    taken = copied_spans(data)
    db = workdir / "store.db"
    for f in workdir.glob("store.db*"):
        f.unlink()
    t = time.perf_counter()
    ing = subprocess.run(
        [SIMTOOL, "ingest", str(data / "corpus"), "--db", str(db)], cwd=ROOT, capture_output=True, text=True
    )
    ingest_seconds = time.perf_counter() - t
    if ing.returncode != 0:
        raise RuntimeError(f"simtool ingest exited {ing.returncode}: {ing.stderr[-400:]}")
    rows = []
    for c in range(cases):
        rng = random.Random(f"check:{seed}:{c}")
        for _ in range(200):
            src = notices[rng.randrange(len(notices))]
            key = "notices/" + src.name
            try:
                text = src.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                text = src.read_bytes().decode("gb18030")
            k = rng.randint(3, 6)
            picked = pick_sentences(rng, text, taken.get(key, []), k, own_text.mostly_unique)
            if picked:
                break
        if not picked:
            raise RuntimeError(f"case {c}: no stored notice with {k} sentences of its own")
        want = share = rng.uniform(0.14, 0.27)
        for _ in range(8):  # the headings and the signature add own text: aim again until the share is in range
            new_text, copied = build_case(gen, own_text, rng, picked, share)
            chars = len(new_text.replace("\n", ""))
            true_share = copied / chars
            if 0.13 <= true_share <= 0.28:
                break
            share = min(0.6, share * want / true_share)
        for fmt in formats:
            path = workdir / f"case{c:02d}.{fmt}"
            if fmt == "txt":
                path.write_text(new_text, encoding="utf-8")
            else:
                write_docx(path, new_text)
            t = time.perf_counter()
            rec = run_check(path, db)
            secs = time.perf_counter() - t
            srcs = rec.get("sources") or []
            emb = [_norm(x) for x in picked]
            outside = []  # matched text that is not part of an embedded sentence: own text the engine counts
            for m in rec.get("matches") or []:
                t = _norm(m.get("text", ""))
                if t and not any(t in e or e in t for e in emb):
                    outside.append((t, str(m.get("source", "")).split("/")[-1], m.get("source_text", "")[:40]))
            named = rec.get("max_source") or (srcs[0]["notice"] if srcs else None)

            def same(n: Any, key: str = key) -> bool:
                return isinstance(n, str) and n.replace("\\", "/").endswith(key)

            rows.append(
                {
                    "case": c,
                    "format": fmt,
                    "true_source": key,
                    "sentences": len(picked),
                    "chars": chars,
                    "tool_chars": rec.get("chars"),
                    "embedded_chars": copied,
                    "true_share": round(true_share, 4),
                    "copy_ratio": rec.get("copy_ratio"),
                    "copy_ratio_substantive": rec.get("copy_ratio_substantive"),
                    "max_source_ratio": rec.get("max_source_ratio"),
                    "named_source": _repo_relative(named),
                    "source_correct": same(named),
                    "true_source_rank": next((i + 1 for i, s in enumerate(srcs) if same(s.get("notice"))), None),
                    "within_0.05": rec.get("copy_ratio") is not None and abs(rec["copy_ratio"] - true_share) <= 0.05,
                    "seconds": round(secs, 2),
                    "matched_outside_embedded": len({o[0] for o in outside}),
                    "matched_outside_examples": sorted(set(outside))[:4],
                    **({"error": rec["error"]} if "error" in rec else {}),
                }
            )
    n = len(rows)
    return {
        "store": {
            "ingest": f"simtool ingest {_repo_relative(str(data / 'corpus'))} --db <tmp>/store.db",
            "seconds": round(ingest_seconds, 1),
        },
        "cases": cases,
        "own_sentences_rejected_as_similar_to_the_store": own_text.rejected,
        "checks": n,
        "within_0.05": sum(r["within_0.05"] for r in rows),
        "source_correct": sum(r["source_correct"] for r in rows),
        "mean_abs_error": round(sum(abs((r["copy_ratio"] or 0) - r["true_share"]) for r in rows) / n, 4) if n else None,
        "rows": rows,
    }


def markdown(r: dict[str, Any]) -> str:
    p = r["provenance"]
    lines = [
        f"# simtool check on new notices embedding sentences of one stored notice ({r['cases']} cases × txt/docx)",
        "",
        f"- command: `{p['command']}`",
        f"- date: {p['date']}; commit {p['commit']}{' (simtool/ has uncommitted changes)' if p['simtool_dirty'] else ''}",
        f"- load: `{p['uptime']}`",
        f"- store: `{r['store']['ingest']}` ({r['store']['seconds']} s)",
        "",
        f"copy_ratio within 0.05 of the true share: **{r['within_0.05']} / {r['checks']}**; "
        f"true source named (max_source / sources[0]): **{r['source_correct']} / {r['checks']}**; "
        f"mean |copy_ratio − true share| = {r['mean_abs_error']}",
        "",
        "Baseline: the engine as it was at this commit.",
        "",
        "| case | fmt | sentences | true share | copy_ratio | substantive | max_source_ratio | named source | right? | rank of true |",
        "|---:|---|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for x in r["rows"]:
        named = (x["named_source"] or "—").replace("\\", "/").split("/")[-1]
        lines.append(
            f"| {x['case']} | {x['format']} | {x['sentences']} | {x['true_share']:.3f} | {x['copy_ratio']} | "
            f"{x['copy_ratio_substantive']} | {x['max_source_ratio']} | {named} | {'yes' if x['source_correct'] else 'no'} | "
            f"{x['true_source_rank'] or '—'} |" + (f" {x['error']}" if x.get("error") else "")
        )
    return "\n".join(lines) + "\n"


def _repo_relative(path: str | None) -> str | None:
    """A path as committed results show it: relative to the repository (no machine's folders)."""
    if path is None:
        return None
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=20)
    ap.add_argument("--notices", type=int, default=200, help="generated corpus size (made when missing)")
    ap.add_argument("--data", type=Path, default=None, help="default benchmarks/data/real<N>")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--formats", default="txt,docx")
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    args = ap.parse_args(argv)
    command = "python benchmarks/check_embedded.py " + " ".join(argv if argv is not None else sys.argv[1:])
    data = args.data or ROOT / "benchmarks" / "data" / f"real{args.notices}"
    prov = provenance(command)
    ensure_data(data, args.notices, args.seed)
    with tempfile.TemporaryDirectory(prefix="check_embedded_") as tmp:
        r = run(data, args.cases, args.seed, Path(tmp), tuple(args.formats.split(",")))
    r["provenance"] = prov
    r["provenance"]["uptime_after"] = provenance("")["uptime"]
    if args.results:
        args.results.mkdir(parents=True, exist_ok=True)
        (args.results / "check-embedded.json").write_text(json.dumps(r, ensure_ascii=False, indent=1), "utf-8")
        (args.results / "check-embedded.md").write_text(markdown(r), "utf-8")
    print(markdown(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
