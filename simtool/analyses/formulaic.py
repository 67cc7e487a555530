"""Formulaic text (套话) in a notice: where given phrases occur, and the phrases a store has learned.

A notice is cut into *pieces* (its segments and any text between them) and each piece into
sentences; phrases never cross either border.  ``simtool.analyses.phrases`` mines phrases from this
normalized text (``matching_text``) and ``PhraseMatcher`` finds them in it: hashed phrase
prefixes pick candidate positions, which are compared exactly, and each match is mapped back
to the original text (through ``normalize_map`` where a sentence does not normalize character
for character), so spans point at the text as written (``D委``, full-width punctuation).

The phrases of a store (strings used by at least K notices, K = max(3, 20 % of the notices))
are learned once per store generation and cached in the store's ``meta`` table under
``phrases`` (JSON with the ``generation`` they were learned at); every ingest bumps the
generation, and the next call learns them again.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

import numpy as np

from simtool.core.spans import count_chars, merge_spans
from simtool.core.types import Notice
from simtool.text.normalize import Normalized, normalize, normalize_map

SENTENCE_ENDS = "。;!?；！？"  # normalized text has the half-width forms; both listed for user phrases
_JOIN = "\u241e"  # ␞ joins pieces before normalization; normalize() leaves it alone
_BREAKS = re.compile("[" + re.escape(SENTENCE_ENDS + _JOIN) + "]")
_ENDS = re.escape(SENTENCE_ENDS + "｡﹔﹗﹖")  # what normalizes to a sentence end
_SENTENCE = re.compile(f"[^{_ENDS}]*[{_ENDS}]+|[^{_ENDS}]+")
_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)
_HASH_MIX = np.uint64(0xBF58476D1CE4E5B9)
_MAX_GRAM = 8


def pieces(notice: Notice) -> list[tuple[int, int]]:
    """Spans of ``notice.text`` that phrases may not cross: its segments, plus any text between them."""
    out: list[tuple[int, int]] = []
    pos = 0
    text = notice.text
    for seg in sorted(notice.segments, key=lambda s: (s.start, s.end)):
        if seg.start > pos and text[pos : seg.start].strip():
            out.append((pos, seg.start))
        if seg.end > max(seg.start, pos):
            out.append((max(seg.start, pos), seg.end))
        pos = max(pos, seg.end)
    if text[pos:].strip():
        out.append((pos, len(text)))
    return out


def sentences(notice: Notice) -> list[tuple[int, int]]:
    """Spans of the sentences of each piece, each with its end marks (``。；！？``)."""
    text = notice.text
    return [
        (m.start(), m.end())
        for a, b in pieces(notice)
        for m in _SENTENCE.finditer(text, a, b)
        if not m.group().isspace()
    ]


def normalized_sentences(notice: Notice) -> tuple[list[tuple[int, int]], str]:
    """The sentence spans and the normalized text of all sentences joined by ``␞`` (one normalize call)."""
    spans = sentences(notice)
    joined = _JOIN.join(notice.text[a:b].replace(_JOIN, " ") for a, b in spans)
    return spans, normalize(joined)


def matching_text(notice: Notice) -> str:
    """The notice's normalized text with every sentence end and piece border turned into ``\\x00``."""
    return _BREAKS.sub("\x00", normalized_sentences(notice)[1]) + "\x00"


def gram_hashes(codes: np.ndarray, g: int) -> np.ndarray:
    """A 64-bit hash of each ``g``-gram of ``codes`` (code points), ``len(codes) - g + 1`` values."""
    m = max(len(codes) - g + 1, 0)
    h = np.zeros(m, dtype=np.uint64)
    for j in range(g):
        np.multiply(h, _HASH_BASE, out=h)
        np.add(h, codes[j : j + m], out=h, casting="unsafe")
    h ^= h >> np.uint64(31)
    h *= _HASH_MIX
    h ^= h >> np.uint64(29)
    return h


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


class PhraseMatcher:
    """Finds given phrases in notices: hashed prefixes pick candidate positions, which are then
    compared exactly (the longest phrase at each position wins); matches are mapped back to the
    original text sentence by sentence (``_map_back``)."""

    def __init__(self, phrases: Sequence[str]) -> None:
        words = {w for w in (normalize(p) for p in phrases) if w and _JOIN not in w and "\x00" not in w}
        self.gram = min(min((len(w) for w in words), default=0), _MAX_GRAM)
        self.buckets: dict[str, list[str]] = {}
        for w in sorted(words, key=lambda w: (-len(w), w)):
            self.buckets.setdefault(w[: self.gram], []).append(w)
        self.longest = {p: len(ws[0]) for p, ws in self.buckets.items()}
        prefixes = "".join(self.buckets)
        self.keys = np.unique(gram_hashes(_codes(prefixes), self.gram)[:: self.gram]) if words else None

    def _find(self, text: str) -> list[tuple[int, str]]:
        """(position, phrase) of the longest phrase at every position of ``text`` where one starts
        and reaches past the phrases found before it."""
        if self.keys is None or len(text) < self.gram:
            return []
        h = gram_hashes(_codes(text), self.gram)
        at = np.minimum(np.searchsorted(self.keys, h), len(self.keys) - 1)
        out: list[tuple[int, str]] = []
        reach = 0
        g = self.gram
        for p in np.flatnonzero(self.keys[at] == h).tolist():
            prefix = text[p : p + g]
            if p + self.longest.get(prefix, 0) <= reach:
                continue
            for w in self.buckets.get(prefix, ()):
                if text.startswith(w, p):
                    out.append((p, w))
                    reach = max(reach, p + len(w))
                    break
        return out

    def spans(self, notice: Notice) -> list[tuple[int, int]]:
        """Merged spans of ``notice.text`` covered by an occurrence of any phrase."""
        return self.spans_many([notice])[0]

    def spans_many(self, notices: Sequence[Notice], batch: int = 500) -> list[list[tuple[int, int]]]:
        """``spans`` of each notice, searching ``batch`` notices at a time."""
        out: list[list[tuple[int, int]]] = []
        for i in range(0, len(notices), batch):
            chunk = notices[i : i + batch]
            prepared = [normalized_sentences(n) for n in chunk]
            big = "\x00".join(norm for _, norm in prepared)
            found = self._find(big)
            starts = np.cumsum([0] + [len(norm) + 1 for _, norm in prepared])
            owner = np.searchsorted(starts, [p for p, _ in found], side="right") - 1
            per: list[list[tuple[int, str]]] = [[] for _ in chunk]
            for (p, w), k in zip(found, owner.tolist()):
                per[k].append((p - int(starts[k]), w))
            out.extend(_map_back(n, spans, norm, hits) for n, (spans, norm), hits in zip(chunk, prepared, per))
        return out


def _one_to_one(original: str, normalized: str) -> bool:
    """Whether ``normalized`` maps character for character onto ``original`` (stripped): nothing
    can have been deleted (no white space, control or unassigned characters, no ``AAA`` → 微信)
    and, the lengths being equal, nothing expanded either."""
    return len(original) == len(normalized) and original.isprintable() and " " not in original and "AAA" not in original


def _map_back(
    notice: Notice, sents: list[tuple[int, int]], norm: str, hits: list[tuple[int, str]]
) -> list[tuple[int, int]]:
    """Original-text spans of phrase matches found at positions of the joined normalized text.

    Most sentences normalize character for character and keep their offsets; the others go
    through ``normalize_map``.
    """
    if not hits:
        return []
    text = notice.text
    bounds = [m.start() for m in re.finditer(_JOIN, norm)]
    maps: dict[int, Normalized | int] = {}  # sentence -> its map, or the offset of a 1:1 sentence
    out: list[tuple[int, int]] = []
    for p, w in hits:
        k = bisect_right(bounds, p)
        a, b = sents[k]
        start = bounds[k - 1] + 1 if k else 0
        nm = maps.get(k)
        if nm is None:
            sentence = text[a:b]
            stripped = sentence.strip()
            end = bounds[k] if k < len(bounds) else len(norm)
            if _one_to_one(stripped, norm[start:end]):
                nm = maps[k] = a + len(sentence) - len(sentence.lstrip()) - start
            else:
                nm = maps[k] = normalize_map(sentence)
        if isinstance(nm, int):
            out.append((p + nm, p + nm + len(w)))
            continue
        off = p - start
        places = [off] if nm.text.startswith(w, off) else [m.start() for m in re.finditer(re.escape(w), nm.text)]
        for q in places:
            s, e = nm.span(q, q + len(w))
            out.append((a + s, a + e))
    return merge_spans(out)


def formulaic_spans(notices: Sequence[Notice], phrases: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
    """Per notice id, the merged spans of the ORIGINAL notice text covered by any of ``phrases``
    (found in the normalized text of each sentence and mapped back through ``normalize_map``;
    a phrase never spans two sentences or segments)."""
    matcher = PhraseMatcher(phrases)
    return {n.id: spans for n, spans in zip(notices, matcher.spans_many(notices))}


def formulaic_share(notice: Notice, spans: Sequence[tuple[int, int]]) -> float:
    """Share of the notice's non-white-space characters inside ``spans`` (rounded to 4 places)."""
    total = count_chars(notice.text)
    return round(count_chars(notice.text, spans) / total, 4) if total else 0.0
