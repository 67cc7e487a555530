"""What the two static pages (检测报告单 and 全文对照) share: marked text, the template
environment and the page CSS.

The pages carry no script: every piece of notice text is escaped here (``markupsafe``) or by
jinja2 autoescaping, and the CSS is inline, so a page opens and prints offline as it is.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from simtool.core.spans import merge_spans

TEMPLATES = Path(__file__).parent / "templates"
Span = tuple[int, int]


def pct(value: float | None) -> str:
    """A ratio as the page shows it.

    >>> pct(0.40816), pct(None)
    ('40.8%', '—')
    """
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def marked(text: str, layers: Sequence[tuple[str, Iterable[Span]]], offset: int = 0) -> Markup:
    """``text`` as escaped HTML with each layer's spans (relative to ``offset``) in a
    ``<span class="...">``; a character in several layers gets all their classes.

    >>> str(marked("甲<乙>丙丁", [("same", [(1, 4)]), ("formula", [(3, 5)])]))
    '甲<span class="same">&lt;乙</span><span class="same formula">&gt;</span><span class="formula">丙</span>丁'
    """
    n = len(text)
    spans = [
        (name, [(max(a - offset, 0), min(b - offset, n)) for a, b in merge_spans(s) if b > offset and a < offset + n])
        for name, s in layers
    ]
    starts = [[a for a, _ in s] for _, s in spans]
    cuts = sorted({0, n, *(x for _, s in spans for a, b in s for x in (a, b))})
    out: list[Markup] = []
    for a, b in zip(cuts, cuts[1:]):
        names = []
        for (name, s), st in zip(spans, starts):
            k = bisect_right(st, a) - 1  # the last span starting at or before a: the only one that can hold it
            if k >= 0 and s[k][1] >= b:
                names.append(name)
        piece = escape(text[a:b])
        out.append(Markup('<span class="{}">{}</span>').format(" ".join(names), piece) if names else piece)
    return Markup("").join(out)


def _inline(name: str, closing: str) -> Markup:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    if closing in text.lower():
        raise ValueError(f"{name} must not contain {closing}")
    return Markup(text)


def environment() -> Environment:
    """The Jinja environment of every page: the templates folder, HTML escaping, a ``pct`` filter."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = pct
    return env


def render_page(template: str, **context: Any) -> str:
    """Render ``template`` with the shared page CSS (``page.css``) inline."""
    env = environment()
    return env.get_template(template).render(css=_inline("page.css", "</style"), **context)
