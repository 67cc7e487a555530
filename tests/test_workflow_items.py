"""Issue 14, one CLI test per "Deliver" item.  Most items are tested where their code is; this
file holds the ones that had no CLI test of their own.  The map, item → tests:

1. batch screening (``check PATH...``, ranked rows, ``--fail-above`` per notice, JSONL):
   test_workflow_check.py (test_a_folder_gives_one_record_per_notice_in_reading_order,
   test_table_ranks_notices_by_copy_ratio, test_fail_above_applies_to_each_notice,
   test_bad_files_among_good_ones_are_reported_and_skipped)
2. 检测报告单 (``check --html`` / ``--html-dir``): test_report_pages.py
   (test_check_sheet_shows_the_jsonl_numbers, test_red_characters_are_the_counted_characters,
   test_check_sheet_prints_on_a4, test_batch_check_writes_one_page_per_notice)
3. 全文对照 (``compare --html``; terminal marks): test_report_pages.py
   (test_compare_page_shows_both_texts_aligned), test_cli_marking.py
   (test_terminal_compare_reverses_differences, test_piped_compare_marks_differences_with_brackets)
4. direction: test_workflow_direction.py (test_check_of_the_seeds_names_only_earlier_sources,
   test_a_copy_names_its_source_only_when_published_later); the report's notice table sorted by
   "copied from others": here (test_the_report_sorts_notices_by_text_shared_with_earlier_ones)
5. Excel: test_cli_export.py (test_notices_csv_has_bom_and_chinese_headers,
   test_overlap_csv_shows_ratios_as_percentages, test_no_json_in_any_cell, test_notices_xlsx,
   test_check_xlsx_has_a_sheet_per_list); every CSV header Chinese: here
   (test_every_csv_header_is_chinese, test_check_csv_headers_are_chinese)
6. messages and ``#N``: test_cli_usage.py (test_usage_errors_are_one_chinese_line,
   test_printed_footers_name_real_options), test_cli_ids.py (test_show_accepts_the_position,
   test_compare_accepts_positions); the report's numbers are those ``show`` takes: here
   (test_the_numbers_of_the_report_are_the_ones_show_takes)
7. not a notice / the same text twice: test_workflow_force.py
   (test_ingest_skips_hello_world_without_force_and_takes_it_with), test_workflow_same_text.py
   (test_ingest_stores_the_same_text_once)
8. printed numbers: test_workflow_labels.py (test_show_prints_the_labels, test_labels_survive_the_store)
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import simtool
from simtool.cli.app import app

runner = CliRunner()
SEEDS = "corpora/seeds"
COMPILATION = "corpora/seeds/000_80f6373e3b7370b3.txt"
COUNTY = "corpora/seeds/002_7d8fcde3e44e2eb6.txt"

SORT_BY_EARLIER = """
(function () {
  var log = [];
  try {
    var th = Array.prototype.slice.call(document.querySelectorAll("#notice-rows th"))
      .filter(function (h) { return h.textContent.indexOf("与更早通报相同") === 0; })[0];
    th.click();
    th = Array.prototype.slice.call(document.querySelectorAll("#notice-rows th"))
      .filter(function (h) { return h.textContent.indexOf("与更早通报相同") === 0; })[0];
    log.push("desc:" + document.querySelector("#notice-rows tbody tr td").textContent + ":" + th.getAttribute("aria-sort"));
    th.click();
    log.push("asc:" + document.querySelector("#notice-rows tbody tr td").textContent);
  } catch (e) { window.reportError("sort: " + e); }
  setTimeout(function () { document.body.setAttribute("data-sorted", log.join("|")); }, 50);
}());
"""


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The report of the seeds as ``simtool report`` writes it, and the data embedded in it."""
    from test_report import data_of

    page = tmp_path_factory.mktemp("items") / "report.html"
    res = runner.invoke(app, ["report", SEEDS, "-o", str(page)], prog_name="simtool")
    assert res.exit_code == 0, res.output
    return page, data_of(page.read_text(encoding="utf-8"))


@pytest.mark.skipif(
    not (shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")),
    reason="needs headless Chromium",
)
def test_the_report_sorts_notices_by_text_shared_with_earlier_ones(
    report_page: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    from test_report import Dom, check_clean, render

    page, data = report_page
    clicked = tmp_path / "sorted.html"
    clicked.write_text(
        page.read_text(encoding="utf-8").replace("</body>", f"<script>{SORT_BY_EARLIER}</script></body>"),
        encoding="utf-8",
    )
    dom = Dom(render(clicked, tmp_path)[0])
    check_clean(dom, "")
    steps = dict(
        part.split(":", 1) for part in (next(a.get("data-sorted") for t, a in dom.tags if t == "body") or "").split("|")
    )
    dated = [r for r in data["notices"] if r["copy_ratio_earlier"] is not None]
    assert dated and len({r["copy_ratio_earlier"] for r in dated}) > 2  # the column says something
    most = min(dated, key=lambda r: (-r["copy_ratio_earlier"], r["index"]))
    least = min(dated, key=lambda r: (r["copy_ratio_earlier"], r["index"]))
    assert steps["desc"] == f"{most['index'] + 1}:descending"
    assert steps["asc"] == str(least["index"] + 1)  # notices without a date (unknown direction) stay last


def test_the_numbers_of_the_report_are_the_ones_show_takes(report_page: tuple[Path, dict[str, Any]]) -> None:
    _page, data = report_page
    rows = data["notices"]
    assert len(rows) == 18
    for r in (rows[0], rows[8], rows[-1]):
        res = runner.invoke(app, ["show", f"#{r['index'] + 1}", SEEDS, "--format", "jsonl"], prog_name="simtool")
        assert res.exit_code == 0, res.output
        shown = json.loads(res.stdout.splitlines()[0])
        assert (shown["notice"], shown["title"]) == (r["id"], r["title"])


@pytest.mark.parametrize(
    "args",
    [
        ["notices", SEEDS],
        ["show", "#3", SEEDS],
        ["dupes", SEEDS],
        ["dupes", SEEDS, "--passages"],
        ["phrases", SEEDS],
        ["clusters", SEEDS],
        ["reuse", SEEDS],
        ["overlap", SEEDS],
        ["compare", "#5", "#9", SEEDS],
    ],
)
def test_every_csv_header_is_chinese(args: list[str]) -> None:
    """Item 5: Chinese headers — no field name (``roles.closing``, ``shared_spans``) leaks into a column."""
    res = runner.invoke(app, [*args, "--format", "csv"], prog_name="simtool")
    assert res.exit_code == 0, res.output
    headers = res.stdout.lstrip("\ufeff").splitlines()[0].split(",")
    assert len(headers) > 3 and [h for h in headers if re.search(r"[a-z_]", h)] == []


def test_check_csv_headers_are_chinese(tmp_path: Path) -> None:
    db, ref = str(tmp_path / "s.db"), tmp_path / "ref.txt"
    ref.write_text(simtool.load([COMPILATION]).notices[13].text, encoding="utf-8")
    assert runner.invoke(app, ["ingest", COMPILATION, "--db", db, "-q"]).exit_code == 0
    res = runner.invoke(app, ["check", COUNTY, "--db", db, "--reference", str(ref), "--format", "csv"])
    assert res.exit_code == 0, res.output
    headers = res.stdout.lstrip("\ufeff").splitlines()[0].split(",")
    assert "重合位置" in headers and "去除引用复制比" in headers
    assert [h for h in headers if re.search(r"[a-z_]", h)] == []
