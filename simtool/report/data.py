"""The data of the HTML report: every analysis of a corpus gathered into one JSON-ready dict.

The report page embeds this dict once and renders it lazily in the browser, so it is kept
compact: notices are referred to by their index in ``notices``, passages and spans are
offsets into the notice texts (each text is embedded once), and long lists are cut to the
limits below (the dict says how many there were).  The dict is deterministic for the same
notices and parameters: no clock, no random numbers, stable orders.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from simtool.analyses import clusters, overlap, phrases, reuse
from simtool.analyses.clusters import MeasureCluster
from simtool.analyses.direction import Source, earliest_sources
from simtool.analyses.dupes import Passage, passages, same_spans
from simtool.analyses.formulas import Phrase
from simtool.analyses.overlap import NoticeRatios, OverlapPair
from simtool.analyses.quoted import quoted_spans
from simtool.analyses.reuse import ReuseFinding
from simtool.analyses.shared import SharedText, notice_shares
from simtool.core.spans import count_chars, merge_spans
from simtool.core.types import Notice, Skip
from simtool.match.engine import find_matches
from simtool.report.roles import ROLE_NAMES

PAIR_LIMIT = 400  # pairs listed with their side-by-side passages
HEATMAP_LIMIT = 60  # notices in the heatmap
SOURCE_LIMIT = 20  # sources listed per notice in the per-notice view
PHRASE_LIMIT = 300
VARIANT_LIMIT = 6
CLUSTER_LIMIT = 200
CLUSTER_MEMBER_LIMIT = 60
REUSE_LIMIT = 200
CONTAINED = 1.3  # a passage whose one side is this much longer than the other is a containment

Stage = Callable[[str], None]
Span = tuple[int, int]
PairKey = tuple[int, int]


@dataclass(slots=True)
class ReportData:
    """The report dict plus what the terminal summary needs (not embedded: timings vary)."""

    data: dict[str, Any]
    timings: list[tuple[str, float]] = field(default_factory=list)
    top_notices: list[dict[str, Any]] = field(default_factory=list)
    top_phrases: list[Phrase] = field(default_factory=list)


class _Stages:
    """Named, timed stages: ``stage("label")`` ends the previous stage and starts the next one
    (``None`` ends the last); ``on_stage`` hears each label (the progress display)."""

    def __init__(self, on_stage: Stage | None) -> None:
        self.timings: list[tuple[str, float]] = []
        self._on_stage = on_stage
        self._label: str | None = None
        self._started = 0.0

    def __call__(self, label: str | None) -> None:
        now = time.perf_counter()
        if self._label is not None:
            self.timings.append((self._label, now - self._started))
        self._label, self._started = label, now
        if label is not None and self._on_stage is not None:
            self._on_stage(label)


class _Aligner:
    """Character alignment of passage texts (``dupes.same_spans``), cached: copied corpora repeat
    the same passage pairs many times."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], tuple[list[int], list[int]]] = {}

    def same(self, a: str, b: str) -> tuple[list[int], list[int]]:
        """The same pieces of ``a`` and ``b`` as flat ``[start, end, start, end, …]`` lists."""
        key = (a, b)
        if key not in self._cache:
            if a == b:
                self._cache[key] = ([0, len(a)], [0, len(b)])
            else:
                x, y = same_spans(a, b)
                self._cache[key] = ([v for s in x for v in s], [v for s in y for v in s])
        return self._cache[key]

    def extent(self, a_text: str, p: Passage, b_text: str) -> tuple[Span, Span]:
        """The aligned part of a passage on both sides: all of it, except that where one side is
        much longer (a short unit found inside a long one) only the long side's aligned stretch."""
        la, lb = p.a_end - p.a_start, p.b_end - p.b_start
        whole = (p.a_start, p.a_end), (p.b_start, p.b_end)
        if max(la, lb) <= CONTAINED * max(1, min(la, lb)):
            return whole
        sa, sb = self.same(a_text[p.a_start : p.a_end], b_text[p.b_start : p.b_end])
        if not sa:
            return whole
        return (p.a_start + sa[0], p.a_start + sa[-1]), (p.b_start + sb[0], p.b_start + sb[-1])


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


def _paint(n: Notice, spans: list[tuple[int, int, int]], priority: dict[int, int]) -> list[list[int]]:
    """Each character of ``n`` shared with other notices, given to the highest-priority source:
    ``[start, end, source]`` runs in text order."""
    if not spans:
        return []
    owner = np.full(len(n.text), -1, dtype=np.int64)
    for s, e, j in sorted(spans, key=lambda t: (priority.get(t[2], len(priority)), t[0], t[1])):
        seg = owner[s:e]
        seg[seg < 0] = j
    change = np.flatnonzero(np.diff(owner)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(owner)]])
    return [[int(s), int(e), int(owner[s])] for s, e in zip(starts.tolist(), ends.tolist()) if owner[s] >= 0]


def build_report_data(
    notices: Sequence[Notice],
    *,
    min_sim: float,
    inputs: Sequence[str] = (),
    skips: Sequence[Skip] = (),
    on_stage: Stage | None = None,
    user_formulas: Sequence[str] = (),
    references: Sequence[Notice] = (),
) -> ReportData:
    """Run every analysis on ``notices`` and gather the report dict (``user_formulas`` count as 套话;
    text matching ``references`` is 引用)."""
    from simtool import __version__

    stage = _Stages(on_stage)
    index = {n.id: i for i, n in enumerate(notices)}

    stage("查找相似句段")
    m = find_matches(notices, min_sim=min_sim, scope="cross")
    by_pair: dict[PairKey, list[Passage]] = defaultdict(list)
    for p in passages(m):
        by_pair[(p.a, p.b)].append(p)  # cross passages: p.a < p.b

    stage("识别套话")
    learned = phrases.learn(notices, min_sim=min_sim, user=user_formulas)
    phrase_recs = [f.record(notices) for f in learned.formulas]
    tagged = learned.formula_set.tagged(notices) if learned.formula_set is not None else [[] for _ in notices]
    # 套话 is every formula of the set (not only the listed ones), as in ``simtool overlap``
    formulaic = {n.id: merge_spans((a, b) for a, b, _ in t) for n, t in zip(notices, tagged)}
    quoted = quoted_spans(notices, references, min_sim=min_sim) if references else None

    stage("计算重合度")
    pair_stats: dict[PairKey, OverlapPair] = {}
    for rec in overlap.overlap_records(notices, min_sim=min_sim, matches=m, formulaic=formulaic, quoted=quoted):
        a, b = index[rec.a], index[rec.b]
        pair_stats[(a, b) if a < b else (b, a)] = rec if a < b else _swap(rec)
    ratios = overlap.notice_ratios(notices, min_sim=min_sim, matches=m, formulaic=formulaic, quoted=quoted)

    stage("措施族")
    cluster_recs = clusters.cluster_records(notices)

    stage("千篇一律")
    reuse_recs = reuse.reuse_records(notices, min_sim=min_sim)

    stage("对齐相似文字")
    aligner = _Aligner()
    shares = notice_shares(notices, m, formulaic, quoted)
    rows = _notice_rows(notices, by_pair, pair_stats, ratios, formulaic, index, shares)
    pairs = _pairs(notices, by_pair, pair_stats, index, aligner)
    heatmap = _heatmap(rows, pair_stats)
    stage(None)

    total = sum(r["chars"] for r in rows)
    shared = sum(r["shared"] for r in rows)
    form = sum(r["formulaic_chars"] for r in rows)
    data: dict[str, Any] = {
        "meta": {
            "version": __version__,
            "min_sim": min_sim,
            "inputs": list(inputs),
            "skips": [{"path": s.path, "reason": s.reason} for s in skips],
            "notices": len(notices),
            "units": len({n.unit for n in notices if n.unit}),
            "chars": total,
            "shared_chars": shared,
            "shared_share": _r(shared / total if total else 0.0),
            "formulaic_chars": form,
            "formulaic_share": _r(form / total if total else 0.0),
            "formulaic_known": learned.formula_set is not None,
            "formulaic_by_role": role_shares(notices, tagged),
            "references": [r.id for r in references],
            "quoted_chars": sum(r["quoted_chars"] for r in rows),
            "passages": sum(len(v) for v in by_pair.values()),
            "pairs_total": len(pair_stats),
            "pairs_shown": len(pairs),
        },
        "notices": rows,
        "pairs": pairs,
        "heatmap": heatmap,
        "phrases": _phrases(phrase_recs, index),
        "clusters": _clusters(cluster_recs, index),
        "reuse": _reuse(reuse_recs, index),
    }
    top = sorted(rows, key=lambda r: (-r["copy_ratio"], r["index"]))[:10]
    return ReportData(data, stage.timings, top, phrase_recs[:10])


def role_shares(notices: Sequence[Notice], tagged: Sequence[Sequence[tuple[int, int, str]]]) -> dict[str, float]:
    """The share of all characters that is 套话, per role (each character counted once, for the
    first role in ``ROLE_NAMES`` order that covers it), keyed by the role's Chinese name."""
    roles = list(ROLE_NAMES)
    none = len(roles)
    counts = np.zeros(none, dtype=np.int64)
    total = 0
    for n, spans in zip(notices, tagged):
        total += count_chars(n.text)
        if not spans:
            continue
        owner = np.full(len(n.text), none, dtype=np.int64)
        for a, b, role in spans:
            owner[a:b] = np.minimum(owner[a:b], roles.index(role) if role in ROLE_NAMES else none)
        cuts = np.concatenate([[0], np.flatnonzero(np.diff(owner)) + 1, [len(owner)]])
        for s0, e0 in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
            if owner[s0] < none:
                counts[owner[s0]] += count_chars(n.text[s0:e0])
    return {ROLE_NAMES[r]: round(int(c) / total, 4) for r, c in zip(roles, counts.tolist()) if c and total}


def _swap(rec: OverlapPair) -> OverlapPair:
    """The pair seen from B: the notices, characters, shared characters and ratios swapped."""
    return replace(
        rec,
        a=rec.b,
        b=rec.a,
        a_chars=rec.b_chars,
        b_chars=rec.a_chars,
        shared_a=rec.shared_b,
        shared_b=rec.shared_a,
        ratio_a=rec.ratio_b,
        ratio_b=rec.ratio_a,
        ratio_a_substantive=rec.ratio_b_substantive,
        ratio_b_substantive=rec.ratio_a_substantive,
    )


def _notice_rows(
    notices: Sequence[Notice],
    by_pair: dict[PairKey, list[Passage]],
    pair_stats: dict[PairKey, OverlapPair],
    ratios: dict[str, NoticeRatios],
    formulaic: dict[str, list[Span]],
    index: dict[str, int],
    shares: Sequence[SharedText],
) -> list[dict[str, Any]]:
    """One row per notice: metadata, ratios, its text, shared runs coloured by source, formulaic spans.

    The runs are painted from the same spans ``shared_text`` counted (``shares``)."""
    spans: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for i, share in enumerate(shares):
        for src in share.sources:
            spans[i].extend((a, b, index[src.source]) for a, b in src.spans)
    partners: dict[int, list[tuple[int, int, float]]] = defaultdict(list)  # notice -> (other, shared, ratio)
    for (a, b), st in pair_stats.items():
        partners[a].append((b, int(st.shared_a), float(st.ratio_a)))
        partners[b].append((a, int(st.shared_b), float(st.ratio_b)))
    dates = {n.id: n.date for n in notices}
    rows: list[dict[str, Any]] = []
    for i, n in enumerate(notices):
        ranked = sorted(partners[i], key=lambda t: (-t[1], t[0]))
        earlier = earlier_shares(n, shares[i], dates)
        runs = _paint(n, spans[i], {t[0]: k for k, t in enumerate(ranked)})
        form = merge_spans(formulaic.get(n.id, []))
        r = ratios[n.id]
        rows.append(
            {
                "index": i,
                "id": n.id,
                "title": n.title,
                "unit": n.unit,
                "date": n.date,
                "chars": int(r.chars),
                "problems": n.problems,
                "measures": n.measures,
                "shared": int(r.shared),
                "copy_ratio": _r(r.copy_ratio),
                "copy_ratio_substantive": _r(r.copy_ratio_substantive),
                "max_source_ratio": _r(r.max_source_ratio),
                "max_source": index.get(r.max_source) if r.max_source else None,
                "copy_ratio_earlier": earlier[0],
                "max_earlier_source": index[earlier[1]] if earlier[1] is not None else None,
                "formulaic_share": _r(r.formulaic_share),
                "formulaic_chars": count_chars(n.text, form),
                "sources": [[j, s, _r(x)] for j, s, x in ranked[:SOURCE_LIMIT]],
                "sources_total": len(ranked),
                "runs": runs,
                "formulaic": [list(s) for s in form],
                "quoted": [list(s) for s in shares[i].quoted],
                "quoted_chars": count_chars(n.text, shares[i].quoted),
                "copy_ratio_unquoted": _r(r.copy_ratio_unquoted),
                "text": n.text,
            }
        )
    return rows


def earlier_shares(n: Notice, share: SharedText, dates: dict[str, str | None]) -> tuple[float | None, str | None]:
    """What ``n`` shares with notices published before it: the share of its characters (the union of
    those sources' spans, counted as ``shared_text`` counts) and the largest such source; ``(None,
    None)`` when ``n``'s date is unknown (同日/日期不详: the direction cannot be told)."""
    if n.date is None:
        return None, None
    sources = [Source(s.source, dates.get(s.source), s.shared, s.ratio) for s in share.sources]
    earlier = earliest_sources(n.date, sources)
    ids = {s.notice for s in earlier}
    spans = [sp for s in share.sources if s.source in ids for sp in s.spans]
    shared = count_chars(n.text, spans) if spans else 0
    return _r(shared / share.chars if share.chars else 0.0), (earlier[0].notice if earlier else None)


def _rank_key(st: OverlapPair, key: PairKey) -> tuple[float, int, int, int]:
    """Pairs by substantive overlap (the larger side), then shared characters, then position."""
    top = max(st.ratio_a_substantive, st.ratio_b_substantive)
    return (-float(top), -int(st.shared_a + st.shared_b), key[0], key[1])


def _pairs(
    notices: Sequence[Notice],
    by_pair: dict[PairKey, list[Passage]],
    pair_stats: dict[PairKey, OverlapPair],
    index: dict[str, int],
    aligner: _Aligner,
) -> list[dict[str, Any]]:
    """The top pairs with their passages aligned character by character:
    ``[a_start, a_end, b_start, b_end, score, same_a, same_b]``, same spans relative to the passage."""
    ranked = sorted((k for k in pair_stats if k in by_pair), key=lambda k: _rank_key(pair_stats[k], k))
    out = []
    for a, b in ranked[:PAIR_LIMIT]:
        st = pair_stats[(a, b)]
        rows = []
        for p in sorted(by_pair[(a, b)], key=lambda p: (p.a_start, p.b_start)):
            same_a, same_b = aligner.same(notices[a].text[p.a_start : p.a_end], notices[b].text[p.b_start : p.b_end])
            rows.append([p.a_start, p.a_end, p.b_start, p.b_end, _r(p.score), same_a, same_b])
        src = st.likely_source
        out.append(
            {
                "a": a,
                "b": b,
                "shared_a": int(st.shared_a),
                "shared_b": int(st.shared_b),
                "ratio_a": _r(st.ratio_a),
                "ratio_b": _r(st.ratio_b),
                "sub_a": _r(st.ratio_a_substantive),
                "sub_b": _r(st.ratio_b_substantive),
                "source": index.get(src) if isinstance(src, str) else None,
                "passages": rows,
            }
        )
    return out


def _heatmap(rows: list[dict[str, Any]], pair_stats: dict[PairKey, OverlapPair]) -> dict[str, Any]:
    """Row notice × column notice: the share of the row notice found in the column notice.

    The notices sharing the most text are shown, ordered so that notices sharing text with each
    other sit next to each other (``_seriate``), which turns copied families into visible blocks.
    """
    chosen = sorted(range(len(rows)), key=lambda i: (-rows[i]["shared"], i))[:HEATMAP_LIMIT]
    chosen = sorted(i for i in chosen if rows[i]["shared"] > 0)
    pos = {i: k for k, i in enumerate(chosen)}
    total = np.zeros((len(chosen), len(chosen)))
    sub = np.zeros((len(chosen), len(chosen)))
    for (a, b), st in pair_stats.items():
        if a in pos and b in pos:
            x, y = pos[a], pos[b]
            total[x, y], total[y, x] = st.ratio_a, st.ratio_b
            sub[x, y], sub[y, x] = st.ratio_a_substantive, st.ratio_b_substantive
    order = _seriate(total)
    return {
        "notices": [chosen[k] for k in order],
        "total": [[_r(v) for v in row] for row in total[np.ix_(order, order)].tolist()],
        "substantive": [[_r(v) for v in row] for row in sub[np.ix_(order, order)].tolist()],
        "candidates": sum(1 for r in rows if r["shared"] > 0),
    }


def _seriate(m: np.ndarray) -> list[int]:
    """An order of the rows of a similarity matrix that keeps similar rows together: greedy nearest
    neighbour from the row with the largest total, ties by position (deterministic).

    >>> _seriate(np.array([[0, 0, .9], [0, 0, .1], [.9, .1, 0]]))
    [2, 0, 1]
    """
    n = len(m)
    if n == 0:
        return []
    sym = np.maximum(m, m.T)
    cur = int(np.argmax(sym.sum(axis=1)))
    order, left = [cur], set(range(n)) - {cur}
    while left:
        cand = sorted(left)
        cur = cand[int(np.argmax(sym[cur, cand]))]
        order.append(cur)
        left.discard(cur)
    return order


# -- the lists of the other analyses, made compact (notice ids → indices, texts → offsets) --------


def _phrases(records: list[Phrase], index: dict[str, int]) -> dict[str, Any]:
    """Each formula with its variants, role and examples as ``[notice, start, end]`` (texts embedded once)."""
    items = [
        {
            "phrase": p.phrase,
            "notices": p.notices,
            "units": p.units,
            "occurrences": p.occurrences,
            "role": ROLE_NAMES.get(p.role or "", p.role or ""),
            "level": p.level,
            "formulaic": bool(p.formulaic),
            "reason": p.reason or "",
            "variants": [[v.text, v.count] for v in p.variants][:VARIANT_LIMIT],
            "variant_count": p.variant_count,
            "examples": [[index[e.notice], e.start, e.end] for e in p.examples[:3] if e.notice in index],
        }
        for p in records[:PHRASE_LIMIT]
    ]
    return {"total": len(records), "items": items}


def _clusters(records: list[MeasureCluster], index: dict[str, int]) -> dict[str, Any]:
    items = []
    for c in records[:CLUSTER_LIMIT]:
        members = [[index[x.notice], x.start, x.end] for x in c.members if x.notice in index]
        items.append(
            {
                "cluster": c.cluster,
                "size": c.size,
                "notices": c.notices,
                "units": c.units,
                "label": c.label or "",
                "theme": c.theme or "",
                "unit_names": list(c.unit_names),
                "members": members[:CLUSTER_MEMBER_LIMIT],
                "members_total": len(members),
            }
        )
    return {"total": len(records), "items": items}


def _reuse(records: list[ReuseFinding], index: dict[str, int]) -> dict[str, Any]:
    items = []
    for r in records[:REUSE_LIMIT]:
        occ = [[o.problem_label, o.start, o.end, (o.problem_text or "")[:200]] for o in r.occurrences]
        items.append(
            {
                "notice": index[r.notice],
                "measure": r.measure or "",
                "count": r.count,
                "problems": list(r.problem_labels),
                "score": _r(r.score),
                "occurrences": occ,
            }
        )
    return {"total": len(records), "items": items}
