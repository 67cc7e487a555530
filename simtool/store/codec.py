"""The persistent candidate index: one codec, encode and decode side by side, stamped.

Per notice the store keeps two blobs: its units' LSH band keys (int64 little-endian, unit-major,
``bands`` per unit) and its units: the count ``k`` (int32), per unit its span in the notice text
and the identity of its normalized text (k × int32 start, end and the two int32 halves of
``text_id``), the UTF-8 length of each normalized text (k × int32) and the texts themselves, joined
and zlib-compressed — so that ``check`` verifies against stored texts without normalizing them
again (``normalize_many`` of a unit's original text is its stored text).  The stamp names
everything that made them — engine parameters, unit rules and the stop-bigram list — so a store
built with other parameters is re-indexed from its stored notices instead of being read wrongly.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simtool.core.types import Notice
from simtool.match import units as unit_rules
from simtool.match.engine import DEFAULT_PARAMS, INDEX_BUILD_SIM, keys_for, stop_hashes
from simtool.match.units import build_units
from simtool.store.sqlite import Store
from simtool.text import sentences

STAMP_KEY = "index_stamp"
FORMAT = 5  # 1: segment units; 2: sentence units and clause windows; 3: tail windows, figures as evidence;
# 4: the units' normalized texts; 5: short last clauses run back into a window ending the sentence


def text_id(text: str) -> int:
    """A stable 64-bit identity of a normalized text (equal texts, equal ids)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def index_bands() -> tuple[int, int]:
    """(bands, rows) of the persistent index."""
    return DEFAULT_PARAMS.bands(INDEX_BUILD_SIM)


def index_stamp() -> str:
    """What the stored index was built with, as a canonical JSON string."""
    p = DEFAULT_PARAMS
    stop = hashlib.blake2b(stop_hashes().tobytes(), digest_size=8).hexdigest()
    return json.dumps(
        {
            "format": FORMAT,
            "ngram": p.ngram,
            "num_perm": p.num_perm,
            "seed": p.seed,
            "mode": p.mode,
            "stop": stop if p.stop else None,
            "bands": list(index_bands()),
            "min_sentence": sentences.MIN_SENTENCE_CHARS,
            "long_sentence": sentences.LONG_SENTENCE_CHARS,
            "window": sentences.WINDOW_CHARS,
            "min_word": unit_rules.MIN_WORD_CHARS,
            "min_figure_words": unit_rules.MIN_FIGURE_WORDS,
        },
        sort_keys=True,
    )


def encode_index(notices: Sequence[Notice]) -> list[tuple[bytes, bytes] | None]:
    """Per notice, its two index blobs (keys, spans), or ``None`` when it has no unit."""
    units = build_units(notices, "literal")
    out: list[tuple[bytes, bytes] | None] = [None] * len(notices)
    if not len(units):
        return out
    keys = keys_for(units.text, DEFAULT_PARAMS, INDEX_BUILD_SIM).astype("<i8")
    ident = np.array([text_id(t) for t in units.text], dtype=np.int64)
    spans = np.concatenate(
        [np.stack([units.start, units.end], axis=1).astype("<i4"), ident.astype("<i8").view("<i4").reshape(-1, 2)],
        axis=1,
    )
    encoded = [t.encode("utf-8") for t in units.text]
    sizes = np.fromiter((len(b) for b in encoded), dtype="<i4", count=len(encoded))
    bounds = np.searchsorted(units.notice, np.arange(len(notices) + 1))
    for i in range(len(notices)):
        lo, hi = bounds[i], bounds[i + 1]
        if hi > lo:
            head = np.array([hi - lo], dtype="<i4").tobytes() + spans[lo:hi].tobytes() + sizes[lo:hi].tobytes()
            out[i] = (keys[lo:hi].tobytes(), head + zlib.compress(b"".join(encoded[lo:hi]), 1))
    return out


@dataclass(frozen=True, slots=True)
class UnitRows:
    """One notice's indexed units as stored: ``rows`` k × 4 int32 (start, end and the two halves of
    the text identity), the UTF-8 size of each normalized text and the joined texts."""

    rows: np.ndarray
    sizes: np.ndarray
    texts: bytes

    def __len__(self) -> int:
        return len(self.rows)

    def text(self, k: int) -> str:
        """The normalized text of unit ``k``."""
        at = int(self.sizes[:k].sum())
        return self.texts[at : at + int(self.sizes[k])].decode("utf-8")


def decode_units(blob: bytes | None) -> UnitRows:
    """The units of one notice's spans blob (``encode_index``)."""
    if not blob:
        return UnitRows(np.empty((0, 4), dtype="<i4"), np.empty(0, dtype="<i4"), b"")
    k = int(np.frombuffer(blob, dtype="<i4", count=1)[0])
    rows = np.frombuffer(blob, dtype="<i4", count=4 * k, offset=4).reshape(k, 4)
    sizes = np.frombuffer(blob, dtype="<i4", count=k, offset=4 + 16 * k)
    return UnitRows(rows, sizes, zlib.decompress(blob[4 + 20 * k :]))


def decode_keys(blob: bytes | None, bands: int) -> np.ndarray:
    """The band keys of one notice's units: shape (units, bands)."""
    if not blob:
        return np.empty((0, bands), dtype=np.int64)
    return np.frombuffer(blob, dtype="<i8").reshape(-1, bands)


def decode_spans(blob: bytes | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, end, text identity) of one notice's units."""
    if not blob:
        e = np.empty(0, dtype=np.int64)
        return e, e, e
    rows = decode_units(blob).rows
    ident = np.ascontiguousarray(rows[:, 2:4]).view("<i8").reshape(-1)
    return rows[:, 0].astype(np.int64), rows[:, 1].astype(np.int64), ident.astype(np.int64)


def ensure_index(store: Store) -> bool:
    """Re-encode the index of every stored notice when it was built with other parameters.

    Returns whether it re-encoded.  Each batch is one transaction; the stamp is written with the
    last one, so an interrupted re-index is simply done again next time.
    """
    stamp = index_stamp()
    if store.get_meta(STAMP_KEY) == stamp:
        return False
    batches = list(store.index_rows())
    if not batches:
        store.set_meta(STAMP_KEY, stamp)
        return False
    for k, batch in enumerate(batches):
        rows = list(zip([n.id for n in batch], encode_index(batch)))
        store.replace_index(rows, {STAMP_KEY: stamp} if k == len(batches) - 1 else {})
    return True
