"""The self-contained offline HTML report (``simtool report``).

One file: the data of every analysis embedded once as JSON, the page's CSS and JavaScript
inline, nothing fetched from the network.  Notice text reaches the page only through jinja2
autoescaping (template) and ``textContent`` / ``createTextNode`` (script), never as markup.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

from simtool.core.errors import UserError
from simtool.core.types import Notice, Skip
from simtool.report import output
from simtool.report.data import ReportData, Stage, build_report_data
from simtool.report.pages import environment
from simtool.report.roles import ROLE_NAMES

TEMPLATES = Path(__file__).parent / "templates"


def embed_json(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<`` survives, so neither
    ``</script>`` nor ``<!--`` can end or change the block.

    >>> embed_json({"t": "</script><b>"})
    '{"t":"\\\\u003c/script>\\\\u003cb>"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _inline(name: str, closing: str) -> Markup:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    if closing in text.lower():
        raise ValueError(f"{name} must not contain {closing}")
    return Markup(text)


def render_html(data: dict[str, Any]) -> str:
    """The report page for ``data`` (from ``build_report_data``)."""
    env = environment()
    env.filters["pct"] = lambda v: "—" if v is None else f"{float(v) * 100:.1f}%"  # the report keeps one decimal
    env.filters["wan"] = _wan
    page = env.get_template("report.html.j2").render(
        meta=data["meta"],
        css=_inline("report.css", "</style"),
        js=_inline("report.js", "</script"),
        data_json=Markup(embed_json(data)),
    )
    return page


def _wan(n: int) -> str:
    """Character counts the way Chinese readers expect: 1.5 万 rather than 15000."""
    return f"{n / 10000:.1f} 万" if n >= 10000 else str(n)


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".simtool-report-", suffix=".tmp", dir=folder)
    except OSError:
        reason = f"文件夹 {folder} 不存在" if not os.path.isdir(folder) else "没有写入权限或磁盘已满"
        raise UserError(f"无法写入 {path}：{reason}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def build_report(
    notices: Sequence[Notice],
    *,
    min_sim: float = 0.8,
    inputs: Sequence[str] = (),
    skips: Sequence[Skip] = (),
    on_stage: Stage | None = None,
    user_formulas: Sequence[str] = (),
    references: Sequence[Notice] = (),
) -> tuple[str, ReportData]:
    """The HTML page of ``notices`` and the data behind it (library entry point)."""
    rd = build_report_data(
        notices,
        min_sim=min_sim,
        inputs=inputs,
        skips=skips,
        on_stage=on_stage,
        user_formulas=user_formulas,
        references=references,
    )
    return render_html(rd.data), rd


def run_report(
    paths: Sequence[str],
    db: str,
    *,
    out: str,
    min_sim: float = 0.8,
    user_formulas: Sequence[str] = (),
    references: Sequence[Notice] = (),
) -> ReportData:
    """Load notices (from ``paths`` or the store ``db``), analyse them, write the report to ``out``
    and print a short summary on the terminal."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from simtool.store.corpus import notices_for

    started = time.perf_counter()
    err = output.console(sys.stderr)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=True
    ) as progress:
        task = progress.add_task("读取通报", total=None)
        notices, skips = notices_for(paths, db)
        for s in skips:
            err.print(output.inert(f"跳过 {s.path}：{s.reason}"))

        def on_stage(label: str) -> None:
            progress.update(task, description=f"{label}（{len(notices)} 篇通报）")

        page, rd = build_report(
            notices,
            min_sim=min_sim,
            inputs=list(paths) or [db],
            skips=skips,
            on_stage=on_stage,
            user_formulas=user_formulas,
            references=references,
        )
        progress.update(task, description="写出报告")
        write_atomic(out, page)
    elapsed = time.perf_counter() - started
    print_summary(rd, out, len(page.encode("utf-8")), elapsed)
    return rd


def print_summary(rd: ReportData, out: str, size: int, elapsed: float) -> None:
    """Terminal summary: where the report is, the corpus in numbers, top notices and phrases."""
    from rich.table import Table
    from rich.text import Text

    con = output.console()
    meta = rd.data["meta"]
    rows = rd.data["notices"]

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v:.1%}"

    con.print(
        output.inert(f"报告已写入 {os.path.abspath(out)}（{size / 1024 / 1024:.1f} MB，用时 {elapsed:.1f} 秒）"),
        soft_wrap=True,
    )
    form = "" if meta["formulaic_share"] is None else f"，套话占比 {pct(meta['formulaic_share'])}"
    by_role = meta.get("formulaic_by_role") or {}
    if by_role:
        form += "（" + "，".join(f"{r} {pct(v)}" for r, v in by_role.items()) + "）"
    con.print(
        f"通报 {meta['notices']} 篇，单位 {meta['units']} 个，共 {meta['chars']} 字；"
        f"与其他通报相同的文字占 {pct(meta['shared_share'])}{form}；相似通报对 {meta['pairs_total']} 对。",
        soft_wrap=True,
    )

    def who(i: int | None) -> Text:
        return Text("—" if i is None else output.inert(f"#{i + 1} {rows[i]['unit'] or rows[i]['title']}"))

    table = Table(
        title="重合最多的通报",
        header_style="bold",
        caption="复制比：总文字复制比；序号与报告中的通报序号一致",
        caption_justify="left",
    )
    table.add_column("通报", overflow="fold", ratio=3)
    for col in ("复制比", "去除套话", "单篇最大"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("最大来源", overflow="fold", ratio=2)
    for r in rd.top_notices:
        table.add_row(
            who(r["index"]),
            pct(r["copy_ratio"]),
            pct(r["copy_ratio_substantive"]),
            pct(r["max_source_ratio"]),
            who(r["max_source"]),
        )
    con.print(table)
    if rd.top_phrases:
        phrases = Table(title="最常见的套话（整句、分句与提法）", header_style="bold")
        phrases.add_column("套话（最常见的写法）", overflow="fold", ratio=4)
        phrases.add_column("位置", no_wrap=True)
        for col in ("通报", "次数", "写法"):
            phrases.add_column(col, justify="right", no_wrap=True)
        for p in rd.top_phrases:
            phrases.add_row(
                Text(output.inert(p.phrase)),
                ROLE_NAMES.get(p.role, p.role),
                str(p.notices),
                str(p.occurrences),
                str(p.variant_count),
            )
        con.print(phrases)
