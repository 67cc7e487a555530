"""``simtool dupes`` on the terminal lists pairs as a reviewer reads them: copied problems and measures
first, the longest first; framing next; 套话 last (``simtool.report.reading``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import simtool
from simtool.analyses.dupes import pair_records
from simtool.analyses.phrases import corpus_formulaic
from simtool.cli.app import app
from simtool.core.spans import merge_spans
from simtool.report.reading import FORMULA_SHARE, SUBSTANCE, formula_part, reading_order

SEEDS = Path(__file__).resolve().parent.parent / "corpora" / "seeds"
OPENING = "现将巡察整改进展情况予以公布。"


@pytest.fixture(scope="module")
def ordered() -> list[tuple[bool, dict]]:
    notices = simtool.load([str(SEEDS)]).notices
    records = list(pair_records(notices, simtool.find_matches(notices, scope="cross")))
    spans = {k: merge_spans(v) for k, v in corpus_formulaic(notices).items()}
    return reading_order(records, lambda nid: spans.get(nid, []))


def test_formula_part_counts_the_covered_share() -> None:
    assert formula_part([(0, 4), (6, 8)], 2, 8) == round(4 / 6, 4)
    assert formula_part([(0, 4)], 4, 9) == 0.0
    assert formula_part([(10, 20)], 0, 30) == round(10 / 30, 4)
    assert formula_part([], 0, 5) == 0.0 and formula_part([(0, 5)], 3, 3) == 0.0


def test_seed_pairs_come_substance_first_longest_first_formulas_last(ordered: list[tuple[bool, dict]]) -> None:
    def tier(formula: bool, r: dict) -> int:
        substance = r["a"]["segment"] in SUBSTANCE or r["b"]["segment"] in SUBSTANCE
        return 2 if formula else 0 if substance else 1

    tiers = [tier(f, r) for f, r in ordered]
    assert tiers == sorted(tiers) and {0, 1, 2} <= set(tiers)  # the seeds have all three kinds
    for (f1, r1), (f2, r2) in zip(ordered, ordered[1:]):
        if tier(f1, r1) == tier(f2, r2):
            size = [r["a"]["end"] - r["a"]["start"] + r["b"]["end"] - r["b"]["start"] for r in (r1, r2)]
            assert size[0] >= size[1]
    assert not ordered[0][0] and ordered[-1][0]
    assert sum(f for f, _ in ordered) > 100  # the seeds' formulas are most of their pairs


def test_a_formula_pair_lies_in_its_notices_formula_spans(ordered: list[tuple[bool, dict]]) -> None:
    notices = {n.id: n for n in simtool.load([str(SEEDS)]).notices}
    spans = {k: merge_spans(v) for k, v in corpus_formulaic(list(notices.values())).items()}
    for formula, r in ordered:
        parts = [formula_part(spans.get(r[s]["notice"], []), r[s]["start"], r[s]["end"]) for s in "ab"]
        assert formula == (max(parts) >= FORMULA_SHARE)
    assert any(OPENING in r["a"]["text"] for f, r in ordered if f)


def test_the_terminal_table_opens_with_copied_measures_not_the_opening_formula() -> None:
    out = CliRunner().invoke(app, ["dupes", str(SEEDS), "--limit", "10"])
    assert out.exit_code == 0, out.output
    assert "问题和措施在前" in out.output and "套话在后" in out.output
    assert OPENING not in out.output.replace("\n", "").replace("│", "").replace(" ", "")
    full = CliRunner().invoke(app, ["dupes", str(SEEDS), "--limit", "0"]).output
    assert full.count("套话") > 100 and full.index("套话", full.index("┡")) > full.index("贯彻落实")
