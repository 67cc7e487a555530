"""Normalization of notice text for matching, with an offset map back to the original.

Two views:

* ``literal`` — NFKC width folding, traditional → simplified, punctuation unified, control
  characters dropped, white space inside a sentence removed (hard-wrapped PDF text, characters
  spaced out one by one: ``加 强 党 建`` and ``G D P`` read as ``加强党建`` and ``GDP``), and the
  compilation's masking undone where the context says so (``D委`` → ``党委``, ``AAA`` → ``微信``,
  ``扫H除E`` → ``扫黑除恶``; a Latin ``D`` as in ``GDP``/``DP`` or an English word stays).
* ``template`` — the literal view with numbers, dates and placeholders (``XX``, ``X``, ``某``)
  replaced by the slot mark ``#``, so fill-in-the-blank reuse matches too.

``normalize``/``template`` are the fast paths used for matching millions of segments;
``normalize_map`` returns the same text plus ``offsets`` where ``offsets[i]`` is the index in
the source of normalized character ``i``.  Both paths run the same steps and always agree.

>>> normalize("加强ＤＤ风廉政建设，利用AAA公众号 发布\\n信息")
'加强党党风廉政建设,利用微信公众号发布信息'
>>> normalize("DP核算基础指标")
'DP核算基础指标'
>>> template("2023年8月18日召开XX县3次会议")
'#召开#县#次会议'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple

from simtool.core.types import View

SLOT = "#"

_PUNCT = {
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "〝": '"',
    "〞": '"',
    "「": '"',
    "」": '"',
    "『": '"',
    "』": '"',
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "【": "[",
    "】": "]",
    "〔": "[",
    "〕": "]",
    "〖": "[",
    "〗": "]",
    "〈": "《",
    "〉": "》",
    "—": "-",
    "–": "-",
    "―": "-",
    "‐": "-",
    "‑": "-",
    "−": "-",
    "・": "·",
    "•": "·",
    "∙": "·",
    "～": "~",
    "〜": "~",
}


def _t2s() -> Callable[[str], str]:
    try:
        import opencc

        converter = opencc.OpenCC("t2s")
        return converter.convert
    except Exception:  # pragma: no cover - opencc is a declared dependency
        return lambda s: s


_to_simplified = _t2s()


def _canon_once(s: str) -> str:
    out = []
    for c in s:
        if c in "\n\r\t\v\f" or unicodedata.category(c) == "Zs":
            out.append(" ")
            continue
        cat = unicodedata.category(c)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn") and c != " ":
            continue
        r = unicodedata.normalize("NFKC", c)
        r = "".join(" " if ch.isspace() else ch for ch in r)
        if r.strip() and any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in r):
            r = _to_simplified(r)
        out.append("".join(_PUNCT.get(ch, ch) for ch in r))
    return "".join(out)


class _CharTable(dict[int, str]):
    """Lazily built ``str.translate`` table: one character → its canonical string."""

    def __missing__(self, code: int) -> str:
        s = chr(code)
        for _ in range(6):  # iterate to a fixpoint so the table is idempotent
            t = _canon_once(s)
            if t == s:
                break
            s = t
        self[code] = s
        if len(s) != 1:
            _NOT_ONE_TO_ONE.add(chr(code))
        return s


_NOT_ONE_TO_ONE: set[str] = set()  # characters the table drops or expands (filled as the table is)


_TABLE = _CharTable()
_SEP = "\ue000"  # joins many texts for one pass in normalize_many; a private-use character
_TABLE[ord(_SEP)] = _SEP
_SEP_SPACES = re.compile(f" *{_SEP} *")

_SPACE = re.compile(r" +")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_AAA = re.compile(r"(?<![A-Za-z])AAA(?![A-Za-z])")
_HE = re.compile(r"扫H除E|涉H涉E|涉H|H恶势力|H社会")
_HE_MAP = {"扫H除E": "扫黑除恶", "涉H涉E": "涉黑涉恶", "涉H": "涉黑", "H恶势力": "黑恶势力", "H社会": "黑社会"}
_D = re.compile(r"D+")
_DATE = re.compile(
    r"[〇零一二三四五六七八九]{4}年(?:[一二三四五六七八九十]{1,2}月(?:[一二三四五六七八九十]{1,3}日)?)?|"
    r"\d{2,4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日|\d{4}[-./]\d{1,2}[-./]\d{1,2}"
)
_NUM = re.compile(
    r"\d+(?:\.\d+)?%?"
    r"|(?<![A-Za-z])X+(?![A-Za-z])"
    r"|某+"
    r"|[一二三四五六七八九十百千两〇零]+(?=[个名次件人条项份家批起元期轮户所篇万亿])"
)
_SLOTS = re.compile(r"#(?:[ ,、]?#)*")


def _space_repl(text: str, m: re.Match[str]) -> str:
    """White space goes, except one space between two Latin words or numbers.

    Letters and digits spaced out one by one (``G D P``, ``2 0 2 3`` in text typeset with a
    space after every character) are one word: a space between two single characters goes.
    """
    a, b = m.start(), m.end()
    if a > 0 and b < len(text) and _ASCII_ALNUM.match(text[a - 1]) and _ASCII_ALNUM.match(text[b]):
        single_before = a < 2 or not _ASCII_ALNUM.match(text[a - 2])
        single_after = b + 1 >= len(text) or not _ASCII_ALNUM.match(text[b + 1])
        return "" if single_before and single_after else " "
    return ""


def _d_repl(text: str, m: re.Match[str]) -> str:
    a, b = m.start(), m.end()
    p = text[a - 1] if a > 0 else ""
    q = text[b] if b < len(text) else ""
    if (p and _ASCII_ALNUM.match(p) and p != "X") or (q and _ASCII_ALNUM.match(q) and q != "X"):
        return m.group()
    if _CJK.match(p or " ") or _CJK.match(q or " ") or p == "X" or q == "X":
        return "党" * (b - a)
    return m.group()


def _lit(s: str) -> Callable[[str, re.Match[str]], str]:
    return lambda _text, _m: s


Step = tuple[re.Pattern[str], Callable[[str, re.Match[str]], str]]

_LITERAL_STEPS: tuple[Step, ...] = (
    (_SPACE, _space_repl),
    (_AAA, _lit("微信")),
    (_HE, lambda _t, m: _HE_MAP[m.group()]),
    (_D, _d_repl),
    (_SPACE, _space_repl),  # a space kept beside AAA/D that became Chinese goes too (idempotence)
)
_TEMPLATE_STEPS: tuple[Step, ...] = (
    (_DATE, _lit(SLOT)),
    (_NUM, _lit(SLOT)),
    (_SLOTS, _lit(SLOT)),
    (_SPACE, _space_repl),
)


class Normalized(NamedTuple):
    """Normalized text and, for each of its characters, the index in the source text."""

    text: str
    offsets: list[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span ``[start, end)`` of the normalized text back to the source text."""
        if start >= end or not self.offsets:
            o = self.offsets[start] if start < len(self.offsets) else (self.offsets[-1] + 1 if self.offsets else 0)
            return o, o
        return self.offsets[start], self.offsets[end - 1] + 1


def _sub(text: str, step: Step) -> str:
    pattern, repl = step
    return pattern.sub(lambda m: repl(text, m), text)


def _sub_mapped(text: str, offsets: list[int], step: Step) -> tuple[str, list[int]]:
    pattern, repl = step
    parts: list[str] = []
    new_offsets: list[int] = []
    last = 0
    for m in pattern.finditer(text):
        a, b = m.start(), m.end()
        parts.append(text[last:a])
        new_offsets.extend(offsets[last:a])
        r = repl(text, m)
        parts.append(r)
        k = b - a
        if len(r) < k:  # shrinking: the last output character ends where the match ends
            new_offsets.extend(offsets[a + i] if i < len(r) - 1 else offsets[b - 1] for i in range(len(r)))
        else:
            new_offsets.extend(offsets[a + min(i, k - 1)] for i in range(len(r)))
        last = b
    parts.append(text[last:])
    new_offsets.extend(offsets[last:])
    return "".join(parts), new_offsets


def _steps(view: View) -> tuple[Step, ...]:
    return _LITERAL_STEPS + (_TEMPLATE_STEPS if view == "template" else ())


def normalize(text: str, view: View = "literal") -> str:
    """The matching text of ``text`` in the given view (fast path, no offsets)."""
    out = text.translate(_TABLE).strip(" ")
    for step in _steps(view):
        out = _sub(out, step)
    return out


def normalize_many(texts: list[str], view: View = "literal") -> list[str]:
    """``[normalize(t, view) for t in texts]`` in one pass over the joined texts (much faster).

    The texts are joined by a private-use separator that no step matches across; a text that holds
    the separator itself (it is kept like any other character) is normalized alone.
    """
    if not texts:
        return []
    joined = _SEP.join("" if _SEP in t else t for t in texts).translate(_TABLE)
    out = _SEP_SPACES.sub(_SEP, joined).strip(" ")
    for step in _steps(view):
        out = _sub(out, step)
    return [normalize(t, view) if _SEP in t else got for t, got in zip(texts, out.split(_SEP))]


def template(text: str) -> str:
    """The template view: literal normalization plus slot marks for numbers and placeholders."""
    return normalize(text, "template")


def normalize_map(text: str, view: View = "literal") -> Normalized:
    """Normalize ``text`` and keep, for every output character, its index in ``text``.

    Most sentences keep their length (every character maps to one, no space or mask goes): their
    offsets are the identity, found without the per-character walk.  No step lengthens a text,
    so an unchanged length with a one-to-one table means nothing moved.
    """
    out = normalize(text, view)  # fills the table for every character of ``text``
    if len(out) == len(text) and _NOT_ONE_TO_ONE.isdisjoint(text):
        return Normalized(out, list(range(len(text))))
    return _normalize_map_walk(text, view)


def offsets_are_identity(text: str, normalized: str) -> bool:
    """Whether ``normalize_map(text)`` maps every character to its own place, given ``normalized``
    (``normalize(text)``): the test ``normalize_map`` makes, without normalizing again.

    >>> offsets_are_identity("加强学习，提高认识", normalize("加强学习，提高认识"))
    True
    >>> offsets_are_identity("D委 加强", normalize("D委 加强"))
    False
    """
    if len(normalized) != len(text):
        return False
    text.translate(_TABLE)  # fills the table, and so _NOT_ONE_TO_ONE, for these characters
    return _NOT_ONE_TO_ONE.isdisjoint(text)


def _normalize_map_walk(text: str, view: View) -> Normalized:
    """``normalize_map`` by walking every character and every step (the general path)."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, c in enumerate(text):
        r = _TABLE[ord(c)]
        chars.append(r)
        offsets.extend([i] * len(r))
    out = "".join(chars)
    lead = len(out) - len(out.lstrip(" "))
    trail = len(out.rstrip(" "))
    out, offsets = out[lead:trail], offsets[lead:trail]
    for step in _steps(view):
        out, offsets = _sub_mapped(out, offsets, step)
    return Normalized(out, offsets)
