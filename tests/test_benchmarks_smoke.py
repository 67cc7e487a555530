"""The benchmark's smoke run (benchmarks/run.py --smoke): 30 generated notices end to end.

It generates the notices (benchmarks/synth.py), ingests them into a fresh store, runs all-pairs dupes from the
store and from the files, checks one notice, and compares simtool with the brute-force rapidfuzz oracle and the
datasketch pipeline on the same texts.  The assertions are real: recall against the oracle ≥ 0.98 and every
reported pair's score, recomputed with rapidfuzz, really ≥ min-sim.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_run_module():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def smoke() -> dict:
    bench = _load_run_module()
    result = bench.run(bench.smoke_settings())
    return {"result": result, "summary": bench.smoke_summary(result)}


def test_every_stage_ran(smoke: dict) -> None:
    assert "failed" not in smoke["summary"], smoke["summary"]


def test_recall_against_brute_force_oracle(smoke: dict) -> None:
    s = smoke["summary"]
    assert s["oracle_pairs"] > 100  # the subset really holds near-duplicates to find
    assert s["recall_vs_oracle"] >= 0.98
    assert s["find_matches_recall_vs_oracle"] >= 0.98


def test_every_reported_pair_is_really_similar(smoke: dict) -> None:
    s = smoke["summary"]
    assert s["precision"] == 1.0
    assert s["precision_subset"] == 1.0


def test_ground_truth_copies_are_found(smoke: dict) -> None:
    gt = smoke["result"]["dupes_files"]["ground_truth"]
    assert gt["unresolved"] == 0  # every truth span is where the generator said it is
    assert gt["detectable"] > 500
    assert gt["recall_detectable"] >= 0.8


def test_peers_ran_on_the_same_texts(smoke: dict) -> None:
    o = smoke["result"]["oracle"]
    assert o["datasketch"]["candidates"] > 0
    assert o["simtool"]["candidates"] > 0
    assert o["agreement"]["both"] > 0.9 * o["oracle_pairs"]
