"""Wall time per named stage and counts of what it handled, for benchmarks: one helper for every layer.

Code marks its stages with ``with stage("verify"):`` (or ``Laps`` for straight-line code) and its
sizes with ``tally("candidates", n)``; nothing is measured unless a caller records::

    >>> with recording() as rec:
    ...     with stage("sum"):
    ...         tally("numbers", 1000)
    ...         _ = sum(range(1000))
    >>> list(rec.seconds), rec.counts
    (['sum'], {'numbers': 1000})

A stage entered many times (a loop over blocks) adds up.  Stages nest; each counts its own wall time.
Long loops also report ``progress(name, done, total)`` to whoever is ``watching`` (the CLI's progress bar).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import perf_counter


@dataclass(slots=True)
class Recorded:
    """Seconds per stage (in the order first entered) and counts per name."""

    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


_recorders: list[Recorded] = []


def _add(name: str, spent: float) -> None:
    for rec in _recorders:
        rec.seconds[name] = rec.seconds.get(name, 0.0) + spent


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Add the wall time of the ``with`` body to ``name`` in every active recording (free when none is)."""
    if not _recorders:
        yield
        return
    start = perf_counter()
    try:
        yield
    finally:
        _add(name, perf_counter() - start)


def charge(name: str, seconds: float) -> None:
    """Add ``seconds`` measured by the caller to stage ``name`` (work interleaved with another stage)."""
    if _recorders:
        _add(name, seconds)


def tally(name: str, n: int) -> None:
    """Add ``n`` to the count ``name`` in every active recording."""
    for rec in _recorders:
        rec.counts[name] = rec.counts.get(name, 0) + int(n)


@contextmanager
def recording() -> Iterator[Recorded]:
    """Collect the stages and counts of the ``with`` body."""
    rec = Recorded()
    _recorders.append(rec)
    try:
        yield rec
    finally:
        _recorders.remove(rec)


class Laps:
    """Stages of straight-line code: ``lap(name)`` closes the stage that ran since the previous lap
    (or since construction) and adds it to every active recording as ``prefix: name``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.start = perf_counter()

    def lap(self, name: str) -> None:
        now = perf_counter()
        if _recorders:
            _add(f"{self.prefix}: {name}", now - self.start)
        self.start = now


_watchers: list[Callable[[str, int, int], None]] = []


def progress(name: str, done: int, total: int) -> None:
    """Tell every watcher that ``done`` of ``total`` steps of ``name`` are done (free when nobody watches)."""
    for watch in _watchers:
        watch(name, done, total)


@contextmanager
def watching(callback: Callable[[str, int, int], None]) -> Iterator[None]:
    """Call ``callback(name, done, total)`` for every ``progress`` inside the ``with`` body (a progress bar)."""
    _watchers.append(callback)
    try:
        yield
    finally:
        _watchers.remove(callback)
