"""Measure families (措施族) and themes on the real seeds and on an edited-copies corpus.

Fast paths are checked against slow references: sparse average linkage against a dense UPGMA,
numpy components against union-find; cluster cohesion against brute-force rapidfuzz verification.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import simtool
from simtool.analyses import clusters as cl
from simtool.analyses.clusters import (
    MeasureCluster,
    average_linkage,
    cluster_records,
    components,
    stars,
    theme_of,
    theme_records,
)
from simtool.analyses.records import Excerpt
from simtool.analyses.reuse import measure_units
from simtool.cli.app import app
from simtool.match.verify import verify
from simtool.report.output import record_dict

SEED_A = "corpora/seeds/000_80f6373e3b7370b3.txt"
FIELDS = {"cluster", "size", "notices", "units", "label", "members", "theme", "unit_names"}


@pytest.fixture(scope="module")
def seed_clusters(seeds: simtool.Loaded) -> list[MeasureCluster]:
    return cluster_records(seeds.notices)


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory, seeds: simtool.Loaded) -> simtool.Loaded:
    """Every seed notice plus three copies with ~3 % of its Chinese characters changed or dropped."""
    out = tmp_path_factory.mktemp("copies")
    rng = random.Random(7)
    pool = [c for n in seeds.notices for c in n.text if "\u4e00" <= c <= "\u9fff"]
    for k, n in enumerate(seeds.notices):
        (out / f"{k:03d}_0.txt").write_text(n.text, encoding="utf-8")
        for c in range(1, 4):
            chars = list(n.text)
            for i, ch in enumerate(chars):
                if "\u4e00" <= ch <= "\u9fff":
                    r = rng.random()
                    chars[i] = rng.choice(pool) if r < 0.02 else ("" if r < 0.03 else ch)
            (out / f"{k:03d}_{c}.txt").write_text("".join(chars), encoding="utf-8")
    return simtool.load([str(out)])


def verified_matrix(texts: list[str], min_sim: float) -> np.ndarray:
    """Brute force: the verified score of every pair (0 when not verified), 1 on the diagonal."""
    n = len(texts)
    pairs = np.array(list(itertools.combinations(range(n), 2)), dtype=np.int64).reshape(-1, 2)
    ver = verify(texts, pairs, min_sim, require_runs=False)  # as clusters verify
    m = np.eye(n)
    m[ver.i, ver.j] = ver.score
    m[ver.j, ver.i] = ver.score
    return m


def member_texts(rec: MeasureCluster) -> list[str]:
    return [simtool.normalize(m.text) for m in rec.members]


# --- the seeds ------------------------------------------------------------------------------


def test_cross_unit_family_on_seeds(seeds: simtool.Loaded, seed_clusters: list[MeasureCluster]) -> None:
    """召开支委会及D员大会，学习《…支部工作条例》 (XX街道D工委) ~ 学习《…支部工作条例》、… (统计局D组)."""
    fam = [r for r in seed_clusters if r.label.startswith("召开支委会及D员大会，学习《中国共产D支部工作条例（试行）》")]
    assert len(fam) == 1
    rec = fam[0]
    assert rec.units >= 2 and rec.notices == 2
    assert {"XX街道D工委", "统计局D组"} <= set(rec.unit_names)
    assert {m.notice for m in rec.members} == {f"{SEED_A}#1", f"{SEED_A}#17"}
    assert any(
        m.text.startswith("学习《中国共产D支部工作条例（试行）》、《中国共产D发展D员工作细则》") for m in rec.members
    )
    assert rec.theme == "会议"


def test_records_contract_and_spans(seeds: simtool.Loaded, seed_clusters: list[MeasureCluster]) -> None:
    by_id = {n.id: n for n in seeds.notices}
    assert seed_clusters and all(r.units >= 2 for r in seed_clusters[:3])
    for k, r in enumerate(seed_clusters, 1):
        assert set(record_dict(r)) == FIELDS and r.cluster == f"C{k}"
        assert r.size == len(r.members) and r.notices == len({m.notice for m in r.members}) >= 2
        assert len(r.label) <= 40 and list(r.unit_names) == sorted(set(r.unit_names))
        for m in r.members:
            assert isinstance(m, Excerpt)
            assert by_id[m.notice].text[m.start : m.end] == m.text
            assert not m.text.startswith(("一是", "二是", "三是", "第一，"))  # ordinal cut off
    keys = [(-r.notices, -r.size, r.label) for r in seed_clusters]
    assert keys == sorted(keys)


def test_average_linkage_does_not_chain_what_components_join(seeds: simtool.Loaded) -> None:
    """In notice #1 工会制度 ~ 财务管理制度 ~ 集体学习 form one connected component; the clusters keep
    集体学习 apart from 工会制度."""
    recs = cluster_records(seeds.notices, min_notices=1)
    study = [r for r in recs if any(m.text.startswith("组织财务人员进行集体学习") for m in r.members)]
    assert len(study) == 1
    texts = [m.text for m in study[0].members]
    assert not any("工会" in t for t in texts)
    union = [r for r in recs if any("制定完善街道工会相关制度" in m.text for m in r.members)]
    assert len(union) == 1 and union[0] is not study[0]


def test_deterministic(seeds: simtool.Loaded, seed_clusters: list[MeasureCluster]) -> None:
    assert cluster_records(seeds.notices) == seed_clusters
    assert theme_records(seeds.notices, clusters=seed_clusters) == theme_records(seeds.notices, clusters=seed_clusters)


def test_cli_clusters_jsonl() -> None:
    runs = [CliRunner().invoke(app, ["clusters", "corpora/seeds", "--format", "jsonl"]) for _ in range(2)]
    assert all(r.exit_code == 0 for r in runs), runs[0].output
    assert runs[0].stdout == runs[1].stdout
    lines = [json.loads(x) for x in runs[0].stdout.splitlines()]
    assert lines and all(set(r) == FIELDS for r in lines)
    assert all(set(m) == {"notice", "start", "end", "text"} for r in lines for m in r["members"])


# --- themes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("组织财务人员进行集体学习", "学习"),
        ("在街道党工委会议和街居干部会议上,传达学习区机关效能相关通报", "会议"),
        ("召开支委会及党员大会,学习《中国共产党支部工作条例(试行)》", "会议"),
        ("召开党风廉政建设工作会议,督促街道社区做好党风廉政建设相关工作", "会议"),
        ("根据上级相关规定和街道实际情况,完善了街居财务管理制度", "制度"),
        ("制定《XX街道干部职工“八小时以外”行为监督管理办法(试行)》", "制度"),
        ("落实物管专员对小区日常巡查制度,建立巡查走访台账", "制度"),
        ("加大对老旧小区的巡查,建立巡查记录台账", "督查"),
        ("调整领导班子成员分工", None),
    ],
)
def test_theme_of(text: str, theme: str | None) -> None:
    found = theme_of(text)
    assert (found[0] if found else None) == theme


def test_theme_level_groups_differently_phrased_measures(
    seeds: simtool.Loaded, seed_clusters: list[MeasureCluster]
) -> None:
    themes = {t.theme: t for t in theme_records(seeds.notices, clusters=seed_clusters)}
    study = themes["学习"]
    assert study.notices >= 10 and study.units >= 8 and study.measures >= 50
    verbs = {k.split("…")[0] for k in study.keywords if "…" in k}
    assert {"组织", "开展", "传达"} <= verbs  # 组织……学习, 开展……学习, 传达……学习 in one theme
    texts = [simtool.normalize(e.rstrip("…")) for e in study.examples]
    assert len(texts) == 5
    assert verified_matrix(texts, 0.6).sum() == len(texts)  # no two examples are near-duplicates
    for rec in seed_clusters:  # every cluster is listed under its own theme
        if rec.theme is not None:
            assert rec.cluster in themes[rec.theme].clusters
    meeting = themes["会议"]
    assert {"C1", "C3"} <= set(meeting.clusters) and len({k.split("…")[-1] for k in meeting.keywords}) >= 5


# --- the edited-copies corpus: no giant chained cluster -------------------------------------


def test_no_giant_cluster_and_cohesion(copies: simtool.Loaded) -> None:
    min_sim = 0.6
    recs = cluster_records(copies.notices, min_sim=min_sim)
    total = sum(r.size for r in recs)
    assert len(recs) > 300 and total > 1000
    assert max(r.size for r in recs) < 0.3 * total
    assert max(r.size for r in recs) <= 20  # raw connected components reach 35 here
    worst_member = 1.0
    for r in recs:
        m = verified_matrix(member_texts(r), min_sim)
        k = len(m)
        # average linkage invariant: mean verified similarity of all pairs ≥ min-sim
        assert (m.sum() - k) / (k * (k - 1)) >= min_sim - 1e-6, r.label
        worst_member = min(worst_member, float(((m.sum(axis=1) - 1) / (k - 1)).min()))
    assert worst_member >= 0.5  # raw connected components: 0.08
    # copies of one measure end up together: the seed's 集体学习 measure of notice #1 and its copies
    study = [r for r in recs if r.label.startswith("组织财务人员进行集体学习")]
    assert study and study[0].notices >= 4


def test_star_fallback_for_huge_components(copies: simtool.Loaded, monkeypatch: pytest.MonkeyPatch) -> None:
    units = measure_units(copies.notices)
    g = cl.similarity_graph(units, min_sim=0.6)
    monkeypatch.setattr(cl, "DENSE_NODES", 3)
    label = cl.cluster_nodes(g, 0.6)
    linked = set(zip(g.a.tolist(), g.b.tolist()))
    sizes = np.bincount(label)
    assert sizes.max() > 3  # stars were drawn
    for c in np.flatnonzero(sizes > 3).tolist():
        members = np.flatnonzero(label == c).tolist()
        assert all(x == c or (min(x, c), max(x, c)) in linked for x in members)  # a star around c


# --- fast paths against slow references -----------------------------------------------------


def dense_upgma(weight: list[float], edges: list[tuple[int, int, float]], min_sim: float) -> set[frozenset[int]]:
    n = len(weight)
    s = np.zeros((n, n))
    for i, j, v in edges:
        s[i, j] = s[j, i] = v
    groups = [[x] for x in range(n)]
    while True:
        best, pair = -1.0, None
        for a, b in itertools.combinations(range(len(groups)), 2):
            tot = sum(weight[x] * weight[y] * s[x, y] for x in groups[a] for y in groups[b])
            avg = tot / (sum(weight[x] for x in groups[a]) * sum(weight[y] for y in groups[b]))
            if avg > best:
                best, pair = avg, (a, b)
        if pair is None or best < min_sim:
            return {frozenset(g) for g in groups}
        a, b = pair
        groups[a] = groups[a] + groups[b]
        del groups[b]


def partition(label: list[int]) -> set[frozenset[int]]:
    out: dict[int, set[int]] = {}
    for x, c in enumerate(label):
        out.setdefault(c, set()).add(x)
    return {frozenset(v) for v in out.values()}


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 9), st.integers(0, 2**32 - 1))
def test_average_linkage_equals_dense_upgma(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    weight = rng.integers(1, 4, n).astype(float).tolist()
    edges = [(i, j, float(rng.uniform(0.6, 1.0))) for i, j in itertools.combinations(range(n), 2) if rng.random() < 0.5]
    assert partition(average_linkage(weight, edges, 0.6)) == dense_upgma(weight, edges, 0.6)


def test_average_linkage_breaks_a_chain() -> None:
    path = [(k, k + 1, 0.9) for k in range(5)]
    assert len(partition(average_linkage([1.0] * 6, path, 0.6))) == 3
    assert len(partition(stars([1.0] * 6, path))) >= 2


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 30), st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)), max_size=40))
def test_components_equal_union_find(n: int, raw: list[tuple[int, int]]) -> None:
    pairs = [(a % n, b % n) for a, b in raw]
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    lab = components(n, a, b).tolist()
    assert partition(lab) == partition([find(x) for x in range(n)])
    assert all(lab[x] == min(y for y in range(n) if lab[y] == lab[x]) for x in range(n))


def test_measure_units_cut_ordinals(seeds: simtool.Loaded) -> None:
    units = measure_units(seeds.notices)
    texts = set(units.text)
    assert "组织财务人员进行集体学习。" in texts and "二是组织财务人员进行集体学习。" not in texts
    assert all(len(t) >= 8 for t in units.text)
    for ni, s, e in zip(units.notice.tolist()[:200], units.start.tolist()[:200], units.end.tolist()[:200]):
        assert seeds.notices[ni].text[s:e].strip() == seeds.notices[ni].text[s:e]


def test_cli_clusters_missing_path_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["clusters", str(tmp_path / "missing.txt"), "--format", "jsonl"])
    assert result.exit_code == 2


def test_doctests() -> None:
    import doctest

    import simtool.analyses.reuse

    for module in (cl, simtool.analyses.reuse):
        assert doctest.testmod(module).failed == 0
