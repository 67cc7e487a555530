"""Removal of distributor noise (advertising, paid-content markers) from a document's text.

The patterns are data, kept in ``simtool/data/noise.txt`` (one regular expression per line).
A line in which any pattern is found is removed whole, with its line break; every other
character of the text is left exactly as it was, so notice text and offsets computed later
are untouched by cleaning.  ``##paidbegin##``/``##paidend##`` markers standing inside a line
are cut out of that line.

>>> c = clean("仅供学习 禁止外传\\n县委关于巡察整改进展情况的通报\\n利用AAA公众号发布信息\\n")
>>> c.text
'县委关于巡察整改进展情况的通报\\n利用AAA公众号发布信息\\n'
>>> c.removed
('仅供学习 禁止外传',)
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from simtool.core.types import Cleaned

_LINE = re.compile(r"[^\n]*\n?")
_INLINE_MARKER = re.compile(r"[#]{2}\s*paid\s*(?:begin|end)\s*[#]{2}")


def parse_noise_patterns(source: str) -> tuple[str, ...]:
    """Return the patterns of a noise file: non-blank lines that are not ``#`` comments.

    >>> parse_noise_patterns("# comment\\n\\n素材库\\n  ^[#]{2}paid$  \\n")
    ('素材库', '^[#]{2}paid$')
    """
    out: list[str] = []
    for raw in source.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return tuple(out)


@lru_cache(maxsize=1)
def noise_patterns() -> tuple[str, ...]:
    """The packaged noise patterns (``simtool/data/noise.txt``)."""
    try:
        source = resources.files("simtool").joinpath("data", "noise.txt").read_text(encoding="utf-8")
    except (OSError, TypeError, ValueError):  # namespace/editable installs without a resource reader
        source = (Path(__file__).parent.parent / "data" / "noise.txt").read_text(encoding="utf-8")
    return parse_noise_patterns(source)


@lru_cache(maxsize=8)
def compile_noise(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled alternation of ``patterns`` (each kept in its own group)."""
    if not patterns:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def clean(text: str, *, patterns: tuple[str, ...] | None = None) -> Cleaned:
    """Remove noise lines from ``text``; ``patterns`` defaults to the packaged list.

    ``Cleaned.removed`` lists the removed lines, stripped, in order (blank ones are not listed).
    """
    noise = compile_noise(noise_patterns() if patterns is None else patterns)
    kept: list[str] = []
    removed: list[str] = []
    for m in _LINE.finditer(text):
        line = m.group()
        if not line:
            break
        stripped = line.strip()
        if stripped and noise.search(stripped):
            removed.append(stripped)
            continue
        if "paid" in line and _INLINE_MARKER.search(line):
            removed.extend(x.group() for x in _INLINE_MARKER.finditer(line))
            line = _INLINE_MARKER.sub("", line)
        kept.append(line)
    return Cleaned(text="".join(kept), removed=tuple(removed))
