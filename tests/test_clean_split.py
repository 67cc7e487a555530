"""Tests of noise removal (simtool.read.clean) and notice splitting (simtool.read.split) on the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seed_facts import TITLES

from simtool.read.clean import clean, noise_patterns, parse_noise_patterns
from simtool.read.split import is_title_line, split_notices

SEEDS = Path(__file__).resolve().parents[1] / "corpora" / "seeds"
COMPILATION = SEEDS / "000_80f6373e3b7370b3.txt"
COUNTY = SEEDS / "002_7d8fcde3e44e2eb6.txt"

COMPILATION_TITLES = TITLES[:17]


@pytest.fixture(scope="module")
def compilation() -> str:
    return COMPILATION.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def county() -> str:
    return COUNTY.read_text(encoding="utf-8")


# ---- clean -----------------------------------------------------------------------------


def test_noise_patterns_are_data_with_comments_skipped() -> None:
    patterns = noise_patterns()
    assert len(patterns) >= 10
    assert not any(p.startswith("#") for p in patterns)
    assert parse_noise_patterns("# c\n\n  a.b  \n#x\n") == ("a.b",)


def test_compilation_noise_removed_and_counted(compilation: str) -> None:
    cleaned = clean(compilation)
    assert cleaned.removed[0] == "##paidbegin##"
    assert cleaned.removed[-1] == "##paidend##"
    assert len(cleaned.removed) == 5
    assert sum("哒哒素材库" in r for r in cleaned.removed) == 2
    assert any(r.startswith("【哒哒代笔】") for r in cleaned.removed)
    for gone in ("##paid", "哒哒素材库", "svip", "代笔客服"):
        assert gone not in cleaned.text


def test_county_header_removed_and_counted(county: str) -> None:
    cleaned = clean(county)
    assert cleaned.removed == (
        "仅供学习 禁止外传",
        "酷乐文行",
        "自建平台、实时分享",
        "根据实际需求和形式任务不断迭代",
        "现在订阅立享前3年的所有权益和资料",
        "【打击倒卖活动】",
        "举报倒卖会员资料的人，举报成功免费赠送一年会员材料！",
        "会员群：                      免费QQ群：",
    )
    assert cleaned.text.lstrip().startswith("县委关于省委巡视反馈意见整改进展情况的通报")


@pytest.mark.parametrize(
    "legit",
    [
        "二是利用AAA公众号发布信息、节假日志愿服务等开展丰富多样的宣传活动",
        "关于AAA公众号管理不够到位的问题。一是约谈提醒。",
        "二是加强D课哒哒君或PPT的质量提醒。加强课件把关，提升授课实效。",
        "收集作为团体会员的社科类社会组织全年工作计划和打算",
        "通过工作微信群和QQ群等网络平台发布相关财务知识及规章制度",
        "三是加强信息沟通。建立防疫协调AAA群，加强各社区之间沟通",
    ],
    ids=["aaa-account", "aaa-account-problem", "dada-in-text", "group-member", "qq-group", "aaa-group"],
)
def test_legitimate_lines_survive(compilation: str, county: str, legit: str) -> None:
    assert legit in compilation or legit in county  # the line really is in a seed
    assert legit in clean(compilation).text or legit in clean(county).text
    assert clean(legit + "\n").removed == ()


def test_clean_leaves_other_lines_byte_for_byte(compilation: str, county: str) -> None:
    for text in (compilation, county):
        cleaned = clean(text)
        kept = [ln for ln in text.splitlines(keepends=True) if ln.strip() not in cleaned.removed]
        assert cleaned.text == "".join(kept)


def test_inline_paid_marker_is_cut_out() -> None:
    cleaned = clean("正文一##paidbegin##正文二\n")
    assert cleaned.text == "正文一正文二\n"
    assert cleaned.removed == ("##paidbegin##",)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text())
def test_clean_never_raises_and_is_idempotent(text: str) -> None:
    once = clean(text)
    assert clean(once.text).text == once.text


# ---- split -----------------------------------------------------------------------------


def test_compilation_splits_into_17_notices_in_order(compilation: str) -> None:
    text = clean(compilation).text
    spans = split_notices(text)
    assert [t for t, _, _ in spans] == COMPILATION_TITLES
    for title, start, end in spans:
        assert text[start:end].startswith(title)
        assert text[start:end] == text[start:end].strip()
    assert all(a[2] <= b[1] for a, b in zip(spans, spans[1:], strict=False))


def test_table_of_contents_is_not_a_notice(compilation: str) -> None:
    text = clean(compilation).text
    first_start = split_notices(text)[0][1]
    assert "目录" in text[:first_start]
    assert "\t" not in text[first_start : first_start + 200]
    assert text[first_start:].split("\n", 2)[2].lstrip().startswith("根据区委统一部署")


def test_county_notice_is_one_span(county: str) -> None:
    text = clean(county).text
    spans = split_notices(text)
    assert [t for t, _, _ in spans] == ["县委关于省委巡视反馈意见整改进展情况的通报"]
    _, start, end = spans[0]
    assert text[start:end].endswith("描绘好新时代X改革发展新画卷不懈奋斗。")


def test_list_of_titles_without_page_numbers_is_a_toc() -> None:
    text = (
        "甲县委关于巡察整改进展情况的通报\n乙镇D委关于巡察整改进展情况的通报\n\n"
        "甲县委关于巡察整改进展情况的通报\n根据统一部署，巡察组进行了巡察，现将整改进展情况予以公布。\n\n"
        "乙镇D委关于巡察整改进展情况的通报\n根据县委统一部署，现将整改进展情况予以公布。\n"
    )
    spans = split_notices(text)
    assert [t for t, _, _ in spans] == ["甲县委关于巡察整改进展情况的通报", "乙镇D委关于巡察整改进展情况的通报"]
    assert text[spans[0][1] : spans[0][2]].endswith("予以公布。")


def test_unit_line_above_title_joins_it() -> None:
    text = "中共甲县委员会\n关于巡察整改进展情况的通报\n根据统一部署，现将整改情况予以公布。\n"
    assert split_notices(text) == [("中共甲县委员会关于巡察整改进展情况的通报", 0, len(text) - 1)]


def test_text_without_title_is_one_notice() -> None:
    text = "\n\n  这是一段没有标题的整改材料，第一行" + "很长" * 25 + "。\n第二行。\n\n"
    spans = split_notices(text)
    assert len(spans) == 1
    title, start, end = spans[0]
    assert text[start:end] == text.strip()
    assert title == text.strip().split("\n")[0][:60] and len(title) == 60
    assert split_notices(" \n\t\n") == []


def test_title_line_rules() -> None:
    assert is_title_line("XX街道D工委关于巡察整改进展情况的通报")
    assert not is_title_line("关于巡察整改进展情况的通报汇编（17篇）")
    assert not is_title_line("（一）关于巡察整改情况的通报")
    assert not is_title_line("《关于巡察整改情况的通报》已印发，请遵照执行的通报")


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(alphabet=st.sampled_from(list("关于巡察整改情况的通报目录甲乙\t\n 12。，")), max_size=200))
def test_split_spans_are_ordered_and_stripped(text: str) -> None:
    spans = split_notices(text)
    prev = 0
    for _, start, end in spans:
        assert prev <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        prev = end
