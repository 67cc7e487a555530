"""Library entry points that turn paths or a store into parsed notices.

Every CLI command works either on a store (``--db``) or, when paths are given, in memory on
those files without touching a store.

A document is identified twice: by its bytes (``Document.sha256``: the same file twice) and by
its text (:func:`text_key`: the text of its parsed notices without white space, so that the
.docx, .pdf and .txt of one notice are one document).  Both are read and stored once; a file whose
text is already there is reported as ``与 … 内容相同``.  ``force`` takes in files that do not look
like notices (``不像整改通报``), see :func:`simtool.read.ingest.read_document`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from simtool.core.errors import UserError
from simtool.core.types import Document, Notice, Skip
from simtool.read.batch import Indexer, parse_paths
from simtool.read.parse import problem_label
from simtool.store.sqlite import IngestResult, Store

_SPACE = re.compile(r"\s+")
NOTICE_SEPARATOR = "\x00"


@dataclass(slots=True)
class Loaded:
    """Notices read from files, with the files that were skipped and the noise removed."""

    notices: list[Notice] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    removed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    documents: int = 0


@dataclass(frozen=True, slots=True)
class SameText(IngestResult):
    """A file not stored because a stored document (``same_as``, its path) has the same text.

    Its ``status`` is ``"exists"``: the content is already in the store.
    """

    same_as: str = ""


def text_key(notices: Sequence[Notice]) -> str:
    r"""What the files of one notice in several formats have in common: the text of their parsed
    notices without white space (the same one-liner as ``simtool.analyses.shared.same_text_key``),
    notices separated by NUL.

    >>> from simtool.core.types import Notice
    >>> a = Notice("a.txt", "a.txt", 1, "通报", "一、 整改\n情况", ())
    >>> b = Notice("a.docx", "a.docx", 1, "通报", "一、整改情况", ())
    >>> text_key([a]) == text_key([b])
    True
    """
    return NOTICE_SEPARATOR.join(_SPACE.sub("", n.text) for n in notices)


def duplicate_reason(first: str, *, stored: bool) -> str:
    """The one Chinese line for a file whose text was already read (``stored``: is in the store).

    >>> duplicate_reason("x.docx", stored=True)
    '与 x.docx 内容相同，未重复导入'
    """
    return f"与 {first} 内容相同，{'未重复导入' if stored else '只计一次'}"


def with_labels(notice: Notice) -> Notice:
    """``notice`` with the printed numbers of its problems (``Segment.label``) derived again from
    each segment's heading path and text (the store keeps no label column)."""
    if all(s.label is not None or s.kind != "problem" for s in notice.segments):
        return notice
    segments = tuple(
        replace(s, label=problem_label(s.heading, s.text)) if s.kind == "problem" else s for s in notice.segments
    )
    return replace(notice, segments=segments)


def iter_parsed(
    paths: Sequence[str], *, force: bool = False, jobs: int | None = None
) -> Iterator[tuple[Document, list[Notice], tuple[str, ...]] | Skip]:
    """Read and parse every file under ``paths`` (on ``jobs`` processes); a file that fails becomes a ``Skip``.

    ``force`` also reads files that do not look like notices (``不像整改通报``).
    """
    for item in parse_paths(paths, force=force, jobs=jobs):
        yield item if isinstance(item, Skip) else (item.doc, item.notices, item.removed)


def load(paths: Sequence[str], *, force: bool = False, jobs: int | None = None) -> Loaded:
    """Read ``paths`` into memory (no store).

    A file read twice (the same path given twice) counts once, silently; a file with the same bytes
    or the same text as one read before (:func:`text_key`) counts once too and is listed in
    ``skips`` as ``与 … 内容相同，只计一次``.
    """
    out = Loaded()
    by_sha: dict[str, str] = {}
    by_text: dict[str, str] = {}
    for item in iter_parsed(paths, force=force, jobs=jobs):
        if isinstance(item, Skip):
            out.skips.append(item)
            continue
        doc, notices, removed = item
        key = text_key(notices)
        first = by_sha.get(doc.sha256) or by_text.get(key)
        if first is not None:  # the same bytes or the same text (another format) again: count once
            if first != doc.path:
                out.skips.append(Skip(doc.path, duplicate_reason(first, stored=False)))
            continue
        by_sha[doc.sha256] = by_text[key] = doc.path
        out.documents += 1
        out.notices.extend(notices)
        out.removed[doc.path] = removed
    return out


def notices_for(paths: Sequence[str], db: str, *, force: bool = False) -> tuple[list[Notice], list[Skip]]:
    """Notices of ``paths`` when given (in memory), else every notice in the store ``db``."""
    if paths:
        loaded = load(paths, force=force)
        if not loaded.notices:
            raise UserError(_nothing_read(loaded.skips))
        return loaded.notices, loaded.skips
    with Store(db, create=False) as store:
        notices = [with_labels(n) for n in store.notices()]
    if not notices:
        raise UserError(f"库 {db} 中还没有通报，请先用 simtool ingest 导入，或直接给出文件路径")
    return notices, []


def _nothing_read(skips: Sequence[Skip]) -> str:
    if len(skips) == 1:
        return f"没有读到任何通报：{skips[0].path}：{skips[0].reason}"
    return f"没有读到任何通报（跳过 {len(skips)} 个文件），请检查路径和文件格式"


IngestEvent = IngestResult | Skip


class _StoredTexts:
    """Find a stored document with the same :func:`text_key` as a new one.

    Candidates are the stored documents whose notices have the same titles (white space removed),
    read once per ingest from the notices table; a candidate's text is read at most once per ingest
    (its key is kept as a digest), so many documents with one title cost linear time.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.by_titles: dict[tuple[str, ...], list[tuple[str, str]]] | None = None
        self.digests: dict[str, str] = {}

    @staticmethod
    def _titles(titles: Sequence[str]) -> tuple[str, ...]:
        return tuple(_SPACE.sub("", t) for t in titles)

    @staticmethod
    def _digest(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    def _load(self) -> dict[tuple[str, ...], list[tuple[str, str]]]:
        if self.by_titles is None:
            docs: dict[tuple[str, str], list[str]] = {}
            for sha, path, title in self.store.db.execute(
                "SELECT n.sha256, d.path, n.title FROM notices n JOIN documents d ON d.sha256 = n.sha256"
                " ORDER BY d.path, n.sha256, n.idx"
            ):
                docs.setdefault((sha, path), []).append(title)
            self.by_titles = {}
            for (sha, path), titles in docs.items():
                self.by_titles.setdefault(self._titles(titles), []).append((sha, path))
        return self.by_titles

    def _stored_digest(self, sha: str) -> str:
        if sha not in self.digests:
            sql = "SELECT text FROM notices WHERE sha256 = ? ORDER BY idx"
            texts = [t for (t,) in self.store.db.execute(sql, (sha,))]
            self.digests[sha] = self._digest(NOTICE_SEPARATOR.join(_SPACE.sub("", t) for t in texts))
        return self.digests[sha]

    def same_as(self, notices: Sequence[Notice]) -> str | None:
        """The path of a stored document with the text of ``notices``, else None."""
        digest = self._digest(text_key(notices))
        for sha, path in self._load().get(self._titles([n.title for n in notices]), []):
            if self._stored_digest(sha) == digest and self.store.has_document(sha):
                return path
        return None

    def added(self, doc: Document, notices: Sequence[Notice]) -> None:
        self._load().setdefault(self._titles([n.title for n in notices]), []).append((doc.sha256, doc.path))
        self.digests[doc.sha256] = self._digest(text_key(notices))


def ingest_references(
    paths: Sequence[str], store: Store, *, on_event: Callable[[IngestEvent], None] | None = None
) -> list[IngestEvent]:
    """Add every readable file under ``paths`` to ``store`` as a reference document (引用, never a notice
    or a source; read whether or not it looks like a notice, as ``--reference`` does), one transaction
    per file.  A file whose text is already a stored reference is a :class:`SameText`."""
    stored = {text_key(refs): path for path, refs in _by_path(store.references()).items()}
    events: list[IngestEvent] = []
    for item in iter_parsed(paths, force=True, jobs=1):
        if isinstance(item, Skip):
            event: IngestEvent = item
        elif not item[1]:
            event = Skip(item[0].path, "没有可读的文字，未作为参考文件导入")
        else:
            doc, refs, _removed = item
            same = stored.get(text_key(refs))
            if same is not None and same != doc.path:
                event = SameText(doc.path, "exists", 0, 0, same_as=same)
            else:
                event = store.add_reference(doc, refs)
                stored[text_key(refs)] = doc.path
        events.append(event)
        if on_event is not None:
            on_event(event)
    return events


def _by_path(notices: Sequence[Notice]) -> dict[str, list[Notice]]:
    out: dict[str, list[Notice]] = {}
    for n in notices:
        out.setdefault(n.path, []).append(n)
    return out


def ingest(
    paths: Sequence[str],
    store: Store,
    *,
    on_event: Callable[[IngestEvent], None] | None = None,
    index: Indexer | None = None,
    force: bool = False,
    jobs: int | None = None,
) -> list[IngestEvent]:
    """Add every readable file under ``paths`` to ``store``; one transaction per file.

    A file whose bytes are stored is ``exists``; a file whose text is stored under another file
    (:func:`text_key`) is a :class:`SameText` and adds nothing.  ``index`` computes the LSH index rows
    of a file's notices (``engine.notice_index``); ``on_event`` is called after each file (progress
    display); ``force`` also takes in files that do not look like notices.  Files are read, parsed
    and indexed on ``jobs`` processes (default: one per core) and stored here, in order.
    """
    events: list[IngestEvent] = []
    stored = _StoredTexts(store)
    for item in parse_paths(paths, force=force, jobs=jobs, index=index, known=store.document_hashes()):
        if isinstance(item, Skip):
            event: IngestEvent = item
        else:
            doc, notices, removed = item.doc, item.notices, item.removed
            known = store.has_document(doc.sha256)
            same = None if known else stored.same_as(notices)
            if known or same == doc.path:  # the same bytes, or the same text re-saved under its own name
                event = IngestResult(doc.path, "exists", 0, len(removed))
            elif same is not None:
                event = SameText(doc.path, "exists", 0, len(removed), same_as=same)
            else:
                rows = item.rows if item.rows is not None or index is None else index(notices)
                event = store.add_document(doc, notices, removed, rows)
                stored.added(doc, notices)
        events.append(event)
        if on_event is not None:
            on_event(event)
    return events
