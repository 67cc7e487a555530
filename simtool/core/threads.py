"""How many threads a numpy-heavy call may start by default (one helper for every layer).

Sketching runs its blocks on threads (numpy releases the GIL).  In a worker process of a pool that
already has one process per core, more threads only contend for the same cores: the pool's workers
call ``use_threads(1)``, and ``threads()`` tells the sketching code.

    >>> use_threads(1); threads()
    1
    >>> use_threads(None); threads() is None
    True
"""

from __future__ import annotations

_threads: int | None = None


def use_threads(n: int | None) -> None:
    """Threads each call uses when its caller gives none (``None``: the call decides, one per core)."""
    global _threads
    _threads = n


def threads() -> int | None:
    """The default set by ``use_threads``."""
    return _threads
