"""Robustness: interrupted ingests, concurrent readers, old or foreign stores, hostile text, odd input."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import simtool
from simtool.cli.app import app
from simtool.store.sqlite import Store

SEED_A = Path("corpora/seeds/000_80f6373e3b7370b3.txt")
CLI = [sys.executable, "-m", "simtool.cli.app"]


def make_corpus(folder: Path, n: int) -> None:
    """``n`` distinct files made of seed notices (different bytes, realistic content)."""
    folder.mkdir(parents=True, exist_ok=True)
    notices = simtool.load([str(SEED_A)]).notices
    for k in range(n):
        nt = notices[k % len(notices)]
        (folder / f"f{k:03d}.txt").write_text(
            nt.text.replace("XX", f"第{k}", 1) + f"\n（编号 {k}）\n", encoding="utf-8"
        )


def stored_shape(db: Path) -> dict[str, tuple[int, int]]:
    """Per stored document path: (notices, segments)."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT d.path, count(DISTINCT n.id), count(s.seq) FROM documents d LEFT JOIN notices n ON n.sha256 = d.sha256"
            " LEFT JOIN segments s ON s.notice_id = n.id GROUP BY d.path"
        ).fetchall()
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    return {p: (a, b) for p, a, b in rows}


def test_ingest_killed_at_random_moments_leaves_whole_files(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", tmp_path / "s.db"
    make_corpus(folder, 40)
    expected = {}
    for f in sorted(folder.iterdir()):
        ns = simtool.load([str(f)]).notices
        expected[str(f)] = (len(ns), sum(len(n.segments) for n in ns))
    rng = random.Random(7)
    for _ in range(8):
        proc = subprocess.Popen(
            [*CLI, "ingest", str(folder), "--db", str(db), "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if db.exists():
            for path, shape in stored_shape(db).items():
                assert shape == expected[path], path  # whole or not at all
    done = subprocess.run([*CLI, "ingest", str(folder), "--db", str(db), "-q"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert stored_shape(db) == expected


def test_reader_works_while_an_ingest_writes(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", tmp_path / "s.db"
    make_corpus(folder, 60)
    first = sorted(folder.iterdir())[:5]
    assert (
        subprocess.run([*CLI, "ingest", *map(str, first), "--db", str(db), "-q"], capture_output=True).returncode == 0
    )
    writer = subprocess.Popen(
        [*CLI, "ingest", str(folder), "--db", str(db), "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        reads = 0
        while writer.poll() is None and reads < 5:
            res = subprocess.run(
                [*CLI, "notices", "--db", str(db), "--format", "jsonl"], capture_output=True, text=True
            )
            assert res.returncode == 0, res.stderr
            assert len(res.stdout.splitlines()) >= 5
            reads += 1
        assert reads >= 1
    finally:
        writer.wait(timeout=300)
    assert writer.returncode == 0


def test_store_of_another_schema_version_is_refused_clearly(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    Store(db).close()
    con = sqlite3.connect(db)
    con.execute("PRAGMA user_version = 0")
    con.commit()
    con.close()
    res = CliRunner().invoke(app, ["notices", "--db", str(db)])
    assert res.exit_code == 2
    assert "格式版本" in res.output and "Traceback" not in res.output


def _plan(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return str(con.execute("EXPLAIN QUERY PLAN SELECT id FROM notices ORDER BY path, idx").fetchall())
    finally:
        con.close()


def test_a_store_made_before_the_order_index_gets_it_and_keeps_its_notices(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", tmp_path / "s.db"
    make_corpus(folder, 3)
    simtool.ingest([str(folder)], str(db))
    before = simtool.notices(db=str(db))
    con = sqlite3.connect(db)
    con.execute("DROP INDEX notices_order")
    con.commit()
    con.close()
    assert "TEMP B-TREE" in _plan(db)  # without it, the notices are sorted with their texts each time
    db.chmod(0o444)
    try:  # a read-only store without it still opens and reads (a root user may write it anyway)
        assert [n.id for n in simtool.notices(db=str(db))] == [n.id for n in before]
    finally:
        db.chmod(0o644)
    Store(db).close()
    assert "notices_order" in _plan(db)
    assert [n.text for n in simtool.notices(db=str(db))] == [n.text for n in before] and len(before) == 3


@pytest.mark.parametrize("content", [b"not a database at all" * 100, b""])
def test_foreign_or_corrupt_store_is_refused_clearly(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "x.db"
    if content:
        db.write_bytes(content)
    else:
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE other (x)")
        con.commit()
        con.close()
    res = CliRunner().invoke(app, ["notices", "--db", str(db)])
    assert res.exit_code == 2
    assert "simtool 库" in res.output and "Traceback" not in res.output


def test_missing_store_and_missing_path_and_unknown_notice(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["notices", "--db", str(tmp_path / "none.db")])
    assert res.exit_code == 2 and "请先用 simtool ingest" in res.output
    res = runner.invoke(app, ["notices", str(tmp_path / "nope.txt")])
    assert res.exit_code == 2 and "路径不存在" in res.output
    res = runner.invoke(app, ["show", "corpora/seeds/000_80f6373e3b7370b3.txt#99", "corpora/seeds"])
    assert res.exit_code == 2 and "找不到通报" in res.output
    assert not (tmp_path / "none.db").exists()


def test_bad_file_among_good_ones_is_skipped_and_reported(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make_corpus(folder, 2)
    (folder / "bad.pdf").write_bytes(b"%PDF-1.4 truncated")
    (folder / "empty.txt").write_bytes(b"")
    res = CliRunner().invoke(app, ["ingest", str(folder), "--db", str(tmp_path / "s.db")])
    assert res.exit_code == 0
    assert "跳过" in res.output and "bad.pdf" in res.output and "empty.txt" in res.output
    assert "库中共有 2 篇通报" in res.output


def test_plain_text_without_notice_structure_is_still_analysed(tmp_path: Path) -> None:
    para = "我们在工作中坚持问题导向，认真落实各项整改要求，对发现的问题逐项建立台账并明确责任人和完成时限。"
    (tmp_path / "a.txt").write_text(f"随便写的一段话。\n{para}\n今天天气很好。\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(f"另一份材料\n会议记录如下。{para}\n", encoding="utf-8")
    notices = simtool.load([str(tmp_path)]).notices
    assert len(notices) == 2
    from simtool.analyses.dupes import pair_records
    from simtool.match.engine import find_matches

    recs = list(pair_records(notices, find_matches(notices, min_sim=0.8, scope="cross")))
    assert any("逐项建立台账" in r["a"]["text"] and "逐项建立台账" in r["b"]["text"] for r in recs)


def test_control_characters_are_inert_in_the_terminal(tmp_path: Path) -> None:
    title = "XX局\x1b[31m关于巡察整改进展情况的通报\x07"
    body = "根据区委统一部署，区委第一巡察组对XX局进行了巡察，现将整改进展情况予以公布。" * 3
    (tmp_path / "a.txt").write_text(f"{title}\n{body}\n一是加强学习\x1b]0;pwned\x07。\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["show", str(tmp_path / "a.txt"), str(tmp_path / "a.txt")])
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output and "\x07" not in res.output


def test_huge_single_line_file_is_refused_with_a_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        chunk = "加强党的建设" * 100_000  # 1.8 MB of text per write, no line break
        for _ in range(30):
            f.write(chunk.encode("utf-8"))
    res = CliRunner().invoke(app, ["notices", str(big)])
    assert res.exit_code == 2
    assert "文件过大" in res.output


@pytest.mark.skipif(os.geteuid() != 0 and sys.platform == "win32", reason="posix only")
def test_symlink_loop_terminates(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make_corpus(folder, 2)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    res = CliRunner().invoke(app, ["notices", str(folder), "--format", "jsonl"])
    assert res.exit_code == 0
    assert len([ln for ln in res.output.splitlines() if ln.startswith("{")]) == 2
