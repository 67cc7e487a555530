"""The Spark engine (``--engine spark``) gives the local engine's answers byte for byte, also when a
task fails once; a corrupt file is a skip, as on one machine.  One Spark session (``local[2,2]``:
two threads, a failed task tried again) for the whole run; skipped without pyspark or Java."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simtool
from simtool.analyses.dupes import pair_records
from simtool.core.errors import UserError
from simtool.match.engine import DEFAULT_PARAMS, find_matches, verified_edges
from simtool.match.units import build_units, collapse
from simtool.report import output

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java", allow_module_level=True)

from simtool.spark.engine import SparkEngine  # noqa: E402
from simtool.spark.session import session  # noqa: E402
from tests.cli_helpers import runner  # noqa: E402

PARTITIONS = 4


@pytest.fixture(scope="session")
def spark() -> Any:
    s = session(
        "local[2,2]",  # two threads; maxFailures 2, so a failed task is retried (plain local[2] is not)
        partitions=PARTITIONS,
        conf={"spark.ui.enabled": "false", "spark.default.parallelism": str(PARTITIONS)},
    )
    yield s
    s.stop()


@pytest.fixture(scope="module")
def distinct(seeds: simtool.Loaded) -> list[str]:
    return collapse(build_units(seeds.notices).text)[0]


@pytest.fixture(scope="module")
def some(distinct: list[str]) -> list[str]:
    return distinct[:3000]  # enough for every stage to have work in every partition


@pytest.fixture(scope="module")
def local_edges(some: list[str]) -> Any:
    edges = verified_edges(some, DEFAULT_PARAMS, 0.8)
    assert len(edges.i) > 500
    return edges


def same_edges(a: Any, b: Any) -> None:
    for x, y in zip(a, b):
        assert x.dtype == y.dtype
        assert np.array_equal(x, y)


def jsonl(records: Any) -> str:
    return "".join(output.jsonl_line(r) + "\n" for r in records)


def test_units_per_partition_are_the_units(spark: Any, seeds: simtool.Loaded) -> None:
    whole = build_units(seeds.notices)
    parts = SparkEngine(spark, partitions=5).units(seeds.notices)
    assert parts.text == whole.text
    for name in ("notice", "start", "end", "kind", "problem", "seq", "sentence", "level", "segment"):
        a, b = getattr(whole, name), getattr(parts, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name


@pytest.mark.parametrize("scope", ["cross", "all"])
def test_dupes_jsonl_is_byte_identical(spark: Any, seeds: simtool.Loaded, scope: str) -> None:
    notices = seeds.notices
    engine = SparkEngine(spark, partitions=PARTITIONS)
    local = find_matches(notices, scope=scope)  # type: ignore[arg-type]
    remote = find_matches(notices, scope=scope, edge_finder=engine, units=engine.units(notices))  # type: ignore[arg-type]
    assert len(local) > 500
    assert jsonl(pair_records(notices, remote)) == jsonl(pair_records(notices, local))


def failed_tasks(spark: Any, group: str) -> int:
    tracker = spark.sparkContext.statusTracker()
    stages = [s for job in tracker.getJobIdsForGroup(group) for s in tracker.getJobInfo(job).stageIds]
    return sum(tracker.getStageInfo(s).numFailedTasks for s in stages if tracker.getStageInfo(s))


@pytest.mark.parametrize("fault", ["verify:raise", "keys:exit"])  # an exception; a Python worker process that dies
def test_a_failed_task_is_retried_with_the_same_result(
    spark: Any, some: list[str], local_edges: Any, fault: str
) -> None:
    spark.sparkContext.setJobGroup(fault, fault)
    try:
        edges = SparkEngine(spark, partitions=PARTITIONS, fail_once=fault)(some, DEFAULT_PARAMS, 0.8)
    finally:
        spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)
    assert failed_tasks(spark, fault) == 1  # the fault happened, once, and Spark ran the task again
    same_edges(edges, local_edges)


def test_stages_resume_from_the_work_dir(spark: Any, some: list[str], tmp_path: Path) -> None:
    texts = some[:1000]
    local = verified_edges(texts, DEFAULT_PARAMS, 0.8)
    assert len(local.i) > 100
    first = SparkEngine(spark, partitions=PARTITIONS, work_dir=str(tmp_path))
    same_edges(first(texts, DEFAULT_PARAMS, 0.8), local)
    assert first.stages_done == ["keys", "pairs", "edges"]
    (edges,) = tmp_path.glob("*/edges.parquet")
    shutil.rmtree(edges)  # as if the run had stopped before its last stage
    again = SparkEngine(spark, partitions=PARTITIONS, work_dir=str(tmp_path))
    same_edges(again(texts, DEFAULT_PARAMS, 0.8), local)
    assert again.stages_done == ["edges"]  # keys and candidate pairs read back from Parquet


def cli(*args: str) -> Any:
    result = runner.invoke(simtool_app(), list(args))
    assert result.exit_code == 0, result.output
    return result


def simtool_app() -> Any:
    from simtool.cli.app import app

    return app


@pytest.mark.parametrize("command", [["dupes", "--scope", "all"], ["overlap"], ["phrases"]])
def test_cli_engine_spark_matches_local(spark: Any, command: list[str]) -> None:
    args = [*command, "corpora/seeds", "--format", "jsonl", "--db", "/nonexistent.db"]
    local = cli(*args).stdout
    assert local.count("\n") > 3
    assert cli(*args, "--engine", "spark", "--partitions", str(PARTITIONS)).stdout == local


def test_a_corrupt_file_is_a_skip(spark: Any, tmp_path: Path) -> None:
    for f in Path("corpora/seeds").iterdir():
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<")
    args = ["dupes", str(tmp_path), "--format", "jsonl", "--db", "/nonexistent.db"]
    local = cli(*args)
    remote = cli(*args, "--engine", "spark")
    assert remote.stdout == local.stdout and local.stdout
    assert "broken.pdf" in remote.stderr and "跳过" in remote.stderr


def test_without_pyspark_the_engine_is_one_chinese_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # import pyspark.sql fails
    with pytest.raises(UserError, match="未安装 Spark"):
        session()
    result = runner.invoke(simtool_app(), ["dupes", "corpora/seeds", "--engine", "spark", "--db", "/nonexistent.db"])
    assert result.exit_code == 2
    assert "未安装 Spark：请运行 pip install 'simtool[spark]'" in result.stderr
    assert "Traceback" not in result.output
