"""Sentences and clause windows: the spans that are matched.

A sentence ends at 。！？； (with any closing quote or bracket after it); an enumerator inside a
paragraph (一是…二是…, （一）, （1）, 1., ①) starts a new one.  Sentences shorter than
``MIN_SENTENCE_CHARS`` are joined to their neighbour (a bare 一是加强学习。 is no evidence on its
own), so every sentence is at least that long unless its whole segment is shorter.

A long sentence is also cut into clause windows at ，、： (and at the end of a short sentence
joined to it), each window starting at a clause and
running over the following clauses until it holds ``WINDOW_CHARS`` characters, so that a clause
of 13 or more characters reused inside an otherwise different long sentence is a short unit of its
own that LSH can propose.  The sentence's end is a window too, for a copied sentence often ends
another one: its last clauses, run back over the clauses before them until they hold that many
(在持续整改落实上见真章、动真格、求实效。 ends a sentence whose other windows are
在持续整改落实上见真章、动真格、 and the clauses before it).  All spans are offsets into the text passed in.
"""

from __future__ import annotations

import re

Span = tuple[int, int]

MIN_SENTENCE_CHARS = 13  # CNKI marks 13 consecutive equal characters as copied
LONG_SENTENCE_CHARS = 26  # sentences longer than this (two minimal clauses) are also cut into clause windows
WINDOW_CHARS = MIN_SENTENCE_CHARS  # a clause window runs over clauses until it holds this many characters

_END = re.compile(r"[。！？；!?;]+[”’\"'）)」』]*")
_ENUM = re.compile(
    r"(?<=[\s。；;，,：:！？!?])(?:[一二三四五六七八九十]{1,2}是|[（(][一二三四五六七八九十0-9０-９]{1,3}[)）]"
    r"|[0-9０-９]{1,2}[.．、](?![0-9０-９])|[①-⑳])"
)
_CLAUSE = re.compile(r"[，,、：:]+|[。！？；!?;]+[”’\"'）)」』]*")  # a sentence end inside: a short sentence joined on


def _strip(text: str, a: int, b: int) -> Span:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


_SPACE = re.compile(r"\s")  # str.isspace() characters


def _size(text: str, span: Span) -> int:
    """Characters of ``text[span]`` other than white space."""
    piece = text[span[0] : span[1]]
    return len(piece) if _SPACE.search(piece) is None else len(_SPACE.sub("", piece))


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """The sentences of ``text[start:end]``, stripped, short ones joined to a neighbour.

    >>> t = "一是加强学习。组织全体党员深入学习党章党规，提高认识。二是完善制度，健全财务审批流程的各项规定。"
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['一是加强学习。组织全体党员深入学习党章党规，提高认识。', '二是完善制度，健全财务审批流程的各项规定。']
    """
    end = len(text) if end is None else end
    cuts = {start, end}
    cuts.update(m.end() for m in _END.finditer(text, start, end))
    cuts.update(m.start() for m in _ENUM.finditer(text, start, end))
    bounds = sorted(c for c in cuts if start <= c <= end)
    raw = [_strip(text, a, b) for a, b in zip(bounds, bounds[1:])]
    pieces = [s for s in raw if s[1] > s[0]]
    out: list[Span] = []
    pending: Span | None = None  # a short piece waiting to be joined to the next one
    for p in pieces:
        if pending is not None:
            p = (pending[0], p[1])
            pending = None
        if _size(text, p) < MIN_SENTENCE_CHARS:
            pending = p
            continue
        out.append(p)
    if pending is not None:
        if out:
            out[-1] = (out[-1][0], pending[1])
        else:
            out.append(pending)
    return out


def clause_windows(text: str, start: int, end: int) -> list[Span]:
    """Clause windows of the sentence ``text[start:end]``; empty when it is not long.

    >>> s = "要坚持以人民为中心的发展思想，扎实推进财务管理制度改革，认真落实中央八项规定精神，持续整治形式主义官僚主义问题。"
    >>> [s[a:b] for a, b in clause_windows(s, 0, len(s))]
    ['要坚持以人民为中心的发展思想，', '扎实推进财务管理制度改革，', '认真落实中央八项规定精神，', '持续整治形式主义官僚主义问题。']
    >>> s = "立足长远巩固整改成效，在持续整改落实上见真章、动真格、求实效。"
    >>> [s[a:b] for a, b in clause_windows(s, 0, len(s))]
    ['立足长远巩固整改成效，在持续整改落实上见真章、', '在持续整改落实上见真章、动真格、', '在持续整改落实上见真章、动真格、求实效。']
    """
    if _size(text, (start, end)) <= LONG_SENTENCE_CHARS:
        return []
    bounds = [start, *(m.end() for m in _CLAUSE.finditer(text, start, end)), end]
    bounds = sorted(set(bounds))
    clauses = [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]
    sizes = [_size(text, c) for c in clauses]
    whole = _strip(text, start, end)
    out: list[Span] = []
    for i in range(len(clauses)):
        j, size = i, sizes[i]
        while j + 1 < len(clauses) and size < WINDOW_CHARS:
            j += 1
            size += sizes[j]
        first = i
        while size < MIN_SENTENCE_CHARS and first > 0:  # the last clauses: a window ending with the sentence
            first -= 1
            size += sizes[first]
        span = _strip(text, clauses[first][0], clauses[j][1])
        if size >= MIN_SENTENCE_CHARS and span != whole and span not in out:
            out.append(span)
        if first < i:
            break
    return out
