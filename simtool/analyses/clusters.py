"""Measure families (措施族): rectification measures that recur across notices and units.

The work reads as named stages:

1. **measure units** — measure segments only, the ordinal marker cut off (``一是``, ``第一，``,
   ``（一）`` …), long measures chunked at sentence ends (``units.build_units``), units shorter
   than 8 normalized characters dropped (``reuse.measure_units``).
2. **distinct texts** — identical normalized measures collapse into one weighted node, so a
   formula used by thousands of notices is one node of weight thousands.
3. **verified edges** — the engine's stages over the distinct texts: MinHash band keys, LSH
   candidates, every one verified with rapidfuzz (similarity ≥ ``min_sim``, or containment of a
   short measure in a long one).  Nothing else is ever linked.
4. **components** — connected components of the edge graph (numpy hook-and-compress).  LSH
   only finds a star inside a dense family (the engine caps buckets), so a component of at most
   ``DENSE_NODES`` nodes is made exact: all its pairs are verified, and a missing edge then
   really means "below ``min_sim``".
5. **average linkage** per component — sparse UPGMA over the occurrences, a missing edge
   counting as similarity 0, stopped when the best average falls below ``min_sim``.  Each merge
   needs the mean similarity *between* the two parts to be ≥ ``min_sim``, so by induction the
   mean pairwise similarity inside every cluster is ≥ ``min_sim``: two unrelated measures that
   share a neighbour are not chained together.  A complete component (every pair similar) is
   one cluster without a heap.  A component above ``DENSE_NODES`` nodes falls back to greedy
   stars over its LSH edges: the node with the highest weighted degree takes its unassigned
   neighbours, then the next — every member is directly verified-similar to its star's centre.
6. **records** — clusters spanning ≥ ``min_notices`` notices, ranked, labelled by their most
   central member (max mean similarity to the others; a star's centre); ``theme`` from the
   coarser level below (``theme_of``, ``theme_records``).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from simtool.analyses.records import Excerpt
from simtool.analyses.reuse import measure_units
from simtool.core.types import Notice, View
from simtool.match.engine import EngineParams, keys_for
from simtool.match.families import components
from simtool.match.lsh import candidate_pairs
from simtool.match.units import Units, collapse
from simtool.match.verify import verify

# Jaccard the LSH aims at (37 bands × 3 rows); recall of min-sim-0.6 pairs against brute force:
# 1.0 on the seeds, 0.997 on 1,000 edited copies of them
CLUSTER_LSH_THRESHOLD = 0.3
DENSE_NODES = 400  # components up to this many distinct texts get all pairs verified and average linkage
LABEL_CHARS = 40


@dataclass(frozen=True, slots=True)
class Graph:
    """Verified-similarity graph over distinct measure texts.

    ``texts[x]`` is node ``x``'s normalized text, ``weight[x]`` its number of occurrences and
    ``inverse[u]`` the node of unit ``u``.  Edges ``a[k] < b[k]`` are LSH candidates verified at
    similarity ``score[k]`` ≥ min-sim — inside a dense family only a star of them.
    """

    units: Units
    texts: list[str]
    inverse: np.ndarray
    weight: np.ndarray
    a: np.ndarray
    b: np.ndarray
    score: np.ndarray


def cluster_params() -> EngineParams:
    """LSH aimed at Jaccard ``CLUSTER_LSH_THRESHOLD`` over all character bigrams.

    Stop bigrams stay in: the genre's commonest bigrams are what formulaic measures share, and
    leaving them out drops recall of min-sim-0.6 pairs on the seeds from 1.0 to 0.91.
    """
    return EngineParams(threshold=CLUSTER_LSH_THRESHOLD, stop=False)


def similarity_graph(units: Units, *, min_sim: float, params: EngineParams | None = None) -> Graph:
    """Collapse identical texts and link distinct ones by verified pairs.

    The engine's stages are called directly on the distinct texts (MinHash band keys → LSH
    candidates → rapidfuzz verification, containment included): identical texts are already one
    node, so ``find_matches``' per-family expansion has nothing to do here.
    """
    distinct, inverse = collapse(units.text)
    n = len(distinct)
    weight = np.bincount(inverse, minlength=n).astype(np.float64)
    e = np.empty(0, dtype=np.int64)
    if n < 2:
        return Graph(units, distinct, inverse, weight, e, e, np.empty(0))
    p = params or cluster_params()
    ver = verify(distinct, candidate_pairs(keys_for(distinct, p, min_sim)), min_sim, require_runs=False)
    order = np.lexsort((ver.j, ver.i))
    return Graph(
        units,
        distinct,
        inverse,
        weight,
        ver.i[order].astype(np.int64),
        ver.j[order].astype(np.int64),
        ver.score[order].astype(np.float64),
    )


def average_linkage(weight: Sequence[float], edges: Sequence[tuple[int, int, float]], min_sim: float) -> list[int]:
    """Sparse weighted UPGMA over ``len(weight)`` nodes; the cluster (smallest member) of each node.

    Node ``x`` stands for ``weight[x]`` identical occurrences; a missing edge is similarity 0.
    Clusters merge while the mean similarity between them is ≥ ``min_sim``.

    >>> average_linkage([1, 1, 1], [(0, 1, 0.9), (1, 2, 0.9)], 0.6)  # {0,1}–2 averages 0.45
    [0, 0, 2]
    """
    n = len(weight)
    w = [float(x) for x in weight]
    near: list[dict[int, float] | None] = [{} for _ in range(n)]
    for i, j, s in edges:
        v = w[i] * w[j] * s
        ni, nj = near[i], near[j]
        assert ni is not None and nj is not None  # no node is merged away yet
        ni[j] = ni.get(j, 0.0) + v
        nj[i] = nj.get(i, 0.0) + v
    heap = [(-(v / (w[i] * w[j])), i, j) for i, d in enumerate(near) if d for j, v in d.items() if i < j]
    heapq.heapify(heap)
    members: list[list[int]] = [[x] for x in range(n)]
    while heap:
        neg, x, y = heapq.heappop(heap)
        nx, ny = near[x], near[y]
        if nx is None or ny is None or y not in nx:
            continue
        if abs(nx[y] / (w[x] * w[y]) + neg) > 1e-12:
            continue  # stale: a side has grown since this entry was pushed
        if -neg < min_sim - 1e-9:
            break
        if len(nx) < len(ny):
            x, y, nx, ny = y, x, ny, nx
        del nx[y]
        for z, v in ny.items():
            if z == x:
                continue
            nx[z] = nx.get(z, 0.0) + v
            nz = near[z]
            assert nz is not None
            nz[x] = nz.get(x, 0.0) + v
            del nz[y]
        near[y] = None
        w[x] += w[y]
        members[x].extend(members[y])
        members[y] = []
        for z, v in nx.items():
            heapq.heappush(heap, (-(v / (w[x] * w[z])), min(x, z), max(x, z)))
    label = [0] * n
    for c in members:
        if c:
            root = min(c)
            for x in c:
                label[x] = root
    return label


def stars(weight: Sequence[float], edges: Sequence[tuple[int, int, float]]) -> list[int]:
    """Greedy star clustering: by weighted degree, each unassigned node takes its unassigned neighbours.

    >>> stars([1, 1, 1, 1], [(0, 1, 0.9), (1, 2, 0.9), (2, 3, 0.9)])
    [1, 1, 1, 3]
    """
    n = len(weight)
    adj: list[list[int]] = [[] for _ in range(n)]
    degree = [float(x) - 1.0 for x in weight]
    for i, j, s in edges:
        adj[i].append(j)
        adj[j].append(i)
        degree[i] += weight[j] * s
        degree[j] += weight[i] * s
    label = [-1] * n
    for c in sorted(range(n), key=lambda x: (-degree[x], x)):
        if label[c] >= 0:
            continue
        label[c] = c
        for v in sorted(adj[c]):
            if label[v] < 0:
                label[v] = c
    return label


def centres(weight: Sequence[float], edges: Sequence[tuple[int, int, float]], label: Sequence[int]) -> list[int]:
    """For each node, the most central node of its cluster: max Σ weight·similarity to the other
    occurrences of the cluster (its own copies count 1 each); ties go to the smaller index.

    >>> centres([1, 1, 1], [(0, 1, 0.7), (1, 2, 0.9), (0, 2, 0.8)], [0, 0, 0])
    [2, 2, 2]
    """
    score = [float(w) - 1.0 for w in weight]
    for i, j, s in edges:
        if label[i] == label[j]:
            score[i] += weight[j] * s
            score[j] += weight[i] * s
    best: dict[int, int] = {}
    for x, c in enumerate(label):
        b = best.get(c)
        if b is None or score[x] > score[b] + 1e-12:
            best[c] = x
    return [best[c] for c in label]


def cluster_nodes(g: Graph, min_sim: float) -> np.ndarray:
    """For every distinct node, its cluster's centre (a node index), component by component."""
    n = len(g.weight)
    out = np.arange(n, dtype=np.int64)
    if not len(g.a):
        return out
    comp = components(n, g.a, g.b)
    ecomp = comp[g.a]
    order = np.argsort(ecomp, kind="stable")
    cuts = np.flatnonzero(np.diff(ecomp[order])) + 1
    node_order = np.argsort(comp, kind="stable")
    sorted_comp = comp[node_order]
    for lo, hi in zip(np.r_[0, cuts].tolist(), np.r_[cuts, len(order)].tolist()):
        sel = order[lo:hi]
        c = ecomp[sel[0]]
        nodes = node_order[np.searchsorted(sorted_comp, c, "left") : np.searchsorted(sorted_comp, c, "right")]
        wts = g.weight[nodes].tolist()
        if len(nodes) > DENSE_NODES:
            local = {int(x): i for i, x in enumerate(nodes.tolist())}
            triples = zip(g.a[sel].tolist(), g.b[sel].tolist(), g.score[sel].tolist())
            lab = stars(wts, [(local[i], local[j], s) for i, j, s in triples])
            out[nodes] = nodes[np.asarray(lab, dtype=np.int64)]  # a star is labelled by its centre
            continue
        edges = _exact_edges([g.texts[x] for x in nodes.tolist()], min_sim)
        k = len(nodes)
        if len(edges) == k * (k - 1) // 2:  # complete: average linkage ends in one cluster
            lab = [0] * k
        else:
            lab = average_linkage(wts, edges, min_sim)
        out[nodes] = nodes[np.asarray(centres(wts, edges, lab), dtype=np.int64)]
    return out


def _exact_edges(texts: list[str], min_sim: float) -> list[tuple[int, int, float]]:
    """All verified pairs among ``texts`` (brute force; used inside one small component)."""
    i, j = np.triu_indices(len(texts), 1)
    ver = verify(texts, np.stack([i, j], axis=1).astype(np.int64), min_sim, require_runs=False)
    return list(zip(ver.i.tolist(), ver.j.tolist(), ver.score.tolist()))


# --- the coarser level: themes by verb + object keyword patterns (data, not code) -------------

THEMES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    # (theme, object keywords, verbs that govern them)
    (
        "会议",
        (
            "会议",
            "专题会",
            "民主生活会",
            "组织生活会",
            "例会",
            "座谈会",
            "党员大会",
            "支委会",
            "班子会",
            "常委会",
            "大会",
        ),
        ("召开", "组织", "主持", "参加", "列席", "利用", "通过", "在"),
    ),
    ("学习", ("学习", "传达", "研读", "学习会"), ("组织", "开展", "进行", "集中", "传达", "深入", "认真", "专题")),
    (
        "制度",
        ("制度", "办法", "机制", "细则", "规则", "规程", "规定"),
        ("完善", "建立", "制定", "修订", "健全", "出台", "印发", "落实", "执行", "修改"),
    ),
    (
        "台账",
        ("台账", "清单", "档案", "资料", "凭证"),
        ("建立", "完善", "整理", "登记", "梳理", "补齐", "形成", "制定"),
    ),
    ("培训", ("培训", "轮训"), ("开展", "组织", "参加", "举办", "加强")),
    (
        "督查",
        ("督查", "检查", "巡查", "督导", "抽查", "排查", "监督", "监管", "回头看"),
        ("开展", "加强", "加大", "进行", "组织", "落实"),
    ),
    ("约谈", ("约谈", "谈话", "谈心", "提醒"), ("进行", "开展", "约谈", "集体", "落实")),
    ("问责", ("问责", "追责", "处分", "诫勉", "批评教育"), ("追究", "给予", "严肃", "予以", "进行")),
    ("警示教育", ("警示教育", "专题片", "典型案例"), ("开展", "观看", "通报", "组织")),
    ("整改", ("整改",), ("落实", "推进", "开展", "制定", "立行立改", "督促")),
    ("公开", ("公开", "公示"), ("进行", "及时", "予以", "张贴", "实行")),
    ("宣传", ("宣传", "宣讲"), ("开展", "加强", "加大", "利用")),
)

_tokenizer: Any = None


def _tokens(text: str) -> list[str]:
    """jieba words, with the theme keywords and verbs added to a private dictionary."""
    global _tokenizer
    if _tokenizer is None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        for _, objects, verbs in THEMES:
            for word in objects + verbs:
                tok.add_word(word, freq=200_000)
        _tokenizer = tok
    return list(_tokenizer.lcut(text, HMM=False))


_OBJECTS = re.compile("|".join(sorted({o for _, objects, _ in THEMES for o in objects}, key=len, reverse=True)))
_CLAUSE = re.compile(r"[^,，;；:：。!！?？]+")


def theme_of(text: str) -> tuple[str, str] | None:
    """(theme, keyword pattern) of a measure's normalized text, or ``None``.

    Only clauses holding an object keyword are tokenized (jieba, private dictionary).  The first
    object keyword governed by an earlier verb of its theme in the same clause decides (of two
    adjacent keywords, 巡查制度, the last is the head); failing that, the first keyword alone.

    >>> theme_of("组织财务人员进行集体学习")
    ('学习', '进行…学习')
    >>> theme_of("召开理论学习中心组会议")
    ('会议', '召开…会议')
    >>> theme_of("根据上级相关规定和街道实际情况,完善了街居财务管理制度")
    ('制度', '完善…制度')
    """
    fallback: tuple[str, str] | None = None
    for clause in _CLAUSE.findall(text):
        if not _OBJECTS.search(clause):
            continue
        words = _tokens(clause)
        for k, word in enumerate(words):
            if not _OBJECTS.search(word) or (k + 1 < len(words) and _OBJECTS.search(words[k + 1])):
                continue  # in a compound (巡查制度) the last keyword is the head
            for theme, objects, verbs in THEMES:
                keyword = next((o for o in objects if o in word), None)
                if keyword is None:
                    continue
                verb = next((v for v in reversed(words[:k]) if v in verbs), None)
                if verb is not None:
                    return theme, f"{verb}…{word}"
                fallback = fallback or (theme, keyword)
    return fallback


# --- records ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeasureCluster:
    """A family of measures recurring across notices (``simtool clusters``): its id (``C1``… in
    rank order), measure occurrences (``size``), notices, distinct issuing units, its most central
    member as ``label``, the ``members``, its ``theme`` (``theme_of``) and the sorted ``unit_names``."""

    cluster: str
    size: int
    notices: int
    units: int
    label: str
    members: tuple[Excerpt, ...]
    theme: str | None
    unit_names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MeasureTheme:
    """All measures of one theme (``simtool clusters --themes``): the verb…object ``keywords`` seen
    (most frequent first), measures, notices, units, the ids of the measure families with this theme
    and one example per frequent pattern."""

    theme: str
    keywords: tuple[str, ...]
    measures: int
    notices: int
    units: int
    clusters: tuple[str, ...]
    examples: tuple[str, ...]


def _label(text: str) -> str:
    text = re.sub(r"\s+", "", text).rstrip("。；;，,")
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _unit_key(n: Notice) -> str:
    return n.unit if n.unit else f"\0{n.id}"  # a notice without a parsed unit counts as its own unit


def cluster_records(
    notices: Sequence[Notice],
    *,
    min_sim: float = 0.6,
    min_notices: int = 2,
    view: View = "literal",
    params: EngineParams | None = None,
) -> list[MeasureCluster]:
    """Families of measures that recur across notices (``simtool clusters``), ranked.

    Each record: ``cluster`` (``C1``… in rank order: notices desc, size desc, label), ``size``
    (measure occurrences), ``notices``, ``units`` (distinct issuing units; a notice without a
    parsed unit counts as its own), ``label`` (the most central member, ≤ 40 characters),
    ``members`` (``notice``, ``start``, ``end``, ``text`` with ``text == notice.text[start:end]``),
    ``theme`` (see ``theme_of``) and ``unit_names`` (sorted distinct parsed units).
    """
    units = measure_units(notices, view)
    if not len(units):
        return []
    g = similarity_graph(units, min_sim=min_sim, params=params)
    unit_cluster = cluster_nodes(g, min_sim)[g.inverse]  # each unit → its cluster's centre node
    order = np.lexsort((units.start, units.notice, unit_cluster))
    cuts = np.flatnonzero(np.diff(unit_cluster[order])) + 1
    records: list[tuple[tuple[int, int], MeasureCluster]] = []  # (first occurrence, record)
    for lo, hi in zip(np.r_[0, cuts].tolist(), np.r_[cuts, len(order)].tolist()):
        occ = order[lo:hi]
        nids = np.unique(units.notice[occ])
        if len(nids) < min_notices:
            continue
        rep = int(occ[np.flatnonzero(g.inverse[occ] == unit_cluster[occ[0]])[0]])
        rep_n = notices[int(units.notice[rep])]
        names = {_unit_key(notices[i]) for i in nids.tolist()}
        label = _label(rep_n.text[int(units.start[rep]) : int(units.end[rep])])
        theme = theme_of(units.text[rep])
        members = tuple(
            Excerpt(notices[ni].id, s, e, notices[ni].text[s:e])
            for ni, s, e in zip(units.notice[occ].tolist(), units.start[occ].tolist(), units.end[occ].tolist())
        )
        rec = MeasureCluster(
            cluster="",
            size=len(occ),
            notices=len(nids),
            units=len(names),
            label=label,
            members=members,
            theme=theme[0] if theme else None,
            unit_names=tuple(sorted(x for x in names if not x.startswith("\0"))),
        )
        records.append(((int(units.notice[occ[0]]), int(units.start[occ[0]])), rec))
    records.sort(key=lambda t: (-t[1].notices, -t[1].size, t[1].label, t[0]))
    return [replace(r, cluster=f"C{k}") for k, (_, r) in enumerate(records, 1)]


def theme_records(
    notices: Sequence[Notice],
    *,
    min_sim: float = 0.6,
    min_notices: int = 2,
    clusters: Sequence[MeasureCluster] | None = None,
    view: View = "literal",
) -> list[MeasureTheme]:
    """The coarser level: every measure of ``notices`` grouped by its theme (``theme_of``).

    Measures of one theme phrased differently (组织财务人员进行集体学习 / 传达学习……通报 /
    召开支委会……学习) land in one record: ``theme``; ``keywords`` (the verb…object patterns seen,
    most frequent first, at most 10); ``measures`` (measure segments of that theme); ``notices``;
    ``units``; ``clusters`` (ids of the measure families whose label has this theme); ``examples``
    (one original measure for each of the five most frequent patterns, ≤ 40 characters).  Pass
    ``clusters`` (from ``cluster_records``) to avoid computing them again.  jieba runs once per
    distinct measure text.  Ranked by notices, measures, theme.
    """
    if clusters is None:
        clusters = cluster_records(notices, min_sim=min_sim, min_notices=min_notices, view=view)
    units = measure_units(notices, view, chunk=False)
    distinct, inverse = collapse(units.text)
    found = [theme_of(t) for t in distinct]
    groups: dict[str, dict[str, Any]] = {}
    for u, x in enumerate(inverse.tolist()):
        if found[x] is None:
            continue
        theme, pattern = found[x]
        g = groups.setdefault(theme, {"patterns": {}, "first": {}, "measures": 0, "notices": set()})
        g["patterns"][pattern] = g["patterns"].get(pattern, 0) + 1
        g["first"].setdefault(pattern, u)
        g["measures"] += 1
        g["notices"].add(int(units.notice[u]))
    out: list[MeasureTheme] = []
    for theme, g in groups.items():
        ranked = [p for p, _ in sorted(g["patterns"].items(), key=lambda kv: (-kv[1], kv[0]))]
        examples = []
        for p in ranked[:5]:
            u = g["first"][p]
            examples.append(_label(notices[int(units.notice[u])].text[int(units.start[u]) : int(units.end[u])]))
        out.append(
            MeasureTheme(
                theme=theme,
                keywords=tuple(ranked[:10]),
                measures=g["measures"],
                notices=len(g["notices"]),
                units=len({_unit_key(notices[i]) for i in g["notices"]}),
                clusters=tuple(r.cluster for r in clusters if r.theme == theme),
                examples=tuple(examples),
            )
        )
    out.sort(key=lambda r: (-r.notices, -r.measures, r.theme))
    return out
