"""Direction of copying (simtool.analyses.direction): the largest source published strictly earlier,
else 同日/日期不详; in ``check`` as ``max_earlier_source`` / ``max_earlier_source_ratio`` and the
最大来源 column."""

from __future__ import annotations

import doctest
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import simtool
from simtool.analyses import direction
from simtool.analyses.direction import (
    SAME_DAY_OR_UNDATED,
    Source,
    direction_fields,
    earliest_sources,
    max_earlier_source,
    source_label,
)
from simtool.cli.app import app

runner = CliRunner()
SEEDS = "corpora/seeds"
COMPILATION = "corpora/seeds/000_80f6373e3b7370b3.txt"
COUNTY = "corpora/seeds/002_7d8fcde3e44e2eb6.txt"

SOURCES = [
    Source("later", "2023-09-01", 500, 0.5),
    Source("same-day", "2023-08-18", 400, 0.4),
    Source("undated", None, 300, 0.3),
    Source("earlier-small", "2023-01-02", 100, 0.1),
    Source("earlier-big", "2022-12-30", 200, 0.2),
    Source("bad-date", "2023年1月1日", 250, 0.25),
]


def test_doctests() -> None:
    assert doctest.testmod(direction).failed == 0


def test_only_strictly_earlier_dated_sources_count() -> None:
    assert [s.notice for s in earliest_sources("2023-08-18", SOURCES)] == ["earlier-big", "earlier-small"]
    assert max_earlier_source("2023-08-18", SOURCES) == Source("earlier-big", "2022-12-30", 200, 0.2)
    assert max_earlier_source("2023-08-19", SOURCES) == Source("same-day", "2023-08-18", 400, 0.4)
    assert max_earlier_source("2023-09-02", SOURCES) == Source("later", "2023-09-01", 500, 0.5)


def test_no_date_or_no_earlier_source_is_the_marker() -> None:
    assert max_earlier_source(None, SOURCES) is None
    assert max_earlier_source("2022-12-30", SOURCES) is None  # the earliest has only later or same-day sources
    assert max_earlier_source("2023-08-18", []) is None
    assert max_earlier_source("not a date", SOURCES) is None
    assert source_label(None) == SAME_DAY_OR_UNDATED == "同日/日期不详"
    assert source_label(SOURCES[0]) == "later"


def test_ties_are_broken_by_ratio_then_id() -> None:
    tied = [Source("b", "2020-01-01", 10, 0.1), Source("a", "2020-01-01", 10, 0.1), Source("c", "2020-01-01", 10, 0.2)]
    assert [s.notice for s in earliest_sources("2021-01-01", tied)] == ["c", "a", "b"]
    assert direction_fields("2021-01-01", [vars_of(s) for s in tied]) == {
        "max_earlier_source": "c",
        "max_earlier_source_ratio": 0.2,
    }


def vars_of(s: Source) -> dict[str, Any]:
    return {"notice": s.notice, "date": s.date, "shared": s.shared, "ratio": s.ratio}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("store") / "s.db")
    assert runner.invoke(app, ["ingest", SEEDS, "--db", db, "-q"]).exit_code == 0
    return db


def jsonl(args: list[str]) -> list[dict[str, Any]]:
    res = runner.invoke(app, [*args, "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    return [json.loads(line) for line in res.stdout.splitlines()]


def test_check_of_the_seeds_names_only_earlier_sources(store: str) -> None:
    recs = jsonl(["check", COMPILATION, "--db", store])
    dates = {n.id: n.date for n in simtool.load([SEEDS]).notices}
    assert sum(d is not None for d in dates.values()) >= 10  # several seed notices carry a date
    named = 0
    for r in recs:
        assert r["date"] == dates[r["notice"]]
        earlier = [s for s in r["sources"] if r["date"] and s["date"] and s["date"] < r["date"]]
        if not earlier:
            assert (r["max_earlier_source"], r["max_earlier_source_ratio"]) == (None, None), r["notice"]
            continue
        named += 1
        best = max(earlier, key=lambda s: (s["shared"], s["ratio"]))
        assert r["max_earlier_source"] == best["notice"]
        assert r["max_earlier_source_ratio"] == best["ratio"]
        assert dates[r["max_earlier_source"]] < r["date"]
    assert named >= 5
    undated = [r for r in recs if r["date"] is None]
    assert undated and all(r["max_earlier_source"] is None for r in undated)
    # the direction matters: for some notice the largest source overall was published later
    assert any(r["max_earlier_source"] not in (None, r["max_source"]) for r in recs)


def _copy_of_17(path: Path, date: str) -> str:
    """A new notice made of twelve measures of seed #17 (published 2023-08-18), dated ``date``."""
    source = next(n for n in simtool.load([SEEDS]).notices if n.id.endswith("#17"))
    measures = [s.text for s in source.segments if s.kind == "measure"][:12]
    body = "\n".join(f"{i + 1}.问题{i + 1}存在不足\n整改情况：一是{m}" for i, m in enumerate(measures))
    path.write_text(
        "某县审计局党组关于巡察整改进展情况的通报\n根据县委统一部署，县委第二巡察组对某县审计局党组进行了巡察。\n"
        f"一、问题整改情况\n{body}\n欢迎广大干部群众对巡察整改落实情况进行监督。\n某县审计局党组\n{date}\n",
        encoding="utf-8",
    )
    return source.id


@pytest.mark.parametrize(
    ("printed", "iso", "earlier"),
    [
        ("2024年1月5日", "2024-01-05", True),
        ("2023年1月5日", "2023-01-05", False),
        ("2023年8月18日", "2023-08-18", False),
    ],
)
def test_a_copy_names_its_source_only_when_published_later(
    store: str, tmp_path: Path, printed: str, iso: str, earlier: bool
) -> None:
    new = tmp_path / "copy.txt"
    source = _copy_of_17(new, printed)
    (rec,) = jsonl(["check", str(new), "--db", store])
    assert rec["date"] == iso and rec["max_source"] == source
    if earlier:
        assert rec["max_earlier_source"] == source
        assert rec["max_earlier_source_ratio"] == rec["max_source_ratio"] > 0.3
    else:
        assert rec["max_earlier_source"] != source  # published before or on the same day as #17
    res = runner.invoke(app, ["check", str(new), "--db", store], env={"COLUMNS": "300"})
    row = next(ln for ln in res.stdout.splitlines() if ln.startswith("│") and str(new) in ln)
    cell = [c.strip() for c in row.strip("│").split("│")][-1]
    if rec["max_earlier_source"] is None:
        assert cell == "同日/日期不详"
    else:
        assert cell == f"{rec['max_earlier_source']}（{rec['max_earlier_source_ratio']:.1%}）"
    if earlier:
        assert cell.startswith(source)
