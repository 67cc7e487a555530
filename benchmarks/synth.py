"""Synthetic rectification notices with known copying, for benchmarks.

Generates N notices (巡察整改进展情况的通报) from the seed corpus (``corpora/seeds``, 18 notices) and writes them
as .txt files (UTF-8; about 5 % GBK) together with the ground truth of every copied segment.

How a notice is made (every random choice comes from ``random.Random(f"{seed}:{i}")`` for notice i, so the first
1,000 notices of a 10,000-notice run are exactly the 1,000-notice run):

* identity: a new unit (``青禾县统计局D组`` / ``中共青禾县统计局党组``), an inspector (``市委第三巡察组``) and dates;
  half the notices use the compilation's masking (D for 党, AAA for 微信, 扫H除E), half write them in clear;
* title ``{unit}关于巡察整改进展情况的通报``; an opening paragraph copied from one of the 18 seed openings with
  unit, inspector and dates replaced;
* 一、 an organisation section (2–5 paragraphs), 二、 the problem section (3–6 aspects, 37–45 problems, each with
  2–5 measures, in one of three layouts seen in the seeds), 三、 next steps (2–3 paragraphs);
* the closing formula (a seed closing, sometimes edited), the signature unit and the date.

That is ``--length full`` (the default, ~13,000 characters a notice).  ``--length short`` (``SHAPES``) scales the
structure to ~4,000 characters: 1–3 organisation paragraphs, 2–4 aspects, 11–15 problems with 2–4 measures, 1–2
next steps, the generic measure under 2–3 problems; every copying mechanism and the ground truth stay the same, and
``manifest.json`` records ``"length": "short"`` (full output is unchanged, byte for byte).

Text that is not copied is new: sentences drawn from word-level (jieba) Markov chains trained on the seed
problems (order 1, also on the clauses of the seed measures), measures and framing paragraphs (order 2), rejected when more than 55 % of a sentence comes verbatim from one seed
sentence or when it was drawn before, so new text does not accidentally duplicate the seeds or other notices.

Copying (the ground truth):

* 35 % of notices have a source notice (an earlier generated notice, or with probability 0.15 a seed notice) and
  copy 20–90 % of their problems from it, each copied problem with its measures (each measure kept with
  probability 0.9) and, with probability 0.5 each, the source's organisation paragraphs;
* any other measure is a copy of a random seed measure with probability 0.05, a problem of a seed problem with
  probability 0.03, a framing paragraph of a seed framing paragraph with probability 0.25;
* the opening paragraph and the closing formula always come from a seed;
* 10 % of notices reuse one generic measure under 3–5 of their own problems (scope "within", 千篇一律).

Every copy gets the edits real copying shows, recorded by kind: ``unit_name``, ``date``, ``inspector``, ``numbers``,
``insert_words``, ``drop_words``, ``reorder_clauses``, ``renumber`` (另一个“一是/1.”), ``mask_party`` (D↔党),
``wechat`` (AAA↔微信), ``width`` (full/half-width punctuation and digits), ``line_break`` (a hard line break inside
a sentence).  Some of them (mask_party, wechat, width, line_break) are undone by normalization; the others change
the matching text, so some copies fall below any similarity threshold — the benchmark counts recall over the copies
whose normalized similarity is at least min-sim.

``--realistic`` (``synth_copy.py``) adds copies below the segment, the way people really copy: one sentence of an
earlier notice inside an own measure (``sentence_into_measure``), a clause of one inside an own sentence
(``clause_in_sentence``), such copies ``spaced`` (字 间 空 格) or hard-wrapped (``line_break``), and 15 % of the notice
files hard-wrapped at one width with page footers ``- N -`` (every span remapped).  Their choices come from
``random.Random(f"{seed}:{i}:plant")``, so without the flag the output is the same, byte for byte; with it
``truth.jsonl`` rows carry ``copy`` (``segment`` or the planted kind) and the source span in the source's final text.

Output folder::

    corpus/seeds/*.txt           the seed files, byte for byte (sources of seed copies)
    corpus/notices/nNNNNNN.txt   the generated notices
    truth.jsonl                  one line per copied segment: target ← source, edits, scope, origin
    segments.jsonl               one line per generated notice: its segments (kind, start, end, origin), encoding
    manifest.json                parameters and counts

Offsets are character offsets into the notice's text as simtool reads it (the whole file for a generated notice;
the notice's own text for a seed notice, ``seeds/<file>#k``).

    python benchmarks/synth.py --notices 1000 --out benchmarks/data/n1000 --seed 1
    python benchmarks/synth.py --notices 1000 --out benchmarks/data/short1000 --length short
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth_copy import Lendable, Plant, plant, remap, wrap_notice  # noqa: E402
from synth_text import (  # noqa: E402
    _DATE,
    _INSPECTOR,
    Editor,
    Identity,
    Markov,
    _cn,
    _new_date,
    mask,
    new_identity,
    seed_grams,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpora" / "seeds"
GENERATOR_VERSION = 2
REALISTIC_VERSION = 1  # the copies of synth_copy.py (--realistic); the plain output is unchanged by them


@dataclass(frozen=True, slots=True)
class Shape:
    """The size of a notice: inclusive (lo, hi) ranges of its parts, drawn with ``rng.randint``."""

    problems: tuple[int, int]
    measures: tuple[int, int]  # per own problem; hi also caps copied problems and the generic measure
    aspects: tuple[int, int]
    framings: tuple[int, int]  # organisation paragraphs (一、); hi also caps those copied from the source
    tail: tuple[int, int]  # next-step paragraphs (三、)
    generic: tuple[int, int]  # problems that reuse the generic measure (千篇一律)


# full: the notices of generator version 2 (~13,000 characters); short: ~4,000 characters, the same mechanisms
SHAPES = {
    "full": Shape(problems=(37, 45), measures=(2, 5), aspects=(3, 6), framings=(2, 5), tail=(2, 3), generic=(3, 5)),
    "short": Shape(problems=(11, 15), measures=(2, 4), aspects=(2, 4), framings=(1, 3), tail=(1, 2), generic=(2, 3)),
}

# ------------------------------------------------------------------------------------------------ seed pools
_ENUM = re.compile(r"^[一二三四五六七八九十]{1,2}是[，,：:]?")
_NUMBERED = re.compile(r"^(?:[（(]\s*[0-9一二三四五六七八九十]{1,3}\s*[)）]|[0-9]{1,3}\s*[.．、])")
_L1 = re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、.．]")
_ABOUT = re.compile(r"^关于“(.+?)”(?:的)?问题(?:的整改)?[。：]?$")
_ABOUT_PLAIN = re.compile(r"^关于(.+?)(?:的)?问题(?:的整改)?[。：]?$")


@dataclass(frozen=True, slots=True)
class SeedSegment:
    """One segment of a seed notice: ``id`` is ``seed:<file>#<k>:<segment index>``."""

    id: str
    notice: str  # "seeds/<file>#k" or "seeds/<file>"
    kind: str
    start: int
    end: int
    text: str
    body: str  # text without its ordinal / numbering
    masked: bool
    problem: int | None
    depth: int  # number of headings above the segment


@dataclass(slots=True)
class Pools:
    openings: list[SeedSegment] = field(default_factory=list)
    framings: list[SeedSegment] = field(default_factory=list)
    problems: list[SeedSegment] = field(default_factory=list)
    measures: list[SeedSegment] = field(default_factory=list)
    closings: list[SeedSegment] = field(default_factory=list)
    aspects: list[SeedSegment] = field(default_factory=list)
    section_heads: list[tuple[str, str, str]] = field(default_factory=list)
    blocks: dict[str, list[tuple[SeedSegment, list[SeedSegment]]]] = field(default_factory=dict)
    notice_framings: dict[str, list[SeedSegment]] = field(default_factory=dict)


def strip_ordinal(kind: str, text: str) -> str:
    """The body of a segment: its text without ``一是``/``1.``/``（1）``/``关于“……”的问题`` wrappers."""
    t = text.strip()
    if kind in ("measure", "framing"):
        return _ENUM.sub("", _NUMBERED.sub("", t).strip())
    if kind == "problem":
        t = _ENUM.sub("", _NUMBERED.sub("", t).strip())
        m = _ABOUT.match(t) or _ABOUT_PLAIN.match(t)
        if m:
            t = m.group(1).rstrip("。")
        return t
    if kind == "heading":
        return _L1.sub("", _NUMBERED.sub("", t).strip()).strip()
    return t


def seed_notice_key(notice_id: str) -> str:
    """``corpora/seeds/000_x.txt#3`` → ``seeds/000_x.txt#3``."""
    return "seeds/" + notice_id.replace("\\", "/").rsplit("/", 1)[-1]


def load_pools() -> Pools:
    import simtool

    loaded = simtool.load([str(SEEDS)])
    pools = Pools()
    for n in loaded.notices:
        key = seed_notice_key(n.id)
        masked = "D" in n.text and "党" not in n.text
        segs = [
            SeedSegment(
                f"seed:{key}:{k}",
                key,
                s.kind,
                s.start,
                s.end,
                s.text,
                strip_ordinal(s.kind, s.text),
                masked,
                s.problem,
                len(s.heading),
            )
            for k, s in enumerate(n.segments)
        ]
        framing = [s for s in segs if s.kind == "framing"]
        if framing:
            pools.openings.append(framing[0])
        first_problem = next((s.start for s in segs if s.kind == "problem"), n.chars)
        own = [s for s in framing[1:] if len(s.body) >= 30 and "巡" not in s.body[:20] or s.start > first_problem]
        own = [s for s in own if len(s.body) >= 30]
        pools.framings += own
        pools.notice_framings[key] = [s for s in own if s.start < first_problem]
        pools.closings += [s for s in segs if s.kind == "closing"]
        pools.problems += [s for s in segs if s.kind == "problem" and 6 <= len(s.body) <= 80]
        pools.measures += [s for s in segs if s.kind == "measure" and len(s.body) >= 10]
        pools.aspects += [s for s in segs if s.kind == "heading" and s.depth and 6 <= len(s.body) <= 40]
        blocks = []
        for p in (s for s in segs if s.kind == "problem" and 6 <= len(s.body) <= 80):
            ms = [s for s in segs if s.kind == "measure" and s.problem == p.problem and len(s.body) >= 10]
            if ms:
                blocks.append((p, ms))
        pools.blocks[key] = blocks
        tops = [s for s in segs if s.kind == "heading" and not s.depth]
        if len(tops) == 3:
            after = [next((x for x in segs if x.start > t.end), None) for t in tops]
            if (
                after[0] is not None
                and after[0].kind == "framing"
                and after[2] is not None
                and after[2].kind == "framing"
            ):
                pools.section_heads.append(tuple(strip_ordinal("heading", t.text) for t in tops))
    pools.blocks = {k: v for k, v in pools.blocks.items() if v}
    return pools


# ------------------------------------------------------------------------------------------------ notices
@dataclass(slots=True)
class Seg:
    """A generated segment under construction: body text, its origin and, when copied, its source."""

    kind: str
    body: str
    origin: str
    source: dict | None = None
    edits: tuple[str, ...] = ()
    scope: str = "cross"
    start: int = -1
    end: int = -1
    text: str = ""  # the segment's full text (ordinal included) once placed
    plantable: bool = False  # an own new measure: --realistic may plant a sentence or clause of another notice in it


@dataclass(slots=True)
class GenNotice:
    key: str  # "notices/n000001.txt"
    ident: Identity
    framings: list[Seg]
    blocks: list[tuple[Seg, list[Seg]]]
    text: str = ""
    segments: list[Seg] = field(default_factory=list)
    plants: list[Plant] = field(default_factory=list)  # --realistic: sentence/clause copies inside own measures
    lendable: list[Lendable] = field(default_factory=list)  # sentences later notices may plant
    wrap: list[str] = field(default_factory=list)  # --realistic: ["line_break", "page_footer"] when hard-wrapped


class Generator:
    def __init__(self, seed: int, realistic: bool = False, length: str = "full", fresh: bool = False) -> None:
        self.seed = seed
        self.realistic = realistic
        self.length = length
        self.fresh = fresh
        self.shape = SHAPES[length]
        self.pools = load_pools()
        p = self.pools
        # --fresh: new text shares no 13-character run with the seeds, so the only copies are the planted ones
        grams = seed_grams([f.read_text("utf-8") for f in sorted(SEEDS.glob("*.txt"))]) if fresh else frozenset()
        clauses = [c for s in p.problems + p.measures for c in re.split(r"[，,；;。]", s.body) if 6 <= len(c) <= 40]
        problem_texts = [s.body for s in p.problems] + [s.body for s in p.aspects] + clauses
        self.problem_chain = Markov(problem_texts, order=1, forbidden=grams)
        self.measure_chain = Markov([s.body for s in p.measures], forbidden=grams)
        self.framing_chain = Markov([s.body for s in p.framings], forbidden=grams)
        self.seen: set[str] = set()
        self.notices: list[GenNotice] = []

    # -- copies ------------------------------------------------------------------------------------
    def _copy(
        self,
        ed: Editor,
        kind: str,
        body: str,
        source: dict,
        origin: str,
        source_masked: bool,
        strength: int | None = None,
        extra: Sequence[str] = (),
    ) -> Seg:
        kinds: list[str] = list(extra)
        if strength is None:
            strength = ed.rng.choice((0, 0, 1, 1, 1, 2, 2, 3))
        body = ed.content(body, kinds, strength)
        body = ed.style(body, source_masked, kinds)
        return Seg(kind, body, origin, source, tuple(dict.fromkeys(kinds)))

    def _seed_copy(
        self,
        ed: Editor,
        s: SeedSegment,
        kind: str | None = None,
        strength: int | None = None,
        extra: Sequence[str] = (),
    ) -> Seg:
        src = {"notice": s.notice, "seed_segment": s.id, "start": s.start, "end": s.end, "text": s.text}
        return self._copy(ed, kind or s.kind, s.body, src, s.id, s.masked, strength, extra)

    def _gen_copy(self, ed: Editor, src_notice: GenNotice, s: Seg) -> Seg:
        src = {"notice": src_notice.key, "seed_segment": None, "start": s.start, "end": s.end, "text": s.text}
        return self._copy(ed, s.kind, s.body, src, s.origin, src_notice.ident.masked)

    def _new(self, ed: Editor, kind: str, chain: Markov, origin: str, lo: int, hi: int) -> Seg:
        body = chain.draw(ed.rng, self.seen, lo, hi)
        return Seg(kind, ed.style(body, True, []), origin)

    # -- one notice ------------------------------------------------------------------------------------
    def notice(self, i: int) -> GenNotice:
        rng = random.Random(f"{self.seed}:{i}")
        p = self.pools
        shape = self.shape
        ident = new_identity(rng)
        ed = Editor(rng, ident)
        key = f"notices/n{i:06d}.txt"
        counter = iter(range(10**6))

        def origin() -> str:
            return f"{key}:{next(counter)}"

        n_problems = rng.randint(*shape.problems)
        source: GenNotice | str | None = None
        if rng.random() < 0.35:
            if self.notices and rng.random() >= 0.15:
                source = self.notices[rng.randrange(len(self.notices))]
            else:
                source = rng.choice(sorted(p.blocks))
        blocks: list[tuple[Seg, list[Seg]]] = []
        copied: list[tuple[Seg, list[Seg]]] = []
        if source is not None:
            src_blocks = source.blocks if isinstance(source, GenNotice) else p.blocks[source]
            want = max(1, round(rng.uniform(0.2, 0.9) * n_problems))
            first = rng.randrange(max(1, len(src_blocks) - want + 1))
            for prob, measures in src_blocks[first : first + want]:
                if isinstance(source, GenNotice):
                    new_p = self._gen_copy(ed, source, prob)
                    new_m = [self._gen_copy(ed, source, m) for m in measures if rng.random() < 0.9]
                else:
                    new_p = self._seed_copy(ed, prob)
                    new_m = [self._seed_copy(ed, m) for m in measures if rng.random() < 0.9]
                if not new_m or rng.random() < 0.2:
                    new_m.append(self._new(ed, "measure", self.measure_chain, origin(), 14, 150))
                copied.append((new_p, new_m[: shape.measures[1]]))
        at = rng.randint(0, max(0, n_problems - len(copied)))
        generic: Seg | None = None
        if rng.random() < 0.1:
            generic = self._new(ed, "measure", self.measure_chain, origin(), 20, 90)
            generic_slots = set(rng.sample(range(n_problems), k=rng.randint(*shape.generic)))
        else:
            generic_slots = set()
        for k in range(n_problems - len(copied)):
            if k == at:
                blocks += copied
            if rng.random() < 0.03:
                prob = self._seed_copy(ed, rng.choice(p.problems))
            else:
                prob = self._new(ed, "problem", self.problem_chain, origin(), 8, 40)
            measures = []
            for _ in range(rng.randint(*shape.measures)):
                if rng.random() < 0.05:
                    measures.append(self._seed_copy(ed, rng.choice(p.measures), "measure"))
                else:
                    measures.append(self._new(ed, "measure", self.measure_chain, origin(), 14, 150))
                    measures[-1].plantable = True
            blocks.append((prob, measures))
        if at >= n_problems - len(copied):
            blocks += copied
        if generic is not None:
            for slot in sorted(generic_slots):
                if slot < len(blocks) and len(blocks[slot][1]) < shape.measures[1]:
                    first_use = generic.start < 0 and not any(generic is m for _, ms in blocks for m in ms)
                    if first_use:
                        blocks[slot][1].append(generic)
                    else:
                        blocks[slot][1].append(
                            Seg("measure", generic.body, generic.origin, {"within": generic}, ("verbatim",), "within")
                        )
        framings: list[Seg] = []
        src_framings: list[tuple[Seg | SeedSegment, GenNotice | None]] = []
        if isinstance(source, GenNotice):
            src_framings = [(s, source) for s in source.framings if rng.random() < 0.5]
        elif isinstance(source, str):
            src_framings = [(s, None) for s in p.notice_framings.get(source, []) if rng.random() < 0.5]
        for s, owner in src_framings[: shape.framings[1]]:
            framings.append(self._gen_copy(ed, owner, s) if owner is not None else self._seed_copy(ed, s))
        while len(framings) < rng.randint(*shape.framings):
            framings.append(
                self._seed_copy(ed, rng.choice(p.framings))
                if rng.random() < 0.25
                else self._new(ed, "framing", self.framing_chain, origin(), 40, 150)
            )
        tail = [
            self._seed_copy(ed, rng.choice(p.framings))
            if rng.random() < 0.25
            else self._new(ed, "framing", self.framing_chain, origin(), 40, 150)
            for _ in range(rng.randint(*shape.tail))
        ]
        g = GenNotice(key, ident, framings, blocks)
        prng = random.Random(f"{self.seed}:{i}:plant") if self.realistic else None
        self._assemble(g, rng, ed, tail, origin, prng)
        if prng is not None:
            self._finish_realistic(g, prng)
        self.notices.append(g)
        return g

    # -- --realistic: copies below the segment (synth_copy.py) ----------------------------------------------
    def _plant(self, prng: random.Random, g: GenNotice, m: Seg) -> list[Plant]:
        """Maybe plant a sentence (p 0.05) or a clause (p 0.03) of an earlier notice into own measure ``m``."""
        r = prng.random()
        kind = "sentence_into_measure" if r < 0.05 else "clause_in_sentence" if r < 0.08 else None
        donors = self._donors
        if kind is None or not donors:
            return []
        donor = donors[prng.randrange(len(donors))]
        res = plant(
            prng,
            m.body,
            kind,
            donor.lendable,
            Editor(prng, g.ident),
            g.ident.masked,
            lambda: mask(self.measure_chain.draw(prng, self.seen, 14, 60), g.ident.masked),
        )
        if res is None:
            return []
        m.body, pl = res
        return [pl]

    @property
    def _donors(self) -> list[GenNotice]:
        return [n for n in self.notices[-200:] if n.lendable]

    def _finish_realistic(self, g: GenNotice, prng: random.Random) -> None:
        """Hard-wrap 15 % of the notices (remapping every span), then keep up to 30 own sentences to lend."""
        own: list[tuple[int, str]] = []
        taken = [(pl.start, pl.end) for pl in g.plants]
        for s in g.segments:
            if not s.plantable:
                continue
            for mt in re.finditer(r"[^。；！？]+[。；！？]", g.text[s.start : s.end]):
                a, b = s.start + mt.start(), s.start + mt.end()
                t = mt.group()
                if mt.start() == 0:  # skip the ordinal 一是
                    t2 = _ENUM.sub("", t)
                    a, t = a + len(t) - len(t2), t2
                if 13 <= len(t) <= 80 and "\n" not in t and not any(x < b and a < y for x, y in taken):
                    own.append((a, t))
        pos_map = None
        if prng.random() < 0.15:
            text, pm, kinds = wrap_notice(g.text, prng)
            pos_map = np.asarray(pm, np.int32)
            for s in g.segments:
                s.start, s.end = remap(pos_map, s.start, s.end)
                s.text = text[s.start : s.end]
            for pl in g.plants:
                pl.start, pl.end = remap(pos_map, pl.start, pl.end)
            g.text, g.wrap = text, kinds
        if len(own) > 30:
            own = prng.sample(own, 30)
        for a, t in own:
            lend = Lendable(g.key, a, t, g.ident.masked, "", pos_map)
            fa, fb = lend.span(0, len(t))
            g.lendable.append(Lendable(g.key, a, t, g.ident.masked, g.text[fa:fb], pos_map))

    def _assemble(
        self, g: GenNotice, rng: random.Random, ed: Editor, tail: list[Seg], origin, prng: random.Random | None = None
    ) -> None:
        p = self.pools
        ident = g.ident
        parts: list[str] = []
        pos = 0

        def put(text: str, seg: Seg | None = None) -> None:
            nonlocal pos
            if seg is not None:
                seg.start, seg.end, seg.text = pos, pos + len(text), text
                g.segments.append(seg)
            parts.append(text)
            pos += len(text)

        title = f"{ident.unit}关于{'巡视' if '巡视' in ident.inspector else '巡察'}整改进展情况的通报"
        put(title + "\n")
        opening = rng.choice(p.openings)
        op = self._seed_copy(ed, opening, "framing", strength=0, extra=())
        body = op.body
        kinds = list(op.edits)
        body, n = _INSPECTOR.subn(mask(ident.inspector, ident.masked), body)
        if n:
            kinds.append("inspector")
        body, n = re.subn(r"对(.{2,24}?)(进行了|开展了)", lambda m: f"对{ident.unit}{m.group(2)}", body, count=1)
        body, n2 = re.subn(r"向(.{2,24}?)反馈", lambda m: f"向{ident.unit}反馈", body, count=1)
        if n or n2:
            kinds.append("unit_name")
        if "date" not in kinds and _DATE.search(body):
            body = _DATE.sub(lambda m: _new_date(rng, ident.year, m), body)
            kinds.append("date")
        op.body, op.edits = body, tuple(dict.fromkeys(kinds))
        put(op.body, op)
        put("\n")
        heads = rng.choice(p.section_heads)
        put(f"一、{mask(heads[0], ident.masked)}", Seg("heading", heads[0], f"heading:{heads[0]}"))
        put("\n")
        for k, s in enumerate(g.framings, start=1):
            s.body = _ENUM.sub("", s.body)
            text = f"{_cn(k)}是{s.body}" if rng.random() < 0.8 else s.body
            if s.source is not None and text != s.body and "renumber" not in s.edits:
                s.edits = (*s.edits, "renumber")
            put(text, s)
            put("\n")
        put(f"二、{mask(heads[1], ident.masked)}", Seg("heading", heads[1], f"heading:{heads[1]}"))
        put("\n")
        layout = rng.choice(("inline", "lines", "about"))
        n_aspects = rng.randint(*self.shape.aspects)
        per = max(1, len(g.blocks) // n_aspects)
        number = 0
        for k, (prob, measures) in enumerate(g.blocks):
            if k % per == 0 and k // per < n_aspects:
                if rng.random() < 0.1:
                    aspect = self._seed_copy(ed, rng.choice(p.aspects), "heading")
                else:
                    aspect = self._new(ed, "heading", self.problem_chain, origin(), 8, 60)
                    aspect.body = re.split(r"[，,；;。]", aspect.body)[0][:24]
                aspect.body = aspect.body.rstrip("。；，")
                put(f"（{_cn(k // per + 1)}）")
                put(aspect.body, aspect)
                put("\n")
            number += 1
            statement = prob.body.rstrip("。；")
            if layout == "inline":
                put(f"{number}.{statement}", prob)
                put("\n整改情况：")
            elif layout == "lines":
                put(f"（{number}）关于“{statement}”的问题", prob)
                put("\n")
            else:
                put(f"{number}.关于“{statement}”问题的整改。", prob)
                put("\n")
            for j, m in enumerate(measures, start=1):
                if m.scope == "within" and m.source is not None and "within" in m.source:
                    first = m.source["within"]
                    m.source = {
                        "notice": g.key,
                        "seed_segment": None,
                        "start": first.start,
                        "end": first.end,
                        "text": first.text,
                    }
                m.body = _ENUM.sub("", m.body)
                if m.source is not None and m.scope == "cross" and "renumber" not in m.edits:
                    if not m.source["text"].startswith(f"{_cn(j)}是"):
                        m.edits = (*m.edits, "renumber")
                plants = self._plant(prng, g, m) if prng is not None and m.plantable else []
                put(f"{_cn(j)}是{m.body}", m)
                for pl in plants:
                    pl.start = m.start + len(f"{_cn(j)}是") + pl.offset
                    pl.end = pl.start + pl.length
                    g.plants.append(pl)
                if layout != "inline":
                    put("\n")
            if layout == "inline":
                put("\n")
        put(f"三、{mask(heads[2], ident.masked)}", Seg("heading", heads[2], f"heading:{heads[2]}"))
        put("\n")
        for k, s in enumerate(tail, start=1):
            s.body = _ENUM.sub("", s.body)
            put(f"{_cn(k)}是{s.body}", s)
            put("\n")
        closing = rng.choice(p.closings)
        cl = self._seed_copy(ed, closing, "closing", strength=rng.choice((0, 0, 0, 1)))
        put(cl.body.replace("\n", ""), cl)
        put("\n")
        put(ident.formal + "\n")
        put(f"{ident.year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日\n")
        g.text = "".join(parts)


# ------------------------------------------------------------------------------------------------ output
def _truth_edits(edits: Sequence[str], target_text: str, source_text: str, wrapped: bool) -> list[str]:
    """A copy's edit kinds plus what hard wrapping did to its two spans (``--realistic``)."""
    out = list(edits)
    if wrapped and "\n" in target_text:
        out.append("line_break")
        if re.search(r"(?m)^- \d+ -$", target_text):
            out.append("page_footer")
    if "\n" in source_text:
        out.append("source_line_break")
    return list(dict.fromkeys(out))


def generate(
    notices: int,
    out: Path,
    seed: int,
    *,
    quiet: bool = False,
    realistic: bool = False,
    length: str = "full",
    generator: Generator | None = None,
) -> dict:
    """Write ``notices`` generated notices, the seeds, truth.jsonl, segments.jsonl and manifest.json to ``out``.

    ``realistic`` adds the copies below the segment (``synth_copy.py``: sentence_into_measure, clause_in_sentence,
    spaced, line_break, whole notices hard-wrapped with page footers); without it the output is the plain
    generator's, byte for byte.  Truth rows then carry ``copy``: ``segment`` or the kind of the planted copy.
    ``length`` (``SHAPES``): ``full`` (~13,000 characters a notice) or ``short`` (~4,000); a given ``generator``'s
    own length wins.  The manifest records ``length`` unless it is ``full`` (so full output stays unchanged).
    """
    t0 = time.perf_counter()
    gen = (
        generator if generator is not None else Generator(seed, realistic, length)
    )  # a fresh one: a given one saves its set-up
    length = gen.length
    corpus = out / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    (corpus / "notices").mkdir(parents=True)
    (corpus / "seeds").mkdir(parents=True)
    for f in sorted(SEEDS.glob("*.txt")):
        shutil.copyfile(f, corpus / "seeds" / f.name)
    edits = collections.Counter()
    kinds = collections.Counter()
    encodings = collections.Counter()
    truth_rows = 0
    chars = 0
    with (
        open(out / "truth.jsonl", "w", encoding="utf-8") as truth,
        open(out / "segments.jsonl", "w", encoding="utf-8") as segs,
    ):
        for i in range(notices):
            g = gen.notice(i)
            enc_rng = random.Random(f"{seed}:{i}:encoding")
            encoding = "gbk" if enc_rng.random() < 0.05 else "utf-8"
            try:
                data = g.text.encode(encoding)
            except UnicodeEncodeError:
                encoding, data = "utf-8", g.text.encode("utf-8")
            (corpus / g.key).write_bytes(data)
            encodings[encoding] += 1
            chars += len(g.text)
            rows = []
            for s in g.segments:
                assert g.text[s.start : s.end] == s.text, (g.key, s.kind)
                rows.append([s.kind, s.start, s.end, s.origin])
                kinds[s.kind] += 1
                if s.source is not None:
                    src = dict(s.source)
                    row = {
                        "target": {"notice": g.key, "start": s.start, "end": s.end, "kind": s.kind},
                        "source": src,
                        "edits": list(s.edits),
                        "scope": s.scope,
                        "origin": s.origin,
                    }
                    if realistic:
                        row["copy"] = "segment"
                        row["edits"] = _truth_edits(s.edits, s.text, src.get("text", ""), bool(g.wrap))
                    truth.write(json.dumps(row, ensure_ascii=False) + "\n")
                    truth_rows += 1
                    edits.update(row["edits"] or ("none",))
            for k, pl in enumerate(g.plants):
                assert (
                    g.text[pl.start : pl.end].replace("\n", "").replace(" ", "") == "".join(pl.text.split()) or g.wrap
                ), (g.key, pl)
                row = {
                    "copy": pl.copy,
                    "target": {
                        "notice": g.key,
                        "start": pl.start,
                        "end": pl.end,
                        "kind": "sentence" if pl.copy == "sentence_into_measure" else "clause",
                        "text": g.text[pl.start : pl.end],
                    },
                    "source": {
                        "notice": pl.source.notice,
                        "seed_segment": None,
                        "start": pl.src_start,
                        "end": pl.src_end,
                        "text": pl.src_text,
                    },
                    "edits": _truth_edits([pl.copy, *pl.edits], g.text[pl.start : pl.end], pl.src_text, bool(g.wrap)),
                    "scope": "cross",
                    "origin": f"plant:{g.key}:{k}",
                }
                truth.write(json.dumps(row, ensure_ascii=False) + "\n")
                truth_rows += 1
                edits.update(row["edits"])
                kinds[pl.copy] += 1
            segs.write(json.dumps({"notice": g.key, "encoding": encoding, "segments": rows}, ensure_ascii=False) + "\n")
            g.text, g.segments, g.plants = "", [], []  # keep only what later notices may copy (framings, blocks)
            if not quiet and (i + 1) % 1000 == 0:
                print(f"  {i + 1:,} notices, {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    manifest = {
        "generator_version": GENERATOR_VERSION,
        **({"realistic": REALISTIC_VERSION} if realistic else {}),
        **({"length": length} if length != "full" else {}),
        **({"fresh": True} if gen.fresh else {}),
        "notices": notices,
        "seed": seed,
        "seed_files": sorted(f.name for f in SEEDS.glob("*.txt")),
        "chars": chars,
        "segments": dict(kinds),
        "copied_segments": truth_rows,
        "edits": dict(edits),
        "encodings": dict(encodings),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notices", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--realistic",
        action="store_true",
        help="also plant sentences/clauses of other notices, spaced and hard-wrapped copies, wrapped notices",
    )
    ap.add_argument(
        "--length",
        choices=sorted(SHAPES),
        default="full",
        help="full: ~13,000 characters a notice (37-45 problems); short: ~4,000 (11-15 problems)",
    )
    ap.add_argument(
        "--fresh",
        action="store_true",
        help="new text holds no 13-character run of a seed notice (by default two thirds of its segments hold one)",
    )
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    gen = Generator(args.seed, args.realistic, args.length, fresh=args.fresh)
    m = generate(args.notices, args.out, args.seed, realistic=args.realistic, length=args.length, generator=gen)
    print(json.dumps(m, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
