"""Reference documents kept in the store (``ingest --reference``): ``check``/``overlap`` on the store
count text matching them as 引用 exactly as ``--reference`` on the command line does, they are never
listed as notices or sources, a cache built before they were added is not reused wrongly, and a
store made before references existed (schema version 1) still works."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import simtool
from simtool.cli.app import app
from simtool.store.sqlite import Store

runner = CliRunner()
SEEDS = "corpora/seeds"


def invoke(args: list[str]):  # type: ignore[no-untyped-def]
    return runner.invoke(app, args, prog_name="simtool", env={"COLUMNS": "300"})


def records(args: list[str]) -> list[dict[str, Any]]:
    res = invoke([*args, "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    return [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, seeds: simtool.Loaded) -> tuple[Path, Path, Path]:
    """A store of the seeds without references, a copy of it with one reference ingested after its
    check cache was built, and the reference: the 科技局 notice's text, which 统计局's copies."""
    tmp = tmp_path_factory.mktemp("refstore")
    science = next(n for n in seeds.notices if n.title.startswith("科技局"))
    ref = tmp / "反馈意见.txt"
    ref.write_text(science.text, encoding="utf-8")
    plain, stored = tmp / "plain.db", tmp / "stored.db"
    assert invoke(["ingest", SEEDS, "--db", str(plain), "-q"]).exit_code == 0
    shutil.copy(plain, stored)
    records(["check", SEEDS, "--db", str(stored)])  # builds the store's check cache and its 套话 first
    res = invoke(["ingest", "--reference", str(ref), "--db", str(stored)])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        f"{ref}：已作为参考文件导入（与之相同的文字算作引用，不作为通报或来源）",
        f"库中共有 {len(seeds.notices)} 篇通报、1 份参考文件（{stored}）。",
    ]
    return plain, stored, ref


def test_a_stored_reference_counts_as_the_command_line_one(made: tuple[Path, Path, Path]) -> None:
    plain, stored, ref = made
    given = records(["check", SEEDS, "--db", str(plain), "--reference", str(ref)])
    from_store = records(["check", SEEDS, "--db", str(stored)])
    without = records(["check", SEEDS, "--db", str(plain)])
    assert [r["notice"] for r in from_store] == [r["notice"] for r in given] and len(given) == 18
    for a, b in zip(from_store, given):
        assert a["copy_ratio_unquoted"] == b["copy_ratio_unquoted"], a["notice"]
        assert a["quoted_spans"] == b["quoted_spans"], a["notice"]
        assert (a["copy_ratio"], a["copy_ratio_substantive"]) == (b["copy_ratio"], b["copy_ratio_substantive"])
    assert all("copy_ratio_unquoted" not in r for r in without)  # the plain store has no 引用
    # the notice the reference was made of is all 引用; the notices that copy from it quote it too
    science = [r for r in from_store if r["quoted_share"] > 0.9]
    assert len(science) == 1 and science[0]["copy_ratio_unquoted"] == 0 < science[0]["copy_ratio"]
    assert sum(r["copy_ratio_unquoted"] < r["copy_ratio"] for r in from_store) > 10
    # the same reference given again on the command line is counted once: nothing changes
    again = records(["check", SEEDS, "--db", str(stored), "--reference", str(ref)])
    assert [r["copy_ratio_unquoted"] for r in again] == [r["copy_ratio_unquoted"] for r in from_store]


def test_overlap_on_the_store_uses_the_stored_reference(made: tuple[Path, Path, Path]) -> None:
    plain, stored, ref = made
    given = records(["overlap", "--db", str(plain), "--reference", str(ref), "--limit", "0"])
    from_store = records(["overlap", "--db", str(stored), "--limit", "0"])
    assert from_store == given and any(r["ratio_a_unquoted"] < r["ratio_a"] for r in from_store)
    # files given as paths are read in memory: the store and its references are not used
    in_memory = records(["overlap", SEEDS, "--db", str(stored), "--limit", "0"])
    assert in_memory and all("ratio_a_unquoted" not in r for r in in_memory)


def test_a_stored_reference_is_never_a_notice_or_a_source(made: tuple[Path, Path, Path]) -> None:
    _plain, stored, ref = made
    listed = records(["notices", "--db", str(stored)])
    assert len(listed) == 18 and not any(str(ref) in r["notice"] for r in listed)
    checked = records(["check", SEEDS, "--db", str(stored)])
    named = {s["notice"] for r in checked for s in r["sources"]} | {m["source"] for r in checked for m in r["matches"]}
    assert named and not any(str(ref) in n or n.startswith("引用") for n in named)
    pairs = records(["overlap", "--db", str(stored), "--limit", "0"])
    assert not any(str(ref) in (r["a"], r["b"]) for r in pairs)
    table = invoke(["notices", "--db", str(stored)])
    assert table.exit_code == 0
    assert table.stdout.splitlines()[-1] == f"另有 1 份参考文件（算作引用，不列为通报或来源）：{ref}"


def test_ingesting_a_reference_again_or_under_another_name_adds_nothing(
    made: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    _plain, stored, ref = made
    db = tmp_path / "s.db"
    shutil.copy(stored, db)
    twin = tmp_path / "模板.txt"
    twin.write_bytes(ref.read_bytes() + b"\n")  # other bytes, the same text
    res = invoke(["ingest", "--reference", str(ref), "--reference", str(twin), "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        f"{ref}：已是参考文件，未重复导入（与之相同的文字算作引用，不作为通报或来源）",
        f"{twin}：与参考文件 {ref} 内容相同，未重复导入",
        f"库中共有 18 篇通报、1 份参考文件（{db}）。",
    ]
    missing = invoke(["ingest", "--reference", str(tmp_path / "无.txt"), "--db", str(db)])
    assert missing.exit_code == 2 and missing.stderr.startswith(f"跳过参考文件 {tmp_path / '无.txt'}：")
    nothing = invoke(["ingest", "--db", str(db)])
    assert nothing.exit_code == 2 and nothing.stdout == ""
    assert nothing.stderr.strip() == "错误：缺少要导入的文件：请给出通报文件或文件夹，例如 simtool ingest corpora/seeds"


def test_a_store_from_before_references_still_works(made: tuple[Path, Path, Path], tmp_path: Path) -> None:
    plain, _stored, ref = made
    old = tmp_path / "old.db"
    shutil.copy(plain, old)
    con = sqlite3.connect(old)
    with con:
        con.execute("DROP TABLE reference_notices")
        con.execute("PRAGMA user_version = 1")
    con.close()
    expected = records(["check", SEEDS, "--db", str(plain)])
    assert records(["check", SEEDS, "--db", str(old)]) == expected  # read as it was, migrated on opening
    with Store(old, create=False) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == 2 and store.references() == []
    assert invoke(["ingest", "--reference", str(ref), "--db", str(old), "-q"]).exit_code == 0
    quoted = records(["check", SEEDS, "--db", str(old)])
    given = records(["check", SEEDS, "--db", str(plain), "--reference", str(ref)])
    assert [r["copy_ratio_unquoted"] for r in quoted] == [r["copy_ratio_unquoted"] for r in given]


def test_the_report_of_the_store_quotes_the_stored_reference(made: tuple[Path, Path, Path], tmp_path: Path) -> None:
    from test_report import data_of

    plain, stored, ref = made
    pages = {}
    for name, args in (("given", ["--db", str(plain), "--reference", str(ref)]), ("stored", ["--db", str(stored)])):
        page = tmp_path / f"{name}.html"
        res = invoke(["report", *args, "-o", str(page)])
        assert res.exit_code == 0, res.output
        pages[name] = data_of(page.read_text(encoding="utf-8"))
    given, from_store = pages["given"], pages["stored"]
    assert from_store["meta"]["references"] == [str(ref)] and from_store["meta"]["quoted_chars"] > 0
    assert from_store["meta"]["quoted_chars"] == given["meta"]["quoted_chars"]
    assert [r["copy_ratio_unquoted"] for r in from_store["notices"]] == [
        r["copy_ratio_unquoted"] for r in given["notices"]
    ]
    assert len(from_store["notices"]) == 18 and all(str(ref) not in r["id"] for r in from_store["notices"])


def test_the_library_check_quotes_the_stored_reference(made: tuple[Path, Path, Path]) -> None:
    from simtool.report.output import record_dict

    plain, stored, _ = made
    cli = records(["check", SEEDS, "--db", str(stored)])
    lib = [record_dict(r) for r in simtool.check([SEEDS], str(stored))]
    assert [r["copy_ratio_unquoted"] for r in lib] == [r["copy_ratio_unquoted"] for r in cli]
    assert all("copy_ratio_unquoted" not in record_dict(r) for r in simtool.check([SEEDS], str(plain)))
