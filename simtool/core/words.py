"""Chinese word segmentation with jieba, loaded once and quietly (its dictionary ships with it)."""

from __future__ import annotations

import functools
import logging
from typing import Any


@functools.cache
def _jieba() -> Any:
    import jieba  # imported lazily: loading its dictionary takes about a second

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def cut(text: str) -> list[str]:
    """jieba's words of ``text`` (precise mode), in order."""
    return list(_jieba().lcut(text))


def word_across(left: str, right: str) -> bool:
    """Whether jieba reads a word across the joint of ``left`` and ``right`` (dictionary only, no HMM).

    >>> word_across("欢迎广大干部群众对巡", "察整改"), word_across("一、总体情况", "区委巡察组")
    (True, False)
    """
    left, right = left[-6:], right[:6]
    at, start = len(left), 0
    for word in _jieba().lcut(left + right, HMM=False):
        if start < at < start + len(word):
            return True
        start += len(word)
    return False
