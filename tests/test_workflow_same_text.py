"""The same notice in several files or formats (x.docx and x.txt: different bytes, the same text) is
one document: stored once (``与 … 内容相同，未重复导入``) and, in memory, counted once."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

import simtool
from simtool.cli.app import app
from simtool.store.corpus import SameText, text_key
from simtool.store.sqlite import Store

runner = CliRunner()
LINES = [
    "某县审计局党组关于巡察整改进展情况的通报",
    "根据县委统一部署，县委第二巡察组于2023年3月对县审计局党组开展了常规巡察，并于5月反馈了意见。",
    "一、问题整改情况",
    "（一）关于理论学习不深入的问题",
    "整改情况：一是制定党组理论学习中心组年度学习计划，每月开展一次集中学习。二是建立学习台账，定期通报学习情况。",
    "（二）关于财务报销不规范的问题",
    "整改情况：一是修订财务报销管理办法，明确审批流程。二是组织财务人员集中培训，提升业务水平。",
    "欢迎广大干部群众对巡察整改落实情况进行监督。",
    "某县审计局党组",
    "2023年9月1日",
]


def invoke(args: list[str]):  # type: ignore[no-untyped-def]
    return runner.invoke(app, args, prog_name="simtool")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """x.docx and x.txt of one notice; the .txt indents its paragraphs with full-width spaces."""
    out = tmp_path / "in"
    out.mkdir()
    document = docx.Document()
    for line in LINES:
        document.add_paragraph(line)
    document.save(str(out / "x.docx"))
    (out / "x.txt").write_text("\n".join("\u3000\u3000" + ln for ln in LINES) + "\n", encoding="utf-8")
    return out


def test_docx_and_txt_of_one_notice_have_one_text_key(folder: Path) -> None:
    a = simtool.load([str(folder / "x.docx")]).notices
    b = simtool.load([str(folder / "x.txt")]).notices
    assert a[0].text != b[0].text and text_key(a) == text_key(b)


def test_ingest_stores_the_same_text_once(folder: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    docx_path, txt_path = str(folder / "x.docx"), str(folder / "x.txt")
    res = invoke(["ingest", str(folder), "--db", db])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        f"{docx_path}：已导入，1 篇通报",
        f"{txt_path}：与 {docx_path} 内容相同，未重复导入",
        f"共处理 2 个文件：导入 1 个（1 篇通报），已存在 0 个，内容与库中文件相同 1 个，跳过 0 个；库中共有 1 篇通报（{db}）。",
    ]
    again = invoke(["ingest", txt_path, docx_path, "--db", db])
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines() == [
        f"{docx_path}：已存在，未重复导入，0 篇通报",
        f"{txt_path}：与 {docx_path} 内容相同，未重复导入",
        f"共处理 2 个文件：导入 0 个（0 篇通报），已存在 1 个，内容与库中文件相同 1 个，跳过 0 个；库中共有 1 篇通报（{db}）。",
    ]
    with Store(db) as store:
        assert store.count_notices() == 1
        assert [n.id for n in store.notices()] == [docx_path]


def test_the_library_reports_a_same_text_file_as_existing(folder: Path, tmp_path: Path) -> None:
    result = simtool.ingest([str(folder)], str(tmp_path / "s.db"))
    assert (result.added, result.existing, result.skipped, result.notices) == (1, 1, 0, 1)
    same = [e for e in result.events if isinstance(e, SameText)]
    assert [(e.path, e.same_as) for e in same] == [(str(folder / "x.txt"), str(folder / "x.docx"))]


def test_a_different_text_is_stored_beside_it(folder: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    changed = (folder / "x.txt").read_text(encoding="utf-8").replace("每月开展一次", "每季度开展一次")
    (folder / "y.txt").write_text(changed, encoding="utf-8")
    res = invoke(["ingest", str(folder), "--db", db])
    assert res.exit_code == 0, res.output
    assert f"{folder / 'y.txt'}：已导入，1 篇通报" in res.stdout.splitlines()
    assert "库中共有 2 篇通报" in res.stdout


def test_in_memory_the_same_text_counts_once(folder: Path) -> None:
    loaded = simtool.load([str(folder)])
    assert [n.id for n in loaded.notices] == [str(folder / "x.docx")] and loaded.documents == 1
    assert [(s.path, s.reason) for s in loaded.skips] == [
        (str(folder / "x.txt"), f"与 {folder / 'x.docx'} 内容相同，只计一次")
    ]
    res = invoke(["notices", str(folder), "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    assert [json.loads(line)["notice"] for line in res.stdout.splitlines()] == [str(folder / "x.docx")]
    assert res.stderr == f"跳过 {folder / 'x.txt'}：与 {folder / 'x.docx'} 内容相同，只计一次\n"


def test_the_same_file_given_twice_is_read_once_silently(folder: Path) -> None:
    path = str(folder / "x.txt")
    loaded = simtool.load([path, path])
    assert len(loaded.notices) == 1 and loaded.skips == []
