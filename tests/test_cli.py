"""The command line: the notices contract on the seeds, formats, ingest idempotence, docs and help."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from simtool.cli.app import app

runner = CliRunner()


def jsonl(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_notices_of_the_seeds() -> None:
    res = runner.invoke(app, ["notices", "corpora/seeds", "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    recs = jsonl(res.output)
    assert len(recs) == 18
    for r in recs:
        assert set(r) >= {"notice", "title", "unit", "date", "chars", "problems", "measures"}
        assert r["title"].endswith("通报")
    by_title = {r["title"]: r for r in recs}
    stats = by_title["统计局D组关于巡察整改进展情况的通报"]
    assert stats["date"] == "2023-08-18" and stats["unit"] == "统计局D组"
    county = next(r for r in recs if r["notice"] == "corpora/seeds/002_7d8fcde3e44e2eb6.txt")
    assert county["title"] == "县委关于省委巡视反馈意见整改进展情况的通报"
    assert county["date"] is None
    assert recs[0]["notice"] == "corpora/seeds/000_80f6373e3b7370b3.txt#1"
    assert all(r["problems"] > 0 and r["measures"] > 0 for r in recs)


def test_csv_and_table_formats() -> None:
    res = runner.invoke(app, ["notices", "corpora/seeds", "--format", "csv"])
    assert res.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(res.stdout_bytes.decode("utf-8-sig"))))
    assert len(rows) == 18 and rows[0]["通报"].endswith("#1")
    res = runner.invoke(app, ["notices", "corpora/seeds"])
    assert res.exit_code == 0 and "通报列表" in res.output


def test_ingest_twice_adds_nothing_and_store_matches_files(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    first = runner.invoke(app, ["ingest", "corpora/seeds", "--db", db])
    assert first.exit_code == 0 and "库中共有 18 篇通报" in first.output
    second = runner.invoke(app, ["ingest", "corpora/seeds", "--db", db])
    assert second.exit_code == 0 and "已存在 2 个" in second.output and "库中共有 18 篇通报" in second.output
    from_store = runner.invoke(app, ["notices", "--db", db, "--format", "jsonl"]).output
    from_files = runner.invoke(app, ["notices", "corpora/seeds", "--format", "jsonl"]).output
    assert from_store == from_files


def test_show_prints_structure() -> None:
    res = runner.invoke(
        app, ["show", "corpora/seeds/000_80f6373e3b7370b3.txt#17", "corpora/seeds", "--format", "jsonl"]
    )
    assert res.exit_code == 0, res.output
    rec = jsonl(res.output)[0]
    kinds = {s["kind"] for s in rec["segments"]}
    assert {"title", "problem", "measure", "closing"} <= kinds


def test_every_command_is_documented_and_has_help() -> None:
    readme = Path("README.md").read_text(encoding="utf-8")
    names = [c.name or c.callback.__name__ for c in app.registered_commands]  # type: ignore[union-attr]
    assert len(names) >= 11
    for name in names:
        assert re.search(rf"`simtool {name}\b", readme), f"README does not document {name}"
        res = runner.invoke(app, [name, "--help"])
        assert res.exit_code == 0 and re.search(r"[\u4e00-\u9fff]", res.output), name
