"""Formulaic text (套话): spans of a notice covered by phrases used across many notices.

Placeholder until the phrase analysis exists: no span is formulaic, and callers say so.
"""

from __future__ import annotations

from collections.abc import Callable

from simtool.store import Store
from simtool.types import Notice


def store_formulaic(store: Store) -> Callable[[Notice], list[tuple[int, int]]] | None:
    """A function giving the formulaic spans of a notice, learned from the store; ``None`` if unknown."""
    return None
