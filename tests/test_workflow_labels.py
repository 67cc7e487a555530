"""Problems keep the numbers the notice prints (``Segment.label``): the item's own number after the
numbers of the item headings above it (``（二）12.``), shown by ``simtool show`` and kept through
the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import simtool
from simtool.cli.app import app
from simtool.read.parse import notices_from_text, problem_label
from simtool.store.corpus import with_labels
from simtool.store.sqlite import Store

runner = CliRunner()
SEEDS = "corpora/seeds"
TEXT = "\n".join(
    [
        "某县审计局党组关于巡察整改进展情况的通报",
        "根据县委统一部署，县委第二巡察组对县审计局党组开展了常规巡察。",
        "一、整改工作组织情况",
        "党组高度重视，成立整改工作领导小组。",
        "二、问题整改情况",
        "（一）关于理论学习的问题",
        "1.理论学习不深入。",
        "整改情况：一是制定年度学习计划。二是建立学习台账。",
        "2.学用结合不紧密。",
        "整改情况：组织专题研讨。",
        "（二）关于财务管理的问题",
        "12.报销审核不严格。",
        "整改情况：修订报销管理办法。",
        "（3）票据管理不规范。",
        "整改情况：建立票据登记制度。",
        "（三）干部队伍建设滞后。",
        "整改情况：制定干部培训计划。",
        "欢迎广大干部群众对巡察整改落实情况进行监督。",
        "某县审计局党组",
        "2023年9月1日",
    ]
)


def test_problems_carry_their_printed_numbers() -> None:
    (n,), _ = notices_from_text(TEXT, "a.txt")
    problems = [s for s in n.segments if s.kind == "problem"]
    assert [(s.label, s.text) for s in problems] == [
        ("（一）1.", "1.理论学习不深入。"),
        ("（一）2.", "2.学用结合不紧密。"),
        ("（二）12.", "12.报销审核不严格。"),
        ("（二）（3）", "（3）票据管理不规范。"),
        ("（三）", "（三）干部队伍建设滞后。"),
    ]
    assert [s.problem for s in problems] == [1, 2, 3, 4, 5]
    assert all(s.label is None for s in n.segments if s.kind != "problem")
    assert all(n.text[s.start : s.end] == s.text for s in n.segments)


def test_label_is_derived_from_heading_and_text_alone() -> None:
    assert problem_label(("二、问题整改情况", "（一）关于学习的问题"), "1.学习不深入。") == "（一）1."
    assert problem_label(("二、问题整改情况",), "关于学习不深入的问题。") is None  # printed without a number
    assert problem_label((), "（ 二 ）学习不深入。") == "（二）"  # white space inside the number dropped
    assert problem_label(("二、整改情况", "(一)关于学习", "1.学习不扎实"), "一是学习不深。") == "(一)1.一是"
    for n in simtool.load([SEEDS]).notices:
        for s in n.segments:
            if s.kind == "problem":
                assert s.label == problem_label(s.heading, s.text)


def test_seed_labels_restart_under_each_group(seeds: simtool.Loaded) -> None:
    by_id = {n.id: n for n in seeds.notices}
    labels = [s.label for s in by_id["corpora/seeds/000_80f6373e3b7370b3.txt#3"].segments if s.kind == "problem"]
    assert labels[:6] == ["（一）1.", "（一）2.", "（一）3.", "（二）1.", "（二）2.", "（二）3."]
    labels = [s.label for s in by_id["corpora/seeds/000_80f6373e3b7370b3.txt#9"].segments if s.kind == "problem"]
    assert labels[:3] == ["(一)1.一是", "(一)1.二是", "(一)2.一是"]


@pytest.fixture
def notice_file(tmp_path: Path) -> str:
    path = tmp_path / "a.txt"
    path.write_text(TEXT + "\n", encoding="utf-8")
    return str(path)


def test_show_prints_the_labels(notice_file: str) -> None:
    res = runner.invoke(app, ["show", notice_file, notice_file, "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    segments = json.loads(res.stdout)["segments"]
    assert [s["label"] for s in segments if s["kind"] == "problem"] == [
        "（一）1.",
        "（一）2.",
        "（二）12.",
        "（二）（3）",
        "（三）",
    ]
    assert all(s["label"] is None for s in segments if s["kind"] != "problem")
    table = runner.invoke(app, ["show", notice_file, notice_file], env={"COLUMNS": "300"})
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    header = next(ln for ln in lines if ln.startswith("┃"))
    assert [c.strip() for c in header.strip("┃").split("┃")] == ["类型", "问题号", "原编号", "位置", "内容"]
    rows = [[c.strip() for c in ln.strip("│").split("│")] for ln in lines if ln.startswith("│")]
    assert [r[1:3] for r in rows if r[0] == "问题"] == [
        ["1", "（一）1."],
        ["2", "（一）2."],
        ["3", "（二）12."],
        ["4", "（二）（3）"],
        ["5", "（三）"],
    ]


def test_labels_survive_the_store(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    assert runner.invoke(app, ["ingest", SEEDS, "--db", db, "-q"]).exit_code == 0
    parsed = simtool.load([SEEDS]).notices
    with Store(db) as store:
        stored = list(store.notices())
    assert [with_labels(n) for n in stored] == parsed  # the store keeps heading and text: the label follows
    ref = "corpora/seeds/000_80f6373e3b7370b3.txt#17"
    from_store = runner.invoke(app, ["show", ref, "--db", db, "--format", "jsonl"])
    from_files = runner.invoke(app, ["show", ref, SEEDS, "--format", "jsonl"])
    assert from_store.exit_code == 0 and from_store.stdout == from_files.stdout
    assert '"label":"（一）1.（1）"' in from_store.stdout


def test_reuse_names_problems_by_their_printed_numbers(seeds: simtool.Loaded) -> None:
    res = CliRunner().invoke(app, ["reuse", "corpora/seeds", "--format", "jsonl"], prog_name="simtool")
    assert res.exit_code == 0, res.output
    findings = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    assert findings
    by_id = {n.id: n for n in seeds.notices}
    printed = 0
    for f in findings:
        labels = {
            s.problem: s.label for s in by_id[f["notice"]].segments if s.kind == "problem" and s.problem is not None
        }
        assert f["problem_labels"] == [labels.get(p) or f"第{p}个" for p in f["problems"]]
        for o in f["occurrences"]:
            assert o["problem_label"] == (labels.get(o["problem"]) or f"第{o['problem']}个")
        printed += sum(labels.get(p) is not None for p in f["problems"])
    assert printed > 10  # the seeds print their problems' numbers
    table = CliRunner().invoke(app, ["reuse", "corpora/seeds"], prog_name="simtool", env={"COLUMNS": "300"})
    assert "（五）21.、（五）22." in table.stdout
