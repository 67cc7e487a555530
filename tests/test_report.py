"""The offline HTML report: data, escaping, no network references, determinism, and the page as
rendered by headless Chromium (heatmap, side-by-side pair, phrase list, no script errors, hostile
notice text shown as text)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

import simtool
from simtool.report import data as report_data
from simtool.report.data import build_report_data
from simtool.report.html import build_report, embed_json, run_report

SEEDS = "corpora/seeds"
SVG_NS = "http://www.w3.org/2000/svg"
HOSTILE_TITLE = "XX社区<img src=x onerror=\"document.title='pwned'\">关于巡察整改进展情况的通报</textarea>"
HOSTILE_LINE = "<script>window.__pwned=1</script>一是加强学习，<b>提高认识</b>。"


def data_of(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert m, "embedded data block missing"
    return json.loads(m.group(1))


def without_data(html: str) -> str:
    return re.sub(r'(<script type="application/json" id="report-data">).*?(</script>)', r"\1\2", html, flags=re.S)


@pytest.fixture(scope="module")
def seeds_report(seeds: simtool.Loaded) -> tuple[str, report_data.ReportData]:
    return build_report(seeds.notices, min_sim=0.8, inputs=[SEEDS])


# -- data and page without a browser ------------------------------------------------------------


def test_embed_json_cannot_close_the_script_block() -> None:
    value = {"t": "</script><script>alert(1)</script><!-- \u2028 </textarea>"}
    text = embed_json(value)
    assert "<" not in text and "\u2028" not in text
    assert json.loads(text) == value


def test_report_data_is_consistent(seeds: simtool.Loaded, seeds_report: tuple[str, report_data.ReportData]) -> None:
    html, rd = seeds_report
    data = data_of(html)
    assert data == json.loads(json.dumps(rd.data))  # the page embeds exactly the data
    meta, rows = data["meta"], data["notices"]
    assert meta["notices"] == len(rows) == len(seeds.notices) == 18
    assert 0 < meta["shared_share"] < 1 and meta["pairs_total"] >= len(data["pairs"]) > 0
    for r, n in zip(rows, seeds.notices):
        assert r["id"] == n.id and r["text"] == n.text
        last = 0
        for s, e, src in r["runs"]:  # runs are sorted, disjoint, inside the text, never the notice itself
            assert last <= s < e <= len(n.text) and src != r["index"]
            last = e
        assert 0 <= r["copy_ratio"] <= 1 and r["max_source_ratio"] <= r["copy_ratio"] + 1e-9
    for p in data["pairs"]:
        a, b = rows[p["a"]]["text"], rows[p["b"]]["text"]
        assert p["a"] < p["b"] and p["passages"]
        for sa, ea, sb, eb, score, same_a, same_b in p["passages"]:
            assert 0 <= sa < ea <= len(a) and 0 <= sb < eb <= len(b) and 0.8 - 1e-9 <= score <= 1
            assert all(0 <= x <= ea - sa for x in same_a) and all(0 <= x <= eb - sb for x in same_b)
            assert len(same_a) == len(same_b)
            for k in range(0, len(same_a), 2):  # aligned pieces are the same text after normalization
                assert simtool.normalize(a[sa:ea][same_a[k] : same_a[k + 1]]) == simtool.normalize(
                    b[sb:eb][same_b[k] : same_b[k + 1]]
                )
    keys = [
        (
            -max(
                p["sub_a"] if p["sub_a"] is not None else p["ratio_a"],
                p["sub_b"] if p["sub_b"] is not None else p["ratio_b"],
            )
        )
        for p in data["pairs"]
    ]
    assert keys == sorted(keys)
    dated = [r for r in rows if r["date"]]
    for r in rows:  # what a notice shares with notices published before it (the likely copier first)
        if r["date"] is None:
            assert r["copy_ratio_earlier"] is None and r["max_earlier_source"] is None
            continue
        assert 0 <= r["copy_ratio_earlier"] <= r["copy_ratio"] + 1e-9
        if r["max_earlier_source"] is not None:
            assert rows[r["max_earlier_source"]]["date"] < r["date"]
        if all(o["date"] >= r["date"] for o in dated):
            assert r["copy_ratio_earlier"] == 0 and r["max_earlier_source"] is None
    assert any(r["copy_ratio_earlier"] for r in dated)
    hm = data["heatmap"]
    assert 0 < len(hm["notices"]) <= report_data.HEATMAP_LIMIT
    assert len(hm["total"]) == len(hm["notices"]) and all(len(row) == len(hm["notices"]) for row in hm["total"])


def test_long_lists_are_cut_to_the_limits(seeds: simtool.Loaded, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_data, "PAIR_LIMIT", 5)
    monkeypatch.setattr(report_data, "HEATMAP_LIMIT", 4)
    monkeypatch.setattr(report_data, "PHRASE_LIMIT", 7)
    data = build_report_data(seeds.notices, min_sim=0.8).data
    assert len(data["pairs"]) == data["meta"]["pairs_shown"] == 5 < data["meta"]["pairs_total"]
    assert len(data["heatmap"]["notices"]) == 4 < data["heatmap"]["candidates"]
    shared = sorted((r["shared"] for r in data["notices"]), reverse=True)
    assert sorted(data["notices"][i]["shared"] for i in data["heatmap"]["notices"]) == sorted(shared[:4])
    assert len(data["phrases"]["items"]) == 7 < data["phrases"]["total"]


def test_no_network_references(seeds_report: tuple[str, report_data.ReportData]) -> None:
    html = without_data(seeds_report[0])
    assert html.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in html
    assert re.findall(r"https?://[^\s\"')]+", html) == [SVG_NS]  # the SVG namespace is a name, not a fetch
    assert not re.search(r"""\b(src|href|action|srcset|poster|data)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    lowered = html.lower()
    for needle in (
        "<link",
        "<iframe",
        "<img",
        "@import",
        "url(",
        "fetch(",
        "xmlhttprequest",
        "@font-face",
        ".innerhtml",
        "insertadjacenthtml",
        "document.write",
    ):
        assert needle not in lowered, needle


def test_report_is_deterministic(seeds: simtool.Loaded, seeds_report: tuple[str, report_data.ReportData]) -> None:
    again, _ = build_report(seeds.notices, min_sim=0.8, inputs=[SEEDS])
    assert again == seeds_report[0]


def test_run_report_writes_atomically_and_summarises(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    out.write_text("old", encoding="utf-8")
    rd = run_report([SEEDS], "unused.db", out=str(out), min_sim=0.8)
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and data_of(html)["meta"]["notices"] == 18
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no temporary file left behind
    printed = capsys.readouterr().out
    top = rd.top_notices[0]
    assert (
        f"报告已写入 {out}" in printed
        and "重合最多的通报" in printed
        and f"#{top['index'] + 1} {top['unit']}" in printed
    )
    assert not Path("unused.db").exists()  # paths given: the store is not touched


def test_hostile_text_is_escaped_in_the_template(tmp_path: Path) -> None:
    hostile = hostile_corpus(tmp_path)
    loaded = simtool.load([SEEDS, str(hostile)])
    html, _ = build_report(loaded.notices, min_sim=0.8, inputs=[f"<img src=x>{hostile}"])
    assert "<img" not in html
    assert "&lt;img src=x&gt;" in html  # inputs go through autoescape
    assert HOSTILE_LINE.replace("<", "\\u003c") in html


# -- the page in a browser ----------------------------------------------------------------------


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required for the report tests in CI")
        pytest.skip("chromium not installed")
    return exe


def render(page: Path, tmp_path: Path, fragment: str = "") -> tuple[str, str]:
    """The DOM of ``page`` after its scripts ran, and Chromium's log."""
    profile = tmp_path / "profile"
    cmd = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=5000",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        page.resolve().as_uri() + fragment,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, proc.stderr


class Dom(HTMLParser):
    """Tags, attributes and text of a dumped DOM."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in: list[str] = []
        self.title = ""
        self.errors = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("title", "script") or dict(attrs).get("id") == "js-errors":
            self._in.append("js-errors" if tag == "div" else tag)

    def handle_endtag(self, tag: str) -> None:
        if self._in and (self._in[-1] == tag or (tag == "div" and self._in[-1] == "js-errors")):
            self._in.pop()

    def handle_data(self, data: str) -> None:
        where = self._in[-1] if self._in else ""
        if where == "title":
            self.title += data
        elif where == "js-errors":
            self.errors += data
        elif where != "script":
            self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a
            for t, a in self.tags
            if t == tag
            and all(
                (a.get(k.rstrip("_")) or "").split() and v in (a.get(k.rstrip("_")) or "").split()
                for k, v in attrs.items()
            )
        ]

    def has_id(self, id_: str) -> bool:
        return any(a.get("id") == id_ for _, a in self.tags)


def check_clean(dom: Dom, log: str) -> None:
    assert dom.errors.strip() == "", dom.errors
    assert "Uncaught" not in log, [ln for ln in log.splitlines() if "Uncaught" in ln]
    assert any(t == "body" and a.get("data-ready") == "1" for t, a in dom.tags), "the page did not finish rendering"


def test_page_renders_in_chromium(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    run_report([SEEDS], "unused.db", out=str(page), min_sim=0.8)
    html, log = render(page, tmp_path)
    dom = Dom(html)
    check_clean(dom, log)
    assert dom.has_id("heatmap-svg")
    assert len(dom.find("rect", class_="cell")) >= 18 * 17 // 2
    assert dom.find("div", class_="pair-body") and len(dom.find("div", class_="passage")) >= 1
    assert dom.find("span", class_="same")
    assert (
        dom.has_id("notice-rows") and len([1 for t, a in dom.tags if t == "tr" and a.get("class") == "clickable"]) == 18
    )
    assert dom.has_id("notice-text") and dom.find("span", class_="run")
    assert "与更早通报相同" in [t.strip() for t in dom.text]  # the notice table's column of text shared with earlier notices
    assert dom.has_id("phrase-rows") and len(dom.find("td", class_="phrase-text")) >= 10
    assert len(dom.find("details", class_="cluster")) >= 2  # measure clusters and template reuse
    text = "".join(dom.text)
    assert "摘要" in text and "通报列表" in text and "逐篇查看" in text and "千篇一律" in text


CLICKS = """
(function () {
  function q(s) { return document.querySelector(s); }
  function all(s) { return Array.prototype.slice.call(document.querySelectorAll(s)); }
  var log = [];
  try {
    all("#notice-rows th")[4].click();  // sorted by 总文字复制比, descending by default: now ascending
    log.push("sorted-asc:" + q("#notice-rows tbody tr td").textContent);
    q("#heatmap-svg rect.cell").dispatchEvent(new MouseEvent("click", { bubbles: true }));
    log.push("focus:" + all(".pair.focus").length);
    var radios = all("input[name=heat-mode]");
    if (radios.length) { radios[1].click(); }
    all(".pager button")[2].click();
    log.push("page2:" + q(".pair-head .rank").textContent);
    all(".pair-head")[1].click();
    log.push("opened:" + all(".pair-body .passage").length);
    all("#notice-rows tbody tr")[2].click();
    log.push("viewer:" + q("#notice-select").value);
    var run = q("#notice-text .run"); if (run) run.click();
    all("button.more").forEach(function (b) { b.click(); });
    all("details.cluster").forEach(function (d) { d.open = true; });
    all(".viewer-bar button")[1].click();
    all(".finding .link").forEach(function (a) { a.click(); });
  } catch (e) { window.reportError("clicks: " + e); }
  setTimeout(function () { document.body.setAttribute("data-clicks", log.join("|")); }, 50);
}());
"""


def test_page_interactions_work_in_chromium(tmp_path: Path, seeds_report: tuple[str, report_data.ReportData]) -> None:
    """Sorting, heatmap click, paging, opening a pair, the per-notice view: no script errors."""
    page = tmp_path / "clicks.html"
    page.write_text(seeds_report[0].replace("</body>", f"<script>{CLICKS}</script></body>"), encoding="utf-8")
    dom = Dom(render(page, tmp_path)[0])
    check_clean(dom, "")
    clicks = next(a.get("data-clicks") for t, a in dom.tags if t == "body") or ""
    steps = dict(part.split(":", 1) for part in clicks.split("|"))
    assert steps["focus"] == "1" and steps["page2"] == "11" and int(steps["opened"]) >= 1
    rows = seeds_report[1].data["notices"]
    lowest = min(rows, key=lambda r: (r["copy_ratio"], r["index"]))
    assert steps["sorted-asc"] == str(lowest["index"] + 1)
    assert steps["viewer"].isdigit() and dom.has_id("notice-text")


def hostile_corpus(tmp_path: Path) -> Path:
    n = simtool.load([SEEDS]).notices[4]  # a short notice; the copy pairs with it
    lines = n.text.split("\n")
    lines[0] = HOSTILE_TITLE
    lines.insert(3, HOSTILE_LINE)
    path = tmp_path / "hostile.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_hostile_notice_shows_as_text_in_chromium(tmp_path: Path) -> None:
    hostile = hostile_corpus(tmp_path)
    page = tmp_path / "report.html"
    run_report([SEEDS, str(hostile)], "unused.db", out=str(page), min_sim=0.8)
    html, log = render(page, tmp_path, "#n=19")  # the hostile notice in the per-notice view
    dom = Dom(html)
    check_clean(dom, log)
    assert not dom.find("img") and not dom.find("textarea")
    assert "pwned" not in dom.title
    scripts = [a for t, a in dom.tags if t == "script"]
    assert len(scripts) == 3  # error capture, data, page script: nothing injected
    text = "".join(dom.text)
    assert HOSTILE_LINE in text and "<img src=x onerror=" in text and "</textarea>" in text


def test_the_report_shows_whole_formulas_with_variants(seeds_report: tuple[str, report_data.ReportData]) -> None:
    data = seeds_report[1].data
    items = data["phrases"]["items"]
    closing = items[0]
    assert closing["phrase"] == "欢迎广大干部群众对巡察整改落实情况进行监督。如有意见建议，请及时向我们反映。"
    assert closing["role"] == "结尾" and closing["formulaic"] and closing["variant_count"] > 3
    assert closing["variants"][0] == [closing["phrase"], 9] and len(closing["variants"]) > 1
    for p in items:
        for i, a, b in p["examples"]:
            assert 0 <= a < b <= len(data["notices"][i]["text"])
    meta = data["meta"]
    by_role = meta["formulaic_by_role"]
    assert {"开头", "结尾", "提法", "落款", "日期"} <= set(by_role)
    assert abs(sum(by_role.values()) - meta["formulaic_share"]) < 0.002  # each character counted once
    page = without_data(seeds_report[0])
    assert "结尾 " in page and "提法 " in page  # the summary card splits 套话 by role
    assert [p.phrase for p in seeds_report[1].top_phrases][:1] == [closing["phrase"]]


def test_a_report_with_a_reference_marks_quotes(tmp_path: Path, seeds: simtool.Loaded) -> None:
    ref = tmp_path / "ref.txt"
    ref.write_text(seeds.notices[13].text, encoding="utf-8")
    page = tmp_path / "report.html"
    run_report([SEEDS], "unused.db", out=str(page), min_sim=0.8, references=simtool.load([str(ref)]).notices)
    html = page.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert found
    data = json.loads(found.group(1))
    rows = data["notices"]
    assert data["meta"]["references"] and data["meta"]["quoted_chars"] > 0
    assert all(r["copy_ratio_unquoted"] <= r["copy_ratio"] for r in rows)
    assert rows[13]["quoted_chars"] >= 0.9 * rows[13]["chars"] and rows[13]["copy_ratio_unquoted"] == 0
    if shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome"):
        rendered, log = render(page, tmp_path)
        dom = Dom(rendered)
        check_clean(dom, log)
        assert "引用参考文件" in "".join(dom.text)
