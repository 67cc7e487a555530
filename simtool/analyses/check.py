"""``check``: one new notice against the store, CNKI-style, and ``compare``: two notices side by side.

总文字复制比 (copy_ratio) is the share of the notice's characters (white space not counted)
inside units that match some other notice; 去除套话复制比 (copy_ratio_substantive) the same with
formulaic text (phrases used across many notices) left out of both numerator and denominator;
单篇最大复制比 (max_source_ratio) the largest share coming from one source notice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from simtool.core.errors import UserError
from simtool.core.spans import CharCounter, subtract_spans
from simtool.core.types import Notice
from simtool.match.engine import DEFAULT_MIN_SIM, DEFAULT_PARAMS, INDEX_BUILD_SIM, INDEX_MIN_SIM, index_bands, keys_for
from simtool.match.units import Units, build_units
from simtool.match.verify import pair_scores
from simtool.store.sqlite import Store
from simtool.text.normalize import normalize_many

Formulaic = Callable[[Notice], list[tuple[int, int]]]
Hit = tuple[int, str, int, float]  # query unit, source notice id, source unit seq, score


def _ratio(
    text: str | CharCounter, spans: list[tuple[int, int]], formulaic: list[tuple[int, int]] | None
) -> tuple[int, float]:
    counter = text if isinstance(text, CharCounter) else CharCounter(text)
    total = counter.count()
    shared = counter.count(spans)
    if formulaic is not None:
        total = counter.count(subtract_spans([(0, len(counter.prefix) - 1)], formulaic))
        shared = counter.count(subtract_spans(spans, formulaic))
    return shared, (round(shared / total, 4) if total else 0.0)


def copy_report(
    notice: Notice,
    units: Units,
    hits: Sequence[Hit],
    sources: dict[str, Notice],
    source_spans: dict[str, np.ndarray],
    source_texts: Callable[[list[tuple[str, int, int]]], list[str]],
    formulaic: Formulaic | None = None,
) -> dict[str, Any]:
    """The check record of ``notice`` from its verified hits against other notices."""
    by_source: dict[str, list[tuple[int, int]]] = defaultdict(list)
    all_spans: list[tuple[int, int]] = []
    matches: list[dict[str, Any]] = []
    for qi, sid, sseq, score in sorted(hits, key=lambda h: (int(units.start[h[0]]), h[1], h[2])):
        span = (int(units.start[qi]), int(units.end[qi]))
        by_source[sid].append(span)
        all_spans.append(span)
        ss, se = int(source_spans[sid][sseq][0]), int(source_spans[sid][sseq][1])
        matches.append(
            {
                "start": span[0],
                "end": span[1],
                "text": notice.text[span[0] : span[1]],
                "score": score,
                "source": sid,
                "source_start": ss,
                "source_end": se,
            }
        )
    form = formulaic(notice) if formulaic is not None else None
    counter = CharCounter(notice.text)
    shared, ratio = _ratio(counter, all_spans, None)
    _, ratio_sub = _ratio(counter, all_spans, form)
    ranked = []
    for sid, spans in by_source.items():
        s_shared, s_ratio = _ratio(counter, spans, None)
        ranked.append(
            {
                "notice": sid,
                "title": sources[sid].title,
                "unit": sources[sid].unit,
                "date": sources[sid].date,
                "shared": s_shared,
                "ratio": s_ratio,
            }
        )
    ranked.sort(key=lambda r: (-r["shared"], r["notice"]))
    # matches and passages of the top sources (a formula may match thousands of notices)
    top = {r["notice"] for r in ranked[:TOP_SOURCES]}
    matches = [m for m in matches if m["source"] in top]
    for m, t in zip(matches, source_texts([(m["source"], m["source_start"], m["source_end"]) for m in matches])):
        m["source_text"] = t
    merged = _passages(notice, source_texts, matches)
    return {
        "notice": notice.id,
        "title": notice.title,
        "chars": counter.count(),
        "shared": shared,
        "copy_ratio": ratio,
        "copy_ratio_substantive": ratio_sub,
        "substantive_excludes_formulaic": formulaic is not None,
        "max_source_ratio": ranked[0]["ratio"] if ranked else 0.0,
        "max_source": ranked[0]["notice"] if ranked else None,
        "sources": ranked,
        "passages": merged,
        "matches": matches,
    }


TOP_SOURCES = 20  # sources whose matches and passages are listed (all sources count in the ratios)
PASSAGE_GAP = 8  # characters (labels, line breaks) allowed between two matched units of one passage


def _passages(
    notice: Notice, source_texts: Callable[[list[tuple[str, int, int]]], list[str]], matches: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Matches from the same source that follow each other on both sides, merged into passages."""
    out: list[dict[str, Any]] = []
    for m in sorted(matches, key=lambda m: (m["source"], m["start"], m["source_start"])):
        last = out[-1] if out else None
        if (
            last is not None
            and last["source"] == m["source"]
            and 0 <= m["start"] - last["end"] <= PASSAGE_GAP
            and 0 <= m["source_start"] - last["source_end"] <= PASSAGE_GAP
        ):
            last["end"], last["source_end"] = m["end"], m["source_end"]
            last["units"] += 1
            continue
        out.append(
            {
                "source": m["source"],
                "start": m["start"],
                "end": m["end"],
                "source_start": m["source_start"],
                "source_end": m["source_end"],
                "units": 1,
            }
        )
    for p, t in zip(out, source_texts([(p["source"], p["source_start"], p["source_end"]) for p in out])):
        p["text"] = notice.text[p["start"] : p["end"]]
        p["source_text"] = t
    out.sort(key=lambda p: (-(p["end"] - p["start"]), p["start"], p["source"]))
    return out


def check_notices(
    notices: Sequence[Notice],
    store: Store,
    *,
    min_sim: float = DEFAULT_MIN_SIM,
    exclude: set[str] | None = None,
    exclude_sha: str | None = None,
    formulaic: Formulaic | None = None,
) -> list[dict[str, Any]]:
    """Check each of ``notices`` against every notice in ``store``.

    Stored notices in ``exclude``, with the same id, or from the same document (same bytes, e.g.
    the file itself ingested under another path) are not counted as sources.
    """
    if min_sim < INDEX_MIN_SIM:
        raise UserError(f"库中的索引支持的最低相似度是 {INDEX_MIN_SIM}，请把 --min-sim 设为不低于该值")
    bands, _rows = index_bands()
    skeys, spos, ids = store.key_index(bands)
    exclude = exclude or set()
    out = []
    for notice in notices:
        units = build_units([notice], "literal")
        cands: set[tuple[int, int]] = set()
        if len(units) and len(skeys):
            qkeys = keys_for(units.text, DEFAULT_PARAMS, INDEX_BUILD_SIM)
            flat = qkeys.ravel()
            lo = np.searchsorted(skeys, flat, side="left")
            hi = np.searchsorted(skeys, flat, side="right")
            for k in np.flatnonzero(hi > lo).tolist():
                for p in np.asarray(spos[lo[k] : hi[k]]).tolist():
                    cands.add((k // bands, p))
        wanted = {ids[p >> 20] for _, p in cands} - exclude - {notice.id}
        stored = store.indexed_notices(sorted(wanted))
        sources = {sid: n for sid, (n, _, sha) in stored.items() if sha != exclude_sha}
        source_spans = {sid: spans for sid, (_, spans, _) in stored.items()}
        # verify each distinct (query unit, source text) once: a formula shared by every stored
        # notice costs one comparison, not one per notice
        groups: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
        for qi, p in sorted(cands):
            sid, seq = ids[p >> 20], p & ((1 << 20) - 1)
            if sid in sources and seq < len(source_spans[sid]):
                row = source_spans[sid][seq]
                ident = int(np.asarray(row[2:4], dtype="<i4").view("<i8")[0])
                groups[(qi, ident)].append((sid, seq))
        keys = sorted(groups)
        reps = [groups[k][0] for k in keys]
        raw = store.unit_texts(
            [(sid, int(source_spans[sid][seq][0]), int(source_spans[sid][seq][1])) for sid, seq in reps]
        )
        scores = pair_scores([units.text[qi] for qi, _ in keys], normalize_many(raw), min_sim)
        hits = [
            (qi, sid, seq, round(float(sc), 4))
            for (qi, _), sc in zip(keys, scores)
            if sc > 0
            for sid, seq in groups[(qi, _)]
        ]
        out.append(copy_report(notice, units, hits, sources, source_spans, store.unit_texts, formulaic))
    return out


def compare_notices(a: Notice, b: Notice, *, min_sim: float = DEFAULT_MIN_SIM) -> dict[str, Any]:
    """Two notices side by side: aligned passages and each side's shared share."""
    from simtool.analyses.dupes import passages, same_spans
    from simtool.match.engine import find_matches

    m = find_matches([a, b], min_sim=min_sim, scope="cross")
    ps = passages(m)
    rows = []
    for p in ps:
        ta, tb = a.text[p.a_start : p.a_end], b.text[p.b_start : p.b_end]
        sa, sb = same_spans(ta, tb)
        rows.append(
            {
                "score": p.score,
                "units": p.units,
                "a": {"start": p.a_start, "end": p.a_end, "text": ta, "same": sa},
                "b": {"start": p.b_start, "end": p.b_end, "text": tb, "same": sb},
            }
        )
    spans_a = [(r["a"]["start"], r["a"]["end"]) for r in rows]
    spans_b = [(r["b"]["start"], r["b"]["end"]) for r in rows]
    shared_a, ratio_a = _ratio(a.text, spans_a, None)
    shared_b, ratio_b = _ratio(b.text, spans_b, None)
    return {
        "a": a.id,
        "b": b.id,
        "a_title": a.title,
        "b_title": b.title,
        "shared_a": shared_a,
        "shared_b": shared_b,
        "ratio_a": ratio_a,
        "ratio_b": ratio_b,
        "passages": rows,
    }
