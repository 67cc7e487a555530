"""Chinese words: jieba's segmentation (loaded once and quietly) and a quick test of whether a
line break falls inside a word, on a compact copy of jieba's dictionary.

Loading jieba takes about a second; the reader asks only whether a break splits a word, a few
times per file, and every command reads files.  ``simtool/data/words.txt.gz`` holds the words of
jieba's dictionary (MIT licence) of at most ``MAX_WORD`` characters with a frequency of at least
``MIN_FREQ``, with jieba's total frequency on its first line (``build_word_list`` makes it from the
installed jieba; a test checks that it is up to date; 1.4 MB); it loads in 0.2 s.  The
segmentation is jieba's without its HMM: the most probable path through the dictionary words.
"""

from __future__ import annotations

import functools
import gzip
import logging
import math
import re
from pathlib import Path
from typing import Any

WORDS_PATH = Path(__file__).parent.parent / "data" / "words.txt.gz"
MAX_WORD = 4  # characters: a longer word cut by a break is cut inside one of at most 4 too
MIN_FREQ = 3  # 303,475 words; at 10 (102,908) rare words such as 一抓到底 (3) and 习近平 (4) were missing
_LATIN = re.compile("[a-zA-Z0-9]")


@functools.cache
def _jieba() -> Any:
    import jieba  # imported lazily: loading its dictionary takes about a second

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def cut(text: str) -> list[str]:
    """jieba's words of ``text`` (precise mode), in order."""
    return list(_jieba().lcut(text))


def build_word_list(dict_path: Path | None = None) -> bytes:
    """The gzip file of ``WORDS_PATH`` made from jieba's ``dict.txt`` (the installed one by default):
    jieba's total frequency, the kept words' frequencies on one line, then the words, one per line."""
    if dict_path is None:
        import jieba

        dict_path = Path(jieba.__file__).parent / "dict.txt"
    total, words, freqs = 0, [], []
    for ln in dict_path.read_text(encoding="utf-8").splitlines():
        word, freq = ln.split(" ")[:2]
        total += int(freq)
        if len(word) <= MAX_WORD and int(freq) >= MIN_FREQ:
            words.append(word)
            freqs.append(freq)
    return gzip.compress("\n".join([str(total), " ".join(freqs), *words]).encode("utf-8"), 9, mtime=0)


@functools.cache
def _dictionary() -> tuple[dict[str, int], float]:
    """``(word → frequency, log of jieba's total)``."""
    total, freqs, *words = gzip.decompress(WORDS_PATH.read_bytes()).decode("utf-8").split("\n")
    return dict(zip(words, map(int, freqs.split(" ")))), math.log(int(total))


def _words(text: str) -> list[str]:
    """``text`` cut into its most probable words (jieba's ``cut(HMM=False)`` on the compact dictionary)."""
    freq, log_total = _dictionary()
    n = len(text)
    route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
    for i in range(n - 1, -1, -1):
        words = [(f, j) for j in range(i + 1, min(n, i + MAX_WORD) + 1) if (f := freq.get(text[i:j]))] or [(1, i + 1)]
        route[i] = max((math.log(f) - log_total + route[j][0], j) for f, j in words)
    out: list[str] = []
    i = 0
    while i < n:
        j = route[i][1]
        piece = text[i:j]
        if out and _LATIN.fullmatch(piece) and _LATIN.fullmatch(out[-1][-1]) and j - i == 1:
            out[-1] += piece  # a run of Latin letters and digits is one word (``49``, ``PPT``), as in jieba
        else:
            out.append(piece)
        i = j
    return out


def word_across(left: str, right: str) -> bool:
    """Whether the most probable words of the joint read one across it (``left`` ends inside a word).
    A joint between two Latin letters or digits is no evidence (``附件1`` / ``2023年……``).

    >>> word_across("欢迎广大干部群众对巡", "察整改"), word_across("一、总体情况", "区委巡察组")
    (True, False)
    >>> word_across("附件1", "2023年工作台账")
    False
    """
    left, right = left[-6:], right[:6]
    if not left or not right or (_LATIN.fullmatch(left[-1]) and _LATIN.fullmatch(right[0])):
        return False
    start = 0
    for word in _words(left + right):
        if start < len(left) < start + len(word):
            return True
        start += len(word)
    return False
