"""Which characters of a notice are shared with which other notice: the one source of every ratio.

Every consumer — ``overlap``, the per-notice ratios, ``check`` against a store, ``compare`` and
the report's table, heatmap and highlighting — turns its verified matches into spans of the
notice text per other notice (``spans_by_other``) and calls ``shared_text``.  What the report
paints is ``SharedText.spans`` and ``SourceShare.spans``; what it counts is the same spans.

Characters are counted without white space.  总文字复制比 ``copy_ratio`` = shared / chars;
去除套话复制比 ``copy_ratio_substantive`` = shared outside 套话 / chars and 去除引用复制比
``copy_ratio_unquoted`` = shared outside 引用 (text matching a reference document) / chars;
单篇最大复制比 ``max_source_ratio`` is the largest share of one other notice.

The denominator is always all the notice's characters, as CNKI's 去除引用文献复制比 is: the
numerator only loses characters, so 去除套话 ≤ 总 and 去除引用 ≤ 总 hold for every notice and every
pair.  (Dividing by the characters outside 套话 instead, as before, made 去除套话 *higher* than 总
wherever a notice's own 套话 was not shared: 4 of 139 seed pairs.)
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from simtool.core.spans import CharCounter, merge_spans, subtract_spans
from simtool.core.types import Notice
from simtool.match.engine import Matches
from simtool.match.verify import equal_runs
from simtool.text.normalize import Normalized, normalize_map

Span = tuple[int, int]
_SPACE = re.compile(r"\s+")


def ratio(part: int, whole: int) -> float:
    """``part / whole`` rounded to 4 places (0 for an empty whole).

    >>> ratio(1, 3), ratio(5, 0)
    (0.3333, 0.0)
    """
    return round(part / whole, 4) if whole else 0.0


@dataclass(frozen=True, slots=True)
class SourceShare:
    """The characters of a notice shared with one other notice (``source``)."""

    source: str
    shared: int
    shared_substantive: int
    ratio: float
    ratio_substantive: float
    spans: tuple[Span, ...]
    shared_unquoted: int = 0
    ratio_unquoted: float = 0.0


@dataclass(frozen=True, slots=True)
class SharedText:
    """One notice's shared characters: in all, outside 套话, outside 引用, and per other notice.

    ``sources`` are ranked by shared characters (then id); ``max_source`` is the first one.
    ``quoted`` are the notice's spans matching a reference document (引用).
    """

    chars: int
    substantive_chars: int
    shared: int
    shared_substantive: int
    copy_ratio: float
    copy_ratio_substantive: float
    formulaic_share: float
    spans: tuple[Span, ...]
    sources: tuple[SourceShare, ...]
    shared_unquoted: int = 0
    copy_ratio_unquoted: float = 0.0
    quoted: tuple[Span, ...] = ()
    quoted_share: float = 0.0

    @property
    def max_source(self) -> str | None:
        return self.sources[0].source if self.sources else None

    @property
    def max_source_ratio(self) -> float:
        return self.sources[0].ratio if self.sources else 0.0

    def source(self, sid: str) -> SourceShare | None:
        return next((s for s in self.sources if s.source == sid), None)


def shared_text(
    text: str | CharCounter,
    by_other: Mapping[str, Sequence[Span]],
    formulaic: Sequence[Span] = (),
    quoted: Sequence[Span] = (),
) -> SharedText:
    """The shared characters of ``text`` given, per other notice id, the spans matched with it,
    its 套话 spans (``formulaic``) and its 引用 spans (``quoted``, text matching a reference).

    >>> st = shared_text("甲乙丙丁戊己庚辛", {"b": [(0, 4)], "c": [(2, 6)]}, [(0, 2)], [(5, 8)])
    >>> st.shared, st.copy_ratio, st.copy_ratio_substantive, st.copy_ratio_unquoted, st.max_source
    (6, 0.75, 0.5, 0.625, 'b')
    """
    counter = text if isinstance(text, CharCounter) else CharCounter(text)
    form, quote = merge_spans(formulaic), merge_spans(quoted)
    chars = counter.count()
    substantive = chars - counter.count(form)
    # characters outside 套话 / 引用 as prefix counts: a count of merged spans minus them is then two
    # look-ups per span, the same number as ``count(subtract_spans(merged, form))``
    outside_form, outside_quote = _outside(counter, form), _outside(counter, quote)
    sources = []
    last = len(counter.prefix) - 1
    for sid, spans in by_other.items():
        merged = merge_spans(spans)
        if not merged:
            continue
        at = np.minimum(np.array(merged, dtype=np.int64), last)
        n = _count_at(counter.prefix, at)
        if n == 0:
            continue  # matched, but nothing counts as shared (a piece shorter than MIN_SHARED)
        n_sub, n_unq = _count_at(outside_form, at), _count_at(outside_quote, at)
        sources.append(
            SourceShare(sid, n, n_sub, ratio(n, chars), ratio(n_sub, chars), tuple(merged), n_unq, ratio(n_unq, chars))
        )
    sources.sort(key=lambda s: (-s.shared, s.source))
    union = merge_spans(s for src in sources for s in src.spans)
    shared, shared_sub = counter.count(union), counter.count(subtract_spans(union, form))
    shared_unq = counter.count(subtract_spans(union, quote))
    return SharedText(
        chars,
        substantive,
        shared,
        shared_sub,
        ratio(shared, chars),
        ratio(shared_sub, chars),
        ratio(chars - substantive, chars),
        tuple(union),
        tuple(sources),
        shared_unq,
        ratio(shared_unq, chars),
        tuple(quote),
        ratio(counter.count(quote), chars),
    )


def _outside(counter: CharCounter, remove: Sequence[Span]) -> np.ndarray:
    """Prefix counts of the non-white-space characters outside the merged spans ``remove``."""
    if not remove:
        return counter.prefix
    n = len(counter.prefix) - 1
    inside = np.zeros(n + 1, dtype=np.int64)
    for a, b in remove:
        a, b = min(a, n), min(b, n)
        inside[a] += 1
        inside[b] -= 1
    covered = np.cumsum(inside)[:n] > 0
    counted = np.diff(counter.prefix) > 0
    return np.concatenate([[0], np.cumsum(counted & ~covered, dtype=np.int64)])


def _count_at(prefix: np.ndarray, at: np.ndarray) -> int:
    """Characters counted by ``prefix`` inside the sorted, disjoint spans ``at`` (rows, clipped to the text)."""
    return int((prefix[at[:, 1]] - prefix[at[:, 0]]).sum())


def same_text_key(text: str) -> str:
    r"""What two verbatim copies of a notice have in common: the text without white space.

    >>> same_text_key("一、 整改\n情况") == same_text_key("一、整改情况")
    True
    """
    return _SPACE.sub("", text)


class BlockFinder:
    """The characters two matched spans really share: for a pair that is similar but not identical,
    the runs of at least ``MIN_BLOCK`` equal characters (after normalization) of its alignment, as
    spans of each original text.  Cached, since a formula repeats the same pairs."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, str], list[tuple[int, int, int, int]]] = {}
        self.one_side: dict[tuple[str, str], list[tuple[int, int]]] = {}
        self.maps: dict[str, Normalized] = {}

    def a_side(self, a_raw: str, b_norm: str) -> list[tuple[int, int]]:
        """The ``a`` side of ``blocks(a_raw, b_raw)`` knowing only ``b_norm``, the normalized text of
        ``b_raw`` (the other side's offsets are what need its original text).

        >>> BlockFinder().a_side("一是加强理论学习，提高思想认识和政治站位。", "二是加强理论学习,提高思想认识和理论水平。")
        [(1, 16)]
        """
        key = (a_raw, b_norm)
        found = self.one_side.get(key)
        if found is None:
            na = self.maps.get(a_raw)
            if na is None:
                na = self.maps[a_raw] = normalize_map(a_raw)
            found = self.one_side[key] = [na.span(sa, ea) for sa, ea, _, _ in equal_runs(na.text, b_norm)]
        return found

    def blocks(self, a_raw: str, b_raw: str) -> list[tuple[int, int, int, int]]:
        """``(a_start, a_end, b_start, b_end)`` of each equal run, relative to the two texts.

        >>> BlockFinder().blocks("一是加强理论学习，提高思想认识和政治站位。", "二是加强理论学习，提高思想认识和理论水平。")
        [(1, 16, 1, 16)]
        >>> BlockFinder().blocks("举一反三，加大安全检查频次。", "加大安全检查频次。")  # 10 equal characters: too few
        []
        """
        key = (a_raw, b_raw)
        found = self.cache.get(key)
        if found is None:
            na, nb = normalize_map(a_raw), normalize_map(b_raw)
            found = []  # a short shared piece (发展势头良好。) is no evidence by itself
            for sa, ea, sb, eb in equal_runs(na.text, nb.text):
                found.append((*na.span(sa, ea), *nb.span(sb, eb)))
            self.cache[key] = found
        return found

    def shared(self, a_text: str, a: Span, b_text: str, b: Span, identical: bool) -> tuple[list[Span], list[Span]]:
        """The shared spans on each side of the matched spans ``a`` of ``a_text`` and ``b`` of ``b_text``."""
        if identical:
            return [a], [b]
        runs = self.blocks(a_text[a[0] : a[1]], b_text[b[0] : b[1]])
        return [(a[0] + x, a[0] + y) for x, y, _, _ in runs], [(b[0] + x, b[0] + y) for _, _, x, y in runs]


def spans_by_other(notices: Sequence[Notice], m: Matches) -> list[dict[str, list[Span]]]:
    """Per notice (by index), the characters of its text shared with each other notice (by id):
    the whole aligned span of an identical pair, the equal runs of a similar one (``BlockFinder``).

    A verbatim copy of another notice (the same text but for white space) shares all of its text
    with it, title, labels and signature included.
    """
    out: list[dict[str, list[Span]]] = [defaultdict(list) for _ in notices]
    copies: dict[str, list[int]] = defaultdict(list)
    for i, n in enumerate(notices):
        copies[same_text_key(n.text)].append(i)
    for group in copies.values():
        for i in group:
            for j in group:
                if i != j:
                    out[i][notices[j].id].append((0, len(notices[i].text)))
    u = m.units
    na, nb = u.notice[m.a], u.notice[m.b]
    cross = np.flatnonzero(na != nb).tolist()
    finder = BlockFinder()
    for k in cross:
        i, j = int(na[k]), int(nb[k])
        ua, ub = int(m.a[k]), int(m.b[k])
        sa, sb = finder.shared(
            notices[i].text,
            (int(m.a_start[k]), int(m.a_end[k])),
            notices[j].text,
            (int(m.b_start[k]), int(m.b_end[k])),
            u.text[ua] == u.text[ub],
        )
        out[i][notices[j].id].extend(sa)
        out[j][notices[i].id].extend(sb)
    return [dict(d) for d in out]


def notice_shares(
    notices: Sequence[Notice],
    m: Matches,
    formulaic: Mapping[str, Sequence[Span]] | None = None,
    quoted: Mapping[str, Sequence[Span]] | None = None,
) -> list[SharedText]:
    """``shared_text`` of every notice from the engine's cross matches."""
    formulaic, quoted = formulaic or {}, quoted or {}
    return [
        shared_text(n.text, spans, formulaic.get(n.id, ()), quoted.get(n.id, ()))
        for n, spans in zip(notices, spans_by_other(notices, m))
    ]
