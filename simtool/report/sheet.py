"""检测报告单: one printable offline page per checked notice, in the manner of CNKI's
文本复制检测报告单（全文对照）.

The page shows a ``check`` record (``simtool.analyses.check.check_notices``) as it is: the
ratios are the record's, the red text is what the ratios count of the record's ``matches``
(``copied_spans``), the side-by-side passages are the record's ``passages``.  Formulaic spans (套话) come from
the store's phrase list when the store knows enough notices.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from simtool.analyses.check import TOP_SOURCES, CheckPassage, CheckResult
from simtool.analyses.dupes import same_spans
from simtool.core.spans import CharCounter, merge_spans
from simtool.core.types import Notice
from simtool.report.html import write_atomic
from simtool.report.output import inert
from simtool.report.pages import Span, marked, render_page

Formulaic = Callable[[Notice], list[Span]]
OTHERS_SHOWN = 6  # further sources named under a passage before "等 N 篇"


@dataclass(frozen=True, slots=True)
class SheetPassage:
    """One copied passage of the checked notice beside its highest-ranked source."""

    start: int
    end: int
    text: Markup
    source: int  # 1-based rank in the source table
    source_start: int
    source_end: int
    source_text: Markup
    chars: int
    others: tuple[int, ...]  # further sources with the same passage (ranks)


@dataclass(frozen=True, slots=True)
class Bar:
    """A copied stretch on the distribution bar, in percent of the text."""

    left: float
    width: float


def copied_spans(record: CheckResult, text: str) -> list[Span]:
    """The spans of ``text`` shown red: exactly the characters the record counts as shared
    (``shared_spans``, from ``simtool.analyses.shared.shared_text``)."""
    return merge_spans(record.shared_spans)


def _passages(record: CheckResult, rank: dict[str, int]) -> list[SheetPassage]:
    groups: dict[tuple[int, int], list[CheckPassage]] = {}
    for p in record.passages:
        groups.setdefault((p.start, p.end), []).append(p)
    out = []
    for (start, end), group in sorted(groups.items()):
        ps = sorted((p for p in group if p.source in rank), key=lambda p: rank[p.source])
        if not ps:  # only sources with nothing counted
            continue
        p = ps[0]
        same_a, same_b = same_spans(p.text, p.source_text)
        whole_a, whole_b = [(0, len(p.text))], [(0, len(p.source_text))]
        out.append(
            SheetPassage(
                start=start,
                end=end,
                text=marked(p.text, [("same", same_a), ("diff", whole_a)]),
                source=rank[p.source],
                source_start=p.source_start,
                source_end=p.source_end,
                source_text=marked(p.source_text, [("same", same_b), ("diff", whole_b)]),
                chars=CharCounter(p.text).count(),
                others=tuple(rank[q.source] for q in ps[1:]),
            )
        )
    return out


def sheet_context(
    record: CheckResult,
    notice: Notice,
    *,
    formulaic: Sequence[Span] | None = None,
    store: str = "",
    store_notices: int | None = None,
    min_sim: float | None = None,
    generated: str | None = None,
) -> dict[str, Any]:
    """Everything one 检测报告单 shows, from a check record and the notice it was made of."""
    text = notice.text
    copied = copied_spans(record, text)
    form = merge_spans(formulaic) if formulaic is not None else None
    layers: list[tuple[str, Sequence[Span]]] = [("copied", copied)]
    if form is not None:
        layers.append(("formula", form))
    quoted_known = record.quoted_spans is not None
    quoted = merge_spans(record.quoted_spans or ())
    if quoted_known:
        layers.append(("quoted", quoted))
    listed = list(record.sources)
    sources = [s for s in listed if s.shared > 0]  # similar sentences, but nothing counted
    rank = {s.notice: i + 1 for i, s in enumerate(sources)}
    top = sources[0] if sources else None
    earlier = record.max_earlier_source
    n = max(len(text), 1)
    unquoted = record.copy_ratio_unquoted
    return {
        "record": record,
        "notice": notice,
        "number": hashlib.sha1(text.encode("utf-8")).hexdigest()[:12].upper(),
        "generated": generated or time.strftime("%Y-%m-%d %H:%M:%S"),
        "store": store,
        "store_notices": store_notices,
        "min_sim": min_sim,
        "unquoted": unquoted,
        "formula_known": form is not None,
        "quoted_known": quoted_known,
        "quoted_chars": CharCounter(text).count(quoted),
        "formula_chars": CharCounter(text).count(form) if form is not None else None,
        "substantive_known": record.substantive_excludes_formulaic,
        "top": top,
        "earlier": (rank.get(earlier), record.max_earlier_source_ratio) if earlier in rank else None,
        "sources": sources,
        "uncounted": len(listed) - len(sources),
        "top_limit": TOP_SOURCES,
        "cut": len(sources) > TOP_SOURCES,
        "full_text": marked(text, layers),
        "bars": [Bar(round(a * 100 / n, 3), round(max(b - a, 1) * 100 / n, 3)) for a, b in copied],
        "passages": _passages(record, rank),
        "others_shown": OTHERS_SHOWN,
    }


def render_sheets(contexts: Sequence[dict[str, Any]]) -> str:
    """One page holding the 检测报告单 of each context (each starts a new printed page)."""
    return render_page("sheet.html.j2", sheets=contexts)


def page_name(notice_id: str, taken: set[str]) -> str:
    """A file name for the report of ``notice_id``, not in ``taken`` (which it joins).

    >>> taken = set()
    >>> page_name("a/b/汇编.txt#5", taken), page_name("c/汇编.txt#5", taken), page_name("x y.docx", taken)
    ('汇编-5.html', '汇编-5-2.html', 'x_y.html')
    """
    path, _, k = notice_id.partition("#")
    stem = os.path.splitext(os.path.basename(path))[0] or "notice"
    stem = re.sub(r"[\s\\/:*?\"<>|#]+", "_", stem) + (f"-{k}" if k else "")
    name, i = f"{stem}.html", 2
    while name.lower() in taken:
        name, i = f"{stem}-{i}.html", i + 1
    taken.add(name.lower())
    return name


def write_check_pages(
    records: Sequence[CheckResult],
    notices: Sequence[Notice],
    db: str,
    *,
    html: str | None = None,
    html_dir: str | None = None,
    min_sim: float | None = None,
    user_formulas: Sequence[str] = (),
) -> list[str]:
    """Write the 检测报告单 of ``records`` (made of ``notices`` against the store ``db``): all in
    one page ``html`` and/or one page per notice in ``html_dir``.  Returns the files written and
    says so on stderr."""
    from simtool.analyses.phrases import store_formulaic
    from simtool.store.sqlite import Store

    by_id = {n.id: n for n in notices}
    with Store(db, create=False) as store:
        formulaic = store_formulaic(store, user_formulas)
        count = store.count_notices()
    generated = time.strftime("%Y-%m-%d %H:%M:%S")
    contexts = [
        sheet_context(
            r,
            by_id[r.notice],
            formulaic=formulaic(by_id[r.notice]) if formulaic is not None else None,
            store=db,
            store_notices=count,
            min_sim=min_sim,
            generated=generated,
        )
        for r in records
        if r.notice in by_id
    ]
    written: list[str] = []
    if html is not None:
        write_atomic(html, render_sheets(contexts))
        written.append(html)
    if html_dir is not None:
        os.makedirs(html_dir, exist_ok=True)
        taken: set[str] = set()
        for ctx in contexts:
            path = os.path.join(html_dir, page_name(ctx["notice"].id, taken))
            write_atomic(path, render_sheets([ctx]))
            written.append(path)
    for path in written:
        sys.stderr.write(inert(f"检测报告单已写入 {path}") + "\n")
    return written
