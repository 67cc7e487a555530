"""Units and verification on both cores: notices and candidate blocks cut into chunks and handled on
forked worker processes.

``verify`` spends most of its time in Python around rapidfuzz (the aligned part of every
containment), which one process runs on one core.  Forked workers inherit the distinct texts (no
copying them through pipes), get chunks of candidate pairs and send back the verified ones; the
results are taken in the order the chunks were made, so the edges are the same as on one process.
Small inputs (the seeds, the tests) stay on one process: a pool costs more than it saves there.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from time import perf_counter

import numpy as np

from simtool.core.types import Notice, View
from simtool.match.lsh import PAIRS_PER_BLOCK, CandidateBlocks
from simtool.match.runs import run_pairs
from simtool.match.units import Units, build_units, concat_units
from simtool.match.verify import SENTENCE_CONTAIN_RATIO, Verified, text_array, verify

POOL_MIN_TEXTS = 20_000  # distinct texts below which verification stays on one process
POOL_MIN_NOTICES = 1_000  # notices below which units are built on one process
CHUNK_PAIRS = 100_000  # candidate pairs a worker verifies at a time
POOL_BLOCK_PAIRS = 1 << 21  # band pairs of a block listed by a worker (about a million candidates, a few seconds)
IN_FLIGHT = 2  # blocks waiting per worker: enough to keep it busy, few enough to bound memory

_texts: Sequence[str] = ()
_verify_texts: Sequence[str] | np.ndarray = ()  # the texts of verify_candidates (a text_array)
_notices: Sequence[Notice] = ()
_lengths: np.ndarray = np.empty(0, dtype=np.int64)
_candidates: CandidateBlocks | None = None


def verify_jobs(n_texts: int, jobs: int) -> int:
    """Worker processes for verifying among ``n_texts`` texts: ``jobs`` where fork is available and
    there are at least ``POOL_MIN_TEXTS`` texts, else 1."""
    if n_texts < POOL_MIN_TEXTS or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, jobs)


def block_pairs(jobs: int) -> int:
    """Band pairs of a candidate block (``CandidateBlocks``) for verifying on ``jobs`` processes: small
    blocks on a pool, so that every worker has one to list and verify while the others do."""
    return PAIRS_PER_BLOCK if jobs <= 1 else POOL_BLOCK_PAIRS


def _run_pairs_of_texts(n: int) -> np.ndarray:
    return run_pairs(_texts, n=n)


@contextmanager
def run_pairs_beside(texts: Sequence[str], n: int, jobs: int) -> Iterator[Callable[[], np.ndarray | None]]:
    """``run_pairs(texts, n=n)`` on a forked process while the body goes on (the sketch: the two take
    about as long, 25 and 35 s at 10,000 notices); the body's value, called, waits for them.  With one
    job, or on a small input, they are computed when called; if the process fails, here.  ``n`` 0:
    no runs (``None``)."""
    if not n:
        yield lambda: None
        return
    if verify_jobs(len(texts), jobs) <= 1:
        yield lambda: run_pairs(texts, n=n)
        return
    global _texts
    _texts = texts  # inherited by the forked process
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            future = pool.submit(_run_pairs_of_texts, n)

            def result() -> np.ndarray:
                try:
                    return future.result()
                except BrokenProcessPool:  # killed (memory): do it here
                    return run_pairs(texts, n=n)

            yield result
    finally:
        _texts = ()


def _verify_chunk(pairs: np.ndarray, min_sim: float) -> Verified:
    return verify(_verify_texts, pairs, min_sim, contain_ratio=SENTENCE_CONTAIN_RATIO, lengths=_lengths, workers=1)


def _listed(candidates: CandidateBlocks, k: int) -> tuple[np.ndarray, float]:
    """Block ``k``'s candidate pairs and the seconds spent listing them."""
    t0 = perf_counter()
    pairs = candidates.block(k)
    return pairs, perf_counter() - t0


def _verify_block(k: int, min_sim: float) -> tuple[int, Verified, float]:
    """Block ``k`` of the inherited candidates, listed and verified here: ``(candidates, verified, seconds
    spent listing them)``; verified ``CHUNK_PAIRS`` at a time (bounded temporaries)."""
    assert _candidates is not None
    pairs, listed = _listed(_candidates, k)
    parts = [_verify_chunk(pairs[lo : lo + CHUNK_PAIRS], min_sim) for lo in range(0, len(pairs), CHUNK_PAIRS)]
    return len(pairs), Verified.joined(parts), listed


def verify_candidates(
    texts: Sequence[str], candidates: CandidateBlocks, min_sim: float, lengths: np.ndarray, jobs: int
) -> Iterator[tuple[int, Verified, float]]:
    """``(candidates, verified, seconds spent listing them)`` for each block of ``candidates``, in order.
    With more than one job the blocks are listed and verified on ``jobs`` forked processes, which inherit
    the texts and the buckets: listing a block (sorting its band pairs) is a fifth of the work, and done
    here it kept the workers waiting."""
    gathered = text_array(texts) if len(candidates) > 1 else texts
    if jobs <= 1:
        for k in range(len(candidates)):
            pairs, listed = _listed(candidates, k)
            verified = verify(gathered, pairs, min_sim, contain_ratio=SENTENCE_CONTAIN_RATIO, lengths=lengths)
            yield len(pairs), verified, listed
        return
    global _verify_texts, _lengths, _candidates
    _verify_texts, _lengths, _candidates = gathered, lengths, candidates  # inherited by the forked workers
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            waiting: deque[Future[tuple[int, Verified, float]]] = deque()
            for k in range(len(candidates)):
                waiting.append(pool.submit(_verify_block, k, min_sim))
                while len(waiting) >= jobs * IN_FLIGHT:
                    yield waiting.popleft().result()
            while waiting:
                yield waiting.popleft().result()
    finally:
        _verify_texts, _lengths, _candidates = (), np.empty(0, dtype=np.int64), None


def _units_of(first: int, last: int, view: View) -> tuple[int, Units]:
    return first, build_units(_notices[first:last], view)


def units_on(notices: Sequence[Notice], view: View, jobs: int) -> Units:
    """``build_units(notices, view)``, on ``jobs`` forked processes (slices of notices, joined in order)."""
    if jobs <= 1 or len(notices) < POOL_MIN_NOTICES or "fork" not in multiprocessing.get_all_start_methods():
        return build_units(notices, view)
    global _notices
    _notices = notices  # inherited by the forked workers
    try:
        step = -(-len(notices) // (4 * jobs))
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [
                pool.submit(_units_of, a, min(a + step, len(notices)), view) for a in range(0, len(notices), step)
            ]
            return concat_units([f.result() for f in futures])
    finally:
        _notices = ()
