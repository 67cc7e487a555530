"""Chinese word segmentation with jieba, loaded once and quietly (its dictionary ships with it)."""

from __future__ import annotations

import functools
import logging
from typing import Any


@functools.cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def cut(text: str) -> list[str]:
    """jieba's words of ``text`` (precise mode), in order."""
    return list(_jieba().lcut(text))
