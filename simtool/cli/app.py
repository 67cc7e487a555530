"""The ``simtool`` command line: a thin layer over the library.

Each command parses its options, calls the library and prints; a ``UserError`` becomes one
Chinese line on stderr and exit code 2.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from simtool.core.errors import UserError
from simtool.report import output
from simtool.report.output import OutputFormat

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="simtool：查找巡察/巡视整改通报之间的照搬照抄、套话和相似表述，并给出重合度排名。",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])

DbOpt = Annotated[str, typer.Option("--db", help="库文件（SQLite），默认 simtool.db")]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="输出格式：table（默认）、jsonl、csv")]
PathsArg = Annotated[
    list[str] | None, typer.Argument(help="文件或文件夹；不给则使用库中已导入的通报", show_default=False)
]
LimitOpt = Annotated[int | None, typer.Option("--limit", help="表格最多显示多少行")]


def err(message: str) -> None:
    sys.stderr.write(output.inert(message).replace("\n", " ") + "\n")


def guarded(fn: F) -> F:
    """Turn library errors into one Chinese line and an exit code instead of a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            err(f"错误：{exc}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err("已中断；库中已完成的文件都已保存，重新运行即可继续。")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            raise typer.Exit(0) from None
        except MemoryError:
            err("错误：内存不足，请分批处理文件。")
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # last line of defence: never a traceback
            err(f"内部错误：{type(exc).__name__}: {exc}。请把命令和文件报告给开发者。")
            raise typer.Exit(3) from None

    return wrapper  # type: ignore[return-value]


def _skips(skips: list[Any]) -> None:
    for s in skips:
        err(f"跳过 {s.path}：{s.reason}")


def _records_command(
    paths: list[str] | None,
    db: str,
    fmt: OutputFormat,
    make: Callable[[list[Any]], Any],
    columns: list[output.Column],
    title: str,
    limit: int | None,
) -> None:
    """Load the notices (files or store), build records with ``make`` and print them."""
    from simtool.store.corpus import notices_for

    items, skips = notices_for(paths or [], db)
    _skips(skips)
    output.emit(make(items), fmt, columns, title=title, limit=limit or None)


@app.command()
@guarded
def ingest(
    paths: Annotated[list[str], typer.Argument(help="要导入的文件或文件夹（递归）")],
    db: DbOpt = "simtool.db",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="只打印汇总")] = False,
) -> None:
    """导入通报文件到库中（txt/md/docx/html/pdf；同一文件重复导入不会重复添加）。"""
    from simtool.cli.commands import run_ingest

    code = run_ingest(paths, db, quiet=quiet)
    raise typer.Exit(code)


@app.command()
@guarded
def notices(paths: PathsArg = None, db: DbOpt = "simtool.db", fmt: FormatOpt = "table", limit: LimitOpt = None) -> None:
    """列出通报：标题、单位、日期、字数、问题数、措施数。"""
    from simtool.cli.commands import notice_records

    columns: list[output.Column] = [
        ("notice", "通报"),
        ("title", "标题"),
        ("unit", "单位"),
        ("date", "日期"),
        ("chars", "字数"),
        ("problems", "问题"),
        ("measures", "措施"),
    ]
    _records_command(paths, db, fmt, notice_records, columns, "通报列表", limit)


@app.command()
@guarded
def show(
    notice: Annotated[str, typer.Argument(help="通报编号，如 corpora/seeds/a.txt#3")],
    paths: PathsArg = None,
    db: DbOpt = "simtool.db",
    fmt: FormatOpt = "table",
) -> None:
    """显示一篇通报的解析结构（元数据和分段）。"""
    from simtool.cli.commands import find_notice, show_notice
    from simtool.store.corpus import notices_for

    items, skips = notices_for(paths or [], db)
    _skips(skips)
    show_notice(find_notice(items, notice), fmt)


MinSimOpt = Annotated[float, typer.Option("--min-sim", min=0.0, max=1.0, help="最低相似度 [0,1]，默认 0.8")]


@app.command()
@guarded
def dupes(
    paths: PathsArg = None,
    db: DbOpt = "simtool.db",
    fmt: FormatOpt = "table",
    min_sim: MinSimOpt = 0.8,
    scope: Annotated[str, typer.Option("--scope", help="cross（跨通报，默认）、within（通报内部）、all")] = "cross",
    view: Annotated[
        str, typer.Option("--view", help="literal（原文，默认）或 template（数字、日期、XX 视为空位）")
    ] = "literal",
    max_family: Annotated[int, typer.Option("--max-family", min=2, help="完全相同的句子超过多少处时改为星形输出")] = 50,
    shingles: Annotated[
        str, typer.Option("--shingles", help="char（字二元组，默认）或 word（结巴分词的词二元组）")
    ] = "char",
    limit: LimitOpt = 50,
) -> None:
    """列出经过核验的相似句段对（每对都用 rapidfuzz 复核过）。"""
    from simtool.cli.commands import run_dupes

    if scope not in ("cross", "within", "all"):
        raise UserError("--scope 只能是 cross、within 或 all")
    if view not in ("literal", "template"):
        raise UserError("--view 只能是 literal 或 template")
    if shingles not in ("char", "word"):
        raise UserError("--shingles 只能是 char 或 word")
    run_dupes(
        paths or [],
        db,
        fmt=fmt,
        min_sim=min_sim,
        scope=scope,
        view=view,
        max_family=max_family,
        shingles=shingles,
        limit=limit,
    )


@app.command()
@guarded
def check(
    file: Annotated[str, typer.Argument(help="要检查的通报文件")],
    db: DbOpt = "simtool.db",
    fmt: FormatOpt = "table",
    min_sim: MinSimOpt = 0.8,
    fail_above: Annotated[
        float | None, typer.Option("--fail-above", min=0.0, max=1.0, help="总文字复制比超过该值时以退出码 1 结束")
    ] = None,
) -> None:
    """把一篇通报与库中全部通报比对：总文字复制比、去除套话复制比、单篇最大复制比、来源排名。"""
    from simtool.cli.commands import run_check

    ratio = run_check(file, db, fmt=fmt, min_sim=min_sim)
    if fail_above is not None and ratio > fail_above:
        err(f"总文字复制比 {ratio:.1%} 超过 --fail-above {fail_above:.1%}")
        raise typer.Exit(1)


@app.command()
@guarded
def compare(
    a: Annotated[str, typer.Argument(help="通报 A（编号或文件）")],
    b: Annotated[str, typer.Argument(help="通报 B（编号或文件）")],
    paths: PathsArg = None,
    db: DbOpt = "simtool.db",
    fmt: FormatOpt = "table",
    min_sim: MinSimOpt = 0.8,
) -> None:
    """两篇通报逐段对照：相同文字与差异。"""
    from simtool.cli.commands import run_compare

    run_compare(a, b, paths or [], db, fmt=fmt, min_sim=min_sim)


@app.command()
@guarded
def overlap(
    paths: PathsArg = None,
    db: DbOpt = "simtool.db",
    fmt: FormatOpt = "table",
    min_sim: MinSimOpt = 0.8,
    limit: LimitOpt = 30,
) -> None:
    """通报两两之间的文字重合（复制比），按去除套话后的重合度排序。"""
    from simtool.analyses.overlap import overlap_records

    _records_command(
        paths,
        db,
        fmt,
        lambda items: overlap_records(items, min_sim=min_sim),
        [
            ("a", "通报 A"),
            ("b", "通报 B"),
            ("shared_a", "A 重合字数"),
            ("ratio_a", "占 A", output.pct),
            ("ratio_a_substantive", "去套话占 A", output.pct),
            ("ratio_b", "占 B", output.pct),
            ("ratio_b_substantive", "去套话占 B", output.pct),
            ("likely_source", "可能的来源"),
        ],
        "通报重合度排名",
        limit,
    )


@app.command()
@guarded
def phrases(
    paths: PathsArg = None,
    db: DbOpt = "simtool.db",
    fmt: FormatOpt = "table",
    min_notices: Annotated[
        int | None, typer.Option("--min-notices", min=2, help="至少被多少篇通报使用（默认 3 或通报数的 20%，取大者）")
    ] = None,
    limit: LimitOpt = 40,
) -> None:
    """套话：被多篇通报共同使用的最长相同表述。"""
    from simtool.analyses.phrases import phrase_records

    _records_command(
        paths,
        db,
        fmt,
        lambda items: phrase_records(items, min_notices=min_notices),
        [("phrase", "表述"), ("notices", "通报数"), ("units", "单位数"), ("occurrences", "出现次数")],
        "套话（多篇通报共用的表述）",
        limit,
    )


@app.command()
@guarded
def clusters(
    paths: PathsArg = None,
    db: DbOpt = "simtool.db",
    fmt: FormatOpt = "table",
    min_sim: Annotated[float, typer.Option("--min-sim", min=0.0, max=1.0, help="最低相似度 [0,1]，默认 0.6")] = 0.6,
    themes: Annotated[
        bool, typer.Option("--themes", help="按主题（学习、会议、制度、台账……）汇总，而不是列出措施族")
    ] = False,
    limit: LimitOpt = 30,
) -> None:
    """跨通报、跨单位反复出现的整改措施（措施族）。"""
    from simtool.analyses.clusters import cluster_records, theme_records

    if themes:
        _records_command(
            paths,
            db,
            fmt,
            lambda items: theme_records(items, min_sim=min_sim),
            [
                ("theme", "主题"),
                ("keywords", "常见表述"),
                ("measures", "措施数"),
                ("notices", "通报数"),
                ("units", "单位数"),
            ],
            "措施主题",
            limit,
        )
        return
    _records_command(
        paths,
        db,
        fmt,
        lambda items: cluster_records(items, min_sim=min_sim),
        [("cluster", "编号"), ("size", "措施数"), ("notices", "通报数"), ("units", "单位数"), ("label", "代表性措施")],
        "措施族",
        limit,
    )


@app.command()
@guarded
def reuse(
    paths: PathsArg = None,
    db: DbOpt = "simtool.db",
    fmt: FormatOpt = "table",
    min_sim: MinSimOpt = 0.8,
    limit: LimitOpt = 30,
) -> None:
    """通报内部：同一条措施被用于不同问题（千篇一律）。"""
    from simtool.analyses.reuse import reuse_records

    _records_command(
        paths,
        db,
        fmt,
        lambda items: reuse_records(items, min_sim=min_sim),
        [("notice", "通报"), ("measure", "重复使用的措施"), ("problems", "对应问题号"), ("count", "次数")],
        "一条措施对应多个问题",
        limit,
    )


@app.command()
@guarded
def report(
    paths: PathsArg = None,
    db: DbOpt = "simtool.db",
    out: Annotated[str, typer.Option("--output", "-o", help="输出的 HTML 文件")] = "report.html",
    min_sim: MinSimOpt = 0.8,
) -> None:
    """生成完整分析的单文件离线 HTML 报告（中文），并在终端打印摘要。"""
    from simtool.report.html import run_report

    run_report(paths or [], db, out=out, min_sim=min_sim)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
