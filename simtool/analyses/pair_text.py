"""The JSONL text of ``dupes`` on both cores: slices of the reported pairs formatted on forked workers.

At 10,000 notices ``dupes --format jsonl`` writes 18 million lines, and formatting them (Python
strings, one side's JSON at a time) took 200 s on one core.  The pairs to report are found once
(``Reported``); forked workers inherit them (nothing is copied through pipes but the text they
make), each formats whole slices of ``ROWS_AT_ONCE`` rows, and the slices are taken in order: the
text is byte for byte ``pair_lines``'s.  A small result stays on one process.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from simtool.analyses.dupes import LineMaker, Reported
from simtool.core.types import Notice
from simtool.match.engine import Matches

POOL_MIN_ROWS = 200_000  # reported pairs below which the text is made on one process
IN_FLIGHT = 2  # slices waiting per worker: each is tens of MB of text

_reported: Reported | None = None
_maker: LineMaker | None = None


def _block(maker: LineMaker, reported: Reported, lo: int) -> bytes:
    """The lines of the slice from ``lo`` as UTF-8, each ending in a line break."""
    lines = list(maker.lines(reported.rows(lo)))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""  # (no copy of each line with its break)


def _text_of(lo: int) -> bytes:
    """``_block`` of the slice from ``lo`` in a worker, with one side cache per worker kept from slice to slice."""
    global _maker
    assert _reported is not None
    if _maker is None:
        _maker = LineMaker(_reported.notices, _reported.units)
    return _block(_maker, _reported, lo)


def pair_text(notices: Sequence[Notice], m: Matches, jobs: int = 1) -> Iterator[bytes]:
    """``pair_lines`` as blocks of UTF-8 text (each line ending in a line break), made on ``jobs`` processes."""
    global _reported
    reported = Reported(notices, m)
    starts = reported.starts()
    if jobs <= 1 or len(reported.a) < POOL_MIN_ROWS or "fork" not in multiprocessing.get_all_start_methods():
        maker = LineMaker(notices, m.units)
        for lo in starts:
            yield _block(maker, reported, lo)
        return
    _reported = reported  # inherited by the forked workers
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            waiting: deque[Future[bytes]] = deque()
            for lo in starts:
                waiting.append(pool.submit(_text_of, lo))
                if len(waiting) >= jobs * IN_FLIGHT:
                    yield waiting.popleft().result()
            while waiting:
                yield waiting.popleft().result()
    finally:
        _reported = None
