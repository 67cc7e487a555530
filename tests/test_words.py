"""The compact dictionary behind ``word_across`` (simtool.core.words): up to date and as jieba reads."""

from __future__ import annotations

import random
from pathlib import Path

from simtool.core import words


def test_the_shipped_word_list_is_made_from_the_installed_jieba() -> None:
    assert words.WORDS_PATH.read_bytes() == words.build_word_list()


def jieba_word_across(left: str, right: str) -> bool:
    left, right = left[-6:], right[:6]
    start = 0
    for word in words._jieba().lcut(left + right, HMM=False):
        if start < len(left) < start + len(word):
            return True
        start += len(word)
    return False


def test_word_across_agrees_with_jieba_at_breaks_in_the_seeds() -> None:
    """Measured: 19,984 of 20,000 random breaks; the others are words of jieba's dictionary that
    the compact one leaves out (frequency below 3, or longer than 4 characters: 进一步提高)."""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(Path("corpora/seeds").glob("*.txt")))
    lines = [ln for ln in text.split("\n") if len(ln) > 20]
    rng = random.Random(3)
    same = tried = 0
    while tried < 2000:
        line = rng.choice(lines)
        at = rng.randint(3, len(line) - 3)
        if line[at - 1].isascii() and line[at].isascii() and (line[at - 1] + line[at]).isalnum():
            continue  # inside a run of Latin letters or digits: no evidence by design
        tried += 1
        same += words.word_across(line[:at], line[at:]) == jieba_word_across(line[:at], line[at:])
    assert same >= 1990


def test_latin_letters_and_digits_are_one_word() -> None:
    assert words._words("目前49台PPT课件") == ["目前", "49", "台", "PPT", "课件"]
    assert jieba_word_across("目前4", "9台")  # jieba reads 49 as one word …
    assert not words.word_across("目前4", "9台")  # … but a break between two digits is no evidence (附件1 / 2023年)
