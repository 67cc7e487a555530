"""Formulaic text (套话) in a notice: where formulas and given phrases occur.

``FormulaSet`` is what counts as 套话 in a corpus (the README's table): the units of the corpus's
formulas (``simtool.analyses.formulas``, matched by their template text, and in ``check`` also by
similarity to a formula's leader), standard political formulations (提法, ``simtool/data/tifa.txt``)
and the user's formulas (exact strings inside sentences, ``PhraseMatcher``), and by role every
signature and date line.  ``FormulaSet.tagged`` gives each notice's 套话 spans with their role;
``spans``/``spans_many`` the merged spans that ``simtool.analyses.shared`` leaves out of
去除套话复制比.

A notice is cut into *pieces* (its segments and any text between them) and each piece into
sentences; phrases never cross either border.  ``PhraseMatcher`` finds phrases in the normalized
text (``matching_text``): hashed phrase prefixes pick candidate positions, which are compared
exactly, and each match is mapped back to the original text (through ``normalize_map`` where a
sentence does not normalize character for character), so spans point at the text as written
(``D委``, full-width punctuation).
"""

from __future__ import annotations

import functools
import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel

from simtool.core.errors import UserError
from simtool.core.spans import count_chars, merge_spans
from simtool.core.types import SEGMENT_KINDS, Notice
from simtool.match.units import Units, build_units
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
        return [merge_spans((a, b) for a, b, _ in hits) for hits in self.occurrences_many(notices, batch)]

    def occurrences_many(self, notices: Sequence[Notice], batch: int = 500) -> list[list[tuple[int, int, str]]]:
        """Each notice's phrase occurrences ``(start, end, phrase)`` in its original text (the longest
        phrase at each position; ``phrase`` normalized), in text order."""
        out: list[list[tuple[int, int, str]]] = []
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
) -> list[tuple[int, int, str]]:
    """Original-text spans of phrase matches found at positions of the joined normalized text.

    Most sentences normalize character for character and keep their offsets; the others go
    through ``normalize_map``.
    """
    if not hits:
        return []
    text = notice.text
    bounds = [m.start() for m in re.finditer(_JOIN, norm)]
    maps: dict[int, Normalized | int] = {}  # sentence -> its map, or the offset of a 1:1 sentence
    out: list[tuple[int, int, str]] = []
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
            out.append((p + nm, p + nm + len(w), w))
            continue
        off = p - start
        places = [off] if nm.text.startswith(w, off) else [m.start() for m in re.finditer(re.escape(w), nm.text)]
        for q in places:
            s, e = nm.span(q, q + len(w))
            out.append((a + s, a + e, w))
    return sorted(set(out))


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


# -- what counts as 套话: formulas, 提法, the user's formulas, signature and date lines ------------

TIFA_PATH = Path(__file__).parent.parent / "data" / "tifa.txt"
_DATE_LINE = re.compile(r"^[\s\d〇零一二三四五六七八九十○OＯ０-９年月日号.．/-]+$")
_TRAILING = "，,、：:"  # a clause window ends at a clause mark; a formula does not
FormulaSpan = tuple[int, int, str]  # start, end, role


def _phrase_lines(text: str) -> list[str]:
    r"""The non-empty, non-comment lines of a formula list, stripped, each once in order.

    >>> _phrase_lines("# 注释\n全面从严治党\n\n 两个维护 \n全面从严治党\n")
    ['全面从严治党', '两个维护']
    """
    lines = (ln.strip() for ln in text.splitlines())
    return list(dict.fromkeys(ln for ln in lines if ln and not ln.startswith("#")))


@functools.cache
def tifa_phrases() -> tuple[str, ...]:
    """The bundled standard political formulations (simtool/data/tifa.txt)."""
    return tuple(_phrase_lines(TIFA_PATH.read_text("utf-8")))


def read_formula_file(path: str) -> list[str]:
    """The user's formulas: one per line (UTF-8 or GB18030; ``#`` starts a comment line)."""
    try:
        raw = Path(path).read_bytes()
    except OSError:
        raise UserError(f"无法读取套话文件 {path}，请检查路径是否写错") from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            phrases = _phrase_lines(raw.decode(enc))
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UserError(f"套话文件 {path} 不是文本文件（应为每行一条套话的 UTF-8 文本）")
    if not phrases:
        raise UserError(f"套话文件 {path} 是空的：请每行写一条套话")
    return phrases


def unit_roles(notices: Sequence[Notice], units: Units) -> list[str]:
    """The role of each unit: its segment kind, with framing before a notice's first heading,
    problem or measure called ``opening``."""
    body = [
        min((s.start for s in n.segments if s.kind in ("heading", "problem", "measure")), default=len(n.text))
        for n in notices
    ]
    out = []
    for ni, kind, start in zip(units.notice.tolist(), units.kind.tolist(), units.start.tolist()):
        name = SEGMENT_KINDS[kind]
        out.append("opening" if name == "framing" and start < body[ni] else name)
    return out


def trim_end(text: str, start: int, end: int) -> int:
    """``end`` moved back over trailing clause marks and white space (a sentence keeps its 。).

    >>> trim_end("坚定“四个自信”，做到", 0, 9)
    8
    """
    while end > start and (text[end - 1] in _TRAILING or text[end - 1].isspace()):
        end -= 1
    return end


def touching(text: str, end: int, start: int) -> bool:
    """Whether a span ending at ``end`` and one starting at ``start`` overlap or only white space or a
    clause mark separates them."""
    return start <= end or not text[end:start].strip(_TRAILING + " \t\r\n\u3000")


def runs(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans (of one segment) joined where they touch, each end trimmed (``trim_end``).

    >>> text = "欢迎监督。如有意见，请反映。其他"
    >>> runs(text, [(5, 10), (0, 5)]), runs(text, [(10, 14), (0, 5), (5, 10)])
    ([(0, 9)], [(0, 14)])
    """
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and touching(text, out[-1][1], a):
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return [(a, trim_end(text, a, b)) for a, b in out]


def signature_spans(notice: Notice) -> list[FormulaSpan]:
    """Signature and date lines: 套话 by role."""
    out = []
    for s in notice.segments:
        if s.kind == "signature":
            out.append((s.start, s.end, "date" if _DATE_LINE.match(s.text) else "signature"))
    return out


@dataclass(frozen=True, slots=True)
class FormulaSet:
    """What counts as 套话: ``members`` are the template texts of the units of the corpus's 套话
    formulas, ``leaders`` their wordings (a unit similar to one, ≥ ``min_sim``, is 套话 too),
    ``tifa`` and ``user`` exact phrases; signature and date lines always."""

    members: frozenset[str] = frozenset()
    leaders: tuple[str, ...] = ()
    tifa: tuple[str, ...] = field(default_factory=tifa_phrases)
    user: tuple[str, ...] = ()
    min_sim: float = 0.8

    def with_user(self, phrases: Sequence[str]) -> FormulaSet:
        return FormulaSet(
            self.members, self.leaders, self.tifa, tuple(dict.fromkeys([*self.user, *phrases])), self.min_sim
        )

    def to_json(self) -> str:
        data = {"members": sorted(self.members), "leaders": list(self.leaders), "min_sim": self.min_sim}
        return json.dumps(data, ensure_ascii=False)

    @staticmethod
    def from_json(text: str) -> FormulaSet:
        data = json.loads(text)
        return FormulaSet(frozenset(data["members"]), tuple(data["leaders"]), min_sim=float(data["min_sim"]))

    def _is_member(self, units: Units, fuzzy: bool) -> np.ndarray:
        hit = np.fromiter((t in self.members for t in units.text), dtype=bool, count=len(units))
        todo = np.flatnonzero(~hit)
        if fuzzy and self.leaders and len(todo):
            scores = process.cdist(
                [units.text[k] for k in todo.tolist()],
                list(self.leaders),
                scorer=Indel.normalized_similarity,
                score_cutoff=max(0.0, self.min_sim - 1e-6),  # rapidfuzz drops some scores exactly on a tighter one
                workers=-1,
                dtype=np.float64,
            )
            hit[todo[np.asarray(scores).max(axis=1) >= self.min_sim - 1e-9]] = True
        return hit

    def tagged(self, notices: Sequence[Notice], *, fuzzy: bool = True) -> list[list[FormulaSpan]]:
        """Per notice, its 套话 spans with their role (opening, closing, heading, framing, measure,
        problem for formulas; 提法; user; signature; date), sorted; they may overlap."""
        units = build_units(notices, "template")
        roles = unit_roles(notices, units)
        hit = self._is_member(units, fuzzy)
        seg = units.segment if units.segment is not None else np.zeros(len(units), dtype=np.int32)
        per: list[dict[int, list[tuple[int, int]]]] = [{} for _ in notices]  # notice -> segment -> unit spans
        role_at: list[dict[int, str]] = [{} for _ in notices]
        for u in np.flatnonzero(hit).tolist():
            ni, a = int(units.notice[u]), int(units.start[u])
            per[ni].setdefault(int(seg[u]), []).append((a, int(units.end[u])))
            role_at[ni].setdefault(a, roles[u])
        out: list[list[FormulaSpan]] = []
        tifa = PhraseMatcher(self.tifa).occurrences_many(notices)
        user = PhraseMatcher(self.user).occurrences_many(notices) if self.user else [[] for _ in notices]
        for ni, (n, t_hits, u_hits) in enumerate(zip(notices, tifa, user)):
            spans = [(a, b, role_at[ni][a]) for found in per[ni].values() for a, b in runs(n.text, found)]
            spans += [(a, b, "提法") for a, b, _ in t_hits] + [(a, b, "user") for a, b, _ in u_hits]
            out.append(sorted(spans + signature_spans(n)))
        return out

    def spans_many(self, notices: Sequence[Notice], *, fuzzy: bool = True) -> list[list[tuple[int, int]]]:
        """Per notice, its merged 套话 spans (what 去除套话复制比 leaves out).  ``fuzzy``: a unit similar
        to a formula's leader (≥ ``min_sim``, the families' own rule) is 套话 too, so a notice checked
        against a store gets the spans it would get in memory among the store's notices."""
        return [merge_spans((a, b) for a, b, _ in t) for t in self.tagged(notices, fuzzy=fuzzy)]

    def spans(self, notice: Notice) -> list[tuple[int, int]]:
        """One (new) notice's merged 套话 spans (``check``)."""
        return self.spans_many([notice])[0]
