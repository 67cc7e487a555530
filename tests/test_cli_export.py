"""Excel-friendly exports: CSV in UTF-8 with BOM, Chinese headers, ratios as percentages, no JSON
in a cell; ``-o FILE.xlsx`` writes a workbook.  JSONL is untouched (tests/test_determinism.py)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from simtool.cli.app import app
from simtool.report import output

runner = CliRunner()
SEEDS = "corpora/seeds"
COUNTY = "corpora/seeds/002_7d8fcde3e44e2eb6.txt"
BOM = b"\xef\xbb\xbf"


def invoke(args: list[str]):  # type: ignore[no-untyped-def]
    return runner.invoke(app, args, prog_name="simtool")


def jsonl(args: list[str]) -> list[dict]:
    res = invoke([*args, "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    return [json.loads(line) for line in res.stdout.splitlines()]


def csv_rows(args: list[str]) -> tuple[bytes, list[list[str]]]:
    res = invoke([*args, "--format", "csv"])
    assert res.exit_code == 0, res.output
    data = res.stdout_bytes
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("store") / "s.db")
    assert invoke(["ingest", SEEDS, "--db", db, "-q"]).exit_code == 0
    return db


def test_notices_csv_has_bom_and_chinese_headers() -> None:
    data, rows = csv_rows(["notices", SEEDS])
    assert data.startswith(BOM + "通报,标题,单位,日期,字数,问题,措施,".encode())
    assert rows[0][:7] == ["通报", "标题", "单位", "日期", "字数", "问题", "措施"]
    assert {"巡察组", "反馈日期", "自述问题数", "自述措施数"} <= set(rows[0])
    assert len(rows) == 19 and rows[1][0] == "corpora/seeds/000_80f6373e3b7370b3.txt#1"


def test_show_csv_names_the_printed_number() -> None:
    _, rows = csv_rows(["show", "#1", SEEDS])
    assert "原编号" in rows[0] and "代表性措施" not in rows[0]  # ``label`` is a segment's number here
    record = jsonl(["show", "#1", SEEDS])[0]
    numbers = [r[rows[0].index("原编号")] for r in rows[1:]]
    assert numbers == [s["label"] or "" for s in record["segments"]] and any(numbers)


def test_overlap_csv_shows_ratios_as_percentages() -> None:
    first = jsonl(["overlap", SEEDS])[0]
    _, rows = csv_rows(["overlap", SEEDS])
    head = rows[0]
    assert head[:2] == ["通报A", "通报B"]
    row = dict(zip(head, rows[1]))
    assert row["A复制比"] == f"{first['ratio_a']:.1%}" and row["A复制比"].endswith("%")
    assert row["B去除套话复制比"] == f"{first['ratio_b_substantive']:.1%}"
    assert row["A重合字数"] == str(first["shared_a"])


def test_nested_records_are_flattened_and_lists_joined() -> None:
    _, dupes = csv_rows(["dupes", SEEDS])
    assert {"相似度", "A通报", "A文字", "B通报", "B文字"} <= set(dupes[0])
    assert dict(zip(dupes[0], dupes[1]))["相似度"].endswith("%")
    _, phrases = csv_rows(["phrases", SEEDS])
    example = dict(zip(phrases[0], phrases[1]))["示例"]
    assert "；" in example and not example.startswith("[")


def test_lists_of_records_become_rows_for_clusters_and_reuse() -> None:
    clusters = jsonl(["clusters", SEEDS])
    _, rows = csv_rows(["clusters", SEEDS])
    assert rows[0][:5] == ["措施族", "措施数", "通报数", "单位数", "代表性措施"]
    assert {"成员通报", "成员起始", "成员结束", "成员文字"} <= set(rows[0])
    assert len(rows) - 1 == sum(len(c["members"]) for c in clusters)
    reuse = jsonl(["reuse", SEEDS])
    _, rows = csv_rows(["reuse", SEEDS])
    assert {"出现处问题号", "出现处文字", "出现处问题内容"} <= set(rows[0])
    assert len(rows) - 1 == sum(len(r["occurrences"]) for r in reuse)


def test_check_csv_summarizes_sources(store: str) -> None:
    (rec,) = jsonl(["check", COUNTY, "--db", store])
    _, rows = csv_rows(["check", COUNTY, "--db", store])
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["总文字复制比"] == f"{rec['copy_ratio']:.1%}"
    assert row["去除套话复制比"] == f"{rec['copy_ratio_substantive']:.1%}"
    assert row["单篇最大复制比"] == f"{rec['max_source_ratio']:.1%}"
    top = rec["sources"][0]
    assert row["相似来源"].startswith(f"通报：{top['notice']}，标题：{top['title']}，")
    assert f"复制比：{top['ratio']:.1%}" in row["相似来源"]


@pytest.mark.parametrize(
    "args",
    [
        ["notices", SEEDS],
        ["dupes", SEEDS],
        ["overlap", SEEDS],
        ["phrases", SEEDS],
        ["clusters", SEEDS],
        ["clusters", SEEDS, "--themes"],
        ["reuse", SEEDS],
        ["show", "#14", SEEDS],
        ["compare", "#14", "#17", SEEDS],
    ],
    ids=lambda a: "-".join(x.strip("-#") for x in a if x != SEEDS),
)
def test_no_json_in_any_cell(args: list[str]) -> None:
    data, rows = csv_rows(args)
    assert data.startswith(BOM)
    assert all(not c.startswith(("[", "{")) for r in rows for c in r)
    assert not rows[0][0].isascii()  # a Chinese header


def test_header_mapping() -> None:
    assert output.header("copy_ratio_substantive") == "去除套话复制比"
    assert output.header("max_source_ratio") == "单篇最大复制比"
    assert output.header("a.notice") == "A通报"
    assert output.header("some_new_field") == "some_new_field"


# --- XLSX ---------------------------------------------------------------------------------------


def test_notices_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "通报.xlsx"
    res = invoke(["notices", SEEDS, "-o", str(path)])
    assert res.exit_code == 0, res.output
    assert res.stdout == f"已写入 {path}\n"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["通报列表"]
    ws = wb["通报列表"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]][:5] == ["通报", "标题", "单位", "日期", "字数"]
    assert ws["A2"].value == "corpora/seeds/000_80f6373e3b7370b3.txt#1"
    assert isinstance(ws["E2"].value, int)
    assert ws.max_row == 19
    assert ws.column_dimensions["A"].width > ws.column_dimensions["E"].width >= 8


def test_overlap_xlsx_keeps_ratios_as_numbers(tmp_path: Path) -> None:
    first = jsonl(["overlap", SEEDS])[0]
    path = tmp_path / "o.xlsx"
    res = invoke(["overlap", SEEDS, "--output", str(path)])
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(path)["通报重合度排名"]
    head = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=head.index("A复制比") + 1)
    assert cell.value == pytest.approx(first["ratio_a"]) and cell.number_format == "0.0%"


def test_check_xlsx_has_a_sheet_per_list(store: str, tmp_path: Path) -> None:
    (rec,) = jsonl(["check", COUNTY, "--db", store])
    path = tmp_path / "check.xlsx"
    res = invoke(["check", COUNTY, "--db", store, "-o", str(path)])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:2] == ["检测结果", "相似来源"]
    main = wb["检测结果"]
    assert main.freeze_panes == "A2"
    head = [c.value for c in main[1]]
    assert main.cell(row=2, column=head.index("总文字复制比") + 1).value == pytest.approx(rec["copy_ratio"])
    sources = wb["相似来源"]
    assert [c.value for c in sources[1]][:3] == ["通报", "来源通报", "来源标题"]
    assert sources.max_row == len(rec["sources"]) + 1
    assert sources["B2"].value == rec["sources"][0]["notice"]


@pytest.mark.parametrize("command", ["dupes", "phrases", "clusters", "reuse"])
def test_every_record_command_writes_xlsx(command: str, tmp_path: Path) -> None:
    path = tmp_path / f"{command}.xlsx"
    res = invoke([command, SEEDS, "-o", str(path)])
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws.freeze_panes == "A2" and ws.max_row > 1
    assert ws.title and not ws.title.isascii() and not str(ws["A1"].value).isascii()


def test_output_file_formats(tmp_path: Path) -> None:
    path = tmp_path / "n.csv"
    assert invoke(["notices", SEEDS, "-o", str(path)]).exit_code == 0
    assert path.read_bytes() == invoke(["notices", SEEDS, "--format", "csv"]).stdout_bytes
    path = tmp_path / "n.jsonl"
    assert invoke(["notices", SEEDS, "-o", str(path)]).exit_code == 0
    assert path.read_bytes() == invoke(["notices", SEEDS, "--format", "jsonl"]).stdout_bytes
    res = invoke(["notices", SEEDS, "-o", "n.txt"])
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr == "错误：无法从文件名 n.txt 判断输出格式：请用 .xlsx、.csv 或 .jsonl 结尾，例如 -o 结果.xlsx\n"


def test_unwritable_output_is_a_chinese_error(tmp_path: Path) -> None:
    target = tmp_path / "没有这个文件夹" / "n.xlsx"
    res = invoke(["notices", SEEDS, "-o", str(target)])
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr == f"错误：无法写入 {target}：文件夹不存在，请先建好文件夹或换一个路径\n"
