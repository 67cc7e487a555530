"""The store's index decoded once per index generation and kept beside the database, memory-mapped.

``check`` of one notice needs, of every stored notice, its band keys (to find candidates), its
units (span, text identity, normalized text, to verify and expand them) and a little of its text
and metadata.  Reading these from SQLite for every check costs seconds on a 1,000-notice store;
here they are written once to ``<db>.lsh-<digest>-*.npy`` files (the digest names the store's
generation, its index generation, the codec stamp and the band count, so a changed store or codec
is never read wrongly) and memory-mapped by every later check.  Units are numbered store-wide in
path order (notice-major, then by their running number), so sorting by unit number is sorting by
``(notice position, unit)``.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simtool.match.lsh import index_bits, sorted_unique
from simtool.match.runs import MAX_HOLDERS, RUN_CHARS, SHORT_RUN_CHARS, SHORT_TEXT_CHARS, gram_hashes
from simtool.store.codec import STAMP_KEY, decode_units, ensure_index, index_bands
from simtool.store.sqlite import Store

CACHE_VERSION = 5
_ARRAYS: tuple[str, ...] = ("keys", "unit_notice", "unit_start", "unit_end", "ident", "text_at")
_ARRAYS += ("text_len", "texts", "notice_unit", "chars_at", "chars", "id_rank")
_ARRAYS += ("grams", "gram_ident", "ident_sorted", "ident_unit")


@dataclass(frozen=True, slots=True)
class IndexCache:
    """The decoded index of a store (see the module docstring); arrays may be memory-mapped.

    ``keys`` are the band keys packed with their unit (``pack_keys``), sorted; per unit ``unit_notice``
    (notice position), ``unit_start``/``unit_end`` (span in the notice text), ``ident`` (text
    identity) and its normalized text at ``texts[text_at[u]:text_at[u + 1]]`` (UTF-8, ``text_len``
    characters); per notice
    position its first unit ``notice_unit``, its text as code points at ``chars[chars_at[p]:]``,
    ``id_rank`` (the rank of its id among the ids sorted as strings), id, title, unit and date.
    Shared runs (``simtool.match.runs``): ``grams`` are the sorted run hashes of the distinct stored
    texts, each with the identity of a text holding it (``gram_ident``), for the runs held by at most
    ``MAX_HOLDERS`` texts; ``ident_sorted``/``ident_unit`` list the units by text identity.
    """

    keys: np.ndarray
    unit_notice: np.ndarray
    unit_start: np.ndarray
    unit_end: np.ndarray
    ident: np.ndarray
    text_at: np.ndarray
    text_len: np.ndarray
    texts: np.ndarray
    notice_unit: np.ndarray
    chars_at: np.ndarray
    chars: np.ndarray
    id_rank: np.ndarray
    grams: np.ndarray
    gram_ident: np.ndarray
    ident_sorted: np.ndarray
    ident_unit: np.ndarray
    ids: list[str]
    titles: list[str]
    issuers: list[str | None]
    dates: list[str | None]

    def unit_texts(self, units: np.ndarray) -> list[str]:
        """The normalized texts of the given units."""
        view = memoryview(self.texts.data)
        starts, ends = self.text_at[units].tolist(), self.text_at[units + 1].tolist()
        return [str(view[a:b], "utf-8") for a, b in zip(starts, ends)]

    def notice_text(self, pos: int, start: int = 0, end: int | None = None) -> str:
        """``text[start:end]`` of the notice at position ``pos``."""
        lo, hi = int(self.chars_at[pos]), int(self.chars_at[pos + 1])
        a = min(lo + start, hi)
        b = hi if end is None else min(lo + end, hi)
        return self.chars[a:b].tobytes().decode("utf-32-le") if b > a else ""

    def candidates(self, flat: np.ndarray, bands: int) -> tuple[np.ndarray, np.ndarray]:
        """Every ``(query unit, stored unit)`` sharing a band key, sorted and distinct.

        ``flat`` are the query's band keys, unit-major (``bands`` per unit).  One ``searchsorted``
        range per key, concatenated into one index array: no Python loop over the postings.
        """
        empty = np.empty(0, dtype=np.int64)
        if not len(flat) or not len(self.keys):
            return empty, empty
        bits = index_bits(len(self.unit_notice))
        order = np.argsort(flat, kind="stable")
        needles = (flat[order].astype(np.uint64) >> np.uint64(bits)) << np.uint64(bits)
        lo = np.searchsorted(self.keys, needles, side="left")
        hi = np.searchsorted(self.keys, needles + np.uint64(1 << bits), side="left")
        n = hi - lo
        total = int(n.sum())
        if total == 0:
            return empty, empty
        at = np.repeat(lo - (np.cumsum(n) - n), n) + np.arange(total, dtype=np.int64)
        unit = (self.keys[at] & np.uint64((1 << bits) - 1)).astype(np.int64)
        code = sorted_unique(((np.repeat(order, n) // bands).astype(np.int64) << 32) | unit)
        return code >> 32, code & 0xFFFFFFFF

    def run_candidates(self, texts: Sequence[str], idents: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Every ``(query unit, stored unit)`` whose texts share a run of ``n`` characters held by at
        most ``MAX_HOLDERS`` distinct texts of the store and the query together, as the in-memory
        engine proposes them (``run_pairs``); ``idents``: ``text_id`` of each of ``texts``."""
        empty = np.empty(0, dtype=np.int64)
        if not n or not len(self.grams):
            return empty, empty
        h, q = gram_hashes(texts, n)
        if not len(h):
            return empty, empty
        lo = np.searchsorted(self.grams, h, side="left")
        hi = np.searchsorted(self.grams, h, side="right")
        # distinct holders of each query run: the store's, plus the query's own texts the store lacks
        qi = idents[q]
        row = np.repeat(np.arange(len(h)), hi - lo)
        at = np.repeat(lo - np.cumsum(hi - lo) + (hi - lo), hi - lo) + np.arange(int((hi - lo).sum()))
        stored_here = np.zeros(len(h), dtype=bool)
        stored_here[row[self.gram_ident[at] == qi[row]]] = True
        gram_rank = np.unique(h, return_inverse=True)[1]
        new = sorted_unique((gram_rank[~stored_here] << 32) | np.unique(qi[~stored_here], return_inverse=True)[1])
        extra = np.bincount((new >> 32).astype(np.int64), minlength=int(gram_rank.max()) + 1)
        holders = (hi - lo) + extra[gram_rank]
        live = (holders >= 2) & (holders <= MAX_HOLDERS)
        pick = live[row]
        q_unit, ident = q[row[pick]], np.asarray(self.gram_ident[at[pick]], dtype=np.int64)
        # every stored unit of each identity
        ulo = np.searchsorted(self.ident_sorted, ident, side="left")
        uhi = np.searchsorted(self.ident_sorted, ident, side="right")
        k = uhi - ulo
        at2 = np.repeat(ulo - np.cumsum(k) + k, k) + np.arange(int(k.sum()))
        unit = np.asarray(self.ident_unit[at2], dtype=np.int64)
        code = sorted_unique((np.repeat(q_unit, k).astype(np.int64) << 32) | unit)
        return code >> 32, code & 0xFFFFFFFF


def pack_keys(flat: np.ndarray, bands: int) -> np.ndarray:
    """The band keys of units ``0, 1, …`` (``bands`` each, unit-major) as one sorted uint64 array: each
    key's high bits with its unit in the low ``index_bits(units)`` bits.

    One plain sort of 64-bit integers is ten times faster than ``argsort`` of the keys (numpy
    sorts integers with SIMD), and one array is half the memory of keys and units side by side.
    Keys equal in their high bits but not in the rest (one pair in ~2^40 per key at 10 million
    units) only propose a candidate that verification rejects.

    >>> pack_keys(np.array([7 << 40, 3 << 40, 3 << 40, 9]), 2).tolist() == [9 | 1, 3 << 40, (3 << 40) | 1, 7 << 40]
    True
    """
    units = len(flat) // bands if bands else 0
    bits = np.uint64(index_bits(units))
    packed = flat.astype(np.uint64, copy=False)  # in place from here (``flat`` is the caller's to give up)
    packed >>= bits
    packed <<= bits
    packed.reshape(units, bands)[:] |= np.arange(units, dtype=np.uint64)[:, None]
    packed.sort()
    return packed


def _stamp(store: Store, bands: int) -> dict[str, object]:
    return {
        "version": CACHE_VERSION,
        "index": store.index_generation(),
        "codec": store.get_meta(STAMP_KEY),
        "bands": bands,
        "runs": [RUN_CHARS, MAX_HOLDERS, SHORT_TEXT_CHARS, SHORT_RUN_CHARS],
    }


def _paths(store: Store, stamp: dict[str, object]) -> tuple[Path, dict[str, Path]]:
    digest = hashlib.blake2b(json.dumps(stamp, sort_keys=True).encode(), digest_size=6).hexdigest()
    base = f"{store.path}.lsh-{digest}"
    return Path(f"{base}.json"), {name: Path(f"{base}-{name}.npy") for name in _ARRAYS}


def index_cache(store: Store, bands: int) -> IndexCache:
    """The store's decoded index: memory-mapped from the files beside the database when they were
    written for the store as it is, else built (and written, unless the folder is read-only)."""
    stamp = _stamp(store, bands)
    meta_path, paths = _paths(store, stamp)
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
        if meta["stamp"] == stamp:
            # plain views of the maps: slicing a np.memmap costs microseconds of subclass bookkeeping
            arrays = {name: np.asarray(np.load(p, mmap_mode="r")) for name, p in paths.items()}
            return IndexCache(
                **arrays, ids=meta["ids"], titles=meta["titles"], issuers=meta["issuers"], dates=meta["dates"]
            )
    except (OSError, ValueError, KeyError, TypeError):
        pass
    cache = _build(store, bands)
    if store.in_memory:
        return cache  # a store in memory leaves no files
    try:
        _write(store, cache, stamp, meta_path, paths)
    except OSError:
        pass  # a read-only folder: work without the cache
    return cache


def prepare_check_index(store: Store) -> None:
    """Write the decoded index of the store as it is now, unless it is there already (then this
    only reads its metadata): ``ingest`` calls this at its end, so that the first ``check`` after it
    memory-maps the files instead of building them (20 s at 10,000 notices)."""
    if store.in_memory:  # (a store in memory is checked in the same process or never)
        return
    ensure_index(store)
    try:
        index_cache(store, index_bands()[0])
    except MemoryError:
        pass  # a store too large to decode in memory: its notices are stored, and check says what it lacks


PARALLEL_MIN_NOTICES = 500  # stores from this size build their run postings on a second process


def _build(store: Store, bands: int) -> IndexCache:
    """The decoded index of ``store``.  A large store's run postings (decoding and hashing every
    distinct text) are built on a forked process while this one decodes the keys and notices: the
    two halves take about as long, so on two cores the build takes half the time."""
    child = None
    if (
        store.count_notices() >= PARALLEL_MIN_NOTICES
        and not store.in_memory
        and "fork" in multiprocessing.get_all_start_methods()
    ):
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        child = pool.submit(_postings_of_store, str(store.path), bands)
    try:
        return _build_here(store, bands, child)
    finally:
        if child is not None:
            pool.shutdown()


def _unit_columns(
    blobs: Iterable[tuple[bytes | None, int]], bands: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """From each notice's units' blob and the byte length of its keys: the rows (start, end and text
    identity) of the units that have keys, their texts' UTF-8 sizes, the texts joined, and the count per notice."""
    rows: list[np.ndarray] = []
    sizes: list[np.ndarray] = []
    texts: list[bytes] = []
    counts: list[int] = []
    for sblob, key_bytes in blobs:
        units = decode_units(sblob)
        n = min(len(units), key_bytes // 8 // bands)  # a unit without keys is never a candidate
        rows.append(units.rows[:n])
        sizes.append(units.sizes[:n])
        texts.append(units.texts[: int(units.sizes[:n].sum())])
        counts.append(n)
    row = np.concatenate(rows) if rows else np.empty((0, 4), dtype="<i4")
    size = np.concatenate(sizes).astype(np.int64) if sizes else np.empty(0, dtype=np.int64)
    return row, size, np.frombuffer(b"".join(texts), dtype=np.uint8), counts


def _identities(row: np.ndarray, size: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's text identity and where its text starts in the joined texts (one more: the end)."""
    ident = np.ascontiguousarray(row[:, 2:4]).view("<i8").reshape(-1).astype(np.int64)
    return ident, np.concatenate([[0], np.cumsum(size)]).astype(np.int64)


def _postings_of_store(path: str, bands: int) -> tuple[np.ndarray, ...]:
    """``_run_postings`` of the store at ``path``, read on its own connection (the forked process's half)."""
    with Store(path, create=False) as store:
        row, size, joined, _counts = _unit_columns(store.indexed_spans(), bands)
    ident, text_at = _identities(row, size)
    return _run_postings(ident, text_at, joined)


def _build_here(store: Store, bands: int, child: Future[tuple[np.ndarray, ...]] | None) -> IndexCache:
    ids: list[str] = []
    titles: list[str] = []
    issuers: list[str | None] = []
    dates: list[str | None] = []
    keys: list[np.ndarray] = []
    blobs: list[tuple[bytes | None, int]] = []
    chars: list[np.ndarray] = []
    for nid, title, unit, date, text, kblob, sblob in store.indexed_rows():
        ids.append(nid)
        titles.append(title)
        issuers.append(unit)
        dates.append(date)
        chars.append(np.frombuffer(text.encode("utf-32-le"), dtype="<u4"))
        k = np.frombuffer(kblob, dtype="<i8") if kblob else np.empty(0, dtype=np.int64)
        blobs.append((sblob, len(k) * 8))
        keys.append(k)
    row, size, joined, counts = _unit_columns(blobs, bands)
    blobs.clear()
    for p, n in enumerate(counts):
        keys[p] = keys[p][: n * bands]
    packed_keys = pack_keys(np.concatenate(keys).view(np.uint64) if keys else np.empty(0, dtype=np.uint64), bands)
    keys.clear()  # (the blobs' views: the memory of every stored key)
    notice_unit = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
    char_counts = [len(c) for c in chars]
    rank = np.empty(len(ids), dtype=np.int64)
    rank[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
    ident, text_at = _identities(row, size)
    all_chars = np.concatenate(chars) if chars else np.empty(0, dtype="<u4")
    chars.clear()
    postings = None
    if child is not None:
        try:
            postings = child.result()
        except Exception:  # the second process failed (killed for memory, a read-only copy …): do it here
            postings = None
    if postings is None:
        postings = _run_postings(ident, text_at, joined)
    grams, gram_ident, ident_sorted, ident_unit, text_len = postings
    return IndexCache(
        keys=packed_keys,
        unit_notice=np.repeat(np.arange(len(ids), dtype=np.int32), counts),
        unit_start=row[:, 0].astype(np.int32),
        unit_end=row[:, 1].astype(np.int32),
        ident=ident,
        text_at=text_at,
        text_len=text_len,
        texts=joined,
        notice_unit=notice_unit,
        chars_at=np.concatenate([[0], np.cumsum(char_counts, dtype=np.int64)]),
        chars=all_chars,
        id_rank=rank,
        grams=grams,
        gram_ident=gram_ident,
        ident_sorted=ident_sorted,
        ident_unit=ident_unit,
        ids=ids,
        titles=titles,
        issuers=issuers,
        dates=dates,
    )


def _run_postings(
    ident: np.ndarray, text_at: np.ndarray, joined: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run postings of the distinct stored texts (see ``IndexCache``), the units by identity and
    the characters of each unit's text (each distinct text decoded once)."""
    ident_unit = np.argsort(ident, kind="stable").astype(np.int64)
    ident_sorted = ident[ident_unit]
    new = np.r_[True, ident_sorted[1:] != ident_sorted[:-1]] if len(ident) else np.zeros(0, dtype=bool)
    first = ident_unit[new]
    view = memoryview(joined.data)
    starts, ends = text_at[first].tolist(), text_at[first + 1].tolist()
    distinct = [str(view[a:b], "utf-8") for a, b in zip(starts, ends)]
    text_len = np.empty(len(ident), dtype=np.int32)
    text_len[ident_unit] = np.fromiter(map(len, distinct), dtype=np.int32, count=len(distinct))[np.cumsum(new) - 1]
    h, holder = gram_hashes(distinct, RUN_CHARS)
    # gram_hashes gives the runs sorted by hash, holders ascending
    bounds = np.r_[0, np.flatnonzero(h[1:] != h[:-1]) + 1, len(h)] if len(h) else np.zeros(1, dtype=np.int64)
    size = np.diff(bounds)
    keep = np.repeat(size <= MAX_HOLDERS, size)
    return h[keep], ident[first][holder[keep]], ident_sorted, ident_unit, text_len


def _write(store: Store, cache: IndexCache, stamp: dict[str, object], meta_path: Path, paths: dict[str, Path]) -> None:
    """Write the arrays, then the metadata naming them (each file by rename, so a reader sees whole
    files), and remove the files of older generations."""
    for name, path in paths.items():
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            np.save(fh, getattr(cache, name))
        os.replace(tmp, path)
    meta = {"stamp": stamp, "ids": cache.ids, "titles": cache.titles, "issuers": cache.issuers, "dates": cache.dates}
    tmp = meta_path.with_name(meta_path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    os.replace(tmp, meta_path)
    keep = {meta_path.name, *(p.name for p in paths.values())}
    folder = meta_path.parent
    for old in folder.glob(f"{Path(store.path).name}.lsh-*"):
        if old.name not in keep and not old.name.endswith(".tmp"):
            try:
                old.unlink()
            except OSError:
                pass
