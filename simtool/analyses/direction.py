"""Direction of copying: where publication dates are known, the earlier notice of a pair is the
likely source.

A notice checked against others has ranked sources (each with its id, publication date, shared
characters and ratio).  The likely source is the largest source among the notices published
strictly earlier; when the notice's own date is unknown, or no source has an earlier date, there
is none, shown as ``同日/日期不详`` (the same day or no date: the direction cannot be told).

>>> sources = [Source("b", "2023-09-01", 300, 0.3), Source("c", "2023-07-01", 120, 0.12), Source("d", None, 90, 0.09)]
>>> max_earlier_source("2023-08-01", sources)
Source(notice='c', date='2023-07-01', shared=120, ratio=0.12)
>>> source_label(max_earlier_source("2023-07-01", sources)), source_label(max_earlier_source(None, sources))
('同日/日期不详', '同日/日期不详')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SAME_DAY_OR_UNDATED = "同日/日期不详"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Source:
    """One ranked source of a notice: its id, publication date (ISO or None), shared characters
    of the notice and their share of it."""

    notice: str
    date: str | None
    shared: int
    ratio: float


def _known(date: str | None) -> str | None:
    """An ISO ``YYYY-MM-DD`` date, else None (ISO dates compare as strings)."""
    return date if date is not None and _ISO_DATE.fullmatch(date) else None


def earliest_sources(date: str | None, sources: Iterable[Source]) -> list[Source]:
    """The sources published strictly before ``date``, largest first (shared characters, then
    ratio, then id); empty when ``date`` is unknown.

    >>> [s.notice for s in earliest_sources("2023-08-01", [Source("a", "2023-08-01", 9, 0.9),
    ...     Source("b", "2023-01-05", 2, 0.2), Source("c", "2022-12-31", 5, 0.5)])]
    ['c', 'b']
    """
    day = _known(date)
    if day is None:
        return []
    earlier = [s for s in sources if (d := _known(s.date)) is not None and d < day]
    return sorted(earlier, key=lambda s: (-s.shared, -s.ratio, s.notice))


def max_earlier_source(date: str | None, sources: Iterable[Source]) -> Source | None:
    """The largest source published strictly before ``date`` (the likely source), else None."""
    earlier = earliest_sources(date, sources)
    return earlier[0] if earlier else None


def source_label(source: Source | None) -> str:
    """The source's id, or ``同日/日期不详`` when there is none."""
    return source.notice if source is not None else SAME_DAY_OR_UNDATED


def ranked_sources(records: Sequence[Mapping[str, Any]]) -> list[Source]:
    """``Source``s from the ``sources`` of a ``check`` record (``notice``, ``date``, ``shared``, ``ratio``)."""
    return [Source(str(r["notice"]), r.get("date"), int(r["shared"]), float(r["ratio"])) for r in records]


def direction_fields(date: str | None, sources: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The fields a ``check`` record gets: ``max_earlier_source`` (id or None) and
    ``max_earlier_source_ratio`` (its ratio, None when there is no earlier source).

    >>> direction_fields("2023-08-02", [{"notice": "x#1", "date": "2023-08-01", "shared": 40, "ratio": 0.25}])
    {'max_earlier_source': 'x#1', 'max_earlier_source_ratio': 0.25}
    >>> direction_fields(None, [{"notice": "x#1", "date": "2023-08-01", "shared": 40, "ratio": 0.25}])
    {'max_earlier_source': None, 'max_earlier_source_ratio': None}
    """
    best = max_earlier_source(date, ranked_sources(sources))
    return {
        "max_earlier_source": best.notice if best is not None else None,
        "max_earlier_source_ratio": best.ratio if best is not None else None,
    }
