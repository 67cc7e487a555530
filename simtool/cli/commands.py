"""What the CLI commands print: record builders and small drivers over the library."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from simtool.core.errors import UserError
from simtool.core.types import Notice, Scope, Skip, View
from simtool.read.ingest import iter_files
from simtool.report import output
from simtool.report.output import OutputFormat
from simtool.store.sqlite import IngestResult, Store

if TYPE_CHECKING:
    from simtool.analyses.check import CheckResult


def notice_record(n: Notice) -> dict[str, Any]:
    return {
        "notice": n.id,
        "title": n.title,
        "unit": n.unit,
        "date": n.date,
        "chars": n.chars,
        "problems": n.problems,
        "measures": n.measures,
        "inspector": n.inspector,
        "period_start": n.period_start,
        "period_end": n.period_end,
        "feedback_date": n.feedback_date,
        "declared": dict(sorted(n.declared.items())),
    }


def notice_records(notices: Sequence[Notice]) -> Iterator[dict[str, Any]]:
    return (notice_record(n) for n in notices)


def numbered_records(notices: Sequence[Notice]) -> Iterator[dict[str, Any]]:
    """``notice_records`` with ``no``: ``#k``, the number ``show`` and ``compare`` take (the table shows it)."""
    return ({"no": f"#{k}"} | r for k, r in enumerate(notice_records(notices), 1))


def find_notice(notices: Sequence[Notice], notice_id: str) -> Notice:
    """The notice with id ``notice_id``, or ``#k``: the k-th notice (1-based) in the order ``simtool notices`` prints."""
    position = re.fullmatch(r"#(\d+)", notice_id.strip())
    if position:
        k = int(position.group(1))
        if not 1 <= k <= len(notices):
            raise UserError(
                f"没有第 {k} 篇通报：共 {len(notices)} 篇，请用 #1 到 #{len(notices)}（顺序同 simtool notices）"
            )
        return notices[k - 1]
    for n in notices:
        if n.id == notice_id:
            return n
    near = [n.id for n in notices if n.id.startswith(notice_id.split("#")[0])][:5]
    hint = f"，可选：{'、'.join(near)}" if near else "，用 simtool notices 查看全部编号"
    raise UserError(f"找不到通报 {notice_id}{hint}")


def show_notice(n: Notice, fmt: OutputFormat) -> None:
    segments = [
        {
            "kind": s.kind,
            "start": s.start,
            "end": s.end,
            "problem": s.problem,
            "label": s.label,
            "heading": list(s.heading),
            "text": s.text,
        }
        for s in n.segments
    ]
    if fmt != "table":
        record = notice_record(n) | {"segments": segments}
        if fmt == "jsonl":
            sys.stdout.write(output.jsonl_line(record) + "\n")
        else:
            output.emit(({"notice": n.id} | s for s in segments), "csv", [], named=SHOW_HEADERS)
        return
    con = output.console()
    con.print(output.inert(f"{n.id}  {n.title}"))
    meta = notice_record(n)
    for key, label in (
        ("unit", "单位"),
        ("inspector", "巡察组"),
        ("period_start", "巡察开始"),
        ("period_end", "巡察结束"),
        ("feedback_date", "反馈日期"),
        ("date", "发布日期"),
        ("declared", "通报自述数字"),
    ):
        con.print(output.inert(f"  {label}：{meta[key] if meta[key] not in (None, {}) else '—'}"))
    con.print(f"  字数 {n.chars}，问题 {n.problems}，措施 {n.measures}")
    kinds = {
        "title": "标题",
        "heading": "小标题",
        "problem": "问题",
        "measure": "措施",
        "framing": "叙述",
        "closing": "结束语",
        "signature": "落款",
    }
    output.emit(
        (
            {
                "kind": kinds[str(s["kind"])],
                "problem": s["problem"],
                "label": s["label"],
                "span": f"{s['start']}-{s['end']}",
                "text": _short(str(s["text"]), 80),
            }
            for s in segments
        ),
        "table",
        [("kind", "类型"), ("problem", "问题号"), ("label", "原编号"), ("span", "位置"), ("text", "内容")],
    )


SHOW_HEADERS = {"label": "原编号"}  # a segment's number as the notice prints it (clusters' label is 代表性措施)


def _short(text: str, width: int) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


_STATUS = {"added": "已导入", "exists": "已存在，未重复导入", "updated": "内容有变，已更新"}
_REF_STATUS = {
    "added": "已作为参考文件导入",
    "exists": "已是参考文件，未重复导入",
    "updated": "参考文件内容有变，已更新",
}


STAGE_NAMES = {"verify": "比对候选句对"}


class EngineProgress:
    """A progress bar (counts and time left) for the engine's long loops, on stderr, started by the first
    ``simtool.core.timing.progress`` event and only on a terminal (a pipe or a file gets nothing)."""

    def __init__(self) -> None:
        self.bar: Progress | None = None
        self.tasks: dict[str, Any] = {}

    def __call__(self, name: str, done: int, total: int) -> None:
        con = output.console(sys.stderr)
        if not con.is_terminal:
            return
        if self.bar is None:
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
            self.bar = Progress(*columns, console=con, transient=True)
            self.bar.start()
        if name not in self.tasks:
            self.tasks[name] = self.bar.add_task(STAGE_NAMES.get(name, name), total=total)
        self.bar.update(self.tasks[name], completed=done, total=total)
        if self.bar.finished:  # gone before the command prints its results
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
        self.bar, self.tasks = None, {}


def run_ingest(
    paths: Sequence[str],
    db: str,
    *,
    quiet: bool = False,
    force: bool = False,
    jobs: int | None = None,
    references: Sequence[str] = (),
) -> int:
    """Ingest ``paths`` into the store ``db`` with a progress bar; returns the exit code.

    ``force`` also takes in files that do not look like notices (``不像整改通报``); the files under
    ``references`` are stored as reference documents (引用, never notices or sources).
    """
    from simtool.store.cache import prepare_check_index
    from simtool.store.codec import encode_index, ensure_index
    from simtool.store.corpus import SameText, duplicate_reason, ingest, ingest_references

    items = list(iter_files(paths))
    skips = [i for i in items if isinstance(i, Skip)]
    files = [i for i in items if isinstance(i, str)]
    con = output.console(sys.stderr)
    events: list[IngestResult | Skip] = list(skips)
    with (
        Store(db) as store,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=con,
            transient=True,
            disable=quiet or len(files) < 20,
        ) as progress,
    ):
        task = progress.add_task("导入", total=len(files))

        def step(_e: IngestResult | Skip) -> None:
            progress.advance(task)

        ensure_index(store)
        events += ingest(files, store, on_event=step, index=encode_index, force=force, jobs=jobs)
        ref_events = ingest_references(references, store) if references else []
        total, stored_refs = store.count_notices(), len(store.reference_sha256())
        progress.update(task, description="建立检测索引")
        prepare_check_index(store)
    added = [e for e in events if isinstance(e, IngestResult)]
    bad = [e for e in events if isinstance(e, Skip)]
    if not quiet:
        for e in sorted(added, key=lambda e: e.path):
            if isinstance(e, SameText):
                print(output.inert(f"{e.path}：{duplicate_reason(e.same_as, stored=True)}"))
                continue
            extra = f"，去除广告/噪声 {e.removed} 行" if e.removed and e.status != "exists" else ""
            print(output.inert(f"{e.path}：{_STATUS[e.status]}，{e.notices} 篇通报{extra}"))
    for s in sorted(bad, key=lambda s: s.path):
        print(output.inert(f"跳过 {s.path}：{s.reason}"), file=sys.stderr)
    ref_added = _print_references(ref_events, quiet=quiet)
    if references and not paths:
        print(f"库中共有 {total} 篇通报、{stored_refs} 份参考文件（{db}）。")
        return 0 if ref_added else 2
    new = sum(e.notices for e in added)
    same = sum(isinstance(e, SameText) for e in added)
    print(
        f"共处理 {len(added) + len(bad)} 个文件：导入 {sum(e.status != 'exists' for e in added)} 个（{new} 篇通报），"
        f"已存在 {sum(e.status == 'exists' for e in added) - same} 个，"
        + (f"内容与库中文件相同 {same} 个，" if same else "")
        + f"跳过 {len(bad)} 个；库中共有 {total} 篇通报"
        + (f"、{stored_refs} 份参考文件" if stored_refs else "")
        + f"（{db}）。"
    )
    if (not added and bad) or (references and not ref_added):
        return 2
    return 0


def reference_note(db: str) -> str | None:
    """The line ``notices`` prints under the table about the store's reference documents, if any."""
    with Store(db, create=False) as store:
        paths = list(store.reference_sha256().values())
    if not paths:
        return None
    return f"另有 {len(paths)} 份参考文件（算作引用，不列为通报或来源）：{'、'.join(paths)}"


def _print_references(events: Sequence[IngestResult | Skip], *, quiet: bool) -> int:
    """Print what ``ingest --reference`` did per file; returns how many files are stored references."""
    from simtool.store.corpus import SameText

    stored = 0
    for e in sorted(events, key=lambda e: e.path):
        if isinstance(e, Skip):
            print(output.inert(f"跳过参考文件 {e.path}：{e.reason}"), file=sys.stderr)
            continue
        stored += not isinstance(e, SameText)
        if quiet:
            continue
        if isinstance(e, SameText):
            print(output.inert(f"{e.path}：与参考文件 {e.same_as} 内容相同，未重复导入"))
        else:
            print(output.inert(f"{e.path}：{_REF_STATUS[e.status]}（与之相同的文字算作引用，不作为通报或来源）"))
    return stored


def _marked(text: str, same: Sequence[tuple[int, int]], width: int = 160) -> Any:
    """Characters that differ from the other side: reverse video on a terminal, [brackets] when piped."""
    return output.Marked(text, same, width)


def run_dupes(
    paths: Sequence[str],
    db: str,
    *,
    fmt: OutputFormat,
    min_sim: float,
    scope: Scope,
    view: View,
    max_family: int,
    shingles: str = "char",
    limit: int | None,
    out: str | None = None,
    passages: bool = False,
    families: bool = False,
    force: bool = False,
) -> None:
    from rich.table import Table

    from simtool.analyses.dupes import family_records, pair_records, passage_records, same_spans
    from simtool.cli.engine import engine_units
    from simtool.match.engine import DEFAULT_PARAMS, EngineParams, find_matches
    from simtool.store.corpus import notices_for

    notices, skips = notices_for(paths, db, force=force)
    for s in skips:
        print(output.inert(f"跳过 {s.path}：{s.reason}"), file=sys.stderr)
    params = EngineParams(mode="word", ngram=2) if shingles == "word" else DEFAULT_PARAMS
    m = find_matches(
        notices,
        min_sim=min_sim,
        view=view,
        scope=scope,
        max_family=max_family,
        params=params,
        units=engine_units(notices, view),  # built on Spark under --engine spark, else None (find_matches builds them)
    )
    if families:
        _print_families(family_records(notices, m), fmt, out, limit, max_family)
        return
    if passages:  # runs of matched sentences (片段) instead of single pairs
        records: Any = passage_records(notices, m)
        title = "相似片段"
    elif (fmt == "jsonl" and not out) or (out and output.file_format(out, fmt) == "jsonl"):
        from simtool.analyses.pair_text import pair_text
        from simtool.read.batch import default_jobs

        output.emit_text(pair_text(notices, m, default_jobs()), path=out)  # each side encoded once, both cores
        return
    else:
        records = pair_records(notices, m)
        title = "相似句段"
    if fmt != "table" or out:
        output.emit(records, fmt, [], title=title, path=out)
        return
    from simtool.report.reading import reading_order

    recs = reading_order(records, _formulaic_of(notices, stored=not paths, db=db))
    legend = f"相似度 ≥ {min_sim}，问题和措施在前、长的在前，套话在后，{output.diff_legend()}"
    table = Table(title=f"{title}（{len(recs)} 对，{legend}）", show_lines=True)
    for col in ("相似度", "A", "B"):
        table.add_column(col, overflow="fold")
    for formula, r in recs[: limit or len(recs)]:
        sa, sb = same_spans(r["a"]["text"], r["b"]["text"], view)
        head_a = output.inert(f"{r['a']['notice']} [{r['a']['start']}-{r['a']['end']}]\n")
        head_b = output.inert(f"{r['b']['notice']} [{r['b']['start']}-{r['b']['end']}]\n")
        from rich.text import Text

        table.add_row(
            f"{r['score']:.2f}" + ("\n套话" if formula else ""),
            Text(head_a, style="dim") + _marked(r["a"]["text"], sa),
            Text(head_b, style="dim") + _marked(r["b"]["text"], sb),
        )
    con = output.console()
    con.print(table)
    if limit and len(recs) > limit:
        con.print(f"（共 {len(recs)} 对，仅显示前 {limit} 对；用 --limit 0 或 --format jsonl 查看全部）")


def _formulaic_of(notices: Sequence[Notice], *, stored: bool, db: str) -> Callable[[str], list[tuple[int, int]]]:
    """The 套话 spans of each notice (by id): learned from the store (cached per generation) when the
    notices are the store's, else from the notices themselves; none when they are too few."""
    from simtool.analyses.phrases import corpus_formulaic, store_formulaic
    from simtool.core.spans import merge_spans

    if stored:
        with Store(db, create=False) as store:
            of = store_formulaic(store)
        by_id = {n.id: merge_spans(of(n)) if of is not None else [] for n in notices}
    else:
        by_id = {k: merge_spans(v) for k, v in corpus_formulaic(notices).items()}
    return lambda nid: by_id.get(nid, [])


def _print_families(
    records: list[dict[str, Any]], fmt: OutputFormat, out: str | None, limit: int | None, max_family: int
) -> None:
    """The families of ``dupes --families``: one row per family, largest first."""
    if fmt != "table" or out:
        output.emit(records, fmt, [], title="近似句族", path=out)
        return
    from rich.table import Table

    table = Table(title=f"近似句族（{len(records)} 个：同一句子及其近似写法用了 {max_family} 处以上）", show_lines=True)
    for col, justify in (
        ("处数", "right"),
        ("其中嵌在长句中", "right"),
        ("通报数", "right"),
        ("写法数", "right"),
        ("代表句（最常见的写法）", "left"),
    ):
        table.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for r in records[: limit or len(records)]:
        table.add_row(
            str(r["units"]), str(r["inside"]), str(r["notices"]), str(r["wordings"]), r["variants"][0]["text"]
        )
    con = output.console()
    con.print(table)
    if limit and len(records) > limit:
        con.print(f"（共 {len(records)} 个，仅显示前 {limit} 个；用 --limit 0 或 --format jsonl 查看全部）")


CHECK_COLUMNS: list[output.Column] = [
    ("notice", "通报"),
    ("date", "日期"),
    ("copy_ratio", "总文字复制比", output.pct),
    ("copy_ratio_substantive", "去除套话复制比", output.pct),
    ("copy_ratio_unquoted", "去除引用复制比", output.pct),
    ("max_source_ratio", "单篇最大复制比", output.pct),
    ("earlier_source", "最大来源"),
]


def _earlier_cell(record: CheckResult) -> str:
    from simtool.analyses.direction import SAME_DAY_OR_UNDATED

    source, share = record.max_earlier_source, record.max_earlier_source_ratio
    return SAME_DAY_OR_UNDATED if source is None else f"{source}（{output.pct(share)}）"


def _unreadable(skips: Sequence[Skip]) -> str:
    if len(skips) == 1:
        return f"无法读取 {skips[0].path}：{skips[0].reason}"
    return f"没有读到任何通报（跳过 {len(skips)} 个文件），请检查路径和文件格式"


def run_check(
    paths: Sequence[str] | str,
    db: str,
    *,
    fmt: OutputFormat,
    min_sim: float,
    limit: int | None = 10,
    out: str | None = None,
    force: bool = False,
    html: str | None = None,
    html_dir: str | None = None,
    formula_files: Sequence[str] = (),
    reference_files: Sequence[str] = (),
) -> list[CheckResult]:
    """Check every notice of every readable file under ``paths`` against the store; prints the
    report and returns the records (one per checked notice, in reading order).  The formulas of
    ``formula_files`` count as 套话; text matching ``reference_files`` or the store's reference documents
    (``ingest --reference``) is 引用.

    The table ranks the notices by 总文字复制比; when only one notice is checked, its sources follow.
    A file that cannot be read is reported on stderr and skipped; none readable is a ``UserError``.
    """
    from simtool.analyses.check import check_notices
    from simtool.analyses.phrases import store_formulaic
    from simtool.store.corpus import load

    loaded = load([paths] if isinstance(paths, str) else list(paths), force=force)
    if not loaded.notices:
        if len(loaded.skips) > 1:
            for s in loaded.skips:
                print(output.inert(f"跳过 {s.path}：{s.reason}"), file=sys.stderr)
        raise UserError(_unreadable(loaded.skips))
    for s in loaded.skips:
        print(output.inert(f"跳过 {s.path}：{s.reason}"), file=sys.stderr)
    from simtool.cli.inputs import load_references, user_formulas, with_stored

    user = user_formulas(formula_files)
    refs = load_references(reference_files)
    with Store(db, create=False) as store:
        refs = with_stored(refs, store.references())  # and those stored with ingest --reference
        checked = check_notices(
            loaded.notices, store, min_sim=min_sim, formulaic=store_formulaic(store, user), references=refs
        )
    records = checked
    if html is not None or html_dir is not None:
        from simtool.report.sheet import write_check_pages

        write_check_pages(
            records, loaded.notices, db, html=html, html_dir=html_dir, min_sim=min_sim, user_formulas=user
        )
    if fmt != "table" or out:
        output.emit(records, fmt, [], title="检测结果", path=out)
        return records
    ranked = sorted(records, key=lambda r: (-r.copy_ratio, r.notice))
    one = len(records) == 1
    output.emit(
        (output.record_dict(r) | {"earlier_source": _earlier_cell(r)} for r in ranked),
        "table",
        CHECK_COLUMNS,
        title=f"检测结果（{len(records)} 篇，按总文字复制比从高到低；最大来源只列发布日期更早的通报）",
        limit=None if one else limit or None,
    )
    con = output.console()
    if not records[0].substantive_excludes_formulaic:
        con.print("（库中通报太少，无法识别套话，去除套话复制比与总文字复制比相同）")
    if one:
        _check_details(records[0], limit)
    return records


def _check_details(r: CheckResult, limit: int | None) -> None:
    """One checked notice: its ratios and the ranked table of its sources."""
    con = output.console()
    con.print(output.inert(f"{r.notice}  {r.title}"))
    con.print(
        f"  总文字复制比 {r.copy_ratio:.1%}    去除套话复制比 {r.copy_ratio_substantive:.1%}"
        f"    去除引用复制比 {output.pct(r.copy_ratio_unquoted)}"
        f"    单篇最大复制比 {r.max_source_ratio:.1%}    重合字数 {r.shared} / {r.chars}"
    )
    for sid in r.identical:
        con.print(output.inert(f"  与库中 {sid} 完全相同"))
    output.emit(
        r.sources,
        "table",
        [
            ("notice", "来源通报"),
            ("title", "标题"),
            ("unit", "单位"),
            ("date", "日期"),
            ("shared", "重合字数"),
            ("ratio", "占本文比例", output.pct),
        ],
        title="相似来源",
        limit=limit or None,
    )


def run_compare(
    a: str, b: str, paths: Sequence[str], db: str, *, fmt: OutputFormat, min_sim: float, html: str | None = None
) -> None:
    from rich.table import Table

    from simtool.analyses.check import compare_notices
    from simtool.store.corpus import load, notices_for

    def resolve(ref: str) -> Notice:
        import os

        if os.path.exists(ref.split("#")[0]) and not paths:
            loaded = load([ref.split("#")[0]])
            if not loaded.notices:
                raise UserError(f"无法读取 {ref}：{loaded.skips[0].reason if loaded.skips else '没有正文'}")
            return find_notice(loaded.notices, ref) if "#" in ref else loaded.notices[0]
        notices, _ = notices_for(paths, db)
        return find_notice(notices, ref)

    na, nb = resolve(a), resolve(b)
    rec = compare_notices(na, nb, min_sim=min_sim)
    if html is not None:
        from simtool.report.side_by_side import write_compare_page

        write_compare_page(rec, na, nb, html, min_sim=min_sim)
    if fmt != "table":
        output.emit([rec], fmt, [], rows="passages")
        return
    con = output.console()
    con.print(output.inert(f"A：{rec.a}  {rec.a_title}\nB：{rec.b}  {rec.b_title}"))
    con.print(
        f"A 中与 B 相同的文字 {rec.shared_a} 字（{rec.ratio_a:.1%}）；B 中与 A 相同的 {rec.shared_b} 字（{rec.ratio_b:.1%}）"
    )
    table = Table(show_lines=True, title=f"逐段对照（{output.diff_legend()}）")
    for col in ("相似度", "A", "B"):
        table.add_column(col, overflow="fold")
    for p in rec.passages:
        table.add_row(f"{p.score:.2f}", _marked(p.a.text, p.a.same, 400), _marked(p.b.text, p.b.same, 400))
    con.print(table)
