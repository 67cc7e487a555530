"""Sentences and clause windows of a notice text, with character offsets: the benchmark's own cutter.

Independent of simtool's engine (which is changing): the oracle (``oracle.py``) and the generator (``synth.py``,
to pick the sentences it plants) cut text here.  Only ``simtool.normalize`` (the public normalization) is used.

Rules, on the raw text:

* a sentence ends after 。！？； (and the half-width ``!?;``);
* a new sentence starts at an enumerator: ``一是``/``二是`` … after punctuation or at a line start, ``（一）``/``（1）``,
  ``①``…, and ``1.``/``1、`` at a line start or after 。；：;
* a line break ends a sentence when the character before it is 。！？；： (or half-width), when the next line
  starts with an enumerator or a section number (``一、``), or after the first line (the title); any other line
  break is a hard wrap inside a sentence and is skipped (normalization removes it);
* a page footer line (``- 3 -``, ``— 3 —``, ``第3页``) is noise: it belongs to no sentence text (its characters
  stay inside the span of a sentence it interrupts, but not in the sentence's normalized text).

A clause window: a long sentence (≥ ``long_chars`` = 26 normalized characters) is cut at ，：,: into clauses; its windows
are the runs of 1–2 consecutive clauses with ≥ ``min_chars`` normalized characters, other than the whole sentence.

>>> [t for _, _, t in sentences("整改情况：一是加强学习，提高认识。二是健全制度；\\n落实责任")]
['整改情况：', '一是加强学习，提高认识。', '二是健全制度；', '落实责任']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

END = "。！？；!?;"
LINE_END = END + "：:"
FOOTER = re.compile(
    r"(?m)^[ \t　]*(?:[-—－–]+[ \t　]*\d{1,4}[ \t　]*[-—－–]+|第\s*\d{1,4}\s*页(?:\s*共\s*\d+\s*页)?)[ \t　]*\n?"
)
_ENUM_ANY = re.compile(r"[（(][一二三四五六七八九十0-9]{1,3}[)）]|[①-⑳]")
_ENUM_SHI = re.compile(r"(?:(?<=^)|(?<=[，。；：,;:\n]))[一二三四五六七八九十]{1,2}是")
_ENUM_NUM = re.compile(r"(?:(?<=^)|(?<=[。；：;:\n]))[0-9]{1,2}[.．、](?![0-9])")
_LINE_START = re.compile(
    r"[ \t　]*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十0-9]{1,3}[)）]|[①-⑳]|[0-9]{1,2}[.．、](?![0-9])|[一二三四五六七八九十]{1,2}是|关于)"
)
_CLAUSE_END = "，：,:"


@dataclass(frozen=True, slots=True)
class Piece:
    """A sentence or clause window: raw span [start, end) in the notice text, its normalized text, its kind."""

    start: int
    end: int
    norm: str
    kind: str  # "sentence" | "window"
    sentence: int  # index of the sentence (a window's own sentence)


def _normalize(text: str) -> str:
    import simtool

    return simtool.normalize(FOOTER.sub("", text))


def sentences(text: str) -> Iterator[tuple[int, int, str]]:
    """Raw sentence spans ``(start, end, raw text)``, stripped of surrounding white space; empty ones dropped."""
    cuts = {0, len(text)}
    for i, c in enumerate(text):
        if c in END:
            cuts.add(i + 1)
    for rx in (_ENUM_ANY, _ENUM_SHI, _ENUM_NUM):
        for m in rx.finditer(text):
            cuts.add(m.start())
    first = text.find("\n")
    for m in re.finditer(r"\n", text):
        i = m.start()
        before = text[:i].rstrip(" \t　")
        if i == first or (before and before[-1] in LINE_END) or _LINE_START.match(text, i + 1):
            cuts.add(i)
            cuts.add(i + 1)
    # a footer line interrupts nothing: cuts inside it are removed
    footers = [(m.start(), m.end()) for m in FOOTER.finditer(text)]
    order = sorted(cuts)
    for a, b in zip(order, order[1:]):
        while a < b and text[a] in " \t\n　\r":
            a += 1
        while b > a and text[b - 1] in " \t\n　\r":
            b -= 1
        if a >= b:
            continue
        if any(fa <= a and b <= fb for fa, fb in footers):
            continue
        yield a, b, text[a:b]


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, a = [], start
    for i in range(start, end):
        if text[i] in _CLAUSE_END:
            out.append((a, i + 1))
            a = i + 1
    if a < end:
        out.append((a, end))
    return out


def pieces(text: str, min_chars: int = 13, long_chars: int = 26, windows: bool = True) -> list[Piece]:
    """Sentences (normalized ≥ ``min_chars``) and, for long sentences, their clause windows."""
    out: list[Piece] = []
    for k, (a, b, raw) in enumerate(sentences(text)):
        norm = _normalize(raw)
        if len(norm) >= min_chars:
            out.append(Piece(a, b, norm, "sentence", k))
        if not windows or len(norm) < long_chars:
            continue
        cl = _clauses(text, a, b)
        if len(cl) < 2:
            continue
        seen = {norm}
        for i in range(len(cl)):
            for j in range(i, min(i + 2, len(cl))):
                wa, wb = cl[i][0], cl[j][1]
                while wa < wb and text[wa] in " \t\n　":
                    wa += 1
                w = _normalize(text[wa:wb]).rstrip(",:、")
                if len(w) >= min_chars and w not in seen:
                    seen.add(w)
                    while wb > wa and text[wb - 1] in "，、：,: \t\n　":
                        wb -= 1
                    out.append(Piece(wa, wb, w, "window", k))
    return out
