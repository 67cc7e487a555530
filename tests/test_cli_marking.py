"""``compare``/``dupes`` mark only the characters that differ: reverse video on a terminal, ``[…]``
around each differing run when piped or redirected."""

from __future__ import annotations

import io
import json

from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.testing import CliRunner

from simtool.cli.app import app
from simtool.report.output import Marked, diff_legend

runner = CliRunner()
SEEDS = "corpora/seeds"
REVERSE = "\x1b[7m"


def render(renderable: object, *, terminal: bool) -> str:
    buf = io.StringIO()
    con = Console(file=buf, width=80, force_terminal=terminal, color_system="standard" if terminal else None)
    con.print(renderable)
    return buf.getvalue()


def test_terminal_reverses_only_the_differing_characters() -> None:
    out = render(Marked("整改情况予以公布", [(0, 2), (4, 8)]), terminal=True)
    assert out == f"整改{REVERSE}情况\x1b[0m予以公布\n"


def test_plain_file_brackets_the_differing_runs() -> None:
    assert render(Marked("整改情况予以公布", [(0, 2), (4, 8)]), terminal=False) == "整改[情况]予以公布\n"
    assert render(Marked("甲乙丙丁", [(1, 2)]), terminal=False) == "[甲]乙[丙丁]\n"
    assert render(Marked("相同", [(0, 2)]), terminal=False) == "相同\n"
    assert render(Marked("甲乙丙丁戊", [(0, 1)], width=3), terminal=False) == "甲[乙丙]…\n"


def test_heading_and_table_cells() -> None:
    marked = Text("A#1\n", style="dim") + Marked("一二三", [(0, 1), (2, 3)])  # Text + Marked keeps the heading
    table = Table("A")
    table.add_row(marked)
    plain = render(table, terminal=False)
    assert "A#1" in plain and "一[二]三" in plain
    colored = render(table, terminal=True)
    assert f"一{REVERSE}二\x1b[0m三" in colored
    assert "\x1b[2mA#1" in colored and "\x1b[2m一" not in colored  # the heading's dim stays on the heading
    assert diff_legend(Console(file=io.StringIO())) == "[ ] 内为不同之处"
    assert diff_legend(Console(file=io.StringIO(), force_terminal=True)) == "反白为不同之处"


def bracketed(text: str, same: list[list[int]]) -> str:
    out, pos = [], 0
    for a, b in same:
        if a > pos:
            out.append(f"[{text[pos:a]}]")
        out.append(text[a:b])
        pos = b
    if pos < len(text):
        out.append(f"[{text[pos:]}]")
    return "".join(out)


def test_piped_compare_marks_differences_with_brackets() -> None:
    args = ["compare", "#14", "#17", SEEDS]
    (rec,) = [json.loads(x) for x in runner.invoke(app, [*args, "--format", "jsonl"]).stdout.splitlines()]
    res = runner.invoke(app, args, env={"COLUMNS": "1000"})
    assert res.exit_code == 0, res.output
    assert "逐段对照（[ ] 内为不同之处）" in res.stdout
    assert REVERSE not in res.stdout
    differing = [p for p in rec["passages"] if p["a"]["same"] != [[0, len(p["a"]["text"])]]]
    # a passage that runs over a line break is laid out on several table lines: compare the others
    differing = [p for p in differing if "\n" not in p["a"]["text"] + p["b"]["text"]]
    assert differing
    for p in differing:
        for side in ("a", "b"):
            expected = bracketed(p[side]["text"], p[side]["same"])
            assert "[" in expected and expected in res.stdout, expected


def test_terminal_compare_reverses_differences() -> None:
    res = runner.invoke(app, ["compare", "#14", "#17", SEEDS], env={"COLUMNS": "1000", "FORCE_COLOR": "1"})
    assert res.exit_code == 0, res.output
    assert "反白为不同之处" in res.stdout and REVERSE in res.stdout
    assert "[ ] 内为不同之处" not in res.stdout


def test_piped_dupes_title_says_brackets() -> None:
    res = runner.invoke(app, ["dupes", SEEDS, "--limit", "1"], env={"COLUMNS": "1000"})
    assert res.exit_code == 0, res.output
    assert "[ ] 内为不同之处）" in res.stdout and REVERSE not in res.stdout
