"""``--force``: files that do not look like notices (``hello world``) are skipped with the reason,
and taken in with ``--force`` by ingest, check and every path-taking analysis command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simtool.cli.app import app
from simtool.store.corpus import iter_parsed, load
from simtool.store.sqlite import Store

runner = CliRunner()
SEEDS = "corpora/seeds"
COUNTY = "corpora/seeds/002_7d8fcde3e44e2eb6.txt"
REASON = "不像整改通报：文件里没有汉字，已跳过（如确需分析，请加 --force）"


def invoke(args: list[str]):  # type: ignore[no-untyped-def]
    return runner.invoke(app, args, prog_name="simtool")


@pytest.fixture
def hello(tmp_path: Path) -> str:
    path = tmp_path / "hello.txt"
    path.write_text("hello world\n", encoding="utf-8")
    return str(path)


def test_library_passes_force_through(hello: str) -> None:
    assert [i.reason for i in iter_parsed([hello]) if not isinstance(i, tuple)] == [REASON]
    forced = list(iter_parsed([hello], force=True))
    assert len(forced) == 1 and isinstance(forced[0], tuple) and forced[0][1][0].text == "hello world"
    assert load([hello]).notices == [] and [s.reason for s in load([hello]).skips] == [REASON]
    assert [n.text for n in load([hello], force=True).notices] == ["hello world"]


def test_ingest_skips_hello_world_without_force_and_takes_it_with(hello: str, tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    res = invoke(["ingest", hello, "--db", db])
    assert res.exit_code == 2
    assert res.stderr == f"跳过 {hello}：{REASON}\n"
    assert (
        res.stdout == f"共处理 1 个文件：导入 0 个（0 篇通报），已存在 0 个，跳过 1 个；库中共有 0 篇通报（{db}）。\n"
    )
    res = invoke(["ingest", hello, "--db", db, "--force"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        f"{hello}：已导入，1 篇通报",
        f"共处理 1 个文件：导入 1 个（1 篇通报），已存在 0 个，跳过 0 个；库中共有 1 篇通报（{db}）。",
    ]
    with Store(db) as store:
        assert [n.text for n in store.notices()] == ["hello world"]


def test_check_takes_hello_world_with_force(hello: str, tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    assert invoke(["ingest", SEEDS, "--db", db, "-q"]).exit_code == 0
    res = invoke(["check", hello, "--db", db])
    assert res.exit_code == 2 and res.stderr == f"错误：无法读取 {hello}：{REASON}\n"
    res = invoke(["check", hello, "--db", db, "--force", "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    (rec,) = [json.loads(line) for line in res.stdout.splitlines()]
    assert rec["notice"] == hello and rec["copy_ratio"] == 0.0 and rec["sources"] == []


@pytest.mark.parametrize("command", ["notices", "dupes", "overlap", "phrases", "clusters", "reuse"])
def test_analysis_commands_take_force(command: str, hello: str) -> None:
    plain = invoke([command, hello, COUNTY, "--format", "jsonl"])
    assert plain.exit_code == 0, plain.output
    assert f"跳过 {hello}：{REASON}" in plain.stderr.splitlines()
    forced = invoke([command, hello, COUNTY, "--format", "jsonl", "--force"])
    assert forced.exit_code == 0, forced.output
    assert hello not in forced.stderr
    if command == "notices":
        assert [json.loads(line)["notice"] for line in plain.stdout.splitlines()] == [COUNTY]
        assert [json.loads(line)["notice"] for line in forced.stdout.splitlines()] == [hello, COUNTY]


def test_show_takes_force(hello: str) -> None:
    res = invoke(["show", hello, hello])
    assert res.exit_code == 2 and res.stderr == f"错误：没有读到任何通报：{hello}：{REASON}\n"
    res = invoke(["show", hello, hello, "--force", "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["notice"] == hello
