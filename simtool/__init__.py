"""simtool: find copied, formulaic and near-duplicate text across Chinese rectification notices.

The library API (the CLI is a thin layer over it)::

    import simtool
    loaded = simtool.load(["corpora/seeds"])          # read, clean, split, parse (in memory)
    m = simtool.find_matches(loaded.notices, min_sim=0.8)  # verified near-duplicate units
"""

from __future__ import annotations

from simtool.core.types import Document, Notice, Segment, Skip
from simtool.store.corpus import Loaded, load, notices_for
from simtool.store.sqlite import Store
from simtool.text.normalize import normalize, normalize_map, template

__all__ = [
    "Document",
    "Loaded",
    "Notice",
    "Segment",
    "Skip",
    "Store",
    "find_matches",
    "load",
    "normalize",
    "normalize_map",
    "notices_for",
    "template",
    "ingest",
    "notices",
    "dupes",
    "passages",
    "overlap",
    "check",
]
__version__ = "0.1.0"


_API = frozenset({"ingest", "notices", "dupes", "passages", "overlap", "check"})


def __getattr__(name: str) -> object:
    if name == "find_matches":  # the engine pulls in numpy-heavy modules; import on first use
        from simtool.match.engine import find_matches

        return find_matches
    if name in _API:
        from simtool import api

        return getattr(api, name)
    raise AttributeError(name)
