"""The two printable pages: 检测报告单 (``check --html``/``--html-dir``) and 全文对照
(``compare --html``), rendered by headless Chromium from real seed data.  What the page shows must
be what the JSONL says: the numbers, the sources, and the red characters (the counted spans)."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from typing import Any

import pytest
from cli_helpers import jsonl_twice, runner
from test_report import chromium, render

import simtool
from simtool.cli.app import app
from simtool.core.spans import CharCounter, merge_spans
from simtool.report.pages import pct
from simtool.report.side_by_side import chain

SEED = "corpora/seeds/000_80f6373e3b7370b3.txt"
HOSTILE = '<img src=x onerror="document.title=1">五是组织网格员逐户走访辖区商户，<b>登记消防隐患十二处</b>。'
OWN = [
    "XX街道阳光社区党委关于巡察整改进展情况的通报",
    "",
    "根据区委统一部署，2024年3月至5月，区委第二巡察组对阳光社区党委开展了常规巡察。",
    "一、整改工作开展情况",
    "社区党委召开专题会议研究部署整改工作，逐条梳理问题，建立整改台账。",
]
COPIED = [  # three sentences of seed notice #5
    "二是针对集体资产收回不及时问题，已通过司法诉讼途径解决，严格按法院判决执行。",
    "四是在县委大力支持下，将我居委“炼油厂”空地建设为农贸市场，使我居委增加了集体经济收入。",
    "八是修建大XX循环路，解决周边居民出行问题，及时化解不稳定因素。",
]
TAIL = ["社区新建老年食堂一处，每日为八十岁以上独居老人送餐上门。", HOSTILE, "阳光社区党委", "2024年9月1日"]


class Marked(HTMLParser):
    """Text per CSS class and per ``data-field`` in a dumped DOM, and the text of given cells."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[dict[str, str]] = []
        self.by_class: dict[str, list[str]] = {}
        self.fields: dict[str, str] = {}
        self.cells: dict[str, list[str]] = {}
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag in ("br", "col", "meta", "img", "input", "hr"):
            return
        self.stack.append({"tag": tag, **a})
        if tag == "td" and a.get("class") in ("a", "b"):
            self.cells.setdefault(a["class"], []).append("")

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data: str) -> None:
        classes = {c for e in self.stack for c in e.get("class", "").split()}
        for e in self.stack:
            if "data-field" in e:
                self.fields[e["data-field"]] = self.fields.get(e["data-field"], "") + data
            if e["tag"] == "td" and e.get("class") in ("a", "b"):
                self.cells[e["class"]][-1] += data
        for c in classes:
            self.by_class.setdefault(c, []).append(data)


def red_in(html: str, container: str, cls: str) -> str:
    """The text inside ``<span class="…cls…">`` elements under the element whose id or class is
    ``container``."""

    class P(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.stack: list[tuple[str, set[str], str]] = []
            self.out: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = {k: v or "" for k, v in attrs}
            if tag not in ("br", "col", "meta", "img", "input", "hr"):
                self.stack.append((tag, set(a.get("class", "").split()), a.get("id", "")))

        def handle_endtag(self, tag: str) -> None:
            while self.stack and self.stack.pop()[0] != tag:
                pass

        def handle_data(self, data: str) -> None:
            inside = any(container in c or container == i for _, c, i in self.stack)
            if inside and self.stack and self.stack[-1][0] == "span" and cls in self.stack[-1][1]:
                self.out.append(data)

    p = P()
    p.feed(html)
    return "".join(p.out)


def nonspace(text: str) -> int:
    return len(re.sub(r"\s", "", text))


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("pages")
    db = str(tmp / "seeds.db")
    res = runner.invoke(app, ["ingest", "corpora/seeds", "--db", db])
    assert res.exit_code == 0, res.output
    seed5 = simtool.load([SEED]).notices[4].text
    assert all(s in seed5 for s in COPIED)
    new = tmp / "new.txt"
    body = [*OWN, "二、具体问题整改情况", "".join(COPIED), *TAIL]
    new.write_text("\n".join(body) + "\n", encoding="utf-8")
    record = jsonl_twice(["check", str(new), "--db", db])
    assert len(record) == 1
    sheet, folder = tmp / "sheet.html", tmp / "sheets"
    res = runner.invoke(app, ["check", str(new), "--db", db, "--html", str(sheet), "--html-dir", str(folder)])
    assert res.exit_code == 0, res.output
    a, b = f"{SEED}#5", f"{SEED}#9"
    compared = jsonl_twice(["compare", a, b])
    page = tmp / "compare.html"
    res = runner.invoke(app, ["compare", a, b, "--html", str(page)])
    assert res.exit_code == 0, res.output
    return {
        "tmp": tmp,
        "db": db,
        "new": new,
        "record": record[0],
        "sheet": sheet,
        "folder": folder,
        "notice": simtool.load([str(new)]).notices[0],
        "compare": compared[0],
        "compare_page": page,
        "pair": [n for n in simtool.load([SEED]).notices if n.id in (a, b)],
    }


def static_html_is_offline(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in html
    assert not re.search(r"https?://", html)
    assert not re.search(r"""\b(src|href|action|srcset|poster|data)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    lowered = html.lower()
    for needle in ("<link", "<iframe", "<img", "<script", "@import", "url(", "@font-face", "<object", "<embed"):
        assert needle not in lowered, needle
    assert "@page { size: A4" in html


def test_check_sheet_shows_the_jsonl_numbers(work: dict[str, Any]) -> None:
    r = work["record"]
    assert 0 < r["copy_ratio"] < 1 and r["max_source"] == f"{SEED}#5"
    html, log = render(work["sheet"], work["tmp"])
    dom = Marked(html)
    f = {k: v.strip() for k, v in dom.fields.items()}
    assert f["copy_ratio"] == pct(r["copy_ratio"])
    assert f["copy_ratio_substantive"].rstrip("※") == pct(r["copy_ratio_substantive"])
    unquoted = r.get("copy_ratio_unquoted")
    assert f["copy_ratio_unquoted"] == (pct(unquoted) if unquoted is not None else "—＊")
    assert f["max_source_ratio"] == pct(r["max_source_ratio"])
    assert f["shared"] == str(r["shared"]) and f["chars"] == str(r["chars"])
    assert f["max_source_shared"] == str(r["sources"][0]["shared"])
    counted = [s["notice"] for s in r["sources"] if s["shared"] > 0]  # the rest share no counted character
    assert f["sources"] == f"{len(counted)} 篇"
    rows = [a["data-source"] for t, a in dom.tags if t == "tr" and "data-source" in a]
    assert rows == counted
    if r.get("max_earlier_source") is not None:
        assert f["max_earlier_source_ratio"] == pct(r["max_earlier_source_ratio"])
    assert "Uncaught" not in log


def test_red_characters_are_the_counted_characters(work: dict[str, Any]) -> None:
    r, n = work["record"], work["notice"]
    assert len(r["sources"]) <= 20 and not r["identical"]  # every source's matches are in the record
    html, _ = render(work["sheet"], work["tmp"])
    red = red_in(html, "full-text", "copied")
    assert nonspace(red) == r["shared"]
    within = merge_spans((m["start"], m["end"]) for m in r["matches"])
    assert r["shared"] <= CharCounter(n.text).count(within)  # red only inside matched spans
    assert all(s in red for s in (c[2:-1] for c in COPIED))
    assert "社区新建老年食堂" not in red and "社区党委召开专题会议" not in red
    # the full text is all there, and the hostile line is text, not markup
    whole = "".join(Marked(html).by_class.get("full-text", []))
    assert re.sub(r"\s", "", whole) == re.sub(r"\s", "", n.text)
    assert HOSTILE in whole and not [t for t, _ in Marked(html).tags if t in ("img", "script")]


def test_passages_and_per_notice_pages(work: dict[str, Any]) -> None:
    r = work["record"]
    html = work["sheet"].read_text(encoding="utf-8")
    static_html_is_offline(html)
    pages = sorted(p.name for p in work["folder"].iterdir())
    assert pages == ["new.html"]
    single = (work["folder"] / "new.html").read_text(encoding="utf-8")
    assert re.sub(r"检测时间：[^<]*", "", single) == re.sub(r"检测时间：[^<]*", "", html)
    counted = {s["notice"] for s in r["sources"] if s["shared"] > 0}
    spans = {(p["start"], p["end"]) for p in r["passages"] if p["source"] in counted}
    assert html.count('<div class="pair">') == len(spans) >= 3
    for c in COPIED:  # each copied sentence beside its source sentence
        assert c[2:] in html


def test_check_sheet_prints_on_a4(work: dict[str, Any]) -> None:
    pdf = work["tmp"] / "sheet.pdf"
    cmd = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        f"--user-data-dir={work['tmp'] / 'pdf-profile'}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        work["sheet"].resolve().as_uri(),
    ]
    subprocess.run(cmd, capture_output=True, timeout=120, check=True)
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes)


def test_compare_page_shows_both_texts_aligned(work: dict[str, Any]) -> None:
    rec = work["compare"]
    a, b = sorted(work["pair"], key=lambda n: n.id != rec["a"])
    html = work["compare_page"].read_text(encoding="utf-8")
    static_html_is_offline(html)
    dumped, log = render(work["compare_page"], work["tmp"])
    dom = Marked(dumped)
    f = {k: v.strip() for k, v in dom.fields.items()}
    assert f["shared_a"] == str(rec["shared_a"]) and f["shared_b"] == str(rec["shared_b"])
    assert f["ratio_a"] == pct(rec["ratio_a"]) and f["ratio_b"] == pct(rec["ratio_b"])
    assert f["passages"] == str(len(rec["passages"])) and rec["passages"]
    for side, n in (("a", a), ("b", b)):  # every character once, in order
        assert re.sub(r"\s", "", "".join(dom.cells[side])) == re.sub(r"\s", "", n.text)
        same = [(p[side]["start"] + s, p[side]["start"] + e) for p in rec["passages"] for s, e in p[side]["same"]]
        assert nonspace(red_in(dumped, side, "same")) == CharCounter(n.text).count(same) > 0
    passage_rows = [a for t, a in dom.tags if t == "tr" and a.get("class") == "passage"]
    spans = [((p["a"]["start"], p["a"]["end"]), (p["b"]["start"], p["b"]["end"])) for p in rec["passages"]]
    assert len(passage_rows) == len(chain(spans)) >= 1
    assert "Uncaught" not in log


def test_chain_keeps_the_order_of_both_texts() -> None:
    def p(a: int, b: int, n: int) -> tuple[tuple[int, int], tuple[int, int]]:
        return (a, a + n), (b, b + n)

    ps = [p(0, 0, 5), p(10, 40, 20), p(35, 10, 8), p(60, 70, 3), p(64, 65, 2)]
    got = chain(ps)
    assert got == [0, 1, 3]
    for i, j in zip(got, got[1:]):
        assert ps[i][0][1] <= ps[j][0][0] and ps[i][1][1] <= ps[j][1][0]
    assert chain([]) == []


def test_batch_check_writes_one_page_per_notice(work: dict[str, Any]) -> None:
    """Several files: ``--html-dir`` one page each, ``--html`` all in one (with a contents list); a
    verbatim copy of a stored notice is red from end to end."""
    tmp = work["tmp"]
    copy = tmp / "copy.txt"
    copy.write_text(simtool.load([SEED]).notices[4].text, encoding="utf-8")
    paths = [str(work["new"]), str(copy)]
    records = {r["notice"]: r for r in jsonl_twice(["check", *paths, "--db", work["db"]])}
    assert records[str(copy)]["identical"] == [f"{SEED}#5"]
    folder, page = tmp / "batch", tmp / "batch.html"
    res = runner.invoke(app, ["check", *paths, "--db", work["db"], "--html", str(page), "--html-dir", str(folder)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in folder.iterdir()) == ["copy.html", "new.html"]
    html = page.read_text(encoding="utf-8")
    static_html_is_offline(html)
    assert html.count('<article class="sheet"') == 2 and '<nav class="toc">' in html
    dumped, _ = render(folder / "copy.html", tmp)
    r = records[str(copy)]
    assert nonspace(red_in(dumped, "full-text", "copied")) == r["shared"] == r["chars"]
    assert Marked(dumped).fields["copy_ratio"].strip() == pct(r["copy_ratio"]) == "100.0%"
