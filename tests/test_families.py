"""Near-identical families: a formula written a little differently in every notice is one star, linear in size.

The star is checked against the slow reference: every pair among the family's texts that the engine
finds without families (max_family large) is implied by the family (both texts members) or still reported.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

import simtool
from cli_helpers import jsonl_twice, runner
from simtool.analyses.dupes import family_records, pair_records
from simtool.cli.app import app
from simtool.match.engine import find_matches
from simtool.match.families import components, find_families
from simtool.match.units import collapse
from simtool.match.verify import similarity

OPENINGS = ("如有意见建议", "若有意见建议", "如有意见和建议", "如有任何意见建议")
REQUESTS = ("请及时向我们反映", "请向我们反映", "请及时向我单位反映", "欢迎及时向我们反映")


def _variant(k: int) -> str:
    return f"{OPENINGS[k % 4]}，{REQUESTS[(k // 4) % 4]}。"


def _notices(tmp_path: Path, count: int) -> list[simtool.Notice]:
    for k in range(count):
        (tmp_path / f"n{k:03d}.txt").write_text(
            f"第{k}局党组关于巡察整改进展情况的通报\n根据区委统一部署，区委第二巡察组对第{k}局党组进行了巡察。\n"
            f"一、问题整改情况\n1.问题一存在不足\n整改情况：一是本单位第{k}项独有的整改措施，内容编号{k * 7919}各不相同。\n"
            f"欢迎广大干部群众对巡察整改落实情况进行监督。{_variant(k)}\n第{k}局党组\n2023年8月1日\n",
            encoding="utf-8",
        )
    return simtool.load([str(tmp_path)]).notices


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> list[simtool.Notice]:
    return _notices(tmp_path_factory.mktemp("variants"), 120)


def _closing(records: list[dict], text: str = "反映") -> list[dict]:
    return [r for r in records if text in r["a"]["text"] and text in r["b"]["text"]]


def test_formula_variants_are_one_star(variants: list[simtool.Notice]) -> None:
    m = find_matches(variants, min_sim=0.8, scope="cross", max_family=50)
    closing = _closing(list(pair_records(variants, m)))
    assert 0 < len(closing) <= 2 * len(variants)  # linear, not 120·119/2
    star = [r for r in closing if "family" in r]
    assert len({r["family"] for r in star}) >= 1
    for r in star:  # every star pair is verified against the representative
        assert similarity(simtool.normalize(r["a"]["text"]), simtool.normalize(r["b"]["text"])) >= 0.8 - 1e-9
        assert r["family_size"] > 50
    everywhere = find_matches(variants, min_sim=0.8, scope="cross", max_family=10_000)
    assert len(_closing(list(pair_records(variants, everywhere)))) > 10 * len(closing)


def test_star_implies_every_pair_the_slow_engine_finds(variants: list[simtool.Notice]) -> None:
    fast = find_matches(variants, min_sim=0.8, scope="all", max_family=50)
    slow = find_matches(variants, min_sim=0.8, scope="all", max_family=10_000)
    texts, inv = collapse(slow.units.text)
    assert (fast.units.text == slow.units.text) and not (slow.unit_family >= 0).any()
    family_of = np.full(len(texts), -1)
    family_of[inv] = fast.unit_family

    def key(t: int) -> tuple[str, int]:  # a family stands for all its texts
        return ("family", int(family_of[t])) if family_of[t] >= 0 else ("text", t)

    found = {(key(a), key(b)) for a, b in zip(inv[fast.a].tolist(), inv[fast.b].tolist())}
    found |= {(b, a) for a, b in found}
    missed = [
        (texts[a], texts[b])
        for a, b in set(zip(inv[slow.a].tolist(), inv[slow.b].tolist()))
        if a != b and key(a) != key(b) and (key(a), key(b)) not in found
    ]
    assert len(slow) > 3 * len(fast) and not missed


def test_family_records_list_every_wording(variants: list[simtool.Notice]) -> None:
    m = find_matches(variants, min_sim=0.8, scope="cross", max_family=50)
    fams = family_records(variants, m)
    closing = [f for f in fams if "反映" in f["representative"]["text"]]
    assert closing
    top = closing[0]
    assert top["units"] == sum(v["count"] for v in top["variants"]) > 50
    assert top["wordings"] == len(top["variants"]) >= 2
    assert top["notices"] <= top["units"]
    assert top["variants"][0]["score"] == 1.0 and all(v["score"] >= 0.8 for v in top["variants"])
    assert all("，" in v["text"] for v in top["variants"])  # the notices' own wording, not the normalized text


def test_seed_closing_formulas_form_families() -> None:
    seeds = simtool.load(["corpora/seeds"]).notices
    fams = family_records(seeds, find_matches(seeds, min_sim=0.8, scope="cross", max_family=10))
    texts = [f["representative"]["text"] for f in fams]
    assert any(t.startswith("如有意见建议") for t in texts)
    assert any(t.startswith("欢迎广大干部群众对巡察整改落实情况进行监督") for t in texts)


def test_leaders_never_chain_dissimilar_texts() -> None:
    # a chain a–b–c where a and c are not similar: c may not join a's family
    base = "欢迎广大干部群众对巡察整改落实情况进行监督"
    texts = [base + "。", base + "和评议。", base + "和评议，如有建议请反映。"]
    sizes = np.array([40, 20, 20])
    fams = find_families(texts, sizes, np.array([0, 1]), np.array([1, 2]), 0.9, 50)
    for t, lead in enumerate(fams.leader.tolist()):
        if lead >= 0:
            assert similarity(texts[t], texts[lead]) >= 0.9
    assert fams.leader[0] == 0


def test_components_against_union_find() -> None:
    rng = np.random.default_rng(3)
    n = 200
    a, b = rng.integers(0, n, 150), rng.integers(0, n, 150)
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for x, y in zip(a.tolist(), b.tolist()):
        parent[max(root(x), root(y))] = min(root(x), root(y))
    lab = components(n, a, b).tolist()
    for x, y in itertools.combinations(range(0, n, 7), 2):
        assert (lab[x] == lab[y]) == (root(x) == root(y))


def test_cli_families_on_the_seeds() -> None:
    recs = jsonl_twice(["dupes", "corpora/seeds", "--db", ":memory:", "--families", "--max-family", "10"])
    assert recs and all(r["variants"] for r in recs)
    # a family of wordings is used more than --max-family times; a clause held by many longer
    # sentences (containment hub) is a family too, and says how many units hold it
    assert all(r["units"] > 10 for r in recs if r["wordings"] > 1)
    assert any(r["inside"] > 0 for r in recs) and all(
        r["units"] == r["inside"] + sum(v["count"] for v in r["variants"]) for r in recs
    )
    assert [r["units"] for r in recs] == sorted((r["units"] for r in recs), reverse=True)
    table = runner.invoke(app, ["dupes", "corpora/seeds", "--db", ":memory:", "--families", "--max-family", "10"])
    assert table.exit_code == 0 and "近似句族" in table.output and "如有意见建议" in table.output


@pytest.mark.parametrize("max_family", [5, 50])
def test_pair_lines_are_the_jsonl_of_the_pair_records(
    seeds: simtool.Loaded, max_family: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simtool.analyses import dupes
    from simtool.report.rows import jsonl_line

    m = find_matches(seeds.notices, min_sim=0.8, scope="all", max_family=max_family)
    expected = [jsonl_line(r) for r in pair_records(seeds.notices, m)]
    assert len(expected) > 100 and any('"family"' in line for line in expected) == (max_family == 5)
    assert list(dupes.pair_lines(seeds.notices, m)) == expected
    monkeypatch.setattr(dupes._Sides, "LIMIT", 3)  # the side cache forgets and makes them again
    assert list(dupes.pair_lines(seeds.notices, m)) == expected
    cli = runner.invoke(
        app,
        [
            "dupes",
            "corpora/seeds",
            "--db",
            ":memory:",
            "--scope",
            "all",
            "--max-family",
            str(max_family),
            "--format",
            "jsonl",
        ],
    )
    assert cli.exit_code == 0 and cli.output.splitlines() == expected


def test_pair_lines_a_few_rows_at_a_time_equal_all_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from simtool.analyses import dupes

    notices = simtool.load(["corpora/seeds"]).notices
    m = find_matches(notices, min_sim=0.8, scope="cross")
    whole = list(dupes.pair_lines(notices, m))
    monkeypatch.setattr(dupes, "ROWS_AT_ONCE", 7)
    assert len(whole) > 100 and list(dupes.pair_lines(notices, m)) == whole


def test_pair_text_on_two_processes_is_the_pair_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """``dupes --format jsonl`` formats slices of pairs on forked workers: the text is the lines of
    ``pair_lines``, in order, byte for byte."""
    from simtool.analyses import dupes, pair_text

    notices = simtool.load(["corpora/seeds"]).notices
    m = find_matches(notices, min_sim=0.8, scope="all", max_family=5)
    expected = "".join(line + "\n" for line in dupes.pair_lines(notices, m)).encode("utf-8")
    monkeypatch.setattr(dupes, "ROWS_AT_ONCE", 50)
    monkeypatch.setattr(pair_text, "POOL_MIN_ROWS", 0)
    blocks = list(pair_text.pair_text(notices, m, jobs=2))
    assert len(blocks) > 10 and b"".join(blocks) == expected
    assert b"".join(pair_text.pair_text(notices, m, jobs=1)) == expected
