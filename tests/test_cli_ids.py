"""``#N`` notice ids: the notice's 1-based position in the list ``simtool notices`` prints for the
same paths or store (the number the report shows), accepted by ``show`` and ``compare``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simtool.cli.app import app

runner = CliRunner()
SEEDS = "corpora/seeds"
COUNTY = "corpora/seeds/002_7d8fcde3e44e2eb6.txt"


def records(args: list[str]) -> list[dict]:
    res = runner.invoke(app, [*args, "--format", "jsonl"], prog_name="simtool")
    assert res.exit_code == 0, res.output
    return [json.loads(line) for line in res.stdout.splitlines()]


@pytest.fixture(scope="module")
def listed() -> list[str]:
    return [r["notice"] for r in records(["notices", SEEDS])]


def test_show_accepts_the_position(listed: list[str]) -> None:
    assert len(listed) == 18
    (rec,) = records(["show", "#5", SEEDS])
    assert rec["notice"] == listed[4] == "corpora/seeds/000_80f6373e3b7370b3.txt#5"
    (last,) = records(["show", "#18", SEEDS])
    assert last["notice"] == listed[17]


def test_the_notices_table_prints_the_numbers_show_takes(listed: list[str]) -> None:
    res = runner.invoke(app, ["notices", SEEDS], prog_name="simtool", env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "序号" in res.output
    numbers = [line.split("│")[1].strip() for line in res.output.splitlines() if line.startswith("│ #")]
    assert numbers == [f"#{k}" for k in range(1, 19)]
    assert "no" not in records(["notices", SEEDS])[0]  # the JSONL record stays as design.md has it
    (tenth,) = records(["show", numbers[9], SEEDS])
    assert tenth["notice"] == listed[9]


def test_position_with_a_single_path_and_full_ids_still_work() -> None:
    (county,) = records(["show", "#1", COUNTY])
    assert county["notice"] == COUNTY
    (fifth,) = records(["show", "corpora/seeds/000_80f6373e3b7370b3.txt#5", "corpora/seeds/000_80f6373e3b7370b3.txt"])
    assert fifth["notice"] == "corpora/seeds/000_80f6373e3b7370b3.txt#5"
    (same,) = records(["show", "#5", "corpora/seeds/000_80f6373e3b7370b3.txt"])
    assert same["notice"] == fifth["notice"]


def test_compare_accepts_positions(listed: list[str]) -> None:
    (rec,) = records(["compare", "#1", "#3", SEEDS])
    assert (rec["a"], rec["b"]) == (listed[0], listed[2])
    (full,) = records(["compare", listed[0], listed[2], SEEDS])
    assert full == rec


def test_positions_follow_the_store_order(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    assert runner.invoke(app, ["ingest", SEEDS, "--db", db, "-q"]).exit_code == 0
    in_store = [r["notice"] for r in records(["notices", "--db", db])]
    (rec,) = records(["show", "#2", "--db", db])
    assert rec["notice"] == in_store[1]


@pytest.mark.parametrize("ref", ["#19", "#0"])
def test_out_of_range_is_a_chinese_error(ref: str) -> None:
    res = runner.invoke(app, ["show", ref, SEEDS], prog_name="simtool")
    assert res.exit_code == 2
    assert res.stdout == ""
    k = ref[1:]
    assert res.stderr == f"错误：没有第 {k} 篇通报：共 18 篇，请用 #1 到 #18（顺序同 simtool notices）\n"
    res = runner.invoke(app, ["compare", "#1", ref, SEEDS], prog_name="simtool")
    assert res.exit_code == 2
    assert res.stderr == f"错误：没有第 {k} 篇通报：共 18 篇，请用 #1 到 #18（顺序同 simtool notices）\n"
