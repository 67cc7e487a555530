"""Tests of notice parsing (simtool.read.parse, simtool.read.parse_meta) on the real seed corpus."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seed_facts import TITLES

from simtool.core.types import Notice
from simtool.read import parse_meta as meta
from simtool.read.parse import notices_from_text, parse_notice

SEEDS = Path(__file__).resolve().parents[1] / "corpora" / "seeds"
COMPILATION = "corpora/seeds/000_80f6373e3b7370b3.txt"
COUNTY = "corpora/seeds/002_7d8fcde3e44e2eb6.txt"


def _read(rel: str) -> str:
    return (SEEDS / Path(rel).name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def notices() -> list[Notice]:
    out: list[Notice] = []
    for rel in (COMPILATION, COUNTY):
        parsed, _ = notices_from_text(_read(rel), rel)
        out.extend(parsed)
    return out


def by_title_prefix(notices: list[Notice], prefix: str) -> Notice:
    (hit,) = [n for n in notices if n.title.startswith(prefix)]
    return hit


def measures_of(n: Notice, problem: int) -> list[str]:
    return [s.text for s in n.segments if s.kind == "measure" and s.problem == problem]


def assert_segments_valid(n: Notice) -> None:
    prev = 0
    for s in n.segments:
        assert n.text[s.start : s.end] == s.text
        assert s.text and s.text == s.text.strip()
        assert s.start >= prev, f"overlap at {s}"
        prev = s.end
        assert (s.problem is not None) == (s.kind in ("problem", "measure"))
    numbers = [s.problem for s in n.segments if s.kind == "problem"]
    assert numbers == list(range(1, len(numbers) + 1))


# ---- the whole seed corpus -----------------------------------------------------------------


def test_seeds_yield_18_notices_with_real_titles(notices: list[Notice]) -> None:
    assert [n.title for n in notices] == TITLES
    assert [n.id for n in notices[:17]] == [f"{COMPILATION}#{k}" for k in range(1, 18)]
    assert notices[17].id == COUNTY and notices[17].path == COUNTY
    assert [n.index for n in notices[:17]] == list(range(1, 18))


def test_every_seed_notice_has_valid_segments(notices: list[Notice]) -> None:
    for n in notices:
        assert_segments_valid(n)
        assert n.segments[0].kind == "title" and n.segments[0].text == n.title
        assert n.problems > 0 and n.measures >= n.problems - 1, n.id


def test_noise_is_returned_and_legitimate_lines_kept() -> None:
    notices, removed = notices_from_text(_read(COMPILATION), COMPILATION)
    assert len(removed) == 5 and "##paidend##" in removed
    assert "利用AAA公众号发布信息" in notices[0].text
    assert not any("素材库" in n.text for n in notices)
    _, county_removed = notices_from_text(_read(COUNTY), COUNTY)
    assert len(county_removed) == 8


# ---- notice 1 of the compilation -----------------------------------------------------------


def test_notice_1_metadata(notices: list[Notice]) -> None:
    n = notices[0]
    assert n.id == f"{COMPILATION}#1"
    assert n.unit == "XX街道D工委"
    assert n.inspector == "区委第一巡察组"
    assert (n.period_start, n.period_end) == ("2022-10-08", "2022-11-15")
    assert n.feedback_date == "2023-04-12"
    assert n.date == "2023-08-11"
    assert n.problems == 31
    assert n.measures == 95
    assert n.declared == {}


def test_notice_1_problems_22_to_24_share_measures(notices: list[Notice]) -> None:
    n = notices[0]
    for k in (22, 23, 24):
        joined = " ".join(measures_of(n, k))
        assert "组织财务人员进行集体学习" in joined
        assert "完善了街居财务管理制度" in joined
    # 23 has the three stock measures as three separate segments
    assert measures_of(n, 23) == [
        "一是补齐相关财务凭证资料。",
        "二是组织财务人员进行集体学习。",
        "三是根据上级相关规定和街道实际情况，完善了街居财务管理制度。",
    ]
    # 22 says 补齐……等财务凭证资料 (not the exact phrase); 24 joins two measures in one sentence
    assert measures_of(n, 22)[0] == "一是补齐相关项目预算清单和验收清单等财务凭证资料。"
    assert not any("补齐相关财务凭证资料" in m for m in measures_of(n, 24))
    assert len(measures_of(n, 24)) == 2


def test_notice_1_structure(notices: list[Notice]) -> None:
    n = notices[0]
    kinds = [s.kind for s in n.segments]
    assert kinds[:5] == ["title", "framing", "heading", "heading", "problem"]
    assert kinds[-3:] == ["closing", "signature", "signature"]
    first = next(s for s in n.segments if s.kind == "problem")
    assert first.text == "1.践行关于加强和创新基层社会治理重要论述不够深入，推动街居社会经济发展用力不足"
    assert first.heading == ("一、聚焦贯彻落实D的路线方针政策和D中央、省市区委决策部署情况", "（一）学用结合有差距")
    assert measures_of(n, 1)[0].startswith("一是在D工委理论学习中心组会议上")
    assert not any("整改情况：" in s.text for s in n.segments)  # labels belong to no segment
    assert [s.text for s in n.segments if s.kind == "signature"] == ["中共XX市XX区XX街道工作委员会", "2023年8月11日"]


# ---- metadata across notices -------------------------------------------------------------


def test_publication_dates(notices: list[Notice]) -> None:
    assert by_title_prefix(notices, "统计局D组").date == "2023-08-18"
    assert by_title_prefix(notices, "县委关于省委巡视").date is None  # 002 has no date line
    assert by_title_prefix(notices, "XX社区").date == "2023-08-10"  # 2023年08月10日
    assert by_title_prefix(notices, "区财政局D组").date is None  # no signature
    assert notices[1].date is None and notices[2].date is None


def test_feedback_year_is_inferred(notices: list[Notice]) -> None:
    soe = by_title_prefix(notices, "XX区国资委D委")  # 8月30日，巡察组向……反馈
    assert (soe.period_start, soe.period_end, soe.feedback_date) == ("2022-02-17", "2022-04-15", "2022-08-30")
    assert soe.inspector == "区委第四巡察组"
    league = by_title_prefix(notices, "共青团XX区委员会")  # 3月2日 after a period ending 11月30日
    assert league.feedback_date == "2023-03-02"
    village = by_title_prefix(notices, "XX镇XX村D委")  # 并于2月24日向XX村D委反馈
    assert village.feedback_date == "2023-02-24"
    assert notices[1].feedback_date == "2022-09-06"  # 2022年9月6日，巡察组向……反馈


def test_placeholders_give_none(notices: list[Notice]) -> None:
    county = notices[17]
    assert county.inspector == "省委第一巡视组"
    assert (county.period_start, county.period_end, county.feedback_date) == (None, None, None)
    assert county.declared == {}  # X个方面X个具体问题


def test_units(notices: list[Notice]) -> None:
    assert by_title_prefix(notices, "统计局D组").unit == "统计局D组"
    assert by_title_prefix(notices, "共青团XX区委员会").unit == "共青团XX区委员会"
    assert by_title_prefix(notices, "关于巡察整改阶段性").unit == "中共XX市XX区XX乡委员会"  # signature
    assert notices[17].unit == "X县委"  # 县委 alone; no signature; 向X县委反馈


def test_declared_counts(notices: list[Notice]) -> None:
    assert notices[1].declared == {"aspects": 3, "problems": 12, "measures": 68, "completed": 10}
    assert by_title_prefix(notices, "科技局D组").declared == {"aspects": 3, "problems": 12, "measures": 72}
    assert by_title_prefix(notices, "区财政局D组").declared == {"aspects": 3, "problems": 24, "completed": 24}
    assert by_title_prefix(notices, "XX县委").declared == {"aspects": 4, "problems": 31, "measures": 133}


# ---- structures of other notices -----------------------------------------------------------


def test_sub_problems_listed_as_yishi(notices: list[Notice]) -> None:
    village = by_title_prefix(notices, "XX镇XX村D委")
    assert village.problems == village.declared["problems"] == 47
    problems = [s for s in village.segments if s.kind == "problem"]
    assert problems[7].text == "一是跨年度入账。"
    assert problems[7].heading[-1] == "1.资金使用不规范、财务制度执行不严格。"
    no_measure = next(s for s in problems if s.text == "二是宅基地款退还不到位。")
    assert measures_of(village, no_measure.problem or 0) == []


def test_circled_measures_and_aspect_problems(notices: list[Notice]) -> None:
    finance = by_title_prefix(notices, "区财政局D组")
    assert finance.problems == 3
    assert [m[:7] for m in measures_of(finance, 1)] == ["①加强制度建设", "②深化管理改革", "③加强业务培训"]


def test_numbered_items_with_sub_items(notices: list[Notice]) -> None:
    stats = by_title_prefix(notices, "统计局D组")
    assert stats.problems == 17
    p12 = next(s for s in stats.segments if s.kind == "problem" and s.text.startswith("（12）"))
    assert p12.text == "（12）规范固定资产台账登记工作。"
    assert p12.heading[-1] == "6.重点领域廉洁风险防控方面"
    assert [m[:2] for m in measures_of(stats, p12.problem or 0)] == ["一是", "二是", "三是"]
    township = by_title_prefix(notices, "关于巡察整改阶段性")
    assert township.problems == township.declared["problems"] == 31
    assert not any(s.text.startswith(("已完成整改", "整改情况")) for s in township.segments)


def test_ordinal_leads_and_next_steps(notices: list[Notice]) -> None:
    soe = by_title_prefix(notices, "XX区国资委D委")
    assert soe.problems == 5
    assert measures_of(soe, 1)[:2] == [
        "第一，加强对企业的指导促改力度。",
        measures_of(soe, 1)[1],
    ] and measures_of(soe, 1)[1].startswith("一是指导区属企业")
    district = by_title_prefix(notices, "XX市XX区委")
    next_steps = [s for s in district.segments if s.heading and s.heading[0] == "三、下一步工作打算"]
    assert next_steps and all(s.kind == "framing" for s in next_steps)


def test_problem_detail_and_continuation_lines(notices: list[Notice]) -> None:
    league = by_title_prefix(notices, "共青团XX区委员会")
    first = next(s for s in league.segments if s.kind == "problem")
    assert first.text.endswith("针对2020年和2021年未能按照年初计划开展全区团干部专题培训。")
    soe = by_title_prefix(notices, "市国资委D委")
    joined = [m for s in soe.segments if s.kind == "measure" for m in [s.text] if "兼职管理暂行办法" in m]
    assert joined == [
        "四是制定《市属国有企业领导人员兼职管理暂行办法》，强化兼任职务审批、管理工作指导。"
    ]  # line joined


def test_county_notice_structure(notices: list[Notice]) -> None:
    county = notices[17]
    headings = [s.text for s in county.segments if s.kind == "heading"]
    assert "（5）关于“传统产业转型升级推进缓慢”的问题" in headings  # groups 针对“…”的整改情况
    problems = [s.text for s in county.segments if s.kind == "problem"]
    assert problems[0] == "（1）关于“县委在学懂弄通不深入、学用结合不紧密”的问题"
    assert "针对“盐卤药化产业优化升级效果不理想”的整改情况：" in problems
    assert not any(s.kind in ("closing", "signature") for s in county.segments)


# ---- parse_meta units ----------------------------------------------------------------------


def test_meta_helpers() -> None:
    assert meta.period("于2022年12月1日至1月15日对")[:2] == ("2022-12-01", "2023-01-15")
    assert meta.period("2020年X月X日至X月X日")[:2] == (None, None)
    assert meta.publication_date("二〇二三年八月十一日") == "2023-08-11"
    assert meta.publication_date("2023年2月30日") is None
    assert meta.inspector("区委第一轮第二批巡察二组对XX街道") == "区委第一轮第二批巡察二组"
    assert meta.declared_counts("三大类31条问题") == {"aspects": 3, "problems": 31}


# ---- robustness ------------------------------------------------------------------------------

_PIECES = [
    "一、总体情况",
    "二、整改落实情况",
    "（一）关于X的问题",
    "1.关于“A。”问题的整改。一是甲。二是乙",
    "整改情况：已完成整改。一是甲；二是乙",
    "一是跨年度入账。严格执行",
    "针对“X”的整改情况：①甲②乙",
    "第一，加强。一是甲。",
    "欢迎广大干部群众监督",
    "中共XX县委员会",
    "2023年8月1日",
    "目录",
    "XX县委关于巡察整改进展情况的通报",
    "A关于巡察整改情况的通报\t3",
    "",
    "  ",
    "（1）甲。",
    "续行文字，",
]
_ALPHABET = list("一二是、．.（）()“”。：:，；\n\t 019①关于问题针对整改情况年月日至反馈巡察组委XD")
_TEXTS = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(_ALPHABET), max_size=300),
    st.lists(st.sampled_from(_PIECES), max_size=30).map("\n".join),
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(_TEXTS)
def test_parsing_never_raises_and_offsets_hold(text: str) -> None:
    n = parse_notice(text, notice_id="t", path="t", index=1)
    assert n.text == text
    assert_segments_valid(n)
    notices, _ = notices_from_text(text, "t.txt")
    for m in notices:
        assert_segments_valid(m)
        assert m.id == ("t.txt" if len(notices) == 1 else f"t.txt#{m.index}")


def test_hard_wrapped_text_keeps_structure(notices: list[Notice]) -> None:
    n = notices[0]
    wrapped = "\n".join(ln[i : i + 38] for ln in n.text.split("\n") for i in range(0, max(len(ln), 1), 38))
    w = parse_notice(wrapped, notice_id="w", path="w", index=1, title=n.title)
    assert_segments_valid(w)
    assert w.problems == 31
    assert [m.replace("\n", "") for m in measures_of(w, 23)] == measures_of(n, 23)


def test_parsing_is_fast() -> None:
    texts = [_read(COMPILATION), _read(COUNTY)] * 10  # 180 notices, ~2.7 MB
    start = time.perf_counter()
    count = sum(len(notices_from_text(t, "p")[0]) for t in texts)
    elapsed = time.perf_counter() - start
    assert count == 180
    assert elapsed < 10, f"{elapsed:.1f}s for {count} notices"  # ~0.4s on a laptop core


# ---- shapes not in the seeds ---------------------------------------------------------------------


def test_numbered_measures_under_a_problem_and_signature_remark() -> None:
    text = (
        "XX局D组关于巡察整改进展情况的通报\n根据县委统一部署，县委第一巡察组对XX局D组进行了巡察。\n"
        "二、整改落实情况\n（一）关于学习不深入的问题\n整改情况：\n1.组织学习理论。\n2.开展专题研讨。\n"
        "（二）关于制度不健全的问题\n整改情况：建立制度。\n欢迎广大干部群众监督。\n中共XX县XX局D组\n2023年9月1日\n（此件公开发布）\n"
    )
    n = parse_notice(text, notice_id="t", path="t", index=1)
    assert_segments_valid(n)
    assert n.problems == 2
    assert measures_of(n, 1) == ["1.组织学习理论。", "2.开展专题研讨。"]
    assert measures_of(n, 2) == ["建立制度。"]
    assert n.date == "2023-09-01" and n.unit == "XX局D组"
    assert [s.kind for s in n.segments[-4:]] == ["closing", "signature", "signature", "signature"]


def test_problem_label_items() -> None:
    text = (
        "XX局D组关于巡察整改进展情况的通报\n根据统一部署，现将整改进展情况予以公布。\n二、具体整改情况\n"
        "问题一：理论学习不深入。整改措施：一是制定学习计划；二是开展研讨。\n"
        "问题二：制度执行不严格。\n整改措施：一是修订制度。二是加强检查。\n"
    )
    n = parse_notice(text, notice_id="t", path="t", index=1)
    problems = [s.text for s in n.segments if s.kind == "problem"]
    assert problems == ["问题一：理论学习不深入。", "问题二：制度执行不严格。"]
    assert measures_of(n, 1) == ["一是制定学习计划；", "二是开展研讨。"]
    assert measures_of(n, 2) == ["一是修订制度。", "二是加强检查。"]
