"""Usage errors are one Chinese line with the fix on stderr and exit code 2; ``--help`` is untouched;
every option a hint or table footer mentions exists on the command that prints it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from simtool.cli.app import app

runner = CliRunner()
SEEDS = "corpora/seeds"
COUNTY = "corpora/seeds/002_7d8fcde3e44e2eb6.txt"
CLICK_ENGLISH = re.compile(
    r"\b(Usage|Error|Invalid|Missing|Try|Possible|Value|Input|should|requires|such|unexpected|extra|"
    r"not one of|integer|valid|Got|takes|argument|option|command)\b"
)


def invoke(args: list[str], **kw: object):  # type: ignore[no-untyped-def]
    return runner.invoke(app, args, prog_name="simtool", **kw)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["check", COUNTY, "--fail-above", "50"],
            "错误：--fail-above 是比例，收到 50；请用 0 到 1 之间的小数，例如 0.5（50% 写作 0.5）",
        ),
        (
            ["dupes", SEEDS, "--min-sim", "80"],
            "错误：--min-sim 是比例，收到 80；请用 0 到 1 之间的小数，例如 0.5（80% 写作 0.8）",
        ),
        (["overlap", "--min-sim", "abc"], "错误：--min-sim 是比例，收到 abc；请用 0 到 1 之间的小数，例如 0.5"),
        (
            ["notices", "--frmat", "jsonl"],
            "错误：simtool notices 没有 --frmat 选项，是不是要用 --format？（simtool notices --help 查看全部选项）",
        ),
        (
            ["dupes", "--min-similarity", "0.8"],
            "错误：simtool dupes 没有 --min-similarity 选项，是不是要用 --min-sim？（simtool dupes --help 查看全部选项）",
        ),
        (["notices", "--format", "xml"], "错误：--format 只能是 table、jsonl 或 csv，收到 xml；例如 --format table"),
        (["dupes", "--scope", "both"], "错误：--scope 只能是 cross、within 或 all，收到 both；例如 --scope cross"),
        (["dupes", "--max-family", "1"], "错误：--max-family 应为不小于 2 的整数，收到 1；例如 --max-family 50"),
        (["notices", "--limit", "many"], "错误：--limit 应为整数，收到 many；例如 --limit 10"),
        (["notices", "--limit"], "错误：--limit 后面缺少取值，例如 --limit 10"),
        (["ingest", SEEDS, "--quiet=yes"], "错误：--quiet 是开关，后面不带取值：直接写 --quiet"),
        (
            ["check"],
            "错误：缺少参数 PATHS（要检查的通报文件或文件夹，可以给多个）；用法：simtool check [选项] PATHS...",
        ),
        (["compare", "#1"], "错误：缺少参数 B（通报 B（编号或文件））；用法：simtool compare [选项] A B [PATHS...]"),
        (["compare", COUNTY], "错误：缺少参数 B（通报 B（编号或文件））；用法：simtool compare [选项] A B [PATHS...]"),
        (["notice"], "错误：没有 notice 命令，是不是要用 notices？（simtool --help 查看全部命令）"),
        (
            ["xyz"],
            "错误：没有 xyz 命令，可用的命令：ingest、notices、show、dupes、check、compare、overlap、phrases、formulas、"
            "clusters、reuse、report",
        ),
        (["check", "不存在/通报.txt"], "错误：无法读取 不存在/通报.txt：路径不存在，请检查路径是否写错"),
    ],
)
def test_usage_errors_are_one_chinese_line(args: list[str], line: str) -> None:
    res = invoke(args)
    assert res.exit_code == 2
    assert res.stdout == ""
    assert res.stderr == line + "\n"
    assert not CLICK_ENGLISH.search(res.stderr), res.stderr


def test_help_is_untouched() -> None:
    res = invoke(["notices", "--help"])
    assert res.exit_code == 0 and res.stderr == ""
    assert res.stdout.startswith("Usage: simtool notices [OPTIONS] [paths]...")
    assert "--format" in res.stdout and "--output" in res.stdout


# --- hints and footers name only options the command has -----------------------------------------

OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z-]*|-[a-z](?![\w-]))")


def command_options() -> dict[str, set[str]]:
    group = typer.main.get_command(app)
    return {
        name: {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)} | {"--help"}
        for name, cmd in group.commands.items()  # type: ignore[attr-defined]
    }


def strings_by_function(path: str) -> dict[str, list[str]]:
    """The string constants (f-string parts included) of each top-level function of ``path``."""
    tree = ast.parse(Path(path).read_text("utf-8"))
    out: dict[str, list[str]] = {}
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef):
            out[fn.name] = [n.value for n in ast.walk(fn) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return out


def test_every_option_a_message_mentions_exists() -> None:
    opts = command_options()
    every = set().union(*opts.values())
    owners = {"run_dupes": ["dupes"], "run_check": ["check"], "run_compare": ["compare"], "run_ingest": ["ingest"]}
    owners |= {"show_notice": ["show"], "find_notice": ["show", "compare"]}
    bad = []
    for fn, texts in strings_by_function("simtool/cli/app.py").items():
        for text in texts:
            for o in OPTION.findall(text):
                if fn in opts and o not in opts[fn]:
                    bad.append(f"app.{fn}: {o}")
                elif o not in every and not text.startswith("-"):  # option declarations are not hints
                    bad.append(f"app.{fn}: {o} (no command has it)")
    for fn, texts in strings_by_function("simtool/cli/commands.py").items():
        for text in texts:
            for o in OPTION.findall(text):
                for cmd in owners.get(fn, list(opts)):
                    if o not in opts[cmd] and (fn in owners or o not in every):
                        bad.append(f"commands.{fn} ({cmd}): {o}")
    # The generic table footer in output.py is printed by every command whose table output.emit limits.
    limited = ["notices", "overlap", "phrases", "clusters", "reuse", "check"]
    for texts in strings_by_function("simtool/report/output.py").values():
        for text in texts:
            for o in OPTION.findall(text):
                bad += [f"output ({c}): {o}" for c in limited if o not in opts[c]]
    assert not bad, bad


@pytest.mark.parametrize(
    "args",
    [
        ["notices", SEEDS, "--limit", "1"],
        ["overlap", SEEDS, "--limit", "1"],
        ["phrases", SEEDS, "--limit", "1"],
        ["clusters", SEEDS, "--limit", "1"],
        ["reuse", SEEDS, "--limit", "1"],
        ["dupes", SEEDS, "--limit", "1"],
    ],
    ids=lambda a: a[0],
)
def test_printed_footers_name_real_options(args: list[str]) -> None:
    res = invoke(args)
    assert res.exit_code == 0, res.output
    footer = res.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"（共 \d+ (条|对)，仅显示前 1 (条|对)；.*）", footer), footer
    mentioned = set(OPTION.findall(res.output))
    assert "--limit" in mentioned and ("-o" in mentioned or args[0] == "dupes")
    assert mentioned <= command_options()[args[0]], mentioned


def test_check_footer_and_limit(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    assert invoke(["ingest", SEEDS, "--db", db, "-q"]).exit_code == 0
    res = invoke(["check", COUNTY, "--db", db, "--limit", "1"])
    assert res.exit_code == 0, res.output
    footer = res.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"（共 \d+ 条，仅显示前 1 条；用 --limit 0 显示全部，或用 -o 结果\.xlsx 导出）", footer), footer
    assert set(OPTION.findall(res.output)) <= command_options()["check"]
    everything = invoke(["check", COUNTY, "--db", db, "--limit", "0"])
    assert everything.exit_code == 0 and "仅显示前" not in everything.stdout
