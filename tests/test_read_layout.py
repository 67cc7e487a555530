"""Hard-wrapped lines joined and page furniture dropped (simtool.read.layout), in every format."""

from __future__ import annotations

import doctest
import html
import random
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

import simtool
from simtool.core.types import Cleaned, Notice, Segment
from simtool.read import layout, markers
from simtool.read.layout import drop_furniture, join_wrapped, unwrap
from simtool.read.parse import notices_from_text
from simtool.text.normalize import normalize

WIDTH = 30
TITLE = "XX局D组关于巡察整改进展情况的通报"
OPENING = (
    "根据区委统一部署，区委第一巡察组于2023年3月1日至5月10日对XX局D组进行了常规巡察，并于2023年6月20日"
    "反馈了巡察意见。局D组高度重视，坚持把巡察整改作为重大政治任务，现将整改进展情况予以公布。"
)
SENTENCE = (
    "一是制定理论学习中心组年度学习计划，将党的二十大精神和习近平总书记重要讲话精神列为必学内容，"
    "全年开展集中学习研讨12次，班子成员带头讲党课4次。"
)
LINES = [
    TITLE,
    OPENING,
    "一、整改工作组织情况",
    "局D组召开专题会议研究部署整改工作，成立以D组书记为组长的整改工作领导小组，制定整改方案，明确责任领导、责任科室和完成时限。",
    "二、巡察反馈问题整改落实情况",
    "（一）关于学习贯彻党的二十大精神不深入的问题",
    "整改情况：",
    SENTENCE,
    "二是开展专题培训，组织全体干部参加线上线下培训，实现全员覆盖，培训考试合格率达到百分之百。",
    "（二）关于财务制度执行不严格的问题",
    "整改情况：",
    "一是修订完善财务管理制度，规范公务接待和差旅费报销审批程序，对2022年以来的报销凭证逐笔开展自查。",
    "二是对违规列支的费用全部予以清退，对相关责任人进行了批评教育。",
    "欢迎广大干部群众对巡察整改落实情况进行监督。",
    "中共XX局D组",
    "2023年8月18日",
]
UNWRAPPED = "\n".join(LINES) + "\n"


def wrap(lines: list[str], width: int = WIDTH) -> list[str]:
    """Break every line at a fixed width, as PDF text layers and hand-wrapped files do."""
    return [ln[i : i + width] for ln in lines for i in range(0, len(ln), width)]


def the_notice(path: Path) -> Notice:
    loaded = simtool.load([str(path)])
    assert not loaded.skips, loaded.skips
    (notice,) = loaded.notices
    for s in notice.segments:
        assert notice.text[s.start : s.end] == s.text
    return notice


def holding(notice: Notice, needle: str) -> Segment:
    (seg,) = [s for s in notice.segments if needle in s.text]
    return seg


def normalized_segments(notice: Notice) -> list[tuple[str, str]]:
    return [(s.kind, normalize(s.text)) for s in notice.segments]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Notice:
    path = tmp_path_factory.mktemp("ref") / "ref.txt"
    path.write_text(UNWRAPPED, encoding="utf-8")
    return the_notice(path)


def assert_like_reference(notice: Notice, reference: Notice) -> None:
    seg = holding(notice, "制定理论学习中心组")
    assert seg.kind == "measure"
    assert seg.text == SENTENCE  # the whole sentence, line breaks gone
    assert normalize(seg.text) == normalize(SENTENCE)
    assert notice.title == TITLE
    assert (notice.problems, notice.measures) == (reference.problems, reference.measures) == (2, 4)
    assert normalized_segments(notice) == normalized_segments(reference)


def test_the_sentence_really_is_broken_by_the_wrapping() -> None:
    wrapped = wrap(LINES)
    assert SENTENCE not in "\n".join(wrapped)
    assert sum(len(ln) == WIDTH for ln in wrapped) >= 8


def test_wrapped_txt(tmp_path: Path, reference: Notice) -> None:
    path = tmp_path / "wrapped.txt"
    path.write_text("\n".join(wrap(LINES)) + "\n", encoding="gbk")
    assert_like_reference(the_notice(path), reference)


def test_wrapped_md_and_html(tmp_path: Path, reference: Notice) -> None:
    md = tmp_path / "wrapped.md"
    md.write_text("\n".join(wrap(LINES)) + "\n", encoding="utf-8")
    assert_like_reference(the_notice(md), reference)
    page = tmp_path / "wrapped.html"
    body = "<br>\n".join(html.escape(ln) for ln in wrap(LINES))
    page.write_text(f"<html><body><p>{body}</p></body></html>", encoding="utf-8")
    assert_like_reference(the_notice(page), reference)


def test_wrapped_docx_one_paragraph_per_line(tmp_path: Path, reference: Notice) -> None:
    document = docx.Document()
    for line in wrap(LINES):
        document.add_paragraph(line)
    path = tmp_path / "wrapped.docx"
    document.save(str(path))
    assert_like_reference(the_notice(path), reference)


def write_pdf(path: Path, pages: list[list[str]]) -> None:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    for lines in pages:
        pdf.setFont("STSong-Light", 12)
        y = 780
        for line in lines:
            pdf.drawString(60, y, line)
            y -= 18
        pdf.showPage()
    pdf.save()


def test_wrapped_pdf_with_footers_and_running_title_across_pages(tmp_path: Path, reference: Notice) -> None:
    wrapped = wrap(LINES)
    cut = next(i for i, ln in enumerate(wrapped) if "列为必学内容" in ln)  # the page ends inside SENTENCE
    pages = [wrapped[:cut] + ["- 1 -"], [TITLE, *wrapped[cut:], "- 2 -"]]
    path = tmp_path / "wrapped.pdf"
    write_pdf(path, pages)
    notice = the_notice(path)
    assert_like_reference(notice, reference)
    assert "- 1 -" not in notice.text and notice.text.count(TITLE) == 1


def test_wrapped_pdf_with_page_numbers_only_in_the_text(tmp_path: Path, reference: Notice) -> None:
    """A .txt saved from a PDF: no form feeds, a ``- N -`` line wherever a page ended."""
    wrapped = wrap(LINES)
    wrapped.insert(9, "- 1 -")
    wrapped.insert(19, "第 2 页 共 3 页")
    wrapped.append("3")
    path = tmp_path / "from_pdf.txt"
    path.write_text("\n".join(wrapped) + "\n", encoding="utf-8")
    notice = the_notice(path)
    assert_like_reference(notice, reference)
    assert [s.text for s in notice.segments if s.kind == "signature"] == ["中共XX局D组", "2023年8月18日"]


@pytest.mark.parametrize("fmt", ["txt", "docx", "pdf"])
@pytest.mark.parametrize("at", ["制定理论学习中心组年度学习计", "一是制定理论学习中心组年度学习计划，将党的二十大精神和习近平总书记"])
def test_one_break_inside_a_sentence_in_every_format(tmp_path: Path, reference: Notice, fmt: str, at: str) -> None:
    """A copied sentence broken once, not at a width: inside a word (学习计 / 划) or after a clause
    ending without a comma (…习近平总书记 / 重要讲话精神…); the notice parses as the unbroken one."""
    k = LINES.index(SENTENCE)
    cut = SENTENCE.index(at) + len(at)
    lines = [*LINES[:k], SENTENCE[:cut], SENTENCE[cut:], *LINES[k + 1 :]]
    path = tmp_path / f"broken.{fmt}"
    if fmt == "txt":
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif fmt == "docx":
        document = docx.Document()
        for line in lines:
            document.add_paragraph(line)
        document.save(str(path))
    else:
        write_pdf(path, [[ln[i : i + 40] for ln in lines for i in range(0, len(ln), 40)]])
    assert_like_reference(the_notice(path), reference)


# ---- a real seed notice re-wrapped ---------------------------------------------------------------


def rewrap_with_footers(text: str, width: int = 32, every: int = 40) -> str:
    out: list[str] = []
    for k, line in enumerate(wrap(text.split("\n"), width), start=1):
        out.append(line)
        if k % every == 0:
            out.append(f"- {k // every} -")
    out.append(f"- {len(out) // every + 1} -")
    return "\n".join(out) + "\n"


def test_seed_notices_rewrapped_at_32_with_page_footers_parse_the_same(seeds: simtool.Loaded) -> None:
    """Tolerance: 17 of the 18 seed notices give exactly the same segments (kind and normalized
    text); the one other (#13) differs in at most 3 % of its segments, where an inline item
    ``（7）`` of a long paragraph lands at a line start and reads as an item."""
    same = 0
    for n in seeds.notices:
        wrapped = rewrap_with_footers(n.text)
        assert wrapped.count("\n") > 2 * n.text.count("\n")
        (w,), removed = notices_from_text(wrapped, "w.txt")
        assert all(r.startswith("- ") for r in removed)
        assert (w.title, w.unit, w.date) == (n.title, n.unit, n.date)
        a, b = normalized_segments(n), normalized_segments(w)
        if a == b:
            same += 1
            continue
        kept = len(set(a) & set(b)) / len(set(a))
        assert kept >= 0.97, (n.id, kept)
        assert abs(w.problems - n.problems) <= 1 and abs(w.measures - n.measures) <= 1, n.id
    assert same >= 17


def test_seeds_are_not_taken_for_wrapped_text(seeds: simtool.Loaded) -> None:
    for path in ("corpora/seeds/000_80f6373e3b7370b3.txt", "corpora/seeds/002_7d8fcde3e44e2eb6.txt"):
        text = Path(path).read_text(encoding="utf-8")
        assert layout._wrap_widths(text.split("\n")) == (0, 0)
        assert drop_furniture(text).text == text  # no page furniture in the seeds


# ---- page furniture ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line", ["- 1 -", "—2—", "－ 3 －", "第 1 页 共 3 页", "第1页", "1/3", "共3页 第2页", "Page 2 of 5"]
)
def test_page_number_lines(line: str) -> None:
    assert layout.is_page_number(line)
    text = f"一是加强学习，提高认识。\n{line}\n二是完善制度。\n"
    assert drop_furniture(text) == Cleaned("一是加强学习，提高认识。\n二是完善制度。\n", (line,))


@pytest.mark.parametrize("line", ["1.", "1.学习不深入", "2023年8月1日", "（1）", "3/1", "一、总体情况", "- 加强学习"])
def test_content_lines_are_not_page_numbers(line: str) -> None:
    assert not layout.is_page_number(line)
    text = f"一是加强学习。\n{line}\n二是完善制度。\n- 1 -\n"
    assert line in drop_furniture(text).text.split("\n")


def test_a_problem_numbered_on_its_own_line_is_kept() -> None:
    text = "二、整改落实情况\n1.\n理论学习不深入。\n整改情况：制定学习计划。\n2\n- 1 -\n"
    cleaned = drop_furniture(text)
    assert cleaned.text == "二、整改落实情况\n1.\n理论学习不深入。\n整改情况：制定学习计划。\n"
    assert cleaned.removed == ("2", "- 1 -")  # a bare number beside a page footer is a page number


def test_bare_page_numbers_in_sequence_and_at_page_breaks() -> None:
    body = [f"第{k}段正文内容，写得比较长一些。" for k in range(30)]
    lines = body[:10] + ["1"] + body[10:20] + ["2"] + body[20:] + ["3"]
    assert drop_furniture("\n".join(lines)).text == "\n".join(body) + "\n"
    assert drop_furniture("甲。\n12\n乙。\n").text == "甲。\n12\n乙。\n"  # one number inside the text stays
    assert drop_furniture("甲。\f5\n乙。\n").text == "甲。\n乙。\n"


def test_running_title_is_dropped_but_real_titles_stay() -> None:
    page1 = "XX镇D委关于巡察整改进展情况的通报\n根据统一部署，现将整改进展情况予以公布，具体如下\n- 1 -"
    page2 = "XX镇D委关于巡察整改进展情况的通报\n一是加强学习。\n- 2 -"
    cleaned = drop_furniture(page1 + "\f" + page2)
    assert cleaned.text.count("XX镇D委关于巡察整改进展情况的通报") == 1
    assert cleaned.removed == ("- 1 -", "XX镇D委关于巡察整改进展情况的通报", "- 2 -")
    # a compilation whose next notice (same title) starts on a new page after a signature
    a = "XX街道D工委关于巡察整改进展情况的通报\n一是加强学习。\nXX街道D工委\n2023年8月1日"
    both = drop_furniture(a + "\n- 1 -\n" + a + "\n- 2 -\n")
    assert both.text.count("XX街道D工委关于巡察整改进展情况的通报") == 2


# ---- joining rules -------------------------------------------------------------------------------


def test_headings_and_list_items_are_not_joined() -> None:
    text = (
        "一、总体情况\n区委巡察组反馈意见后，我局高度重视。\n（一）关于学习不深入的问题\n1.学习不深入\n2.制度不健全\n"
        "整改工作开展情况\n我局召开专题会议。\n中共XX县XX局委员会\n2023年8月1日\n"
    )
    assert join_wrapped(text) == text


def test_an_item_line_holding_a_sentence_continues_where_it_breaks_mid_clause() -> None:
    item = "四是加强组织领导，落实全面从严治党主体责任。严格落实工作责任，积极推进我市\n优质基础设施建设，召集相关单位健全制度。\n"
    assert join_wrapped(item) == item.replace("我市\n", "我市")
    heading = "（一）聚焦贯彻落实党中央决策部署情况，进一步促进党员干部担当作为方面\n区委高度重视，召开专题会议。\n"
    assert join_wrapped(heading) == heading  # an item without a sentence in it is a heading: it ends at the line


def test_a_line_broken_inside_a_sentence_continues_however_it_ends() -> None:
    broken = [
        ("欢迎广大干部群众对巡", "察整改落实情况进行监督。"),  # inside a word, no comma
        ("一是持续加大查处力度。持续加强对工作日禁酒", "令执行情况的监督检查。"),  # a sentence in the line
        ("二是督促市属企业通过多种渠道筹措资金，克服资金投入不足", "问题，保障项目施工进度。"),  # an item with a comma
        ("整改情况：一是街道明确由一", "名D工委成员负责项目管理工作。"),  # a label with text after it
        ("（一）在区属企业落实“两个一以贯之”、打造“四个", "平台”建设上方面"),  # an open quotation
        ("（13）着力提高民主生活会、组织生", "活会质量。"),  # a heading cut inside a word
        ("（三）聚焦基层D组织领导班子", "和干部队伍建设，推动解决软弱涣散问题。"),  # the next line starts with 和
        ("开展志愿服务3次以上，积极参与“三话六学”", "活动和全州志愿者服务项目大赛。"),  # a quotation, not the end
    ]
    for a, b in broken:
        assert join_wrapped(f"{a}\n{b}\n") == f"{a}{b}\n", a
    kept = "一、提高政治站位，强化责任落实\n区委巡察组指出了问题。\n附件1\n2023年整改台账\n联系电话：0371-1234567\n电子邮箱：xc@163.com\n"
    assert join_wrapped(kept) == kept  # a heading with commas in it, a contact line: whole lines


def test_one_break_anywhere_inside_a_seed_sentence_is_undone() -> None:
    """A break at 400 random places inside the seeds' sentences (not beside punctuation) is
    undone 96 % of the time (measured: 391 of 400; 272 before the rules for items,
    labels, quotations and words cut by the break); the misses are headings cut between two
    words (``……以巡察整改新成效`` / ``助力……``), which read as a heading and a sentence."""
    text = "".join(Path(p).read_text(encoding="utf-8") for p in sorted(Path("corpora/seeds").glob("*.txt")))
    lines = text.split("\n")
    whole = unwrap(text).text
    rng = random.Random(7)
    long_lines = [i for i, ln in enumerate(lines) if len(ln) > 30 and "\t" not in ln]
    tried = undone = 0
    while tried < 400:
        i = rng.choice(long_lines)
        at = rng.randint(10, len(lines[i]) - 8)
        if lines[i][at] in "。，；！？、：" or lines[i][at - 1] in "。；！？":
            continue
        broken = [*lines[:i], lines[i][:at], lines[i][at:], *lines[i + 1 :]]
        tried += 1
        undone += unwrap("\n".join(broken)).text == whole
    assert undone / tried >= 0.96, undone


def test_comma_continues_and_two_line_title_becomes_one(tmp_path: Path) -> None:
    text = "XX街道D工委关于巡察整改\n进展情况的通报\n区委巡察组反馈意见后，\n我局高度重视，立即召开会议。\n"
    joined = join_wrapped(text)
    assert joined == "XX街道D工委关于巡察整改进展情况的通报\n区委巡察组反馈意见后，我局高度重视，立即召开会议。\n"
    (n,), _ = notices_from_text(text, "t.txt")
    assert n.title == "XX街道D工委关于巡察整改进展情况的通报"
    assert [s.kind for s in n.segments].count("title") == 1
    centred = "      XX街道D工委关于巡察整改\n         进展情况的通报\n根据统一部署。\n"
    assert join_wrapped(centred) == "      XX街道D工委关于巡察整改进展情况的通报\n根据统一部署。\n"


def test_latin_words_keep_a_space_cjk_and_digits_none() -> None:
    assert layout._joint("增长", "GDP") == "" and layout._joint("共12", "3个") == ""
    assert layout._joint("the", "next") == " " and layout._joint("或P", "PT") == ""
    text = "会议学习了 Xi Jinping Thought on the Rule of Law，\nand the new regulations，提高认识。\n"
    assert (
        join_wrapped(text) == "会议学习了 Xi Jinping Thought on the Rule of Law，and the new regulations，提高认识。\n"
    )


def test_weak_markers_continue_a_full_line() -> None:
    lines = [f"第{k}项工作，认真落实各项整改要求并建立台账。" for k in range(10)]
    width = len(lines[0])
    head = "针对问题清单逐项制定整改措施，目前已经完成整改的共有"[: width - 1] + "1"  # 14宗 cut after 1
    tail = "4宗，其余正在推进。"
    broken = head + tail
    assert len(head) == width
    assert markers.starts_structure(tail) and not markers.starts_structure(tail, weak=False)
    text = "\n".join([*lines, head, tail, *lines]) + "\n"
    assert broken in join_wrapped(text)
    alone = f"{head}\n{tail}\n"  # no common width: the line is not known to be full
    assert join_wrapped(alone) == alone


_PIECES = [
    "一、总体情况",
    "（一）关于学习不深入的问题",
    "1.",
    "整改情况：",
    "区委巡察组反馈意见后，",
    "我局高度重视立即召开会议研究部署整改工作明确责任",
    "。",
    "- 1 -",
    "3",
    "\f",
    "",
    "XX局关于巡察整改",
    "进展情况的通报",
    "GDP",
    "growth",
    "2023年8月1日",
    "　　一是加强学习",
]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("\n".join))
def test_unwrap_only_removes_line_breaks_and_whole_lines(text: str) -> None:
    dropped = drop_furniture(text)
    kept = [ln for ln in text.replace("\f", "\n").split("\n") if ln.strip()]
    out = [ln for ln in dropped.text.split("\n") if ln.strip()]
    it = iter(kept)
    assert all(any(ln == k for k in it) for ln in out)  # a subsequence of the input lines
    joined = join_wrapped(dropped.text)
    assert joined.replace("\n", "").replace(" ", "") == dropped.text.replace("\n", "").replace(" ", "")
    assert joined.count("\n") <= dropped.text.count("\n")
    assert unwrap(text) == type(dropped)(joined, dropped.removed)
    for n in notices_from_text(text, "t.txt")[0]:
        for s in n.segments:
            assert n.text[s.start : s.end] == s.text


def test_doctests() -> None:
    assert doctest.testmod(layout).failed == 0
    assert doctest.testmod(markers).failed == 0


def test_display_width_and_control_count_equal_unicodedata_for_every_character() -> None:
    """The regex fast paths of ``layout._display`` and of the binary-file check in ``read.ingest``
    give what ``unicodedata`` gives, character by character, over the first three planes."""
    import unicodedata

    from simtool.read import ingest

    for cp in range(0x30000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        assert layout._display(c) == (2 if unicodedata.east_asian_width(c) in "WF" else 1), hex(cp)
        control = unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v\x1a"
        assert bool(ingest._CONTROLS.fullmatch(c)) == control, hex(cp)
    assert layout._display("整改落实 abc，①") == 4 * 2 + 1 + 3 + 2 + 1
