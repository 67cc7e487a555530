"""Copies below the segment, the way people really copy, for the notice generator (``synth.py --realistic``).

* ``sentence_into_measure`` — one sentence of another notice put into one of this notice's own measures, with
  own text before and after it;
* ``clause_in_sentence`` — a clause (≥ 13 characters) of another notice's sentence inserted into an otherwise
  different long sentence of an own measure;
* ``spaced`` — the planted text with its characters separated by spaces (PDF text layers, some web pages);
* ``line_break`` — the planted text hard-wrapped at a fixed width, or the whole notice file hard-wrapped as a
  PDF's text layer is (``wrap_notice``), optionally with page footers ``- N -`` on their own lines, wherever the
  page ends (inside a sentence too).

Sources are sentences of earlier generated notices (``Lendable``: sentences of their own, not copied, measures,
with their spans in the final text of that notice).  Every choice comes from the notice's own
``random.Random(f"{seed}:{i}:plant")`` so the plain generator's choices are untouched.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from synth_text import Editor, mask

MIN_CLAUSE = 13
_SENT = re.compile(r"[^。；！？]+[。；！？]")
_CLAUSE = re.compile(r"[^，；。]+")


@dataclass(frozen=True, slots=True)
class Lendable:
    """A sentence of a generated notice that later notices may copy: final span and its clean text."""

    notice: str
    start: int  # in the notice's text before wrapping
    clean: str  # the sentence as written before any wrapping of its notice
    masked: bool
    final: str  # the sentence in the notice's final text (line breaks and footers of wrapping included)
    pos_map: Sequence[int] | None = None  # the notice's wrap map (old index → final index), None when not wrapped

    def span(self, a: int, b: int) -> tuple[int, int]:
        """``clean[a:b]`` as a span of the notice's final text."""
        if self.pos_map is None:
            return self.start + a, self.start + b
        return remap(self.pos_map, self.start + a, self.start + b)


@dataclass(slots=True)
class Plant:
    """A planted copy inside a segment body: ``offset``/``length`` in the body until placed, then absolute."""

    copy: str  # "sentence_into_measure" | "clause_in_sentence"
    offset: int
    length: int
    source: Lendable
    src_start: int  # the copied part of the source sentence, absolute in the source notice's final text
    src_end: int
    src_text: str
    text: str  # the planted text as it stands in the target
    edits: list[str] = field(default_factory=list)
    start: int = -1  # absolute in the target notice's final text
    end: int = -1


def spaced(text: str) -> str:
    """``加强学习`` → ``加 强 学 习``."""
    return " ".join(text)


def hard_wrap(text: str, rng: random.Random, width: int) -> str:
    """Line breaks inside ``text`` every ``width`` characters from a random first column."""
    out, col = [], rng.randint(3, max(4, width - 2))
    for ch in text:
        out.append(ch)
        col += 1
        if col >= width:
            out.append("\n")
            col = 0
    s = "".join(out)
    return s[:-1] if s.endswith("\n") else s


def plant(
    rng: random.Random,
    body: str,
    kind: str,
    pool: list[Lendable],
    editor: Editor,
    target_masked: bool,
    own_sentence: Callable[[], str],
) -> tuple[str, Plant] | None:
    """Plant one copy into ``body`` (an own measure's body); None when the body or the pool does not allow it."""
    if not pool:
        return None
    src = pool[rng.randrange(len(pool))]
    edits: list[str] = []
    if kind == "sentence_into_measure":
        piece, p0 = src.clean, 0
    else:
        clauses = [(m.start(), m.group()) for m in _CLAUSE.finditer(src.clean) if len(m.group().strip()) >= MIN_CLAUSE]
        if not clauses:
            return None
        p0, piece = clauses[rng.randrange(len(clauses))]
    src_start, src_end = src.span(p0, p0 + len(piece))
    f0 = src.span(0, len(src.clean))[0]
    src_text = src.final[src_start - f0 : src_end - f0]
    text = mask(piece, target_masked)
    if text != piece:
        edits.append("mask_party")
    if rng.random() < 0.3:  # a light content edit now and then; most such copies are verbatim
        before = text
        text = editor.content(text, edits, 1)
        if text == before:
            edits.append("verbatim")
    else:
        edits.append("verbatim")
    if rng.random() < 0.15:
        text = spaced(text)
        edits.append("spaced")
    elif rng.random() < 0.18:
        text = hard_wrap(text, rng, rng.randint(18, 36))
        edits.append("line_break")
    if kind == "sentence_into_measure":
        if not text.endswith(("。", "；", "！", "？", ";", "!", "?")):
            text += "。"
        sents = [m.end() for m in _SENT.finditer(body)]
        if len(sents) >= 2 and rng.random() < 0.7:
            at = sents[rng.randrange(len(sents) - 1)]
            new = body[:at] + text + body[at:]
        else:  # the body before it, one own sentence after it
            at = len(body)
            new = body + text + own_sentence()
    else:
        commas = [m.end() for m in re.finditer("[，,]", body) if 4 < m.end() < len(body) - 4]
        if not commas:
            return None
        at = commas[rng.randrange(len(commas))]
        new = body[:at] + text + "，" + body[at:]
    return new, Plant(kind, at, len(text), src, src_start, src_end, src_text, text, list(dict.fromkeys(edits)))


# ------------------------------------------------------------------------------------------------ whole notices
FOOTER = "- {n} -"


def wrap_notice(text: str, rng: random.Random) -> tuple[str, list[int], list[str]]:
    """Hard-wrap every line of ``text`` at one width (26–40), with page footers in 60 % of the notices.

    Returns the new text, the map old index → new index (``len(text) + 1`` entries) and the kinds applied.
    """
    width = rng.randint(26, 40)
    footers = rng.random() < 0.6
    lines_per_page = rng.randint(24, 34)
    out: list[str] = []
    pos_map: list[int] = []
    n = 0  # characters written
    col = 0
    line_no = 0
    page = 1

    def newline() -> None:
        nonlocal n, col, line_no, page
        out.append("\n")
        n += 1
        col = 0
        line_no += 1
        if footers and line_no % lines_per_page == 0:
            f = FOOTER.format(n=page) + "\n"
            page += 1
            out.append(f)
            n += len(f)

    for ch in text:
        if ch == "\n":
            pos_map.append(n)
            newline()
            continue
        if col >= width:
            newline()
        pos_map.append(n)
        out.append(ch)
        n += 1
        col += 1
    pos_map.append(n)
    return "".join(out), pos_map, ["line_break"] + (["page_footer"] if footers else [])


def remap(pos_map: Sequence[int], start: int, end: int) -> tuple[int, int]:
    """A span of the old text in the new text (the breaks inside it included)."""
    if end <= start:
        return int(pos_map[start]), int(pos_map[start])
    return int(pos_map[start]), int(pos_map[end - 1]) + 1
