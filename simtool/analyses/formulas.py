"""Formulas (套话) as whole sentences and clauses: families of near-identical units used across notices.

A *formula* is a family of near-identical matching units (sentences, and clause windows of long
sentences, ``simtool.match.units``) in the template view (dates, numbers and XX names are slots),
used by at least K notices (K = ``default_min_notices``: max(3, 20 % of the notices)).  It is built
from the engine's own pieces:

1. the distinct template texts of all units, their verified near-identical edges
   (``current_edge_finder``; containments are not near-identity) and leader clustering
   (``find_families`` with a family size of K − 1 occurrences, so every member is verified against
   the family's leader, its most frequent wording);
2. families whose occurrences touch or overlap in the same notices are joined (``_join``): the
   clause windows of one long sentence become that sentence, the two sentences of the closing
   formula (欢迎……监督。如有意见建议，请及时向我们反映。) one formula; never across a segment border.  Two families are joined when
   they touch in at least ``JOIN_SHARE`` of the notices of the larger one, so a formula is never
   glued to a sentence that merely happens to follow it in a few notices.  Occurrences are unit
   spans or unions of them, so a formula starts and ends at a sentence or clause border, never
   inside a word;
3. each formula is shown once: its most common wording as written in the notices (``D委``,
   full-width punctuation), its variants with counts, the notices, issuing units and occurrences
   that use it, its role (where its units stand: opening, closing, heading, framing, measure,
   problem) and examples with offsets.

Standard political formulations (提法) from ``simtool/data/tifa.txt`` and the user's own formulas
(``--formula-file``) are found as exact strings inside sentences (``formulaic.PhraseMatcher``)
and listed too.  Which formulas count as 套话 in 去除套话复制比 is ``classify``'s rule.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from simtool.analyses.formulaic import FormulaSet, PhraseMatcher, touching, trim_end, unit_roles
from simtool.analyses.records import Excerpt
from simtool.core.types import Notice
from simtool.match.engine import DEFAULT_MIN_SIM, DEFAULT_PARAMS, current_edge_finder
from simtool.match.families import find_families
from simtool.match.units import CLAUSE, Units, build_units, collapse
from simtool.text.normalize import normalize

JOIN_SHARE = 0.8  # two families touching in this share of the larger one's notices are one formula
EXAMPLES = 5
VARIANTS = 10
ROLES = ("opening", "closing", "heading", "framing", "measure", "problem")
STRUCTURAL = frozenset({"opening", "closing", "heading"})  # where a shared unit is 套话 by its role
SUBSTANTIVE = frozenset({"measure", "problem"})  # where a shared unit is copying unless spread
SPREAD_SHARE = 0.3  # a substantive family in this share of the notices *and* in several roles is 套话


def default_min_notices(count: int) -> int:
    """K: the number of notices a formula must be used by.

    >>> default_min_notices(18), default_min_notices(10), default_min_notices(10000)
    (4, 3, 2000)
    """
    return max(3, -(-count // 5))


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One use of a formula: ``notice.text[start:end]`` (``notice`` indexes the notices list)."""

    notice: int
    start: int
    end: int
    role: str


@dataclass(frozen=True, slots=True)
class Variant:
    """One wording of a formula as written, and how many times it is used."""

    text: str
    count: int


@dataclass(frozen=True, slots=True)
class Phrase:
    """One formula as ``simtool phrases``/``formulas`` lists it (the contract): its most common
    wording, the notices, units and occurrences using it, where it stands (``role``, ``roles``
    per role), its ``level`` and ``source``, whether it counts as 套话 and why, up to ``VARIANTS``
    variants of ``variant_count``, and up to ``EXAMPLES`` examples (one per notice first)."""

    phrase: str
    notices: int
    units: int
    occurrences: int
    role: str
    level: str
    source: str
    formulaic: bool
    reason: str
    variants: tuple[Variant, ...]
    variant_count: int
    roles: dict[str, int]
    examples: tuple[Excerpt, ...]


@dataclass(frozen=True, slots=True)
class Formula:
    """One formula: its most common wording as written, variants ``(wording, count)`` (most common
    first), ``notices`` using it, distinct issuing ``units``, ``occurrences``; ``role`` is where most
    of its occurrences stand and ``roles`` counts them per role; ``level`` is sentence, clause or
    提法 (an exact string inside sentences); ``source`` corpus, tifa or user; ``formulaic`` whether
    it counts as 套话 and ``reason`` why (or why not)."""

    text: str
    variants: tuple[tuple[str, int], ...]
    notices: int
    units: int
    occurrences: tuple[Occurrence, ...]
    role: str
    roles: tuple[tuple[str, int], ...]
    level: str
    source: str
    formulaic: bool = False
    reason: str = ""
    members: tuple[str, ...] = ()  # template texts of its units (corpus formulas), for FormulaSet
    leaders: tuple[str, ...] = ()  # the members a new sentence is compared with: those used twice or more

    def record(self, notices: Sequence[Notice]) -> Phrase:
        """The ``phrases``/``formulas`` record (deterministic)."""
        return Phrase(
            phrase=self.text,
            notices=self.notices,
            units=self.units,
            occurrences=len(self.occurrences),
            role=self.role,
            level=self.level,
            source=self.source,
            formulaic=self.formulaic,
            reason=self.reason,
            variants=tuple(Variant(t, c) for t, c in self.variants[:VARIANTS]),
            variant_count=len(self.variants),
            roles=dict(self.roles),
            examples=tuple(
                Excerpt(notices[o.notice].id, o.start, o.end, notices[o.notice].text[o.start : o.end])
                for o in _spread_examples(self.occurrences, notices)
            ),
        )


def _spread_examples(occ: Sequence[Occurrence], notices: Sequence[Notice]) -> list[Occurrence]:
    """Up to ``EXAMPLES`` occurrences, one per notice first, by notice id and offset."""
    ranked = sorted(occ, key=lambda o: (notices[o.notice].id, o.start))
    first: dict[int, Occurrence] = {}
    for o in ranked:
        first.setdefault(o.notice, o)
    return list(first.values())[:EXAMPLES]


def _families(units: Units, k: int, min_sim: float) -> list[np.ndarray]:
    """The units of each family of near-identical template texts used by at least ``k`` notices."""
    distinct, inverse = collapse(units.text)
    if len(distinct) < 2:
        return []
    sizes = np.bincount(inverse, minlength=len(distinct))
    edges = current_edge_finder()(distinct, DEFAULT_PARAMS, min_sim)
    near = ~edges.contained
    fams = find_families(distinct, sizes, edges.i[near], edges.j[near], min_sim, max(1, k - 1))
    family_of = np.full(len(distinct), -1, dtype=np.int64)
    for lead, members in fams.members().items():
        family_of[members] = lead
    unit_family = family_of[inverse]
    idx = np.flatnonzero(unit_family >= 0)
    idx = idx[np.lexsort((idx, unit_family[idx]))]
    groups = np.split(idx, np.flatnonzero(np.diff(unit_family[idx])) + 1) if len(idx) else []
    return [g for g in groups if len(np.unique(units.notice[g])) >= k]


def _join(
    notices: Sequence[Notice], units: Units, groups: list[np.ndarray]
) -> list[list[tuple[int, int, int, list[int]]]]:
    """Families joined where they touch in most notices: per formula, its occurrences as
    ``(notice, start, end, units)``, each a maximal run of touching units of the formula (end trimmed)."""
    seg = units.segment if units.segment is not None else np.zeros(len(units), dtype=np.int32)
    occ = sorted(  # a formula never crosses a segment border: (notice, segment) is the place
        (int(units.notice[u]) << 20 | int(seg[u]), int(units.start[u]), int(units.end[u]), g, int(u))
        for g, grp in enumerate(groups)
        for u in grp.tolist()
    )
    notices_of = [len(np.unique(units.notice[g])) for g in groups]
    touched: dict[tuple[int, int], set[int]] = defaultdict(set)
    run: list[tuple[int, int, int, int, int]] = []
    reach = 0
    for o in [*occ, (-1, 0, 0, -1, -1)]:
        if run and (o[0] != run[0][0] or not touching(notices[run[0][0] >> 20].text, reach, o[1])):
            fams = sorted({r[3] for r in run})
            for x in range(len(fams)):
                for y in range(x + 1, len(fams)):
                    touched[(fams[x], fams[y])].add(run[0][0])
            run = []
        reach = max(reach, o[2]) if run else o[2]
        run.append(o)
    parent = list(range(len(groups)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (x, y), where in sorted(touched.items()):
        if len(where) >= JOIN_SHARE * max(notices_of[x], notices_of[y]):
            rx, ry = find(x), find(y)
            parent[max(rx, ry)] = min(rx, ry)
    by_root: dict[int, list[tuple[int, int, int, int, int]]] = defaultdict(list)
    for o in occ:
        by_root[find(o[3])].append(o)
    out = []
    for root in sorted(by_root):
        spans: list[tuple[int, int, int, list[int]]] = []
        last_place = -1
        for place, a, b, _g, u in by_root[root]:  # sorted by notice and segment, start
            ni = place >> 20
            if spans and spans[-1][0] == ni and last_place == place and touching(notices[ni].text, spans[-1][2], a):
                last = spans[-1]
                spans[-1] = (ni, last[1], max(last[2], b), [*last[3], u])
            else:
                spans.append((ni, a, b, [u]))
            last_place = place
        out.append([(ni, a, trim_end(notices[ni].text, a, b), us) for ni, a, b, us in spans])
    return out


def _formula(
    notices: Sequence[Notice], spans: Sequence[tuple[int, int, int]], roles: Sequence[str], level: str, source: str
) -> Formula:
    """A formula from its occurrences ``(notice, start, end)`` (and each occurrence's role)."""
    written: dict[str, Counter[str]] = defaultdict(Counter)
    occ = []
    for (ni, a, b), role in zip(spans, roles):
        text = notices[ni].text[a:b]
        written[normalize(text, "template")][text] += 1
        occ.append(Occurrence(ni, a, b, role))
    # a variant is one template text; it is shown as its commonest wording; ties go to the shortest
    variants = sorted(
        ((min(c, key=lambda t: (-c[t], len(t), t)), sum(c.values())) for c in written.values()),
        key=lambda v: (-v[1], len(v[0]), v[0]),
    )
    users = sorted({o.notice for o in occ})
    issuers = {notices[i].unit if notices[i].unit is not None else "\x00" + notices[i].id for i in users}
    counted = Counter(roles)
    role_counts = tuple(sorted(counted.items(), key=lambda r: (-r[1], ROLES.index(r[0]) if r[0] in ROLES else 9, r[0])))
    return Formula(
        variants[0][0],
        tuple(variants),
        len(users),
        len(issuers),
        tuple(occ),
        role_counts[0][0],
        role_counts,
        level,
        source,
    )


def classify(f: Formula, n_notices: int) -> Formula:
    """Whether formula ``f`` counts as 套话 (``formulaic``) and why.

    * 提法 (the bundled list) and the user's formulas always do;
    * by role: a family standing in the opening, the closing or a heading, or in framing prose
      (the general statements around problems and measures), used by at least K notices;
    * substantive text (problems, measures) counts only when the corpus shows it is a formula of
      the genre: used by at least ``SPREAD_SHARE`` of the notices *and* by units of different kinds
      (a problem and a measure, a measure and a framing sentence …).  Anything else shared by
      problems or measures is copying, however many notices share it.

    Chosen by measurement, on three corpora.  On the seeds (18 notices, K = 4) all 11 families
    with K notices or more stand in the opening, the closing, headings or framing prose (the closing
    formula in 15 notices, 按照巡察工作有关要求，现将巡察整改进展情况予以公布 in 11, 深入学习贯彻新时代
    中国特色社会主义思想 in 5); none is a problem or a measure.  In the generated circulated-template
    case (tests/formula_case.py: 24 notices, 6 of them copy five measures) the copied measures are
    one family in 6–7 notices (25–29 %), all measures.  In benchmarks/data/scale200 (200 generated
    notices, K = 40) the substantive families with K notices or more are the generator's planted
    copies (淘汰低端落后喷水织机32104台 in 54 notices, 27 %; 家庭人口3人…, 23 %), measures only but
    for one stray problem.  A share threshold cannot tell these apart from the genre's formulas —
    planted copies reach 27 %, framing formulas start at 22 % — and the old rule (any string in K
    notices is 套话) let 去除套话复制比 of the template notices fall to a twentieth of the total.
    What separates them is where the text stands: a circulated template is copied into the same
    place, the genre's formulas stand in the opening, closing and framing.  A substantive family
    counts only when it also turns up in another kind of unit (at least twice, so one stray
    problem does not count) and in ``SPREAD_SHARE`` of the notices.
    """
    if f.source == "tifa":
        return _with(f, True, "提法（标准政治表述）")
    if f.source == "user":
        return _with(f, True, "用户指定的套话")
    if f.role in STRUCTURAL:
        return _with(f, True, {"opening": "开头套话", "closing": "结尾套话", "heading": "标准小标题"}[f.role])
    if f.role == "framing":
        return _with(f, True, "通用表述（非问题、非措施）")
    kinds = [r for r, c in f.roles if c >= 2 or r not in SUBSTANTIVE]
    if f.notices >= SPREAD_SHARE * n_notices and len(kinds) >= 2:
        return _with(f, True, "多数通报、多种位置通用")
    return _with(f, False, "实质内容相同（问题、措施），按照搬照抄计")


def _with(f: Formula, formulaic: bool, reason: str) -> Formula:
    return replace(f, formulaic=formulaic, reason=reason)


def corpus_formulas(
    notices: Sequence[Notice], *, min_notices: int | None = None, min_sim: float = DEFAULT_MIN_SIM
) -> list[Formula]:
    """The formulas the corpus itself shows (families of units used by ≥ K notices), classified."""
    k = default_min_notices(len(notices)) if min_notices is None else max(2, min_notices)
    if len(notices) < k:
        return []
    units = build_units(notices, "template")
    roles = unit_roles(notices, units)
    out = []
    for spans in _join(notices, units, _families(units, k, min_sim)):
        clause = units.level is not None and all(units.level[u] == CLAUSE for *_, us in spans for u in us)
        used = Counter(units.text[u] for *_, us in spans for u in us)
        members = tuple(sorted(used))
        ranked = sorted(used, key=lambda t: (-used[t], t))
        leaders = tuple(sorted(t for t in ranked if used[t] >= 2 or t == ranked[0]))
        f = _formula(
            notices,
            [s[:3] for s in spans],
            [roles[s[3][0]] for s in spans],
            "clause" if clause else "sentence",
            "corpus",
        )
        if f.notices >= k:
            out.append(classify(replace(f, members=members, leaders=leaders), len(notices)))
    return out


def phrase_formulas(notices: Sequence[Notice], phrases: Sequence[str], source: str) -> list[Formula]:
    """Formulas for given exact phrases (提法, the user's): each phrase found in at least one notice."""
    matcher = PhraseMatcher(phrases)
    found: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for ni, hits in enumerate(matcher.occurrences_many(notices)):
        for a, b, w in hits:
            found[w].append((ni, a, b))
    out = []
    for w in sorted(found):
        spans = sorted(found[w])
        role = "提法" if source == "tifa" else "user"
        out.append(classify(_formula(notices, spans, [role] * len(spans), "提法", source), len(notices)))
    return out


def formula_set(formulas: Sequence[Formula], min_sim: float = DEFAULT_MIN_SIM) -> FormulaSet:
    """What counts as 套话 given the corpus's formulas (the 提法 list always; user phrases added by the caller)."""
    chosen = [f for f in formulas if f.formulaic and f.source == "corpus"]
    members = frozenset(m for f in chosen for m in f.members)
    leaders = tuple(sorted({m for f in chosen for m in f.leaders}))
    return FormulaSet(members, leaders, min_sim=min_sim)
