"""Reading and parsing on several processes gives what one process gives, in the same order."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from test_robustness import CLI, make_corpus

import simtool
from simtool.read.batch import POOL_MIN_FILES, Parsed, parse_paths


def _dump(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        notices = con.execute("SELECT id, sha256, title, text, keys, spans FROM notices ORDER BY id").fetchall()
        segments = con.execute("SELECT * FROM segments ORDER BY notice_id, seq").fetchall()
        return notices + segments
    finally:
        con.close()


def test_two_workers_store_what_one_stores(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make_corpus(folder, POOL_MIN_FILES + 8)
    (folder / "bad.docx").write_bytes(b"not a zip file at all")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    one = simtool.ingest([str(folder)], str(tmp_path / "one.db"), jobs=1)
    two = simtool.ingest([str(folder)], str(tmp_path / "two.db"), jobs=2)
    assert [type(e).__name__ for e in one.events] == [type(e).__name__ for e in two.events]
    assert [e.path for e in one.events] == [e.path for e in two.events]
    assert one.skipped == two.skipped == 2 and one.added == POOL_MIN_FILES + 8
    assert _dump(tmp_path / "one.db") == _dump(tmp_path / "two.db")


def test_parsed_in_the_given_order(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make_corpus(folder, POOL_MIN_FILES + 4)
    serial = [(p.doc.path, [n.text for n in p.notices]) for p in parse_paths([str(folder)], jobs=1)]
    pooled = [(p.doc.path, [n.text for n in p.notices]) for p in parse_paths([str(folder)], jobs=2)]
    assert serial == pooled and len(serial) == POOL_MIN_FILES + 4


def test_workers_do_not_outlive_a_killed_ingest(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", tmp_path / "s.db"
    make_corpus(folder, 60)
    proc = subprocess.Popen([*CLI, "ingest", str(folder), "--db", str(db), "-q", "--jobs", "2"])
    time.sleep(3)
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    proc.kill()
    proc.wait()
    deadline = time.time() + 20
    while time.time() < deadline and any(Path(f"/proc/{c}").exists() for c in children):
        time.sleep(0.2)
    alive = [
        c
        for c in children
        if Path(f"/proc/{c}").exists() and "zombie" not in Path(f"/proc/{c}/status").read_text().lower()
    ]
    assert not alive, alive


def test_a_worker_whose_parent_is_gone_before_it_started_exits() -> None:
    # a parent killed while its workers were still importing sends no death signal; a worker then
    # waits on the pool's queue for ever unless it sees that its parent is not the one that started it
    code = "from simtool.read.batch import _worker_start; _worker_start(frozenset(), 1); print('waiting')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "waiting" not in done.stdout
    alive = (
        "import os; from simtool.read.batch import _worker_start; _worker_start(frozenset(), os.getppid()); print('ok')"
    )
    assert (
        subprocess.run([sys.executable, "-c", alive], capture_output=True, text=True, timeout=60).stdout.strip() == "ok"
    )


def test_a_library_script_without_a_main_guard_loads_a_big_folder(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make_corpus(folder, POOL_MIN_FILES + 4)
    script = tmp_path / "script.py"  # no ``if __name__ == "__main__":``: spawned workers would re-run it
    script.write_text(f"import simtool\nprint(len(simtool.load([{str(folder)!r}]).notices))\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-400:]
    assert done.stdout.strip() == str(POOL_MIN_FILES + 4)


def test_files_indexed_together_get_the_rows_each_gets_alone(tmp_path: Path) -> None:
    from simtool.read.batch import parse_batch, parse_file
    from simtool.store.codec import encode_index

    folder = tmp_path / "in"
    make_corpus(folder, 6)
    files = sorted(str(p) for p in folder.iterdir()) + sorted(str(p) for p in Path("corpora/seeds").iterdir())
    together = parse_batch(files, index=encode_index)
    alone = [parse_file(f, index=encode_index) for f in files]
    assert all(isinstance(p, Parsed) and p.rows for p in together)
    assert [p.rows for p in together] == [p.rows for p in alone]  # type: ignore[union-attr]


def test_a_file_whose_index_fails_is_the_only_skip_of_its_batch(tmp_path: Path) -> None:
    from simtool.read.batch import parse_batch
    from simtool.store.codec import encode_index

    folder = tmp_path / "in"
    make_corpus(folder, 4)
    files = sorted(str(p) for p in folder.iterdir())
    bad = parse_batch(files[1:2])[0]
    assert isinstance(bad, Parsed)

    def index(notices: list) -> list:
        if any(n.path == bad.doc.path for n in notices):
            raise ValueError("boom")
        return encode_index(notices)

    got = parse_batch(files, index=index)
    assert [type(p).__name__ for p in got] == ["Parsed", "Skip", "Parsed", "Parsed"]
    assert all(p.rows for p in got if isinstance(p, Parsed))
