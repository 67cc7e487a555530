"""Matching units: the spans of notices that are sketched, indexed and compared.

Sentences are the matching unit (``simtool.text.sentences``): every problem, measure, framing
paragraph, closing formula and heading is cut into sentences, and long sentences are also
indexed as clause windows, so a sentence or clause lifted into a longer paragraph of another
notice is a unit of its own.  Each unit keeps the segment it lies in (kind, problem number and
segment index), so problems and measures are aggregates of their sentences.  Units are kept as
columns (numpy arrays plus one list of normalized texts) so that millions of them stay cheap.

``segment_units`` is the older, coarser cut (a whole segment, long ones chunked at sentence
ends) that the measure analyses (clusters, reuse) compare.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simtool.core.types import SEGMENT_KINDS, Notice, View
from simtool.text.normalize import normalize_many
from simtool.text.sentences import MIN_SENTENCE_CHARS, clause_windows, sentence_spans

MAX_UNIT_CHARS = 160
MIN_UNIT_CHARS = 6  # segment units (measure analyses)
SENTENCE, CLAUSE = 0, 1  # unit levels
LEVEL_NAMES = ("sentence", "clause")
UNIT_KINDS = frozenset({"problem", "measure", "framing", "closing", "heading"})
_SENTENCE_END = re.compile(r"[。；;！!？?]+[”’\"']?")
KIND_CODE = {k: i for i, k in enumerate(SEGMENT_KINDS)}


@dataclass(slots=True)
class Units:
    """Columns describing ``len(self)`` units of a list of notices.

    ``notice[i]`` indexes the notices list; ``start``/``end`` are offsets into that notice's
    text; ``text[i]`` is the normalized matching text; ``seq[i]`` is the unit's running number
    within its notice (adjacent units have consecutive numbers).
    """

    notice: np.ndarray
    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray
    problem: np.ndarray
    seq: np.ndarray
    text: list[str]
    sentence: np.ndarray | None = None
    level: np.ndarray | None = None
    segment: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.text)


def _chunks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` at sentence ends into pieces of at most ~MAX_UNIT_CHARS."""
    if end - start <= MAX_UNIT_CHARS:
        return [(start, end)]
    cuts = [m.end() for m in _SENTENCE_END.finditer(text, start, end)]
    if not cuts or cuts[-1] != end:
        cuts.append(end)
    pieces: list[tuple[int, int]] = []
    a = start
    last = start
    for c in cuts:
        if c - a > MAX_UNIT_CHARS and last > a:
            pieces.append((a, last))
            a = last
        last = c
    pieces.append((a, end))
    return pieces


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def segment_units(notices: Sequence[Notice], view: View = "literal", *, min_chars: int = MIN_UNIT_CHARS) -> Units:
    """Segment units (long segments chunked) of ``notices`` in ``view``, in notice order then text order."""
    rows: list[tuple[int, int, int, int, int]] = []
    raw: list[str] = []
    for ni, n in enumerate(notices):
        text = n.text
        for s in n.segments:
            if s.kind not in UNIT_KINDS:
                continue
            kind, problem = KIND_CODE[s.kind], (s.problem if s.problem is not None else -1)
            for a, b in _chunks(text, s.start, s.end):
                a, b = _strip(text, a, b)
                rows.append((ni, a, b, kind, problem))
                raw.append(text[a:b])
    texts = normalize_many(raw, view)
    keep = np.fromiter((len(t) >= min_chars for t in texts), dtype=bool, count=len(texts))
    return _columns(rows, texts, keep, 5)


def _columns(rows: Sequence[tuple[int, ...]], texts: list[str], keep: np.ndarray, width: int) -> Units:
    """``Units`` from rows ``(notice, start, end, kind, problem[, sentence, level, segment])`` kept by ``keep``."""
    cols = np.asarray(rows, dtype=np.int64).reshape(-1, width)[keep]
    notice = cols[:, 0].astype(np.int32)
    # running number of each unit within its notice (units of a notice are contiguous)
    first = np.searchsorted(notice, notice, side="left") if len(notice) else np.empty(0, dtype=np.int64)
    sentence_cols = width == 8
    return Units(
        notice=notice,
        start=cols[:, 1].copy(),
        end=cols[:, 2].copy(),
        kind=cols[:, 3].astype(np.int8),
        problem=cols[:, 4].astype(np.int32),
        seq=(np.arange(len(notice)) - first).astype(np.int32),
        text=[t for t, k in zip(texts, keep.tolist()) if k],
        sentence=cols[:, 5].astype(np.int32) if sentence_cols else None,
        level=cols[:, 6].astype(np.int8) if sentence_cols else None,
        segment=cols[:, 7].astype(np.int32) if sentence_cols else None,
    )


def collapse(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Identical texts collapsed: the distinct texts (first-seen order) and each input's index into them."""
    first: dict[str, int] = {}
    inverse = np.fromiter((first.setdefault(t, len(first)) for t in texts), dtype=np.int64, count=len(texts))
    return list(first), inverse


_NOT_WORDS = re.compile(r"[\W\d_]+")
_DATE_WORDS = re.compile(r"[年月日号至]+")
MIN_WORD_CHARS = 10  # characters other than digits and punctuation a unit must have (a date range is no evidence) …
MIN_FIGURE_WORDS = 6  # … or this many besides the date words, next to the figures (今年以来立案124件127人)


def is_evidence(text: str, min_chars: int = MIN_SENTENCE_CHARS) -> bool:
    """Whether a normalized sentence is long enough, in words, to show copying by itself: a date
    range is not, a statement of figures is (the same figures in another notice are copied).

    >>> is_evidence("2022年10月10日至2023年1月20日，"), is_evidence("组织全体党员深入学习党章党规，提高认识。")
    (False, True)
    >>> is_evidence("今年以来立案124件127人"), is_evidence("说明仍使用2019年2月20日")
    (True, False)
    """
    if len(text) < min_chars:
        return False
    words = _NOT_WORDS.sub("", text)
    return len(words) >= min(MIN_WORD_CHARS, min_chars) or len(_DATE_WORDS.sub("", words)) >= MIN_FIGURE_WORDS


def build_units(notices: Sequence[Notice], view: View = "literal", *, min_chars: int = MIN_SENTENCE_CHARS) -> Units:
    """The sentence units (and clause windows of long sentences) of ``notices`` in ``view``.

    Units whose normalized text is shorter than ``min_chars`` are left out: a short heading or
    sentence is no evidence of copying by itself.
    """
    rows: list[tuple[int, int, int, int, int, int, int, int]] = []
    raw: list[str] = []
    for ni, n in enumerate(notices):
        text = n.text
        sent = 0
        for si, s in enumerate(n.segments):
            if s.kind not in UNIT_KINDS:
                continue
            kind, problem = KIND_CODE[s.kind], (s.problem if s.problem is not None else -1)
            for a, b in sentence_spans(text, s.start, s.end):
                rows.append((ni, a, b, kind, problem, sent, SENTENCE, si))
                raw.append(text[a:b])
                for ca, cb in clause_windows(text, a, b):
                    rows.append((ni, ca, cb, kind, problem, sent, CLAUSE, si))
                    raw.append(text[ca:cb])
                sent += 1
    texts = normalize_many(raw, view)
    keep = np.fromiter((is_evidence(t, min_chars) for t in texts), dtype=bool, count=len(texts))
    return _columns(rows, texts, keep, 8)


def concat_units(parts: Sequence[tuple[int, Units]]) -> Units:
    """The units of consecutive slices of notices as one ``Units`` (notice indexes shifted)."""
    parts = sorted(parts, key=lambda p: p[0])
    if not parts:
        return build_units([])

    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(u, name) for _, u in parts])

    notice = np.concatenate([(u.notice.astype(np.int64) + first).astype(np.int32) for first, u in parts])
    return Units(
        notice=notice,
        start=cat("start"),
        end=cat("end"),
        kind=cat("kind"),
        problem=cat("problem"),
        seq=cat("seq"),
        text=[t for _, u in parts for t in u.text],
        sentence=cat("sentence"),
        level=cat("level"),
        segment=cat("segment"),
    )
