"""``check``: new notices against the store, CNKI-style, and ``compare``: two notices side by side.

A checked notice is cut into the same sentence units as the in-memory engine; its candidates
come from the store's LSH index (the same band keys), and every candidate is verified with the
engine's ``verify`` (similarity or containment) and aligned with ``aligned_part``.  The ratios
come from ``simtool.analyses.shared.shared_text``, so ``check`` of a stored corpus agrees with
``overlap``/``notice_ratios`` of the same files in memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from simtool.analyses.direction import direction_fields
from simtool.analyses.quoted import quoted_spans
from simtool.analyses.shared import BlockFinder, SharedText, notice_shares, same_text_key, shared_text
from simtool.core.errors import UserError
from simtool.core.types import Notice
from simtool.match.engine import DEFAULT_MIN_SIM, DEFAULT_PARAMS, INDEX_BUILD_SIM, INDEX_MIN_SIM, aligned_part, keys_for
from simtool.match.units import build_units
from simtool.match.verify import SENTENCE_CONTAIN_RATIO, verify
from simtool.store.codec import ensure_index, index_bands
from simtool.store.sqlite import Store
from simtool.text.normalize import normalize_many

Formulaic = Callable[[Notice], list[tuple[int, int]]]
TOP_SOURCES = 20  # sources whose matches and passages are listed (all sources count in the ratios)
PASSAGE_GAP = 8  # characters (labels, line breaks) allowed between two matched spans of one passage


def _record(
    notice: Notice,
    st: SharedText,
    matches: list[dict[str, Any]],
    sources: dict[str, Notice],
    source_text: Callable[[str, int, int], str],
    formulaic_known: bool,
) -> dict[str, Any]:
    ranked = [
        {
            "notice": s.source,
            "title": sources[s.source].title,
            "unit": sources[s.source].unit,
            "date": sources[s.source].date,
            "shared": s.shared,
            "ratio": s.ratio,
            "ratio_substantive": s.ratio_substantive,
            "shared_spans": [list(x) for x in s.spans],
        }
        for s in st.sources
    ]
    top = {r["notice"] for r in ranked[:TOP_SOURCES]}
    shown = [m for m in matches if m["source"] in top]
    for m in shown:
        m["source_text"] = source_text(m["source"], m["source_start"], m["source_end"])
    return {
        "notice": notice.id,
        "title": notice.title,
        "date": notice.date,
        "chars": st.chars,
        "shared": st.shared,
        "copy_ratio": st.copy_ratio,
        "copy_ratio_substantive": st.copy_ratio_substantive,
        "substantive_excludes_formulaic": formulaic_known,
        "max_source_ratio": st.max_source_ratio,
        "max_source": st.max_source,
        **direction_fields(notice.date, ranked),
        "sources": ranked,
        "shared_spans": [list(x) for x in st.spans],
        "passages": _passages(notice, source_text, shown),
        "matches": shown,
    }


def _passages(
    notice: Notice, source_text: Callable[[str, int, int], str], matches: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Matches from the same source that follow each other on both sides, merged into passages."""
    out: list[dict[str, Any]] = []
    for m in sorted(matches, key=lambda m: (m["source"], m["start"], m["source_start"])):
        last = out[-1] if out else None
        if (
            last is not None
            and last["source"] == m["source"]
            and m["start"] <= last["end"] + PASSAGE_GAP
            and last["source_start"] <= m["source_start"] <= last["source_end"] + PASSAGE_GAP
        ):
            last["end"], last["source_end"] = max(last["end"], m["end"]), max(last["source_end"], m["source_end"])
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
    for p in out:
        p["text"] = notice.text[p["start"] : p["end"]]
        p["source_text"] = source_text(p["source"], p["source_start"], p["source_end"])
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
    references: Sequence[Notice] = (),
) -> list[dict[str, Any]]:
    """Check each of ``notices`` against every notice in ``store``.

    ``formulaic`` gives a notice's 套话 spans (``phrases.store_formulaic``); text matching one of
    ``references`` is 引用 and left out of 去除引用复制比 (``copy_ratio_unquoted``, only then reported).

    Stored notices in ``exclude`` or with the same id are not counted as sources.  A stored notice
    with the same text (a verbatim copy, or the same file ingested under another path) shares the
    whole text and is listed in ``identical`` (与库中……完全相同).  ``exclude_sha`` is accepted for
    compatibility and no longer hides a byte-identical stored document.
    """
    if min_sim < INDEX_MIN_SIM:
        raise UserError(f"库中的索引支持的最低相似度是 {INDEX_MIN_SIM}，请把 --min-sim 设为不低于该值")
    ensure_index(store)
    bands, _rows = index_bands()
    skeys, spos, ids = store.key_index(bands)
    exclude = exclude or set()
    texts: dict[str, str] = {}

    def source_text(sid: str, a: int, b: int) -> str:
        if sid not in texts:
            texts[sid] = store.unit_texts([(sid, 0, 1 << 30)])[0]
        return texts[sid][a:b]

    quoted = quoted_spans(notices, references, min_sim=min_sim) if references else {}
    out = []
    for notice in notices:
        units = build_units([notice], "literal")
        cands: set[tuple[int, int]] = set()
        if len(units) and len(skeys):
            flat = keys_for(units.text, DEFAULT_PARAMS, INDEX_BUILD_SIM).ravel()
            lo = np.searchsorted(skeys, flat, side="left")
            hi = np.searchsorted(skeys, flat, side="right")
            for k in np.flatnonzero(hi > lo).tolist():
                for p in np.asarray(spos[lo[k] : hi[k]]).tolist():
                    cands.add((k // bands, p))
        wanted = {ids[p >> 20] for _, p in cands} - exclude - {notice.id}
        stored = store.indexed_notices(sorted(wanted))
        sources = {sid: n for sid, (n, _, _sha) in stored.items()}
        spans = {sid: s for sid, (_, s, _) in stored.items()}
        # verify each distinct (query unit, source text) once: a formula shared by every stored
        # notice costs one comparison, not one per notice
        groups: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
        for qi, p in sorted(cands):
            sid, seq = ids[p >> 20], p & ((1 << 20) - 1)
            if sid in sources and seq < len(spans[sid]):
                ident = int(np.asarray(spans[sid][seq][2:4], dtype="<i4").view("<i8")[0])
                groups[(qi, ident)].append((sid, seq))
        keys = sorted(groups)
        distinct = sorted({ident for _, ident in keys})
        rep: dict[int, tuple[str, int]] = {}
        for (_qi, ident), members in groups.items():
            if ident not in rep or members[0] < rep[ident]:
                rep[ident] = members[0]
        raw = [
            source_text(sid, int(spans[sid][seq][0]), int(spans[sid][seq][1]))
            for sid, seq in (rep[i] for i in distinct)
        ]
        where = {ident: len(units) + k for k, ident in enumerate(distinct)}
        all_texts = units.text + normalize_many(raw)
        pairs = np.array([(qi, where[ident]) for qi, ident in keys], dtype=np.int64).reshape(-1, 2)
        ver = verify(all_texts, pairs, min_sim, contain_ratio=SENTENCE_CONTAIN_RATIO)
        by_source: dict[str, list[tuple[int, int]]] = defaultdict(list)
        matches: list[dict[str, Any]] = []
        finder = BlockFinder()
        for qi, t, score, contained in zip(ver.i.tolist(), ver.j.tolist(), ver.score.tolist(), ver.contained.tolist()):
            ident = distinct[t - len(units)]
            q_span = (int(units.start[qi]), int(units.end[qi]))
            if contained and len(units.text[qi]) > len(all_texts[t]):
                a, b = aligned_part(all_texts[t], units.text[qi], notice.text[q_span[0] : q_span[1]])
                q_span = (q_span[0] + a, q_span[0] + b)
            for sid, seq in groups[(qi, ident)]:
                s_span = (int(spans[sid][seq][0]), int(spans[sid][seq][1]))
                if contained and len(units.text[qi]) < len(all_texts[t]):
                    a, b = aligned_part(units.text[qi], all_texts[t], source_text(sid, *s_span))
                    s_span = (s_span[0] + a, s_span[0] + b)
                full = source_text(sid, 0, 1 << 30)
                mine, _theirs = finder.shared(notice.text, q_span, full, s_span, units.text[qi] == all_texts[t])
                by_source[sid].extend(mine)
                matches.append(
                    {
                        "start": q_span[0],
                        "end": q_span[1],
                        "text": notice.text[q_span[0] : q_span[1]],
                        "score": round(float(score), 4),
                        "source": sid,
                        "source_start": s_span[0],
                        "source_end": s_span[1],
                    }
                )
        # a verbatim copy shares all its text; only sources matching much of it can be one
        key, half = same_text_key(notice.text), len(notice.text) // 2
        likely = [sid for sid, sp in by_source.items() if sum(b - a for a, b in sp) >= half]
        identical = sorted(sid for sid in likely if same_text_key(source_text(sid, 0, 1 << 30)) == key)
        for sid in identical:
            by_source[sid].append((0, len(notice.text)))
        matches.sort(key=lambda m: (m["start"], m["source"], m["source_start"]))
        form = formulaic(notice) if formulaic is not None else []
        st = shared_text(notice.text, dict(sorted(by_source.items())), form, quoted.get(notice.id, ()))
        rec = _record(notice, st, matches, sources, source_text, formulaic is not None) | {"identical": identical}
        if references:
            rec |= {
                "copy_ratio_unquoted": st.copy_ratio_unquoted,
                "quoted_share": st.quoted_share,
                "quoted_spans": [list(x) for x in st.quoted],
            }
        out.append(rec)
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
    share_a, share_b = notice_shares([a, b], m)
    return {
        "a": a.id,
        "b": b.id,
        "a_title": a.title,
        "b_title": b.title,
        "shared_a": share_a.shared,
        "shared_b": share_b.shared,
        "ratio_a": share_a.copy_ratio,
        "ratio_b": share_b.copy_ratio,
        "passages": rows,
    }
