"""The ``simtool`` command line: a thin layer over the library.

Each command parses its options, calls the library and prints; a ``UserError`` becomes one
Chinese line on stderr and exit code 2, and so does every usage error from the option parser
(``ChineseGroup`` translates them in one place).
"""

from __future__ import annotations

import difflib
import functools
import re
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import typer
from typer.core import TyperGroup

from simtool.cli.engine import engine_options
from simtool.core.errors import UserError
from simtool.read.batch import use_all_cores
from simtool.report import output
from simtool.report.output import OutputFormat

try:  # typer ≥ 0.2x vendors click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer on click
    import click.exceptions as click_errors  # type: ignore[no-redef]


def _long_name(param: Any) -> str:
    opts = [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]
    longs = [o for o in opts if o.startswith("--")]
    return (longs or opts or [str(param.name).upper()])[0]


def _is_option(param: Any) -> bool:
    return getattr(param, "param_type_name", "") == "option"


def _base_type(param: Any) -> Any:
    """The parameter's type without ``| None`` (``None`` when unknown)."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _bounds(param: Any) -> tuple[Any, Any]:
    info = getattr(getattr(param, "type_descriptor", None), "parameter_info", None)
    return getattr(info, "min", None), getattr(info, "max", None)


def _choices(param: Any) -> list[str]:
    desc = getattr(param, "type_descriptor", None)
    choices = getattr(desc, "choices", None) if desc is not None else getattr(param.type, "choices", None)
    return [str(getattr(c, "value", c)) for c in choices or ()]


def _is_ratio(param: Any) -> bool:
    return _base_type(param) is float and _bounds(param) == (0.0, 1.0)


def _example(param: Any) -> str:
    """A value to show in the fix: the default, else one of the right type."""
    if _choices(param):
        return _choices(param)[0]
    if _is_ratio(param):
        return "0.5"
    default = getattr(param, "default", None)
    if default is not None and not isinstance(default, bool) and not callable(default) and default != ():
        return str(default)
    kind = _base_type(param)
    return {int: "10", float: "0.5"}.get(kind, "结果.xlsx" if _long_name(param) == "--output" else "…")


def _usage(ctx: Any) -> str:
    if ctx is None:
        return "simtool 命令 [选项]"
    if isinstance(ctx.command, TyperGroup):
        return f"{ctx.command_path} 命令 [选项]"
    pieces = []
    for p in ctx.command.get_params(ctx):
        if p.param_type_name == "argument":
            name = f"{str(p.name).upper()}..." if p.nargs == -1 else str(p.name).upper()
            pieces.append(name if p.required else f"[{name}]")
    return " ".join([ctx.command_path, "[选项]", *pieces])


def _option_names(ctx: Any) -> list[str]:
    return [o for p in ctx.command.get_params(ctx) if _is_option(p) for o in (*p.opts, *p.secondary_opts)]


def _bad_value(exc: Any) -> str:
    param = exc.param
    name = _long_name(param) if param is not None else "参数"
    cause = exc.__cause__
    errors = cause.errors() if hasattr(cause, "errors") else []
    value = errors[0].get("input") if errors else None
    got = f"，收到 {value}" if value is not None else ""
    if param is None:
        return f"参数的值无效{got}；用法：{_usage(exc.ctx)}"
    choices = _choices(param)
    if choices:
        listed = "、".join(choices[:-1]) + f" 或 {choices[-1]}" if len(choices) > 1 else choices[0]
        return f"{name} 只能是 {listed}{got}；例如 {name} {choices[0]}"
    lo, hi = _bounds(param)
    if _is_ratio(param):
        hint = ""
        try:
            number = float(value) if value is not None else None
        except (TypeError, ValueError):
            number = None
        if number is not None and 1 < number <= 100:
            hint = f"（{number:g}% 写作 {number / 100:g}）"
        return f"{name} 是比例{got}；请用 0 到 1 之间的小数，例如 0.5{hint}"
    kind = {int: "整数", float: "数字"}.get(_base_type(param))
    if kind:
        if lo is not None and hi is not None:
            need = f"{lo:g} 到 {hi:g} 之间的{kind}"
        elif lo is not None:
            need = f"不小于 {lo:g} 的{kind}"
        elif hi is not None:
            need = f"不大于 {hi:g} 的{kind}"
        else:
            need = kind
        return f"{name} 应为{need}{got}；例如 {name} {_example(param)}"
    return f"{name} 的值无效{got}；用法：{_usage(exc.ctx)}"


def _no_such_option(exc: Any) -> str:
    ctx = exc.ctx
    where = ctx.command_path if ctx else "simtool"
    names = _option_names(ctx) if ctx else []
    typed = exc.option_name
    best = difflib.get_close_matches(typed, names, n=1, cutoff=0.5)
    if best:
        return f"{where} 没有 {typed} 选项，是不是要用 {best[0]}？（{where} --help 查看全部选项）"
    longs = [n for n in names if n.startswith("--")]
    return f"{where} 没有 {typed} 选项；可用的选项：{'、'.join(longs)}"


def _bad_option_usage(exc: Any) -> str:
    ctx = exc.ctx
    typed = exc.option_name
    param = (
        next((p for p in ctx.command.get_params(ctx) if typed in (*p.opts, *p.secondary_opts)), None) if ctx else None
    )
    if param is not None and getattr(param, "is_flag", False):
        return f"{typed} 是开关，后面不带取值：直接写 {typed}"
    example = _example(param) if param is not None else "…"
    return f"{typed} 后面缺少取值，例如 {typed} {example}"


def _missing(exc: Any) -> str:
    param = exc.param
    if param is None:
        return f"缺少参数；用法：{_usage(exc.ctx)}"
    if _is_option(param):
        return f"缺少选项 {_long_name(param)}，例如 {_long_name(param)} {_example(param)}"
    what = f"（{param.help}）" if getattr(param, "help", None) else ""
    return f"缺少参数 {str(param.name).upper()}{what}；用法：{_usage(exc.ctx)}"


_EXTRA = re.compile(r"unexpected extra argument\S* \((.*)\)")


def usage_message(exc: Exception) -> str:
    """One Chinese line (without the 错误： prefix) for a usage error of the option parser."""
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click_errors.MissingParameter):
        return _missing(exc)
    if isinstance(exc, click_errors.BadParameter):
        return _bad_value(exc)
    if isinstance(exc, click_errors.NoSuchOption):
        return _no_such_option(exc)
    if isinstance(exc, click_errors.BadOptionUsage):
        return _bad_option_usage(exc)
    if isinstance(exc, click_errors.FileError):
        return f"无法打开文件 {exc.filename}，请检查路径是否写错"
    message = getattr(exc, "message", "")
    extra = _EXTRA.search(message)
    if extra:
        return f"多余的参数 {extra.group(1)}；用法：{_usage(ctx)}"
    if message.startswith("Missing command"):
        return "缺少命令；用法：simtool 命令 [选项]（simtool --help 查看全部命令）"
    where = ctx.command_path if ctx else "simtool"
    return f"命令行用法有误；用法：{_usage(ctx)}（{where} --help 查看说明）"


class _ChineseUsageError(click_errors.UsageError):
    exit_code = 2

    def show(self, file: Any = None) -> None:
        err(f"错误：{self.message}")


@contextmanager
def _chinese_usage(group_ctx: Any = None) -> Iterator[None]:
    try:
        yield
    except (click_errors.NoArgsIsHelpError, _ChineseUsageError):
        raise
    except (click_errors.UsageError, click_errors.FileError) as exc:
        name = getattr(group_ctx, "invoked_subcommand", None)
        if getattr(exc, "ctx", None) is None and name:  # the parser raises some errors without a context
            cmd = group_ctx.command.get_command(group_ctx, name)
            exc.ctx = cmd.context_class(cmd, info_name=name, parent=group_ctx) if cmd else None  # type: ignore[union-attr]
        raise _ChineseUsageError(usage_message(exc), getattr(exc, "ctx", None)) from None


class ChineseGroup(TyperGroup):
    """The command group: usage errors from parsing become one Chinese line with the fix (exit 2);
    ``--help`` is untouched."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        with _chinese_usage():
            return super().make_context(info_name, args, parent=parent, **extra)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            best = difflib.get_close_matches(name, list(self.commands), n=1, cutoff=0.5)
            fix = (
                f"是不是要用 {best[0]}？（simtool --help 查看全部命令）"
                if best
                else "可用的命令：" + "、".join(self.commands)
            )
            raise _ChineseUsageError(f"没有 {name} 命令，{fix}", ctx)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        with _chinese_usage(ctx):
            return super().invoke(ctx)


app = typer.Typer(
    cls=ChineseGroup,
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
LimitOpt = Annotated[int | None, typer.Option("--limit", help="表格最多显示多少行（0 为全部）")]
ForceOpt = Annotated[bool, typer.Option("--force", help="收录不像整改通报的文件（默认跳过并说明原因）")]
OutOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", help="写入文件而不是屏幕：.xlsx（Excel 工作簿）、.csv（Excel 可直接打开）或 .jsonl"),
]

HtmlOpt = Annotated[str | None, typer.Option("--html", help="另写一份可打印的离线 HTML 页面到该文件")]
FormulaFileOpt = Annotated[
    list[str] | None,
    typer.Option("--formula-file", help="套话文件：每行一条，算作套话（补充自动识别的套话和提法），可给多个"),
]
ReferenceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--reference",
        help="参考文件（巡察反馈意见、上级模板、条例原文等）：与之相同的文字算作引用，另计去除引用复制比，可给多个",
    ),
]


def err(message: str) -> None:
    sys.stderr.write(output.inert(message).replace("\n", " ") + "\n")


def guarded(fn: F) -> F:
    """Turn library errors into one Chinese line and an exit code instead of a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from simtool.cli.commands import EngineProgress
        from simtool.core.timing import watching

        bar = EngineProgress()
        try:
            with watching(bar):
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
        finally:
            bar.close()

    return wrapper  # type: ignore[return-value]


def _skips(skips: list[Any]) -> None:
    for s in skips:
        err(f"跳过 {s.path}：{s.reason}")


def _check_output(out: str | None, fmt: OutputFormat) -> None:
    """Refuse an output file whose format is unknown before doing any work."""
    if out is not None:
        output.file_format(out, fmt)


def _written(out: str | None) -> None:
    if out is not None:
        print(output.inert(f"已写入 {out}"))


def _records_command(
    paths: list[str] | None,
    db: str,
    fmt: OutputFormat,
    make: Callable[[list[Any]], Any],
    columns: list[output.Column],
    title: str,
    limit: int | None,
    out: str | None = None,
    rows: str | None = None,
    force: bool = False,
) -> None:
    """Load the notices (files or store), build records with ``make`` and print them (or write
    ``out``; ``rows`` is the list of records that CSV/XLSX show one row per item; ``force`` reads
    files that do not look like notices)."""
    from simtool.store.corpus import notices_for

    _check_output(out, fmt)
    items, skips = notices_for(paths or [], db, force=force)
    _skips(skips)
    output.emit(make(items), fmt, columns, title=title, limit=limit or None, rows=rows, path=out)
    _written(out)


@app.command()
@guarded
def ingest(
    paths: Annotated[list[str] | None, typer.Argument(help="要导入的文件或文件夹（递归）")] = None,
    db: DbOpt = "simtool.db",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="只打印汇总")] = False,
    force: ForceOpt = False,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="并行读取、解析文件的进程数（默认每个 CPU 核一个）")
    ] = None,
    reference: Annotated[
        list[str] | None,
        typer.Option(
            "--reference",
            help="作为参考文件存入库中（巡察反馈意见、上级模板等）：此后对该库的 check、overlap、report"
            " 把与之相同的文字算作引用，不列为通报或来源，可给多个",
        ),
    ] = None,
) -> None:
    """导入通报文件到库中（txt/md/docx/html/pdf；同一文件或同一内容的不同格式重复导入不会重复添加）。"""
    from simtool.cli.commands import run_ingest

    if not paths and not reference:
        raise UserError("缺少要导入的文件：请给出通报文件或文件夹，例如 simtool ingest corpora/seeds")
    code = run_ingest(paths or [], db, quiet=quiet, force=force, jobs=jobs, references=reference or [])
    raise typer.Exit(code)


@app.command()
@guarded
def notices(
    paths: PathsArg = None,
    db: DbOpt = "simtool.db",
    fmt: FormatOpt = "table",
    limit: LimitOpt = None,
    out: OutOpt = None,
    force: ForceOpt = False,
) -> None:
    """列出通报：序号（show、compare 可用 #序号）、标题、单位、日期、字数、问题数、措施数。"""
    from simtool.cli.commands import notice_records, numbered_records

    columns: list[output.Column] = [
        *([("no", "序号")] if fmt == "table" and out is None else []),  # the #N that show and compare take
        ("notice", "通报"),
        ("title", "标题"),
        ("unit", "单位"),
        ("date", "日期"),
        ("chars", "字数"),
        ("problems", "问题"),
        ("measures", "措施"),
    ]
    make = numbered_records if fmt == "table" and out is None else notice_records
    _records_command(paths, db, fmt, make, columns, "通报列表", limit, out, force=force)
    if not paths and fmt == "table" and out is None:
        from simtool.cli.commands import reference_note

        note = reference_note(db)
        if note:
            print(output.inert(note))


@app.command()
@guarded
def show(
    notice: Annotated[
        str, typer.Argument(help="通报编号，如 corpora/seeds/a.txt#3，或报告和 simtool notices 中的序号 #3")
    ],
    paths: PathsArg = None,
    db: DbOpt = "simtool.db",
    fmt: FormatOpt = "table",
    force: ForceOpt = False,
) -> None:
    """显示一篇通报的解析结构（元数据和分段，问题带原编号）。"""
    from simtool.cli.commands import find_notice, show_notice
    from simtool.store.corpus import notices_for

    items, skips = notices_for(paths or [], db, force=force)
    _skips(skips)
    show_notice(find_notice(items, notice), fmt)


MinSimOpt = Annotated[float, typer.Option("--min-sim", min=0.0, max=1.0, help="最低相似度 [0,1]，默认 0.8")]


@app.command()
@guarded
@engine_options
def dupes(
    paths: PathsArg = None,
    db: DbOpt = "simtool.db",
    fmt: FormatOpt = "table",
    min_sim: MinSimOpt = 0.8,
    scope: Annotated[
        Literal["cross", "within", "all"],
        typer.Option("--scope", help="cross（跨通报，默认）、within（通报内部）、all"),
    ] = "cross",
    view: Annotated[
        Literal["literal", "template"],
        typer.Option("--view", help="literal（原文，默认）或 template（数字、日期、XX 视为空位）"),
    ] = "literal",
    max_family: Annotated[
        int,
        typer.Option("--max-family", min=2, help="同一句子及其近似写法超过多少处时改为星形输出（每处只与代表句配对）"),
    ] = 50,
    shingles: Annotated[
        Literal["char", "word"], typer.Option("--shingles", help="char（字二元组，默认）或 word（结巴分词的词二元组）")
    ] = "char",
    limit: LimitOpt = 50,
    out: OutOpt = None,
    passages: Annotated[
        bool, typer.Option("--passages", help="按片段输出：两篇通报间连续相似的句子合为一段（中间最多隔一句）")
    ] = False,
    families: Annotated[
        bool, typer.Option("--families", help="按句族输出：每个近似句族一条（代表句、各种写法及处数、通报数）")
    ] = False,
    force: ForceOpt = False,
) -> None:
    """列出经过核验的相似句段对（每对都用 rapidfuzz 复核过）。"""
    from simtool.cli.commands import run_dupes

    _check_output(out, fmt)
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
        out=out,
        passages=passages,
        families=families,
        force=force,
    )
    _written(out)


@app.command()
@guarded
def check(
    paths: Annotated[list[str], typer.Argument(help="要检查的通报文件或文件夹，可以给多个")],
    db: DbOpt = "simtool.db",
    fmt: FormatOpt = "table",
    min_sim: MinSimOpt = 0.8,
    fail_above: Annotated[
        float | None, typer.Option("--fail-above", min=0.0, max=1.0, help="总文字复制比超过该值时以退出码 1 结束")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", help="表格（检测结果、相似来源）最多显示多少行（0 为全部）")
    ] = 10,
    out: OutOpt = None,
    force: ForceOpt = False,
    html: HtmlOpt = None,
    html_dir: Annotated[
        str | None, typer.Option("--html-dir", help="每篇通报一份检测报告单（HTML），写入该文件夹")
    ] = None,
    formula_file: FormulaFileOpt = None,
    reference: ReferenceOpt = None,
) -> None:
    """把通报（一个或多个文件、文件夹）与库中全部通报比对：总文字复制比、去除套话复制比、单篇最大复制比、来源排名。"""
    from simtool.cli.commands import run_check

    _check_output(out, fmt)
    records = run_check(
        paths,
        db,
        fmt=fmt,
        min_sim=min_sim,
        limit=limit,
        out=out,
        html=html,
        html_dir=html_dir,
        force=force,
        formula_files=formula_file or [],
        reference_files=reference or [],
    )
    _written(out)
    if fail_above is not None:
        over = [r for r in records if r.copy_ratio > fail_above]
        for r in over:
            err(f"{r.notice}：总文字复制比 {r.copy_ratio:.1%} 超过 --fail-above {fail_above:.1%}")
        if over:
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
    html: HtmlOpt = None,
) -> None:
    """两篇通报逐段对照：相同文字与差异。"""
    from simtool.cli.commands import run_compare

    run_compare(a, b, paths or [], db, fmt=fmt, min_sim=min_sim, html=html)


@app.command()
@guarded
@engine_options
def overlap(
    paths: PathsArg = None,
    db: DbOpt = "simtool.db",
    fmt: FormatOpt = "table",
    min_sim: MinSimOpt = 0.8,
    limit: LimitOpt = 30,
    out: OutOpt = None,
    force: ForceOpt = False,
    formula_file: FormulaFileOpt = None,
    reference: ReferenceOpt = None,
) -> None:
    """通报两两之间的文字重合（复制比），按去除套话后的重合度排序。"""
    from simtool.cli.inputs import overlap_with, references_for, user_formulas

    user, refs = user_formulas(formula_file or []), references_for(paths or [], db, reference or [])
    quoted_cols: list[output.Column] = (
        [("ratio_a_unquoted", "去引用占 A", output.pct), ("ratio_b_unquoted", "去引用占 B", output.pct)] if refs else []
    )
    _records_command(
        paths,
        db,
        fmt,
        lambda items: overlap_with(items, min_sim=min_sim, user=user, references=refs),
        [
            ("a", "通报 A"),
            ("b", "通报 B"),
            ("shared_a", "A 重合字数"),
            ("ratio_a", "占 A", output.pct),
            ("ratio_a_substantive", "去套话占 A", output.pct),
            ("ratio_b", "占 B", output.pct),
            ("ratio_b_substantive", "去套话占 B", output.pct),
            *quoted_cols,
            ("likely_source", "可能的来源"),
        ],
        "通报重合度排名",
        limit,
        out,
        force=force,
    )


@guarded
@engine_options
def phrases(
    paths: PathsArg = None,
    db: DbOpt = "simtool.db",
    fmt: FormatOpt = "table",
    min_notices: Annotated[
        int | None, typer.Option("--min-notices", min=2, help="至少被多少篇通报使用（默认 3 或通报数的 20%，取大者）")
    ] = None,
    limit: LimitOpt = 40,
    out: OutOpt = None,
    force: ForceOpt = False,
    formula_file: FormulaFileOpt = None,
) -> None:
    """套话：多篇通报共用的整句或分句（含各种写法）、标准提法和指定的套话，每条一行。"""
    from simtool.analyses.phrases import phrase_records
    from simtool.cli.inputs import user_formulas
    from simtool.report.roles import role_name

    user = user_formulas(formula_file or [])
    _records_command(
        paths,
        db,
        fmt,
        lambda items: phrase_records(items, min_notices=min_notices, user=user),
        [
            ("phrase", "套话（最常见的写法）"),
            ("role", "位置", role_name),
            ("notices", "通报数"),
            ("occurrences", "出现次数"),
            ("variant_count", "写法数"),
            ("formulaic", "计入套话", output.yes_no),
        ],
        "套话（多篇通报共用的整句、分句与提法）",
        limit,
        out,
        force=force,
    )


app.command()(phrases)
app.command("formulas", help="套话（phrases 的别名）：多篇通报共用的整句或分句、标准提法和指定的套话。")(phrases)


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
    out: OutOpt = None,
    force: ForceOpt = False,
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
            out,
            force=force,
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
        out,
        rows="members",
        force=force,
    )


@app.command()
@guarded
def reuse(
    paths: PathsArg = None,
    db: DbOpt = "simtool.db",
    fmt: FormatOpt = "table",
    min_sim: MinSimOpt = 0.8,
    limit: LimitOpt = 30,
    out: OutOpt = None,
    force: ForceOpt = False,
) -> None:
    """通报内部：同一条措施被用于不同问题（千篇一律）。"""
    from simtool.analyses.reuse import reuse_records

    _records_command(
        paths,
        db,
        fmt,
        lambda items: reuse_records(items, min_sim=min_sim),
        [("notice", "通报"), ("measure", "重复使用的措施"), ("problem_labels", "对应问题号"), ("count", "次数")],
        "一条措施对应多个问题",
        limit,
        out,
        rows="occurrences",
        force=force,
    )


@app.command()
@guarded
@engine_options
def report(
    paths: PathsArg = None,
    db: DbOpt = "simtool.db",
    out: Annotated[str, typer.Option("--output", "-o", help="输出的 HTML 文件")] = "report.html",
    min_sim: MinSimOpt = 0.8,
    formula_file: FormulaFileOpt = None,
    reference: ReferenceOpt = None,
) -> None:
    """生成完整分析的单文件离线 HTML 报告（中文），并在终端打印摘要。"""
    from simtool.cli.inputs import references_for, user_formulas
    from simtool.report.html import run_report

    user, refs = user_formulas(formula_file or []), references_for(paths or [], db, reference or [])
    run_report(paths or [], db, out=out, min_sim=min_sim, user_formulas=user, references=refs)


def main() -> None:
    """Console-script entry point (its main module is guarded, so files are read on every core)."""
    use_all_cores()
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
