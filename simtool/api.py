"""The library API: every command's work, callable without printing.

Each function takes paths (worked on in memory) or a store path, and returns records: the frozen
dataclasses of the analyses (``OverlapPair``, ``CheckResult`` …; the engine's pairs and passages are
still dicts), whose JSON object is ``simtool.report.output.record_dict(record)``.  The CLI and the
benchmarks call these and only format what they get.

>>> import simtool
>>> result = simtool.ingest(["corpora/seeds"], ":memory:")
>>> result.added, result.skipped
(2, 0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simtool.core.types import Notice, Skip
from simtool.match.engine import DEFAULT_MAX_FAMILY, DEFAULT_MIN_SIM
from simtool.store.corpus import IngestEvent, notices_for
from simtool.store.sqlite import IngestResult, Store

if TYPE_CHECKING:
    from simtool.analyses.check import CheckResult
    from simtool.analyses.overlap import OverlapPair


@dataclass(frozen=True, slots=True)
class Ingested:
    """What ``ingest`` did: one event per file (stored or skipped)."""

    events: tuple[IngestEvent, ...] = field(default_factory=tuple)

    @property
    def added(self) -> int:
        return sum(1 for e in self.events if isinstance(e, IngestResult) and e.status in ("added", "updated"))

    @property
    def existing(self) -> int:
        return sum(1 for e in self.events if isinstance(e, IngestResult) and e.status == "exists")

    @property
    def skipped(self) -> int:
        return sum(1 for e in self.events if isinstance(e, Skip))

    @property
    def notices(self) -> int:
        return sum(e.notices for e in self.events if isinstance(e, IngestResult))


def ingest(
    paths: Sequence[str],
    db: str | Store,
    *,
    on_event: Callable[[IngestEvent], None] | None = None,
    jobs: int | None = None,
) -> Ingested:
    """Add every readable file under ``paths`` to the store ``db`` (one transaction per file;
    files are read and parsed on ``jobs`` processes; default one, see ``use_all_cores``)."""
    from simtool.core.timing import stage
    from simtool.read.ingest import iter_files
    from simtool.store.cache import prepare_check_index
    from simtool.store.codec import encode_index, ensure_index
    from simtool.store.corpus import ingest as ingest_files

    items = list(iter_files(paths))
    skips: list[IngestEvent] = [i for i in items if isinstance(i, Skip)]
    files = [i for i in items if isinstance(i, str)]
    store = db if isinstance(db, Store) else Store(db)
    try:
        ensure_index(store)
        events = ingest_files(files, store, on_event=on_event, index=encode_index, jobs=jobs)
        with stage("index for check"):
            prepare_check_index(store)
    finally:
        if not isinstance(db, Store):
            store.close()
    return Ingested(tuple(skips + events))


def notices(paths: Sequence[str] = (), db: str = "simtool.db") -> list[Notice]:
    """The parsed notices of ``paths`` (in memory) or of the store ``db``."""
    return notices_for(paths, db)[0]


def dupes(
    paths: Sequence[str] = (),
    db: str = "simtool.db",
    *,
    min_sim: float = DEFAULT_MIN_SIM,
    scope: str = "cross",
    view: str = "literal",
    max_family: int = DEFAULT_MAX_FAMILY,
) -> list[dict[str, Any]]:
    """Verified near-duplicate sentence pairs (the ``dupes`` records)."""
    from simtool.analyses.dupes import pair_records
    from simtool.match.engine import find_matches

    ns = notices(paths, db)
    m = find_matches(ns, min_sim=min_sim, scope=scope, view=view, max_family=max_family)  # type: ignore[arg-type]
    return list(pair_records(ns, m))


def passages(
    paths: Sequence[str] = (), db: str = "simtool.db", *, min_sim: float = DEFAULT_MIN_SIM
) -> list[dict[str, Any]]:
    """Runs of matched sentences between two notices (CNKI's 片段), with offsets on both sides."""
    from simtool.analyses.dupes import passage_records
    from simtool.match.engine import find_matches

    ns = notices(paths, db)
    return passage_records(ns, find_matches(ns, min_sim=min_sim, scope="cross"))


def overlap(
    paths: Sequence[str] = (), db: str = "simtool.db", *, min_sim: float = DEFAULT_MIN_SIM
) -> list[OverlapPair]:
    """Notice pairs ranked by shared text (``OverlapPair``: the ``overlap`` records; their JSON
    object is ``simtool.report.output.record_dict(pair)``)."""
    from simtool.analyses.overlap import overlap_records

    return overlap_records(notices(paths, db), min_sim=min_sim)


def check(paths: Sequence[str], db: str = "simtool.db", *, min_sim: float = DEFAULT_MIN_SIM) -> list[CheckResult]:
    """Each notice of ``paths`` against the store ``db`` (``CheckResult``: the ``check`` records; their
    JSON object is ``simtool.report.output.record_dict(result)``).  Text matching the store's reference
    documents (``ingest --reference``) is 引用, as on the command line."""
    from simtool.analyses.check import check_notices
    from simtool.analyses.phrases import store_formulaic
    from simtool.store.corpus import load

    loaded = load(paths)
    with Store(db, create=False) as store:
        return check_notices(
            loaded.notices, store, min_sim=min_sim, formulaic=store_formulaic(store), references=store.references()
        )
