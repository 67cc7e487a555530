"""The reviewer's workflow: ``check`` of several files and folders at once (batch screening), one
ranked row per checked notice, ``--fail-above`` per notice, bad files reported and skipped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import simtool
from simtool.cli.app import app
from simtool.report.output import pct

runner = CliRunner()
SEEDS = "corpora/seeds"
COMPILATION = "corpora/seeds/000_80f6373e3b7370b3.txt"
COUNTY = "corpora/seeds/002_7d8fcde3e44e2eb6.txt"
WIDE = {"COLUMNS": "300"}  # table rows on one line each


def invoke(args: list[str]):  # type: ignore[no-untyped-def]
    return runner.invoke(app, args, prog_name="simtool", env=WIDE)


def records(args: list[str]) -> list[dict[str, Any]]:
    res = invoke([*args, "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    return [json.loads(line) for line in res.stdout.splitlines()]


def table_rows(stdout: str) -> list[list[str]]:
    """The body rows of the first table in ``stdout``, as lists of stripped cells."""
    lines = stdout.splitlines()
    body = lines[lines.index(next(ln for ln in lines if ln.startswith("┡"))) + 1 :]
    rows = []
    for ln in body:
        if not ln.startswith("│"):
            break
        rows.append([c.strip() for c in ln.strip("│").split("│")])
    return rows


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("store") / "s.db")
    assert invoke(["ingest", SEEDS, "--db", db, "-q"]).exit_code == 0
    return db


def test_a_folder_gives_one_record_per_notice_in_reading_order(store: str) -> None:
    recs = records(["check", SEEDS, "--db", store])
    ids = [n.id for n in simtool.load([SEEDS]).notices]
    assert [r["notice"] for r in recs] == ids and len(ids) == 18
    for r in recs:
        assert {"chars", "copy_ratio", "copy_ratio_substantive", "max_source_ratio", "sources", "matches"} <= set(r)
        assert {"date", "max_earlier_source", "max_earlier_source_ratio"} <= set(r)
        assert r["notice"] not in {s["notice"] for s in r["sources"]}  # a notice is not its own source
    # several paths: the same records as checking each path alone
    both = records(["check", COUNTY, COMPILATION, "--db", store])
    assert [r["notice"] for r in both] == [COUNTY, *ids[:17]]
    assert both[0] == records(["check", COUNTY, "--db", store])[0]


def test_table_ranks_notices_by_copy_ratio(store: str) -> None:
    recs = records(["check", SEEDS, "--db", store])
    res = invoke(["check", SEEDS, "--db", store, "--limit", "0"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].strip() == "检测结果（18 篇，按总文字复制比从高到低；最大来源只列发布日期更早的通报）"
    header = [c.strip() for c in lines[2].strip("┃").split("┃")]
    assert header == ["通报", "日期", "总文字复制比", "去除套话复制比", "去除引用复制比", "单篇最大复制比", "最大来源"]
    ranked = sorted(recs, key=lambda r: (-r["copy_ratio"], r["notice"]))
    expected = [
        [
            r["notice"],
            r["date"] or "—",
            pct(r["copy_ratio"]),
            pct(r["copy_ratio_substantive"]),
            pct(r.get("copy_ratio_unquoted")),
            pct(r["max_source_ratio"]),
            f"{r['max_earlier_source']}（{pct(r['max_earlier_source_ratio'])}）"
            if r["max_earlier_source"]
            else "同日/日期不详",
        ]
        for r in ranked
    ]
    assert table_rows(res.stdout) == expected
    assert [row[2] for row in expected] == sorted((row[2] for row in expected), key=lambda p: -float(p[:-1]))
    assert "相似来源" not in res.stdout  # the per-notice details only when one notice is checked


def test_one_notice_keeps_the_detailed_view(store: str) -> None:
    (rec,) = records(["check", COUNTY, "--db", store])
    res = invoke(["check", COUNTY, "--db", store, "--limit", "0"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    ratios = [rec["copy_ratio"], rec["copy_ratio_substantive"], rec.get("copy_ratio_unquoted"), rec["max_source_ratio"]]
    assert table_rows(res.stdout) == [[COUNTY, "—", *map(pct, ratios), "同日/日期不详"]]
    assert f"{COUNTY}  县委关于省委巡视反馈意见整改进展情况的通报" in lines
    assert (
        f"  总文字复制比 {rec['copy_ratio']:.1%}    去除套话复制比 {rec['copy_ratio_substantive']:.1%}"
        f"    去除引用复制比 {pct(rec.get('copy_ratio_unquoted'))}"
        f"    单篇最大复制比 {rec['max_source_ratio']:.1%}    重合字数 {rec['shared']} / {rec['chars']}"
    ) in lines
    sources = lines.index(next(ln for ln in lines if ln.strip() == "相似来源"))
    rows = table_rows("\n".join(lines[sources:]))
    assert [r[0] for r in rows] == [s["notice"] for s in rec["sources"]]
    assert [r[3] for r in rows] == [s["date"] or "—" for s in rec["sources"]]


def test_fail_above_applies_to_each_notice(store: str) -> None:
    recs = records(["check", SEEDS, "--db", store])
    ratios = sorted({r["copy_ratio"] for r in recs})
    limit = ratios[-3]  # exactly two notices lie above it
    res = invoke(["check", SEEDS, "--db", store, "--fail-above", str(limit), "--format", "jsonl"])
    assert res.exit_code == 1
    over = [r for r in recs if r["copy_ratio"] > limit]
    assert len(over) == 2
    assert res.stderr.splitlines() == [
        f"{r['notice']}：总文字复制比 {r['copy_ratio']:.1%} 超过 --fail-above {limit:.1%}" for r in over
    ]
    assert len(res.stdout.splitlines()) == 18  # the report is still written in full
    fine = invoke(["check", SEEDS, "--db", store, "--fail-above", str(ratios[-1]), "--format", "jsonl"])
    assert fine.exit_code == 0 and fine.stderr == ""


def test_bad_files_among_good_ones_are_reported_and_skipped(store: str, tmp_path: Path) -> None:
    empty = tmp_path / "空白.txt"
    empty.write_text("", encoding="utf-8")
    missing = str(tmp_path / "没有这个文件.txt")
    res = invoke(["check", str(empty), COUNTY, missing, "--db", store, "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    assert [json.loads(line)["notice"] for line in res.stdout.splitlines()] == [COUNTY]
    assert res.stderr.splitlines() == [
        f"跳过 {empty}：空文件，已跳过",
        f"跳过 {missing}：路径不存在，请检查路径是否写错",
    ]


def test_nothing_readable_is_exit_2(store: str, tmp_path: Path) -> None:
    a, b = str(tmp_path / "a.txt"), str(tmp_path / "b.txt")
    res = invoke(["check", a, b, "--db", store])
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.splitlines() == [
        f"跳过 {a}：路径不存在，请检查路径是否写错",
        f"跳过 {b}：路径不存在，请检查路径是否写错",
        "错误：没有读到任何通报（跳过 2 个文件），请检查路径和文件格式",
    ]
    one = invoke(["check", a, "--db", store])
    assert one.exit_code == 2 and one.stderr == f"错误：无法读取 {a}：路径不存在，请检查路径是否写错\n"
