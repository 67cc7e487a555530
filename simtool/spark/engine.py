"""The local engine's stages as Spark jobs.

``SparkEngine`` is an ``EdgeFinder`` (``simtool.match.engine``): given the distinct normalized texts
it returns the same verified edges as ``verified_edges``, sorted by ``(i, j)``, so ``find_matches``
gives byte-identical matches with ``edge_finder=SparkEngine(...)``.  The stages:

1. band keys: the texts in ``partitions`` slices; each slice sketched with ``keys_for`` (MinHash
   signatures of ``simtool.match.sketch`` and ``lsh.band_keys``), one record per (band, key, row);
2. candidates: a shuffle on (band, key); a bucket of more than ``max_bucket`` rows is a star (every
   row with the bucket's smallest row, as ``lsh.candidate_blocks``), else all its pairs; with
   ``params.runs``, also texts sharing a run of that many characters (``simtool.match.runs``: the
   grams hashed per partition, a shuffle on the gram, a gram of more than ``MAX_HOLDERS`` texts
   proposing nothing); pairs de-duplicated (a shuffle on the pair);
3. verification: each pair joined with its two texts (two shuffles on the row), ``verify`` per
   partition (rapidfuzz), the verified edges collected on the driver and sorted.

Families (leader clustering of the near-identical edges, ``find_families``) and the expansion to
unit pairs stay on the driver in ``find_matches``: they are linear in the edges.  ``units`` builds
the sentence units per partition of notices (``build_units`` over a slice, offsets adjusted).

With ``work_dir`` every stage is written as Parquet under a directory named by a fingerprint of
the texts and parameters, and a later run with the same inputs resumes from the last stage written.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simtool.core.timing import stage, tally
from simtool.core.types import Notice, View
from simtool.match.engine import EngineParams, keys_for
from simtool.match.lsh import sorted_unique
from simtool.match.runs import MAX_HOLDERS, gram_hashes
from simtool.match.units import Units, build_units, concat_units
from simtool.match.verify import SENTENCE_CONTAIN_RATIO, Verified, verify

MAX_BUCKET = 64  # as lsh.candidate_blocks


def _fail_once(where: str, spec: str | None) -> None:
    """Fault injection for tests: with ``spec`` ``"<stage>:raise"`` (or ``":exit"``) the first attempt
    of partition 0 of that stage raises (or its Python worker process exits); Spark retries the task."""
    if not spec or not spec.startswith(where + ":"):
        return
    from pyspark import TaskContext

    ctx = TaskContext.get()
    if ctx is None or ctx.partitionId() != 0 or ctx.attemptNumber() != 0:
        return
    if spec.endswith(":exit"):
        os._exit(1)
    raise RuntimeError(f"injected fault in {where} (first attempt of partition 0)")


Blob = tuple[np.ndarray, ...]  # the columns of one partition's records (numpy arrays travel cheaply)


def _split(dest: np.ndarray, n: int, cols: Blob) -> Iterator[tuple[int, Blob]]:
    """``(d, columns of the records bound for partition d)`` for every non-empty destination."""
    order = np.argsort(dest, kind="stable")
    bounds = np.searchsorted(dest[order], np.arange(n + 1))
    for d in range(n):
        sel = order[bounds[d] : bounds[d + 1]]
        if len(sel):
            yield d, tuple(c[sel] for c in cols)


def _joined(blobs: Iterable[Blob], types: Sequence[Any]) -> Blob:
    parts = list(blobs)
    return tuple(
        np.concatenate([p[k] for p in parts]).astype(t) if parts else np.empty(0, dtype=t) for k, t in enumerate(types)
    )


KEY_TYPES = (np.int32, np.int64, np.int64)  # band, key, row
PAIR_TYPES = (np.int64, np.int64)  # i, j
EDGE_TYPES = (np.int64, np.int64, np.float64, bool, np.int64, np.int64)  # Verified's columns


def keys_partition(params: EngineParams, min_sim: float, fail: str | None = None):
    """Stage 1 per partition of texts: the columns (band, key, row) of every row's band keys."""

    def run(rows: Iterable[tuple[int, str]]) -> Iterator[Blob]:
        _fail_once("keys", fail)
        rows = list(rows)
        if not rows:
            return
        index = np.fromiter((r for r, _ in rows), dtype=np.int64, count=len(rows))
        keys = keys_for([t for _, t in rows], params, min_sim)
        b = keys.shape[1]
        yield (
            np.tile(np.arange(b, dtype=np.int32), len(index)),
            keys.reshape(-1),
            np.repeat(index, b),
        )

    return run


def by_key(n: int):
    """The shuffle of stage 2: each (band, key) record to partition ``key mod n``."""

    def run(blob: Blob) -> Iterator[tuple[int, Blob]]:
        return _split(blob[1] % n, n, blob)

    return run


def bucket_pairs(max_bucket: int, m: int, n: int):
    """Stage 2 per partition of band keys: the pairs of rows sharing a (band, key) bucket, as
    ``lsh.candidate_blocks`` draws them (a bucket of more than ``max_bucket`` rows: a star on its
    smallest row), as codes ``i * m + j`` bound for partition ``code mod n`` (to de-duplicate)."""

    def run(blobs: Iterable[tuple[int, Blob]]) -> Iterator[tuple[int, Blob]]:
        band, key, row = _joined((b for _, b in blobs), KEY_TYPES)
        if not len(row):
            return
        order = np.lexsort((row, key, band))
        band, key, row = band[order], key[order], row[order]
        new = np.ones(len(row), dtype=bool)
        new[1:] = (band[1:] != band[:-1]) | (key[1:] != key[:-1])
        starts = np.flatnonzero(new)
        lo, hi = _group_pairs(row, starts, np.diff(np.append(starts, len(row))), max_bucket)
        codes = np.unique(lo * m + hi)
        yield from _split(codes % n, n, (codes,))

    return run


def grams_partition(chars: int, n: int):
    """Shared runs (``simtool.match.runs``) per partition of texts: each text's distinct
    ``chars``-grams as (hash, row), to partition ``hash mod n``."""

    def run(rows: Iterable[tuple[int, str]]) -> Iterator[tuple[int, Blob]]:
        rows = list(rows)
        if not rows:
            return
        index = np.fromiter((r for r, _ in rows), dtype=np.int64, count=len(rows))
        h, who = gram_hashes([t for _, t in rows], chars)
        h = h.astype(np.int64)  # 38 bits
        yield from _split(h % n, n, (h, index[who]))

    return run


def gram_pairs(max_holders: int, m: int, n: int):
    """Pairs of texts holding a gram that at most ``max_holders`` texts hold (``runs.run_pairs``),
    as codes bound for partition ``code mod n``."""

    def run(blobs: Iterable[tuple[int, Blob]]) -> Iterator[tuple[int, Blob]]:
        h, row = _joined((b for _, b in blobs), (np.int64, np.int64))
        if not len(row):
            return
        order = np.lexsort((row, h))
        h, row = h[order], row[order]
        starts = np.r_[0, np.flatnonzero(h[1:] != h[:-1]) + 1]
        lo, hi = _group_pairs(row, starts, np.diff(np.append(starts, len(row))), max_holders, star=False)
        codes = np.unique(lo * m + hi)
        yield from _split(codes % n, n, (codes,))

    return run


def _group_pairs(
    row: np.ndarray, starts: np.ndarray, sizes: np.ndarray, max_bucket: int, *, star: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (smaller row, larger row) inside each group ``row[start:start+size]`` (rows sorted within
    a group): all pairs of a group of at most ``max_bucket``, else each row with the group's first
    (``star``) or none."""
    small = (sizes > 1) & (sizes <= max_bucket)
    s0, z = starts[small], sizes[small]
    pos = np.repeat(s0, z) + (np.arange(z.sum()) - np.repeat(np.cumsum(z) - z, z))
    after = np.repeat(s0 + z, z) - pos - 1  # later members of the group
    left = np.repeat(pos, after)
    right = left + 1 + (np.arange(after.sum()) - np.repeat(np.cumsum(after) - after, after))
    big = (sizes > max_bucket) & star
    spokes = sizes[big] - 1
    hub = np.repeat(starts[big], spokes)
    spoke = hub + 1 + (np.arange(spokes.sum()) - np.repeat(np.cumsum(spokes) - spokes, spokes))
    return np.concatenate([row[left], row[hub]]), np.concatenate([row[right], row[spoke]])


def distinct_pairs(m: int):
    """Stage 2, after the shuffle on the pair: each candidate pair once, as columns (i, j)."""

    def run(blobs: Iterable[tuple[int, Blob]]) -> Iterator[Blob]:
        parts = [b[0] for _, b in blobs]
        codes = sorted_unique(np.concatenate(parts), runs=True) if parts else np.empty(0, dtype=np.int64)
        if len(codes):
            yield codes // m, codes % m

    return run


def texts_by_row(n: int):
    """The texts, each to partition ``row mod n`` (the side of the joins of stage 3)."""

    def run(rows: Iterable[tuple[int, str]]) -> Iterator[tuple[int, tuple[str, Any, Any]]]:
        rows = list(rows)
        index = np.fromiter((r for r, _ in rows), dtype=np.int64, count=len(rows))
        texts = np.array([t for _, t in rows], dtype=object)
        for d, (idx, txt) in _split(index % n, n, (index, texts)):
            yield d, ("T", idx, txt.tolist())

    return run


def pairs_by(side: int, n: int):
    """Pair columns (i, j, texts so far …) to partition ``i mod n`` (side 0) or ``j mod n`` (side 1)."""

    def run(blob: Blob) -> Iterator[tuple[int, tuple[str, Blob, None]]]:
        for d, part in _split(blob[side] % n, n, blob):
            yield d, ("P", part, None)

    return run


def attach(side: int):
    """The join of stage 3 per partition: each pair with the text of its row ``side`` (0: i, 1: j)."""

    def run(items: Iterable[tuple[int, tuple[str, Any, Any]]]) -> Iterator[Blob]:
        text: dict[int, str] = {}
        pairs: list[Blob] = []
        for _, (tag, a, b) in items:
            if tag == "T":
                text.update(zip(a.tolist(), b))
            else:
                pairs.append(a)
        for p in pairs:
            yield (*p, np.array([text[r] for r in p[side].tolist()], dtype=object))

    return run


def verify_partition(min_sim: float, fail: str | None = None):
    """Stage 3 per partition: ``verify`` on the pairs (i, j, text_i, text_j); the verified columns."""

    def run(blobs: Iterable[Blob]) -> Iterator[Blob]:
        _fail_once("verify", fail)
        for i, j, ti, tj in blobs:
            local: dict[int, int] = {}
            texts: list[str] = []
            pairs = np.empty((len(i), 2), dtype=np.int64)
            for col, (rows, side) in enumerate(((i, ti), (j, tj))):
                for k, (r, t) in enumerate(zip(rows.tolist(), side.tolist())):
                    at = local.get(r)
                    if at is None:
                        at = local[r] = len(texts)
                        texts.append(t)
                    pairs[k, col] = at
            back = np.fromiter(local.keys(), dtype=np.int64, count=len(local))
            v = verify(texts, pairs, min_sim, contain_ratio=SENTENCE_CONTAIN_RATIO, workers=1)  # one core a task
            if len(v.i):
                yield (back[v.i], back[v.j], v.score, v.contained, v.start, v.end)

    return run


def units_partition(view: View):
    """Units per partition of notices: ``(first notice, columns)`` of ``build_units`` over the slice."""

    def run(rows: Iterable[tuple[int, Notice]]) -> Iterator[tuple[int, Units]]:
        rows = list(rows)
        if rows:
            yield rows[0][0], build_units([n for _, n in rows], view)

    return run


@dataclass
class SparkEngine:
    """An ``EdgeFinder`` running the candidate and verification stages on Spark.

    ``spark``: a SparkSession (``simtool.spark.session.session``); ``partitions``: slices of texts and
    shuffle partitions (default: twice the default parallelism); ``work_dir``: Parquet of each stage.
    """

    spark: Any
    partitions: int | None = None
    work_dir: str | None = None
    max_bucket: int = MAX_BUCKET
    fail_once: str | None = None  # tests: "keys:raise", "verify:exit" … (see _fail_once)
    timed: bool = False  # benchmarks: run each stage on its own (persisted) to time it, instead of one job
    stages_done: list[str] = field(default_factory=list)  # stages computed (not resumed), for tests

    @property
    def slices(self) -> int:
        return self.partitions or max(2, 2 * int(self.spark.sparkContext.defaultParallelism))

    def units(self, notices: Sequence[Notice], view: View = "literal") -> Units:
        """``build_units(notices, view)``, built per partition of notices."""
        if not notices:
            return build_units([], view)
        sc = self.spark.sparkContext
        with stage("spark: units"):
            rdd = sc.parallelize(list(enumerate(notices)), min(self.slices, len(notices)))
            return concat_units(rdd.mapPartitions(units_partition(view)).collect())

    def __call__(self, texts: Sequence[str], params: EngineParams, min_sim: float) -> Verified:
        m = len(texts)
        if m < 2:
            return Verified.joined([])
        sc = self.spark.sparkContext
        n = self.slices
        texts = list(texts)
        rows = sc.parallelize(list(enumerate(texts)), min(n, m))
        tag = self._fingerprint(texts, params, min_sim)
        fail = self.fail_once
        keyed = self._stage("keys", tag, lambda: rows.mapPartitions(keys_partition(params, min_sim, fail)), KEY_COLUMNS)
        pairs = self._stage(
            "pairs",
            tag,
            lambda: (
                self._candidates(keyed, rows, params, m, n).partitionBy(n, _identity).mapPartitions(distinct_pairs(m))
            ),
            PAIR_COLUMNS,
        )

        def verified() -> Any:
            with_i = self._timed(
                "join i",
                pairs.flatMap(pairs_by(0, n))
                .union(rows.mapPartitions(texts_by_row(n)))
                .partitionBy(n, _identity)
                .mapPartitions(attach(0)),
            )
            both = self._timed(
                "join j",
                with_i.flatMap(pairs_by(1, n))
                .union(rows.mapPartitions(texts_by_row(n)))
                .partitionBy(n, _identity)
                .mapPartitions(attach(1)),
            )
            return both.mapPartitions(verify_partition(min_sim, fail))

        edges = self._stage("edges", tag, verified, EDGE_COLUMNS)
        with stage("spark: collect"):  # all the stages unless timed
            found = edges.collect()
        v = Verified(*_joined(found, EDGE_TYPES)).sorted()
        tally("verified", len(v.i))
        return v

    def _candidates(self, keyed: Any, rows: Any, params: EngineParams, m: int, n: int) -> Any:
        """Pair codes by destination: band buckets, and shared runs when ``params.runs`` asks for them."""
        bands = keyed.flatMap(by_key(n)).partitionBy(n, _identity).mapPartitions(bucket_pairs(self.max_bucket, m, n))
        chars = getattr(params, "runs", 0)
        if not chars:
            return bands
        grams = rows.mapPartitions(grams_partition(chars, n)).partitionBy(n, _identity)
        return bands.union(grams.mapPartitions(gram_pairs(MAX_HOLDERS, m, n)))

    def _fingerprint(self, texts: Sequence[str], params: EngineParams, min_sim: float) -> str:
        h = hashlib.sha256(repr((params, min_sim, self.max_bucket, len(texts))).encode())
        for t in texts:
            h.update(t.encode("utf-8"))
            h.update(b"\0")
        return h.hexdigest()[:16]

    def _stage(self, name: str, tag: str, build: Callable[[], Any], columns: Sequence[tuple[str, str, Any]]) -> Any:
        """The RDD of column blobs of stage ``name``: built, or with ``work_dir`` read back from (or
        first written to) Parquet under ``work_dir/<fingerprint>/<name>.parquet``."""
        if not self.work_dir:
            self.stages_done.append(name)
            return self._timed(name, build())
        path = Path(self.work_dir) / tag / f"{name}.parquet"
        if not (path / "_SUCCESS").exists():
            self.stages_done.append(name)
            schema = ", ".join(f"{c} {t}" for c, t, _ in columns)
            flat = build().flatMap(_rows_of)
            self.spark.createDataFrame(flat, schema).write.mode("overwrite").parquet(str(path))
        types = [t for _, _, t in columns]
        return self._timed(name, self.spark.read.parquet(str(path)).rdd.mapPartitions(lambda it: _blob_of(it, types)))

    def _timed(self, name: str, rdd: Any) -> Any:
        """With ``timed``, ``rdd`` computed and kept now, under ``stage("spark: <name>")``."""
        if not self.timed:
            return rdd
        with stage(f"spark: {name}"):
            from pyspark import StorageLevel

            rdd = rdd.persist(StorageLevel.MEMORY_AND_DISK)
            tally(f"spark {name} records", sum(rdd.map(lambda blob: len(blob[0])).collect()))
        return rdd


KEY_COLUMNS = [("band", "INT", np.int32), ("key", "LONG", np.int64), ("row", "LONG", np.int64)]
PAIR_COLUMNS = [("i", "LONG", np.int64), ("j", "LONG", np.int64)]
EDGE_COLUMNS = [
    ("i", "LONG", np.int64),
    ("j", "LONG", np.int64),
    ("score", "DOUBLE", np.float64),
    ("contained", "BOOLEAN", bool),
    ("start", "LONG", np.int64),
    ("end", "LONG", np.int64),
]


def _identity(d: int) -> int:
    return d


def _rows_of(blob: Blob) -> Iterator[tuple[Any, ...]]:
    return zip(*(c.tolist() for c in blob))


def _blob_of(rows: Iterable[Sequence[Any]], types: Sequence[Any]) -> Iterator[Blob]:
    got = [tuple(r) for r in rows]
    if got:
        yield tuple(np.asarray(col, dtype=t) for col, t in zip(zip(*got), types))
