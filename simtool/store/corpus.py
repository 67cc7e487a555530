"""Library entry points that turn paths or a store into parsed notices.

Every CLI command works either on a store (``--db``) or, when paths are given, in memory on
those files without touching a store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from simtool.core.errors import UserError
from simtool.core.types import Document, Notice, Skip
from simtool.read.ingest import read_paths
from simtool.read.parse import notices_from_text
from simtool.store.sqlite import IngestResult, Store


@dataclass(slots=True)
class Loaded:
    """Notices read from files, with the files that were skipped and the noise removed."""

    notices: list[Notice] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    removed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    documents: int = 0


def parse_document(doc: Document) -> tuple[list[Notice], tuple[str, ...]]:
    """Clean, split and parse one document into notices."""
    return notices_from_text(doc.text, doc.path)


def iter_parsed(paths: Sequence[str]) -> Iterator[tuple[Document, list[Notice], tuple[str, ...]] | Skip]:
    """Read and parse every file under ``paths``; a file that fails becomes a ``Skip``."""
    for item in read_paths(paths):
        if isinstance(item, Skip):
            yield item
            continue
        try:
            notices, removed = parse_document(item)
        except Exception as exc:  # parsing must never take the whole run down
            yield Skip(item.path, f"解析失败（{type(exc).__name__}），已跳过，请把该文件报告给开发者")
            continue
        if not notices:
            yield Skip(item.path, "文件中没有可分析的正文，已跳过")
            continue
        yield item, notices, removed


def load(paths: Sequence[str]) -> Loaded:
    """Read ``paths`` into memory (no store)."""
    out = Loaded()
    seen: set[str] = set()
    for item in iter_parsed(paths):
        if isinstance(item, Skip):
            out.skips.append(item)
            continue
        doc, notices, removed = item
        if doc.sha256 in seen:  # the same bytes twice: count once
            continue
        seen.add(doc.sha256)
        out.documents += 1
        out.notices.extend(notices)
        out.removed[doc.path] = removed
    return out


def notices_for(paths: Sequence[str], db: str) -> tuple[list[Notice], list[Skip]]:
    """Notices of ``paths`` when given (in memory), else every notice in the store ``db``."""
    if paths:
        loaded = load(paths)
        if not loaded.notices:
            raise UserError(_nothing_read(loaded.skips))
        return loaded.notices, loaded.skips
    with Store(db, create=False) as store:
        notices = list(store.notices())
    if not notices:
        raise UserError(f"库 {db} 中还没有通报，请先用 simtool ingest 导入，或直接给出文件路径")
    return notices, []


def _nothing_read(skips: Sequence[Skip]) -> str:
    if len(skips) == 1:
        return f"没有读到任何通报：{skips[0].path}：{skips[0].reason}"
    return f"没有读到任何通报（跳过 {len(skips)} 个文件），请检查路径和文件格式"


IngestEvent = IngestResult | Skip


def ingest(
    paths: Sequence[str],
    store: Store,
    *,
    on_event: Callable[[IngestEvent], None] | None = None,
    index: Callable[[Sequence[Notice]], list[tuple[bytes, bytes] | None]] | None = None,
) -> list[IngestEvent]:
    """Add every readable file under ``paths`` to ``store``; one transaction per file.

    ``index`` computes the LSH index rows of a file's notices (``engine.notice_index``); ``on_event`` is
    called after each file (progress display).
    """
    events: list[IngestEvent] = []
    for item in iter_parsed(paths):
        if isinstance(item, Skip):
            event: IngestEvent = item
        else:
            doc, notices, removed = item
            if store.has_document(doc.sha256):
                event = IngestResult(doc.path, "exists", 0, len(removed))
            else:
                rows = index(notices) if index is not None else None
                event = store.add_document(doc, notices, removed, rows)
        events.append(event)
        if on_event is not None:
            on_event(event)
    return events
