"""What is not a notice (simtool.read.screen): skipped with 不像整改通报：…, taken in with force."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import simtool
from simtool.core.types import Document, Skip
from simtool.read import screen
from simtool.read.ingest import read_document, read_paths
from simtool.read.parse import notices_from_text
from simtool.read.screen import not_a_notice

ENGLISH = (
    "The committee reviewed the progress of the rectification work and agreed that the remaining items "
    "should be completed before the end of the year. 会议 was held in the main hall.\n"
) * 5
PLAIN_CHINESE = "我们在工作中坚持问题导向，认真落实各项要求，对发现的问题逐项建立台账并明确责任人和完成时限。"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("hello.txt", "hello world\n"),
        ("one.txt", "改"),
        ("english.md", ENGLISH),
        ("x.html", "<p>hello <b>world</b></p>"),
    ],
)
def test_non_notices_are_skipped_and_force_takes_them_in(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    skipped = read_document(str(path))
    assert isinstance(skipped, Skip)
    assert skipped.reason.startswith("不像整改通报：")
    assert "--force" in skipped.reason and "\n" not in skipped.reason
    assert list(read_paths([str(path)])) == [skipped]
    loaded = simtool.load([str(path)])  # the library path (store.corpus) reports the same skip
    assert loaded.notices == [] and [s.reason for s in loaded.skips] == [skipped.reason]
    forced = read_document(str(path), force=True)
    assert isinstance(forced, Document)
    assert [type(d) for d in read_paths([str(path)], force=True)] == [Document]
    notices, _ = notices_from_text(forced.text, forced.path)
    assert len(notices) == 1


def test_reasons_say_why() -> None:
    assert not_a_notice("hello world") == "不像整改通报：文件里没有汉字，已跳过（如确需分析，请加 --force）"
    assert (
        not_a_notice("改")
        == "不像整改通报：只有 1 个汉字，也没有通报标题或整改、巡察字样，已跳过（如确需分析，请加 --force）"
    )
    reason = not_a_notice(ENGLISH * 3)  # 30 Chinese characters among thousands of letters
    assert reason is not None and reason.startswith("不像整改通报：汉字只占文字的 ")


@pytest.mark.parametrize(
    "text",
    [
        "关于巡察整改进展情况的通报。\n一是加强党的建设，二是落实整改责任。\n",  # the short test notice of test_ingest
        "關於巡察整改進展情況的通報",  # traditional script
        "整改",
        f"随便写的一段话。\n{PLAIN_CHINESE}\n今天天气很好。\n",  # Chinese prose without notice structure
        "会议纪要：" + PLAIN_CHINESE,
        "XX局关于巡察整改进展情况的通报\nThe English version follows. " * 3,
    ],
)
def test_notices_and_chinese_prose_are_accepted(text: str) -> None:
    assert not_a_notice(text) is None


def test_every_seed_notice_is_clearly_accepted(seeds: simtool.Loaded) -> None:
    """Clearly: each of the 18 seed notices passes on either criterion alone — it names
    整改/巡察/通报, and even with those words removed it has far more Chinese than the threshold."""
    assert len(seeds.notices) == 18 and not seeds.skips
    for n in seeds.notices:
        assert not_a_notice(n.text) is None
        stripped = re.sub(r"整改|巡[察视]|通报", "", n.text)
        assert not_a_notice(stripped) is None
        assert len(re.findall(r"[\u4e00-\u9fff]", stripped)) > 50 * screen.MIN_CJK


def test_doctests() -> None:
    assert doctest.testmod(screen).failed == 0
