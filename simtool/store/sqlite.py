"""The embedded store: one SQLite file holding documents, notices, segments and LSH band keys.

Documents are keyed by the sha256 of their bytes, so ingesting the same file twice adds
nothing.  Each file is written in one transaction: an interrupted ingest leaves the store as
it was before that file.  The database runs in WAL mode so readers work while an ingest writes.

Reference documents (``ingest --reference``: the inspection group's feedback, a template, a 条例)
are kept apart in ``reference_notices``: they are never notices, never indexed and never sources;
``check``/``overlap``/``report`` on the store count text matching them as 引用.  Adding one leaves
the notices, their index and their 套话 as they were, so it bumps no generation and no cache is
rebuilt: 引用 is matched afresh on every run from the references stored at that moment.  Version 1
stores (before references) are migrated on opening by adding that one table.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simtool.core.errors import UserError
from simtool.core.types import Document, Notice, Segment

_headings = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(…, ensure_ascii=False), one encoder for all

SCHEMA_VERSION = 2
_ORDER_INDEX = "CREATE INDEX IF NOT EXISTS notices_order ON notices(path, idx);"  # notices in path order
APP_ID = 0x53494D54  # "SIMT"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    sha256 TEXT PRIMARY KEY, path TEXT NOT NULL, format TEXT NOT NULL, encoding TEXT,
    chars INTEGER NOT NULL, removed TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_path ON documents(path);
CREATE TABLE IF NOT EXISTS notices (
    id TEXT PRIMARY KEY, sha256 TEXT NOT NULL REFERENCES documents(sha256) ON DELETE CASCADE,
    idx INTEGER NOT NULL, path TEXT NOT NULL, title TEXT NOT NULL, unit TEXT, inspector TEXT,
    period_start TEXT, period_end TEXT, feedback_date TEXT, date TEXT, declared TEXT NOT NULL,
    text TEXT NOT NULL, keys BLOB, spans BLOB
);
CREATE INDEX IF NOT EXISTS notices_sha ON notices(sha256);
CREATE TABLE IF NOT EXISTS segments (
    notice_id TEXT NOT NULL REFERENCES notices(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
    kind TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, heading TEXT NOT NULL,
    problem INTEGER, PRIMARY KEY (notice_id, seq)
) WITHOUT ROWID;
"""

# added in version 2; a version 1 store gets it on opening (nothing else changed)
_REFERENCES = """
CREATE TABLE IF NOT EXISTS reference_notices (
    id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, idx INTEGER NOT NULL, path TEXT NOT NULL,
    format TEXT NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL, segments TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reference_notices_sha ON reference_notices(sha256);
"""


def _segments_json(segments: Sequence[Segment]) -> str:
    return json.dumps(
        [[s.kind, s.start, s.end, list(s.heading), s.problem, s.label] for s in segments], ensure_ascii=False
    )


def _segments_from(text: str, data: str) -> tuple[Segment, ...]:
    return tuple(Segment(k, a, b, text[a:b], tuple(h), p, label) for k, a, b, h, p, label in json.loads(data))


class StoreError(UserError):
    """A store problem the user must act on; the message is one Chinese line."""


@dataclass(frozen=True, slots=True)
class IngestResult:
    path: str
    status: str  # "added" | "exists" | "updated"
    notices: int
    removed: int


class Store:
    """A simtool SQLite store.  Use as a context manager or call ``close()``."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = str(path)
        if not create and not Path(self.path).exists():
            raise StoreError(f"库文件不存在：{self.path}，请先用 simtool ingest 导入通报")
        try:
            self.db = sqlite3.connect(self.path, timeout=30.0)
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._check_schema()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"无法打开库文件 {self.path}：不是 simtool 库或已损坏（{exc}），请换一个 --db 路径"
            ) from None

    def _check_schema(self) -> None:
        app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables == 0:
            with self.db:
                self.db.executescript(_SCHEMA + _ORDER_INDEX + _REFERENCES)
                self.db.execute(f"PRAGMA application_id = {APP_ID}")
                self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return
        if app_id != APP_ID:
            raise StoreError(f"{self.path} 不是 simtool 库，请换一个 --db 路径")
        if version == 1:  # before reference documents: add their table
            try:
                with self.db:
                    self.db.executescript(_REFERENCES)
                    self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            except sqlite3.OperationalError:  # a read-only file: readable as it is, without references
                pass
            self._add_order_index()
            return
        if version != SCHEMA_VERSION:
            raise StoreError(
                f"库文件 {self.path} 的格式版本是 {version}，本程序需要 {SCHEMA_VERSION}，请用新库重新导入通报"
            )
        self._add_order_index()

    def _add_order_index(self) -> None:
        """The index of notices in path order, for a store made before it (same schema version): reading every
        notice in that order (the check index, dupes from the store) then walks it instead of sorting the notices
        with their texts and blobs, 2–5 s at 10,000 notices, each time."""
        try:
            with self.db:
                self.db.execute(_ORDER_INDEX)
        except sqlite3.OperationalError:  # a read-only file: readable as it is, only slower
            pass

    @property
    def in_memory(self) -> bool:
        """Whether the store is SQLite's ``:memory:`` database (no file, nothing beside it)."""
        return self.path == ":memory:"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    # -- meta ---------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- writing ------------------------------------------------------------------------------
    def document_hashes(self) -> frozenset[str]:
        """The ``sha256`` of every stored file."""
        return frozenset(sha for (sha,) in self.db.execute("SELECT sha256 FROM documents"))

    def has_document(self, sha256: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE sha256 = ?", (sha256,)).fetchone() is not None

    def add_document(
        self,
        doc: Document,
        notices: Sequence[Notice],
        removed: Sequence[str],
        index: Sequence[tuple[bytes, bytes] | None] | None = None,
    ) -> IngestResult:
        """Store one document with its notices (and their LSH index rows) in a single transaction.

        ``index`` gives, per notice, its units' band keys (int64, unit-major) and their spans
        (int32 start/end pairs) — see ``simtool.store.codec``.

        A document already stored (same bytes) adds nothing.  A different document at the same
        path replaces the old one, so notice ids stay unique.
        """
        if self.has_document(doc.sha256):
            return IngestResult(doc.path, "exists", 0, len(removed))
        status = "added"
        with self.db:
            old = self.db.execute("SELECT sha256 FROM documents WHERE path = ?", (doc.path,)).fetchall()
            ids = [n.id for n in notices]
            clash = (
                self.db.execute(
                    f"SELECT DISTINCT sha256 FROM notices WHERE id IN ({','.join('?' * len(ids))})", ids
                ).fetchall()
                if ids
                else []
            )
            for (sha,) in sorted({*old, *clash}):
                self.db.execute("DELETE FROM documents WHERE sha256 = ?", (sha,))
                status = "updated"
            self.db.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)",
                (
                    doc.sha256,
                    doc.path,
                    doc.format,
                    doc.encoding,
                    len(doc.text),
                    json.dumps(list(removed), ensure_ascii=False),
                ),
            )
            rows = list(index) if index is not None else [None] * len(notices)
            self.db.executemany(
                "INSERT INTO notices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        n.id,
                        doc.sha256,
                        n.index,
                        n.path,
                        n.title,
                        n.unit,
                        n.inspector,
                        n.period_start,
                        n.period_end,
                        n.feedback_date,
                        n.date,
                        json.dumps(n.declared, sort_keys=True),
                        n.text,
                        *(r if r is not None else (None, None)),
                    )
                    for n, r in zip(notices, rows)
                ],
            )
            self.db.executemany(
                "INSERT INTO segments VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (n.id, i, s.kind, s.start, s.end, _headings(list(s.heading)), s.problem)
                    for n in notices
                    for i, s in enumerate(n.segments)
                ],
            )
            self.db.execute(
                "INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) DO UPDATE SET value = value + 1"
            )
        return IngestResult(doc.path, status, len(notices), len(removed))

    def add_reference(self, doc: Document, references: Sequence[Notice]) -> IngestResult:
        """Store one reference document (its parsed parts, see the module docstring) in one transaction.

        The same bytes again add nothing (``exists``); other bytes at the same path replace the old
        reference (``updated``).  Notices, their index and the generations are not touched.
        """
        if self.db.execute("SELECT 1 FROM reference_notices WHERE sha256 = ?", (doc.sha256,)).fetchone():
            return IngestResult(doc.path, "exists", 0, 0)
        with self.db:
            ids = [r.id for r in references]
            gone = self.db.execute(
                f"DELETE FROM reference_notices WHERE path = ? OR id IN ({','.join('?' * len(ids))})",
                (doc.path, *ids),
            ).rowcount
            self.db.executemany(
                "INSERT INTO reference_notices VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (r.id, doc.sha256, r.index, r.path, doc.format, r.title, r.text, _segments_json(r.segments))
                    for r in references
                ],
            )
        return IngestResult(doc.path, "updated" if gone else "added", len(references), 0)

    def references(self) -> list[Notice]:
        """The stored reference documents' parts in path order (none in a read-only version 1 store)."""
        if not self._has_references():
            return []
        rows = self.db.execute(
            "SELECT id, path, idx, title, text, segments FROM reference_notices ORDER BY path, idx"
        ).fetchall()
        return [
            Notice(id=r[0], path=r[1], index=r[2], title=r[3], text=r[4], segments=_segments_from(r[4], r[5]))
            for r in rows
        ]

    def reference_sha256(self) -> dict[str, str]:
        """Per stored reference file, its path by ``sha256``."""
        if not self._has_references():
            return {}
        return dict(self.db.execute("SELECT DISTINCT sha256, path FROM reference_notices ORDER BY path"))

    def _has_references(self) -> bool:
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reference_notices'"
        return self.db.execute(sql).fetchone() is not None

    # -- reading ------------------------------------------------------------------------------
    def count_notices(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM notices").fetchone()[0])

    def notices(self, ids: Sequence[str] | None = None) -> Iterator[Notice]:
        """Notices in path order (all, or those with the given ids), with their segments."""
        sql = (
            "SELECT id, path, idx, title, text, unit, inspector, period_start, period_end, feedback_date,"
            " date, declared FROM notices"
        )
        if ids is None:
            rows = self.db.execute(sql + " ORDER BY path, idx").fetchall()
        else:
            rows = []
            wanted = sorted(set(ids))
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                rows += self.db.execute(sql + f" WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
            rows.sort(key=lambda r: (r[1], r[2]))
        for r in rows:
            text = r[4]
            segs = tuple(
                Segment(kind, a, b, text[a:b], tuple(json.loads(h)), p)
                for kind, a, b, h, p in self.db.execute(
                    "SELECT kind, start, end, heading, problem FROM segments WHERE notice_id = ? ORDER BY seq",
                    (r[0],),
                )
            )
            yield Notice(
                id=r[0],
                path=r[1],
                index=r[2],
                title=r[3],
                text=text,
                segments=segs,
                unit=r[5],
                inspector=r[6],
                period_start=r[7],
                period_end=r[8],
                feedback_date=r[9],
                date=r[10],
                declared=json.loads(r[11]),
            )

    def unit_texts(self, wanted: Sequence[tuple[str, int, int]]) -> list[str]:
        """The original text of each ``(notice_id, start, end)`` span (each notice read once)."""
        ids = sorted({nid for nid, _, _ in wanted})
        texts: dict[str, str] = {}
        for lo in range(0, len(ids), 500):
            chunk = ids[lo : lo + 500]
            texts.update(
                self.db.execute(f"SELECT id, text FROM notices WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            )
        return [texts.get(nid, "")[a:b] for nid, a, b in wanted]

    def index_rows(self, batch: int = 200) -> Iterator[list[Notice]]:
        """All stored notices in batches (path order), to re-encode their index rows."""
        ids = [r[0] for r in self.db.execute("SELECT id FROM notices ORDER BY path, idx")]
        for lo in range(0, len(ids), batch):
            yield list(self.notices(ids[lo : lo + batch]))

    def replace_index(self, rows: Sequence[tuple[str, tuple[bytes, bytes] | None]], meta: dict[str, str]) -> None:
        """Replace the index rows of the given notices and set ``meta`` in one transaction.

        Bumps ``index_generation``, not ``generation``: the notices are the same, so what was learned
        from their texts (the store's 套话) stays valid; caches of the index read both."""
        with self.db:
            self.db.executemany(
                "UPDATE notices SET keys = ?, spans = ? WHERE id = ?",
                [(*(r if r is not None else (None, None)), nid) for nid, r in rows],
            )
            for k, v in meta.items():
                self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (k, v))
            self.db.execute(
                "INSERT INTO meta VALUES ('index_generation', '1') ON CONFLICT(key) DO UPDATE SET value = value + 1"
            )

    def index_generation(self) -> str:
        """What names the store's index as it is now: the generation of its notices and of its index rows."""
        return f"{self.get_meta('generation') or '0'}.{self.get_meta('index_generation') or '0'}"

    def indexed_rows(self) -> Iterator[tuple[str, str, str | None, str | None, str, bytes | None, bytes | None]]:
        """Every notice in path order: id, title, unit, date, text and its two index blobs."""
        yield from self.db.execute("SELECT id, title, unit, date, text, keys, spans FROM notices ORDER BY path, idx")

    def indexed_spans(self) -> Iterator[tuple[bytes | None, int]]:
        """Every notice in path order: its units' blob and the length in bytes of its keys' blob."""
        yield from self.db.execute("SELECT spans, coalesce(length(keys), 0) FROM notices ORDER BY path, idx")

    def indexed_notices(self, ids: Sequence[str]) -> dict[str, tuple[Notice, np.ndarray, str]]:
        """For each id: the notice without its segments and text, its indexed units (k × 4: start, end and
        the text identity as two int32, as ``codec.encode_index`` writes them) and its document hash."""
        out: dict[str, tuple[Notice, np.ndarray, str]] = {}
        wanted = sorted(set(ids))
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            for r in self.db.execute(
                "SELECT id, path, idx, title, '', unit, date, spans, sha256 FROM notices"
                f" WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                notice = Notice(
                    id=r[0], path=r[1], index=r[2], title=r[3], text=r[4], segments=(), unit=r[5], date=r[6]
                )
                k = int.from_bytes(r[7][:4], "little") if r[7] else 0
                spans = (
                    np.frombuffer(r[7], dtype="<i4", count=4 * k, offset=4).reshape(k, 4)
                    if k
                    else np.empty((0, 4), dtype=np.int32)
                )
                out[r[0]] = (notice, spans, r[8])
        return out
