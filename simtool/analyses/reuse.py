"""Template reuse inside one notice (千篇一律): one measure used for different problems.

For every notice, all pairs of its measures are compared exactly with rapidfuzz — a notice
has at most a few hundred measures, so no LSH is needed and recall is complete.  Two links:

* **similar** — the whole measures have Indel similarity ≥ ``min_sim`` (``二是组织财务人员进行
  集体学习`` under problems 22 and 23);
* **contained** — a shorter measure is (nearly) a subsequence of a longer one: at least
  ``min_sim`` of its characters appear in order in the longer measure, inside a window of at
  most ``CONTAIN_SPAN`` times its length (``组织财务人员进行集体学习`` inside ``根据……完善了
  街居财务管理制度，并组织财务人员进行集体学习`` under problem 24).

Measures are compared after normalization with the ordinal marker (一是/第一，…) cut off.
Measures shorter than ``MIN_REUSE_CHARS`` (8) normalized characters, punctuation included, are
ignored: ``一是召开专题会议。`` (7) or ``立行立改`` recur under many problems of any notice and
say nothing about copying.

A group is a set of pairwise similar measures (the *core*, built by complete linkage) plus
every longer measure that contains one of its members; a group whose occurrences serve at least
two different problems is reported, unless its occurrences are a strict subset of another
reported group's.

``content_start`` and ``measure_units`` (measure segments as matching units, ordinal cut off)
are shared with ``simtool.analyses.clusters``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel

from simtool.core.types import Notice, View
from simtool.match.units import KIND_CODE, Units, segment_units
from simtool.text.normalize import normalize

MIN_REUSE_CHARS = MIN_MEASURE_CHARS = 8
CONTAIN_SPAN = 2.5
_BLOCK = 2000  # rows compared at a time, so a huge notice stays in bounded memory


@dataclass(frozen=True, slots=True)
class ReuseOccurrence:
    """One use of a reused measure: under problem ``problem``, ``text == notice.text[start:end]``,
    that problem's own text, how it is linked (``representative``/``identical``/``similar``/``contained``),
    and the problem's number as the notice prints it (``problem_label``, see ``printed_label``)."""

    problem: int
    start: int
    end: int
    text: str
    problem_text: str | None
    match: str
    problem_label: str


@dataclass(frozen=True, slots=True)
class ReuseFinding:
    """One measure used for different problems of one notice (``simtool reuse``): the notice, its
    most central wording, occurrences, the distinct problems, the weakest link and the occurrences;
    ``problem_labels``: the problems' numbers as printed, in the order of ``problems``."""

    notice: str
    title: str
    unit: str | None
    measure: str
    count: int
    problems: tuple[int, ...]
    score: float
    occurrences: tuple[ReuseOccurrence, ...]
    problem_labels: tuple[str, ...]


_ORDINAL = re.compile(
    r"^\s*(?:第?[一二三四五六七八九十百零〇两]+是|第[一二三四五六七八九十百]+[，,、：:.．]?"
    r"|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、.．]|\d+[、.．)）]|首先|其次|再次|最后)"
    r"[，,、：:\s]*"
)


def printed_label(label: str | None, problem: int) -> str:
    """A problem's number as the notice prints it (``Segment.label``), else its running number
    in the notice (``第3个``: the third problem) for a problem printed without one.

    >>> printed_label("（二）1.", 5), printed_label(None, 3)
    ('（二）1.', '第3个')
    """
    return label if label else f"第{problem}个"


def content_start(text: str) -> int:
    """Offset in ``text`` after a leading ordinal marker (0 when there is none).

    >>> content_start("二是组织财务人员进行集体学习。")
    2
    >>> content_start("第一，加强对企业的指导")
    3
    >>> content_start("加强督查")
    0
    """
    m = _ORDINAL.match(text)
    return m.end() if m and m.end() < len(text) else 0


def measure_units(
    notices: Sequence[Notice], view: View = "literal", *, min_chars: int = MIN_MEASURE_CHARS, chunk: bool = True
) -> Units:
    """Units made of measure segments only, each starting after its ordinal marker.

    With ``chunk`` long measures are cut at sentence ends like every other unit; without it each
    measure is one unit (``start``/``end`` still index the notice's own text).
    """
    only: list[Notice] = []
    for n in notices:
        segs = []
        for s in n.segments:
            if s.kind != "measure":
                continue
            k = content_start(s.text)
            segs.append(replace(s, start=s.start + k, text=s.text[k:]) if k else s)
        only.append(replace(n, segments=tuple(segs)))
    if chunk:
        return segment_units(only, view, min_chars=min_chars)
    cols: dict[str, list[int]] = {k: [] for k in ("notice", "start", "end", "kind", "problem", "seq")}
    texts: list[str] = []
    for ni, n in enumerate(only):
        for seq, s in enumerate(n.segments):
            a, b = s.start, s.end
            while a < b and n.text[a].isspace():
                a += 1
            while b > a and n.text[b - 1].isspace():
                b -= 1
            norm = normalize(n.text[a:b], view)
            if len(norm) < min_chars:
                continue
            row = (ni, a, b, KIND_CODE["measure"], s.problem or -1, seq)
            for key, v in zip(("notice", "start", "end", "kind", "problem", "seq"), row):
                cols[key].append(v)
            texts.append(norm)
    dt = {"notice": np.int32, "start": np.int64, "end": np.int64, "kind": np.int8, "problem": np.int32, "seq": np.int32}
    return Units(**{k: np.asarray(v, dtype=dt[k]) for k, v in cols.items()}, text=texts)


def _links(texts: Sequence[str], min_sim: float) -> list[tuple[int, int, float, bool]]:
    """Pairs ``(i, j, score, contained)`` of linked measures: ``i < j`` when similar, ``texts[i]``
    the shorter (contained) one when ``contained``.

    >>> _links(["组织财务人员进行集体学习", "完善了财务制度并组织财务人员进行集体学习", "加强督查检查工作力度"], 0.8)
    [(0, 1, 1.0, True)]
    """
    n = len(texts)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n)
    out: list[tuple[int, int, float, bool]] = []
    cut = min_sim - 1e-9
    for lo in range(0, n, _BLOCK):
        hi = min(n, lo + _BLOCK)
        # Indel similarity = len(a) + len(b) − distance = 2 · LCS
        lcs = process.cdist(texts[lo:hi], texts, scorer=Indel.similarity, dtype=np.int64, workers=-1) / 2
        la, lb = lengths[lo:hi, None], lengths[None, :]
        ratio = 2 * lcs / (la + lb)
        contain = lcs / np.minimum(la, lb)
        rows, cols = np.nonzero((contain >= cut) & (np.arange(lo, hi)[:, None] < np.arange(n)[None, :]))
        for i, j in zip((rows + lo).tolist(), cols.tolist()):
            r = float(ratio[i - lo, j])
            if r >= cut:
                out.append((i, j, round(r, 4), False))
                continue
            a, b = (i, j) if lengths[i] <= lengths[j] else (j, i)
            if _tight(texts[a], texts[b]):
                out.append((a, b, round(float(contain[i - lo, j]), 4), True))
    return out


def _tight(short: str, long_: str) -> bool:
    """Whether the characters ``short`` shares with ``long_`` lie within ``CONTAIN_SPAN``·len(short)."""
    blocks = [op for op in Indel.opcodes(short, long_) if op.tag == "equal"]
    if not blocks:
        return False
    return blocks[-1].dest_end - blocks[0].dest_start <= CONTAIN_SPAN * len(short)


def _groups(n: int, links: list[tuple[int, int, float, bool]]) -> list[tuple[list[int], dict[int, float], float]]:
    """Groups as (core members, {longer measure containing a member: score}, min score among core pairs).

    Cores are built by complete linkage over the similar links (strongest first): two cores merge
    only when every pair across them is similar, so a core never chains unrelated measures and its
    minimum pairwise score is ≥ min-sim.

    >>> _groups(3, [(0, 1, 0.9, False), (1, 2, 0.85, False)])
    [([0, 1], {}, 0.9), ([2], {}, 1.0)]
    """
    sim: dict[tuple[int, int], float] = {}
    contains: dict[int, dict[int, float]] = {}
    for i, j, s, c in links:
        if c:
            contains.setdefault(i, {})[j] = s
        else:
            sim[(i, j)] = s
    core_of = list(range(n))
    cores: dict[int, list[int]] = {x: [x] for x in range(n)}
    for (i, j), _ in sorted(sim.items(), key=lambda kv: (-kv[1], kv[0])):
        a, b = core_of[i], core_of[j]
        if a == b or not all((min(x, y), max(x, y)) in sim for x in cores[a] for y in cores[b]):
            continue
        for x in cores[b]:
            core_of[x] = a
        cores[a] = sorted(cores[a] + cores.pop(b))
    out = []
    for core in sorted(cores.values()):
        members = set(core)
        worst = min((sim[(a, b)] for k, a in enumerate(core) for b in core[k + 1 :]), default=1.0)
        containers: dict[int, float] = {}
        for m in core:
            for other, s in contains.get(m, {}).items():
                if other not in members:
                    containers[other] = max(containers.get(other, 0.0), s)
        out.append((core, containers, worst))
    return out


def _match(k: int, centre: int, texts: Sequence[str], containers: dict[int, float]) -> str:
    if k in containers:
        return "contained"
    if k == centre:
        return "representative"
    return "identical" if texts[k] == texts[centre] else "similar"


def reuse_records(
    notices: Sequence[Notice], *, min_sim: float = 0.8, min_chars: int = MIN_REUSE_CHARS
) -> list[ReuseFinding]:
    """Measures reused for different problems inside one notice (``simtool reuse``).

    Each record: ``notice``, ``title``, ``unit``; ``measure`` (the group's most central measure,
    original text without its ordinal marker); ``count`` (occurrences); ``problems`` (sorted
    distinct problem numbers); ``score`` (the weakest link: the minimum pairwise similarity of
    the similar measures and the containment scores of the longer measures that contain one of
    them); ``occurrences`` (``problem``, ``start``, ``end``, ``text`` with ``text ==
    notice.text[start:end]``, ``problem_text`` = that problem's own text, ``match`` =
    ``representative``/``identical``/``similar``/``contained``), sorted by position.
    Ranked by number of problems (desc), notice (input order), position.
    """
    units = measure_units(notices, "literal", min_chars=min_chars, chunk=False)
    keep = np.flatnonzero(units.problem > 0)
    bounds = np.searchsorted(units.notice[keep], np.arange(len(notices) + 1))
    ranked: list[tuple[int, int, int, ReuseFinding]] = []
    for ni, n in enumerate(notices):
        idx = keep[bounds[ni] : bounds[ni + 1]]
        if len(idx) < 2 or len(np.unique(units.problem[idx])) < 2:
            continue
        texts = [units.text[u] for u in idx.tolist()]
        problems = units.problem[idx].tolist()
        starts, ends = units.start[idx].tolist(), units.end[idx].tolist()
        links = _links(texts, min_sim)
        if not links:
            continue
        problem_text: dict[int, str] = {}
        label: dict[int, str] = {}
        for s in n.segments:
            if s.kind == "problem" and s.problem is not None:
                problem_text.setdefault(s.problem, s.text)
                label.setdefault(s.problem, printed_label(s.label, s.problem))
        found: list[tuple[frozenset[int], ReuseFinding]] = []
        for core, containers, worst in _groups(len(texts), links):
            occ = sorted(core + list(containers), key=lambda k: starts[k])
            probs = sorted({problems[k] for k in occ})
            if len(probs) < 2:
                continue
            centre = max(core, key=lambda k: (sum(Indel.normalized_similarity(texts[k], texts[o]) for o in core), -k))
            # ties: the earliest measure
            score = min([worst, *containers.values()])
            record = ReuseFinding(
                notice=n.id,
                title=n.title,
                unit=n.unit,
                measure=n.text[starts[centre] : ends[centre]],
                count=len(occ),
                problems=tuple(probs),
                score=round(score, 4),
                occurrences=tuple(
                    ReuseOccurrence(
                        problem=problems[k],
                        start=starts[k],
                        end=ends[k],
                        text=n.text[starts[k] : ends[k]],
                        problem_text=problem_text.get(problems[k]),
                        match=_match(k, centre, texts, containers),
                        problem_label=label.get(problems[k], printed_label(None, problems[k])),
                    )
                    for k in occ
                ),
                problem_labels=tuple(label.get(p, printed_label(None, p)) for p in probs),
            )
            found.append((frozenset(occ), record))
        for occ_set, record in found:
            if any(occ_set < other for other, _ in found):
                continue
            ranked.append((-len(record.problems), ni, record.occurrences[0].start, record))
    ranked.sort(key=lambda t: t[:3])
    return [r for *_, r in ranked]
