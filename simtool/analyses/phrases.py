"""套话 of a corpus: its formulas listed once each (``simtool phrases``/``formulas``), and the spans
that 去除套话复制比 leaves out.

``learn`` finds the corpus's formulas (``simtool.analyses.formulas``: families of near-identical
sentences and clauses), the standard political formulations (提法) and the user's formulas in
the notices, and returns them with the ``FormulaSet`` that says what counts as 套话 (the README's
table).  The formulas are ranked by the characters of the corpus they account for (occurrences ×
length), then by notices: the long formulas every notice writes come first, a short 提法 used many
times follows.

The formula set of a store is learned once per store generation and cached in the store's
``meta`` table under ``formulas`` (JSON with the ``generation`` it was learned at); every ingest
bumps the generation, and the next call learns it again.  A store of more than ``STORE_SAMPLE``
notices is learned from an even sample of that many (every k-th notice by id): a formula used by
a fifth of the notices is used by a fifth of any large sample, and its variants elsewhere are
found by their similarity to its wordings (``FormulaSet``), so learning costs one engine pass over
``STORE_SAMPLE`` notices, not over the whole store.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from simtool.analyses.formulaic import FormulaSet, formulaic_share, formulaic_spans, tifa_phrases
from simtool.analyses.formulas import (
    Formula,
    Phrase,
    corpus_formulas,
    default_min_notices,
    formula_set,
    phrase_formulas,
)
from simtool.core.spans import count_chars
from simtool.core.types import Notice
from simtool.match.engine import DEFAULT_MIN_SIM
from simtool.store.sqlite import Store

__all__ = [
    "Learned",
    "Phrase",
    "default_min_notices",
    "formulaic_share",
    "formulaic_spans",
    "learn",
    "phrase_records",
    "corpus_formulaic",
    "store_formula_set",
    "store_formulaic",
]

DEFAULT_MAX_PHRASES = 500
META_KEY = "formulas"
CACHE_VERSION = 1
STORE_SAMPLE = 500


@dataclass(frozen=True, slots=True)
class Learned:
    """The formulas of a corpus (ranked) and what counts as 套话 in it (``None``: too few notices)."""

    formulas: list[Formula]
    formula_set: FormulaSet | None


def _covered(notices: Sequence[Notice], f: Formula) -> int:
    return sum(count_chars(notices[o.notice].text[o.start : o.end]) for o in f.occurrences)


def rank(notices: Sequence[Notice], formulas: Sequence[Formula]) -> list[Formula]:
    """By characters covered, notices (both descending), then wording and source: deterministic."""
    return sorted(formulas, key=lambda f: (-_covered(notices, f), -f.notices, f.text, f.source))


def learn(
    notices: Sequence[Notice],
    *,
    min_notices: int | None = None,
    min_sim: float = DEFAULT_MIN_SIM,
    user: Sequence[str] = (),
) -> Learned:
    """The corpus's formulas, the 提法 used by K notices and the ``user`` formulas found in ``notices``,
    ranked, and the 套话 set (every 提法 counts as 套话 wherever it stands, listed or not).

    With fewer notices than K no formula of the corpus can be learned; the 套话 set is then
    ``None`` unless the user gave formulas (提法 alone are not enough to call the ratio 去除套话).
    """
    k = default_min_notices(len(notices)) if min_notices is None else max(2, min_notices)
    corpus = corpus_formulas(notices, min_notices=min_notices, min_sim=min_sim)
    # a 提法 is 套话 wherever it stands, but listed only when K notices use it; the user's always
    found = corpus + [f for f in phrase_formulas(notices, tifa_phrases(), "tifa") if f.notices >= k]
    if user:
        found += phrase_formulas(notices, user, "user")
    known = len(notices) >= k or bool(user)
    fset = formula_set(corpus, min_sim).with_user(user) if known else None
    return Learned(rank(notices, found), fset)


def phrase_records(
    notices: Sequence[Notice],
    *,
    min_notices: int | None = None,
    max_phrases: int = DEFAULT_MAX_PHRASES,
    user: Sequence[str] = (),
) -> list[Phrase]:
    """The ``phrases``/``formulas`` contract: one ``Phrase`` per formula (``Formula.record``), ranked."""
    learned = learn(notices, min_notices=min_notices, user=user)
    return [f.record(notices) for f in learned.formulas[:max_phrases]]


def corpus_formulaic(notices: Sequence[Notice], user: Sequence[str] = ()) -> dict[str, list[tuple[int, int]]]:
    """Per notice id, its 套话 spans learned from ``notices`` themselves (empty when they are too few)."""
    fset = learn(notices, user=user).formula_set
    if fset is None:
        return {}
    return {n.id: spans for n, spans in zip(notices, fset.spans_many(notices))}


def store_sample(notices: Sequence[Notice], size: int = STORE_SAMPLE) -> list[Notice]:
    """At most ``size`` notices spread evenly over ``notices`` ordered by id (all of them, in their
    order, if there are no more)."""
    if len(notices) <= size:
        return list(notices)
    ranked = sorted(notices, key=lambda n: n.id)
    step = len(ranked) / size
    return [ranked[int(k * step)] for k in range(size)]


def store_formula_set(store: Store) -> FormulaSet | None:
    """The 套话 set of the store's notices (cached per generation); ``None`` if too few notices."""
    count = store.count_notices()
    if count < default_min_notices(count):
        return None
    generation = store.get_meta("generation") or "0"
    cached = store.get_meta(META_KEY)
    if cached:
        try:
            data = json.loads(cached)
            if data.get("generation") == generation and data.get("version") == CACHE_VERSION:
                return FormulaSet.from_json(data["set"])
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # a damaged cache is simply learned again
    fset = learn(store_sample(list(store.notices()))).formula_set
    if fset is None:
        return None
    payload = {"generation": generation, "version": CACHE_VERSION, "set": fset.to_json()}
    try:
        store.set_meta(META_KEY, json.dumps(payload, ensure_ascii=False))
    except sqlite3.Error:
        pass  # a read-only store still works; it only learns again next time
    return fset


def store_formulaic(store: Store, user: Sequence[str] = ()) -> Callable[[Notice], list[tuple[int, int]]] | None:
    """A function giving the 套话 spans (merged, in the notice's original text) of a notice, learned
    from the store (plus ``user`` formulas); ``None`` when the store holds fewer notices than K and
    no formulas were given."""
    fset = store_formula_set(store)
    if fset is None:
        return FormulaSet().with_user(user).spans if user else None
    return fset.with_user(user).spans
