"""Reading and parsing many files on every core, in the order given.

Reading, cleaning, splitting, parsing and (when the caller passes an ``index`` function) sketching
are independent per file, so they run in a pool of worker processes over batches of files (the
index rows of a batch are computed in one call); the results come back in the input order, so every
run gives the same answer whatever the number of workers.
Writing to the store stays in the calling process, one transaction per file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing import get_context
from typing import Any, cast

from simtool.core.threads import use_threads
from simtool.core.types import Document, Notice, Skip
from simtool.read.ingest import iter_files, read_document
from simtool.read.parse import notices_from_text

IndexRows = list[tuple[bytes, bytes] | None]
Indexer = Callable[[Sequence[Notice]], IndexRows]
POOL_MIN_FILES = 16  # fewer files are parsed in this process: starting workers costs about a second
FILES_PER_BATCH = 8  # files parsed (and indexed together) by one task


@dataclass(frozen=True, slots=True)
class Parsed:
    """One file read and parsed: its notices, the noise lines removed, and (if asked) its index rows."""

    doc: Document
    notices: list[Notice]
    removed: tuple[str, ...]
    rows: IndexRows | None = None


def parse_document(doc: Document) -> tuple[list[Notice], tuple[str, ...]]:
    """Clean, split and parse one document into notices."""
    return notices_from_text(doc.text, doc.path)


_known: frozenset[str] = frozenset()  # in a worker: the stored files' hashes (no index needed for those)


def _remember(known: frozenset[str]) -> None:
    global _known
    _known = known


def _worker_start(known: frozenset[str], parent: int) -> None:
    """In a worker: die with the parent (a killed ingest leaves no workers behind; Linux), remember ``known``.

    A parent killed while the worker was still starting (importing) sent no signal, and the pool's
    queue would keep the worker waiting for ever (every worker holds the queue's pipes): it checks
    that its parent ``parent`` is still there once the signal is armed."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers end when the pool's pipes close
        pass
    if os.getppid() != parent:
        os._exit(1)
    _remember(known)
    use_threads(1)  # the pool already has a process per core: sketching needs no threads of its own


def parse_file(path: str, force: bool = False, index: Indexer | None = None) -> Parsed | Skip:
    """Read and parse one file; a file that fails becomes a ``Skip`` (never an exception)."""
    try:
        item = read_document(path, force=force)
        if isinstance(item, Skip):
            return item
        notices, removed = parse_document(item)
        if not notices:
            return Skip(path, "文件中没有可分析的正文，已跳过")
        rows = index(notices) if index is not None and item.sha256 not in _known else None
        return Parsed(item, notices, removed, rows)
    except Exception as exc:  # parsing must never take the whole run down
        return Skip(path, f"解析失败（{type(exc).__name__}），已跳过，请把该文件报告给开发者")


_ALL_CORES = False


def use_all_cores(on: bool = True) -> None:
    """Make one worker per core the default (the ``simtool`` command does).  A library caller gets
    one process unless it passes ``jobs``: spawned workers re-import the caller's main module, and
    a script without the ``if __name__ == "__main__":`` guard would start itself again."""
    global _ALL_CORES
    _ALL_CORES = on


def default_jobs() -> int:
    """Worker processes by default: one per core (at most 8) under the command, else one."""
    return max(1, min(8, os.cpu_count() or 1)) if _ALL_CORES else 1


def parse_batch(files: Sequence[str], force: bool = False, index: Indexer | None = None) -> list[Parsed | Skip]:
    """``parse_file`` of each of ``files``, with the index rows of all of them computed in one call (a
    third less time than file by file: the sketch's fixed cost is paid once); when that call fails, each
    file is parsed and indexed alone again, so that only the file at fault becomes a ``Skip``."""
    parsed = [parse_file(f, force) for f in files]
    todo = [k for k, p in enumerate(parsed) if isinstance(p, Parsed) and p.doc.sha256 not in _known]
    if index is None or not todo:
        return parsed
    try:
        rows = index([n for k in todo for n in cast(Parsed, parsed[k]).notices])
    except Exception:
        return [parse_file(f, force, index) if k in todo else parsed[k] for k, f in enumerate(files)]
    at = 0
    for k in todo:
        item = cast(Parsed, parsed[k])
        parsed[k] = replace(item, rows=rows[at : at + len(item.notices)])
        at += len(item.notices)
    return parsed


def _call(args: tuple[Sequence[str], bool, Indexer | None]) -> list[Parsed | Skip]:
    return parse_batch(*args)


def parse_paths(
    paths: Sequence[str],
    *,
    force: bool = False,
    jobs: int | None = None,
    index: Indexer | None = None,
    known: frozenset[str] = frozenset(),
) -> Iterator[Parsed | Skip]:
    """Every file under ``paths`` read and parsed, in order, on ``jobs`` processes.

    ``index`` is applied to each file's notices in the worker, except for files whose hash is in
    ``known`` (already stored: nothing to index).
    """
    items = list(iter_files(paths))
    files = [i for i in items if isinstance(i, str)]
    jobs = default_jobs() if jobs is None else max(1, jobs)
    if jobs == 1 or len(files) < POOL_MIN_FILES:
        _remember(known)
        batches = (
            parse_batch(files[lo : lo + FILES_PER_BATCH], force, index) for lo in range(0, len(files), FILES_PER_BATCH)
        )
        yield from _merge(items, (item for batch in batches for item in batch))
        return
    with ProcessPoolExecutor(
        jobs, mp_context=get_context("spawn"), initializer=_worker_start, initargs=(known, os.getpid())
    ) as pool:
        chunk = max(1, min(FILES_PER_BATCH, len(files) // (jobs * 8)))
        window = jobs * chunk * 16  # files in flight: bounded, so parsed results never pile up in memory

        def parsed() -> Iterator[Parsed | Skip]:
            for lo in range(0, len(files), window):
                part = files[lo : lo + window]
                batches = [(part[k : k + chunk], force, index) for k in range(0, len(part), chunk)]
                for batch in pool.map(_call, batches):
                    yield from batch

        yield from _merge(items, parsed())


def _merge(items: Sequence[Any], parsed: Iterator[Parsed | Skip]) -> Iterator[Parsed | Skip]:
    """The skips of ``iter_files`` and the parsed files, in the order of ``items``."""
    for item in items:
        yield item if isinstance(item, Skip) else next(parsed)
