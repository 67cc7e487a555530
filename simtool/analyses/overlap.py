"""Notice-pair overlap (重合度, 复制比) and each notice's copy ratios.

For two notices A and B, ``shared_a`` is the number of non-white-space characters of A inside
the aligned spans of A's sentences and clauses that the engine matched with B (重合字数);
``ratio_a = shared_a / a_chars``.  The ``*_substantive`` ratios leave 套话 (the formulas, 提法 and
signature lines of ``simtool.analyses.phrases``) out of the shared characters, over the same
denominator, so they are never above the plain ones.  All of it comes from ``simtool.analyses.shared.shared_text``, the
same function that ``check``, ``compare`` and the report use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from simtool.analyses.dupes import passages
from simtool.analyses.phrases import corpus_formulaic
from simtool.analyses.records import optional
from simtool.analyses.shared import SharedText, notice_shares
from simtool.core.types import Notice
from simtool.match.engine import DEFAULT_MIN_SIM, Matches, find_matches

Span = tuple[int, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class OverlapPair:
    """Two notices sharing text (the ``overlap`` contract): each side's characters, shared
    characters and ratios (plain, 去除套话 and, with references, 去除引用), the earlier-dated
    notice as ``likely_source``, the number of passages, and both notices' title, unit and date."""

    a: str
    b: str
    a_chars: int
    b_chars: int
    shared_a: int
    shared_b: int
    ratio_a: float
    ratio_b: float
    ratio_a_substantive: float
    ratio_b_substantive: float
    ratio_a_unquoted: float | None = optional()
    ratio_b_unquoted: float | None = optional()
    likely_source: str | None
    passages: int
    a_title: str
    b_title: str
    a_unit: str | None
    b_unit: str | None
    a_date: str | None
    b_date: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeRatios:
    """One notice's copy ratios against the others: 总文字复制比, 去除套话复制比, 单篇最大复制比 with
    its source, shared and all characters, the 套话 share and, with references, 去除引用."""

    copy_ratio: float
    copy_ratio_substantive: float
    max_source_ratio: float
    max_source: str | None
    shared: int
    chars: int
    formulaic_share: float
    copy_ratio_unquoted: float | None = optional()
    quoted_share: float | None = optional()


def default_formulaic(notices: Sequence[Notice]) -> dict[str, list[Span]]:
    """套话 spans learned from ``notices`` themselves (empty when they are too few)."""
    return corpus_formulaic(notices)


def _prepare(
    notices: Sequence[Notice],
    min_sim: float,
    matches: Matches | None,
    formulaic: dict[str, list[Span]] | None,
    quoted: dict[str, list[Span]] | None,
) -> tuple[Matches, list[SharedText]]:
    if matches is None:
        matches = find_matches(notices, min_sim=min_sim, scope="cross")
    if formulaic is None:
        formulaic = default_formulaic(notices)
    return matches, notice_shares(notices, matches, formulaic, quoted)


def likely_source(a: Notice, b: Notice) -> str | None:
    """The id of the notice published first, when both are dated on different days."""
    if a.date and b.date and a.date != b.date:
        return a.id if a.date < b.date else b.id
    return None


def overlap_records(
    notices: Sequence[Notice],
    *,
    min_sim: float = DEFAULT_MIN_SIM,
    matches: Matches | None = None,
    formulaic: dict[str, list[Span]] | None = None,
    quoted: dict[str, list[Span]] | None = None,
) -> list[OverlapPair]:
    """One record per notice pair sharing text (the ``overlap`` contract), ``a`` first in input order.

    Ranked by ``max(ratio_a_substantive, ratio_b_substantive)`` descending, then by the ids.
    ``matches`` (from ``find_matches(..., scope="cross")``) and ``formulaic`` (notice id →
    套话 spans, e.g. from ``corpus_formulaic``) are computed when not given.  With ``quoted``
    (notice id → 引用 spans, ``simtool.analyses.quoted``) each record also has
    ``ratio_a_unquoted``/``ratio_b_unquoted`` (去除引用).
    """
    matches, shares = _prepare(notices, min_sim, matches, formulaic, quoted)
    counts = Counter((p.a, p.b) for p in passages(matches))
    index = {n.id: i for i, n in enumerate(notices)}
    out: list[OverlapPair] = []
    for i, a in enumerate(notices):
        for src in shares[i].sources:
            j = index[src.source]
            if j <= i:
                continue
            b = notices[j]
            back = shares[j].source(a.id)
            assert back is not None  # every match has two sides
            sa, sb = shares[i], shares[j]
            out.append(
                OverlapPair(
                    a=a.id,
                    b=b.id,
                    a_chars=sa.chars,
                    b_chars=sb.chars,
                    shared_a=src.shared,
                    shared_b=back.shared,
                    ratio_a=src.ratio,
                    ratio_b=back.ratio,
                    ratio_a_substantive=src.ratio_substantive,
                    ratio_b_substantive=back.ratio_substantive,
                    ratio_a_unquoted=src.ratio_unquoted if quoted is not None else None,
                    ratio_b_unquoted=back.ratio_unquoted if quoted is not None else None,
                    likely_source=likely_source(a, b),
                    passages=counts.get((i, j), 0),
                    a_title=a.title,
                    b_title=b.title,
                    a_unit=a.unit,
                    b_unit=b.unit,
                    a_date=a.date,
                    b_date=b.date,
                )
            )
    out.sort(key=lambda r: (-max(r.ratio_a_substantive, r.ratio_b_substantive), r.a, r.b))
    return out


def notice_ratios(
    notices: Sequence[Notice],
    *,
    min_sim: float = DEFAULT_MIN_SIM,
    matches: Matches | None = None,
    formulaic: dict[str, list[Span]] | None = None,
    quoted: dict[str, list[Span]] | None = None,
) -> dict[str, NoticeRatios]:
    """Per notice id: 总文字复制比 ``copy_ratio`` (its text matched in any other notice),
    去除套话复制比 ``copy_ratio_substantive``, 单篇最大复制比 ``max_source_ratio`` with its
    ``max_source`` (ties go to the smaller id), ``shared``, ``chars`` and ``formulaic_share``.

    ``max_source_ratio`` equals the largest ``ratio_a``/``ratio_b`` of the notice in ``overlap_records``.
    With ``quoted`` also 去除引用复制比 ``copy_ratio_unquoted`` and ``quoted_share``.
    """
    matches, shares = _prepare(notices, min_sim, matches, formulaic, quoted)
    return {
        n.id: NoticeRatios(
            copy_ratio=st.copy_ratio,
            copy_ratio_substantive=st.copy_ratio_substantive,
            max_source_ratio=st.max_source_ratio,
            max_source=st.max_source,
            shared=st.shared,
            chars=st.chars,
            formulaic_share=st.formulaic_share,
            copy_ratio_unquoted=st.copy_ratio_unquoted if quoted is not None else None,
            quoted_share=st.quoted_share if quoted is not None else None,
        )
        for n, st in zip(notices, shares)
    }
