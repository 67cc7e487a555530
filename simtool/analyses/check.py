"""``check``: new notices against the store, CNKI-style, and ``compare``: two notices side by side.

A checked notice is cut into the same sentence units as the in-memory engine; its candidates
come from the store's LSH index (the same band keys), and every candidate is verified with the
engine's ``verify`` (similarity or containment), whose aligned span ``raw_part`` maps to the text as written.  The ratios
come from ``simtool.analyses.shared.shared_text``, so ``check`` of a stored corpus agrees with
``overlap``/``notice_ratios`` of the same files in memory.

The store is read through its memory-mapped index cache (``simtool.store.cache``, written by
``ingest``): candidates are gathered with array operations, each distinct (query unit, stored
text) is verified once against the stored normalized text, and only the sources that are listed
are ever read as text.  A text stored more than ``max_family`` times is a formula's family: the
checked notice's occurrence is paired with its first stored one, as ``find_matches`` draws the star.
``tests/test_check_speed_paths.py`` holds the plain per-candidate algorithm this must equal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from simtool.analyses.direction import Source, max_earlier_source
from simtool.analyses.quoted import quoted_spans
from simtool.analyses.records import optional
from simtool.analyses.shared import BlockFinder, SharedText, notice_shares, same_text_key, shared_text
from simtool.core.errors import UserError
from simtool.core.timing import Laps, tally
from simtool.core.types import Notice
from simtool.match.engine import (
    DEFAULT_MAX_FAMILY,
    DEFAULT_MIN_SIM,
    DEFAULT_PARAMS,
    INDEX_BUILD_SIM,
    INDEX_MIN_SIM,
    keys_for,
    raw_part,
)
from simtool.match.lsh import sorted_unique
from simtool.match.units import build_units
from simtool.match.verify import CONTAIN_MIN_CHARS, SENTENCE_CONTAIN_RATIO, verify
from simtool.store.cache import IndexCache, index_cache
from simtool.store.codec import ensure_index, index_bands, text_id
from simtool.store.sqlite import Store

Formulaic = Callable[[Notice], list[tuple[int, int]]]
TOP_SOURCES = 20  # sources whose matches and passages are listed (all sources count in the ratios)
PASSAGE_GAP = 8  # characters (labels, line breaks) allowed between two matched spans of one passage
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class CheckSource:
    """A stored notice sharing text with the checked one: its id, title, unit and date, the checked
    notice's characters it shares (``shared_spans``) and their share of it (plain and 去除套话)."""

    notice: str
    title: str
    unit: str | None
    date: str | None
    shared: int
    ratio: float
    ratio_substantive: float
    shared_spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class CheckMatch:
    """A verified match: ``text == notice.text[start:end]`` of the checked notice and the stored
    ``source``'s ``source_text`` at ``source_start:source_end``, with its similarity."""

    start: int
    end: int
    text: str
    score: float
    source: str
    source_start: int
    source_end: int
    source_text: str


@dataclass(frozen=True, slots=True)
class CheckPassage:
    """Matches from one source that follow each other on both sides, merged (``units`` of them)."""

    source: str
    start: int
    end: int
    source_start: int
    source_end: int
    units: int
    text: str
    source_text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    """One checked notice (the ``check`` contract): 总文字复制比 ``copy_ratio``, 去除套话复制比
    (``substantive_excludes_formulaic`` says whether 套话 was known), 单篇最大复制比 with its source,
    the largest earlier-dated source, the ranked ``sources``, the shared spans, ``passages`` and
    ``matches`` of the top sources, the stored notices with the same text (``identical``) and, with
    references, 去除引用复制比, the 引用 share and spans."""

    notice: str
    title: str
    date: str | None
    chars: int
    shared: int
    copy_ratio: float
    copy_ratio_substantive: float
    substantive_excludes_formulaic: bool
    max_source_ratio: float
    max_source: str | None
    max_earlier_source: str | None
    max_earlier_source_ratio: float | None
    sources: tuple[CheckSource, ...]
    shared_spans: tuple[Span, ...]
    passages: tuple[CheckPassage, ...]
    matches: tuple[CheckMatch, ...]
    identical: tuple[str, ...]
    copy_ratio_unquoted: float | None = optional()
    quoted_share: float | None = optional()
    quoted_spans: tuple[Span, ...] | None = optional()


def _record(
    notice: Notice,
    st: SharedText,
    matches: list[CheckMatch],
    about: Callable[[str], tuple[str, str | None, str | None]],
    source_text: Callable[[str, int, int], str],
    formulaic_known: bool,
    identical: list[str],
    quoted: bool,
) -> CheckResult:
    ranked = tuple(
        CheckSource(
            notice=s.source,
            title=about(s.source)[0],
            unit=about(s.source)[1],
            date=about(s.source)[2],
            shared=s.shared,
            ratio=s.ratio,
            ratio_substantive=s.ratio_substantive,
            shared_spans=tuple(s.spans),
        )
        for s in st.sources
    )
    earlier = max_earlier_source(notice.date, [Source(s.notice, s.date, s.shared, s.ratio) for s in ranked])
    return CheckResult(
        notice=notice.id,
        title=notice.title,
        date=notice.date,
        chars=st.chars,
        shared=st.shared,
        copy_ratio=st.copy_ratio,
        copy_ratio_substantive=st.copy_ratio_substantive,
        substantive_excludes_formulaic=formulaic_known,
        max_source_ratio=st.max_source_ratio,
        max_source=st.max_source,
        max_earlier_source=earlier.notice if earlier is not None else None,
        max_earlier_source_ratio=earlier.ratio if earlier is not None else None,
        sources=ranked,
        shared_spans=tuple(st.spans),
        passages=_passages(notice, source_text, matches),
        matches=tuple(matches),
        identical=tuple(identical),
        copy_ratio_unquoted=st.copy_ratio_unquoted if quoted else None,
        quoted_share=st.quoted_share if quoted else None,
        quoted_spans=tuple(st.quoted) if quoted else None,
    )


def _passages(
    notice: Notice, source_text: Callable[[str, int, int], str], matches: list[CheckMatch]
) -> tuple[CheckPassage, ...]:
    """Matches from the same source that follow each other on both sides, merged into passages."""
    runs: list[list[int]] = []  # [start, end, source_start, source_end, units] per passage
    of: list[str] = []  # the source of each run
    for m in sorted(matches, key=lambda m: (m.source, m.start, m.source_start)):
        last = runs[-1] if runs else None
        if (
            last is not None
            and of[-1] == m.source
            and m.start <= last[1] + PASSAGE_GAP
            and last[2] <= m.source_start <= last[3] + PASSAGE_GAP
        ):
            last[1], last[3] = max(last[1], m.end), max(last[3], m.source_end)
            last[4] += 1
            continue
        runs.append([m.start, m.end, m.source_start, m.source_end, 1])
        of.append(m.source)
    out = [
        CheckPassage(src, a, b, sa, sb, k, notice.text[a:b], source_text(src, sa, sb))
        for src, (a, b, sa, sb, k) in zip(of, runs)
    ]
    out.sort(key=lambda p: (-(p.end - p.start), p.start, p.source))
    return tuple(out)


@dataclass(slots=True)
class Found:
    """The verified matches of one checked notice with the stored units, by source.

    ``spans`` are, per source (notice position), the checked notice's spans shared with it.  One
    row per matched stored unit (``pos``, ``s_start``/``s_end`` its matched span) points with ``pair``
    at the verified pair (query span ``q_start``/``q_end``, ``score``) it belongs to; rows come in
    the order of the verified pairs (query unit, then text identity), then of the stored units.
    """

    spans: dict[int, list[tuple[int, int]]]
    pair: np.ndarray
    pos: np.ndarray
    s_start: np.ndarray
    s_end: np.ndarray
    q_start: np.ndarray
    q_end: np.ndarray
    score: np.ndarray

    def matches(
        self, notice: Notice, keep: np.ndarray, ids: Sequence[str], source_text: Callable[[str, int, int], str]
    ) -> list[CheckMatch]:
        """The matches of the rows whose source is in ``keep`` (by notice position)."""
        out = []
        for k in np.flatnonzero(keep[self.pos]).tolist():
            g = int(self.pair[k])
            a, b = int(self.q_start[g]), int(self.q_end[g])
            source, sa, sb = ids[int(self.pos[k])], int(self.s_start[k]), int(self.s_end[k])
            out.append(
                CheckMatch(
                    start=a,
                    end=b,
                    text=notice.text[a:b],
                    score=round(float(self.score[g]), 4),
                    source=source,
                    source_start=sa,
                    source_end=sb,
                    source_text=source_text(source, sa, sb),
                )
            )
        return out


def find_sources(
    notice: Notice,
    cache: IndexCache,
    allowed: np.ndarray,
    bands: int,
    min_sim: float,
    *,
    position: int | None = None,
    max_family: int = DEFAULT_MAX_FAMILY,
) -> Found:
    """Candidates of ``notice``'s units among the stored units of the ``allowed`` notices, verified
    once per distinct (query unit, stored text) and expanded to every stored unit with that text
    (to the first of them only when there are more than ``max_family``: a formula's family).
    ``position``: the notice's own place in the store's order (a notice not stored comes last).

    The stored text of a pair is that of its representative, the first of its units by (notice id,
    unit); the expansion to the other units is done once per distinct original text.
    """
    laps = Laps("check")
    position = len(cache.ids) if position is None else position
    units = build_units([notice], "literal")
    flat = keys_for(units.text, DEFAULT_PARAMS, INDEX_BUILD_SIM).ravel() if len(units) else np.empty(0, np.int64)
    q, u = cache.candidates(flat, bands)
    idents = np.array([text_id(t) for t in units.text], dtype=np.int64)
    rq, ru = cache.run_candidates(units.text, idents, DEFAULT_PARAMS.runs)
    if len(rq):  # texts sharing a run, as the engine proposes them too
        code = sorted_unique(np.concatenate([(q << 32) | u, (rq << 32) | ru]))
        q, u = code >> 32, code & 0xFFFFFFFF
    laps.lap("candidates")
    tally("check candidates", len(q))
    pos = np.asarray(cache.unit_notice[u], dtype=np.int64)
    keep = allowed[pos]
    q, u, pos = q[keep], u[keep], pos[keep]
    ident = np.asarray(cache.ident[u], dtype=np.int64)
    order = np.lexsort((u, ident, q))
    q, u, pos, ident = q[order], u[order], pos[order], ident[order]
    first = np.flatnonzero(np.r_[True, (q[1:] != q[:-1]) | (ident[1:] != ident[:-1])]) if len(q) else order
    bounds = np.r_[first, len(q)]
    gq, gident, gu = q[first], ident[first], u[first]
    distinct = sorted_unique(gident)
    gt = np.searchsorted(distinct, gident)
    # the representative of a text: the first unit, by (notice id, unit), of the groups' first units
    gpos = pos[first]
    rank = (np.asarray(cache.id_rank[gpos], dtype=np.int64) << 32) | (gu - np.asarray(cache.notice_unit[gpos]))
    by_text = np.lexsort((rank, gt))
    rep = gu[by_text[np.r_[True, gt[by_text][1:] != gt[by_text][:-1]]]] if len(gt) else gu
    # verify's own length gates, applied before the stored texts are read (a pair they rule out
    # scores 0 there): Indel similarity needs 2·short ≥ min_sim·(short + long), containment
    # CONTAIN_MIN_CHARS ≤ short ≤ SENTENCE_CONTAIN_RATIO·long
    q_len = np.fromiter((len(t) for t in units.text), dtype=np.int64, count=len(units))[gq]
    s_len = np.asarray(cache.text_len[rep], dtype=np.int64)[gt]
    short, long_ = np.minimum(q_len, s_len), np.maximum(q_len, s_len)
    cutoff = min_sim - 1e-9
    maybe = (2 * short >= cutoff * (short + long_)) | (
        (short >= CONTAIN_MIN_CHARS) & (short <= SENTENCE_CONTAIN_RATIO * long_)
    )
    laps.lap("groups")
    needed = np.zeros(len(distinct), dtype=bool)
    needed[gt[maybe]] = True
    texts = units.text + [""] * len(distinct)
    for t, text in zip(np.flatnonzero(needed).tolist(), cache.unit_texts(rep[needed])):
        texts[len(units) + t] = text
    pairs = np.stack([gq[maybe], len(units) + gt[maybe]], axis=1).astype(np.int64).reshape(-1, 2)
    laps.lap("stored texts")
    tally("check verified texts", len(pairs))
    ver = verify(texts, pairs, min_sim, contain_ratio=SENTENCE_CONTAIN_RATIO)
    laps.lap("verify")
    group = np.searchsorted(gq * max(1, len(distinct)) + gt, ver.i * max(1, len(distinct)) + ver.j - len(units))
    # one row per matched stored unit: the members of each verified pair's group, in order.  A text
    # stored more than max_family times (with the checked unit's occurrence) is a family, drawn as a
    # star in ``find_matches``: each occurrence paired with the first one, which is paired with all.
    # So the checked unit is paired with the first stored one only, unless it comes first itself.
    size = bounds[group + 1] - bounds[group]
    size[(size + 1 > max_family) & (pos[bounds[group]] < position)] = 1
    member = np.repeat(bounds[group] - (np.cumsum(size) - size), size) + np.arange(int(size.sum()), dtype=np.int64)
    row_pair = np.repeat(np.arange(len(group), dtype=np.int64), size)
    row_pos, row_u = pos[member], u[member]
    s_start = cache.unit_start[row_u].astype(np.int64)
    s_end = cache.unit_end[row_u].astype(np.int64)
    q_start, q_end = units.start[ver.i].astype(np.int64), units.end[ver.i].astype(np.int64)
    laps.lap("rows")
    tally("check matched pairs", len(ver.i))
    tally("check matched units", len(row_u))
    pair_spans: list[list[tuple[int, int]] | None] = []
    own: dict[int, list[tuple[int, int]]] = {}  # rows whose shared spans depend on their own original text
    finder = BlockFinder()
    at = np.r_[0, np.cumsum(size)].tolist()
    for k, (qi, t, contained) in enumerate(zip(ver.i.tolist(), ver.j.tolist(), ver.contained.tolist())):
        q_text, s_text = units.text[qi], texts[t]
        q_span = (int(q_start[k]), int(q_end[k]))
        if contained and len(q_text) > len(s_text):  # verify aligned the stored text inside the query's
            a, b = raw_part(notice.text[q_span[0] : q_span[1]], int(ver.start[k]), int(ver.end[k]), q_text)
            q_span = (q_span[0] + a, q_span[0] + b)
            q_start[k], q_end[k] = q_span
        if q_text == s_text:
            pair_spans.append([q_span])
            continue
        q_raw = notice.text[q_span[0] : q_span[1]]
        if not (contained and len(q_text) < len(s_text)):
            pair_spans.append([(q_span[0] + x, q_span[0] + y) for x, y in finder.a_side(q_raw, s_text)])
            continue
        # the query lies inside a longer stored unit: its part of each stored original
        pair_spans.append(None)
        done: dict[str, tuple[int, int, list[tuple[int, int]]]] = {}
        for r in range(at[k], at[k + 1]):
            a0, b0 = int(s_start[r]), int(s_end[r])
            raw = cache.notice_text(int(row_pos[r]), a0, b0)
            got = done.get(raw)
            if got is None:
                a, b = raw_part(raw, int(ver.start[k]), int(ver.end[k]), s_text)  # the span verify aligned
                runs = finder.blocks(q_raw, raw[a:b])
                got = done[raw] = (a, b, [(q_span[0] + x, q_span[0] + y) for x, y, _, _ in runs])
            s_start[r], s_end[r] = a0 + got[0], a0 + got[1]
            own[r] = got[2]
    laps.lap("aligned spans")
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for r, (p, k) in enumerate(zip(row_pos.tolist(), row_pair.tolist())):
        shared = pair_spans[k]
        spans[p].extend(own[r] if shared is None else shared)
    laps.lap("spans by source")
    return Found(dict(spans), row_pair, row_pos, s_start, s_end, q_start, q_end, ver.score)


def check_notices(
    notices: Sequence[Notice],
    store: Store,
    *,
    min_sim: float = DEFAULT_MIN_SIM,
    exclude: set[str] | None = None,
    exclude_sha: str | None = None,
    formulaic: Formulaic | None = None,
    references: Sequence[Notice] = (),
) -> list[CheckResult]:
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
    cache = index_cache(store, bands)
    where = {sid: k for k, sid in enumerate(cache.ids)}
    allowed = np.array([sid not in (exclude or ()) for sid in cache.ids], dtype=bool)

    def about(sid: str) -> tuple[str, str | None, str | None]:
        k = where[sid]
        return cache.titles[k], cache.issuers[k], cache.dates[k]

    def source_text(sid: str, a: int, b: int) -> str:
        return cache.notice_text(where[sid], a, b)

    quoted = quoted_spans(notices, references, min_sim=min_sim) if references else {}
    out = []
    for notice in notices:
        own = allowed.copy()
        if notice.id in where:
            own[where[notice.id]] = False
        found = find_sources(notice, cache, own, bands, min_sim, position=where.get(notice.id))
        by_source = {cache.ids[p]: spans for p, spans in found.spans.items()}
        # a verbatim copy shares all its text; only sources matching much of it can be one
        key, half = same_text_key(notice.text), len(notice.text) // 2
        likely = [sid for sid, sp in by_source.items() if sum(b - a for a, b in sp) >= half]
        identical = sorted(sid for sid in likely if same_text_key(source_text(sid, 0, 1 << 30)) == key)
        for sid in identical:
            by_source[sid].append((0, len(notice.text)))
        form = formulaic(notice) if formulaic is not None else []
        st = shared_text(notice.text, dict(sorted(by_source.items())), form, quoted.get(notice.id, ()))
        top = np.zeros(len(cache.ids), dtype=bool)
        top[[where[s.source] for s in st.sources[:TOP_SOURCES]]] = True
        shown = found.matches(notice, top, cache.ids, source_text)
        shown.sort(key=lambda m: (m.start, m.source, m.source_start))
        out.append(_record(notice, st, shown, about, source_text, formulaic is not None, identical, bool(references)))
    return out


@dataclass(frozen=True, slots=True)
class CompareSide:
    """One side of a compared passage: ``text == notice.text[start:end]`` and the spans of ``text``
    (relative to ``start``) that the other side has too."""

    start: int
    end: int
    text: str
    same: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class ComparePassage:
    """A passage of two compared notices: its similarity, matched units and both sides."""

    score: float
    units: int
    a: CompareSide
    b: CompareSide


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two notices side by side (``simtool compare``): ids, titles, each side's shared characters
    and ratio, and the aligned passages."""

    a: str
    b: str
    a_title: str
    b_title: str
    shared_a: int
    shared_b: int
    ratio_a: float
    ratio_b: float
    passages: tuple[ComparePassage, ...]


def compare_notices(a: Notice, b: Notice, *, min_sim: float = DEFAULT_MIN_SIM) -> Comparison:
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
            ComparePassage(
                score=p.score,
                units=p.units,
                a=CompareSide(p.a_start, p.a_end, ta, tuple(sa)),
                b=CompareSide(p.b_start, p.b_end, tb, tuple(sb)),
            )
        )
    share_a, share_b = notice_shares([a, b], m)
    return Comparison(
        a=a.id,
        b=b.id,
        a_title=a.title,
        b_title=b.title,
        shared_a=share_a.shared,
        shared_b=share_b.shared,
        ratio_a=share_a.copy_ratio,
        ratio_b=share_b.copy_ratio,
        passages=tuple(rows),
    )
