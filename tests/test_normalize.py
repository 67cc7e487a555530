"""Normalization: masking, width, script, punctuation, template slots, offsets and idempotence."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from simtool.text.normalize import normalize, normalize_map, template

CJKISH = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),
        st.sampled_from(list("DAXHE某 \n\t，。；：“”（）()0123456789ＤＸ０１abcGDP　、…—")),
        st.characters(),
    ),
    max_size=60,
)


def test_unmasking_matches_clear_text() -> None:
    assert normalize("加强D风廉政建设，召开D委会") == normalize("加强党风廉政建设，召开党委会")
    assert normalize("利用AAA公众号发布信息") == normalize("利用微信公众号发布信息")
    assert normalize("中国共产DD内监督条例") == normalize("中国共产党党内监督条例")
    assert normalize("中国共产DXX县委员会") == "中国共产党XX县委员会"
    assert normalize("深入开展扫H除E专项斗争") == normalize("深入开展扫黑除恶专项斗争")


def test_latin_d_is_not_unmasked() -> None:
    assert "党" not in normalize("DP核算基础指标")
    assert "党" not in normalize("地区GDP增长")
    assert "党" not in normalize("商铺ED屏、APP推送、Dashboard")
    assert "微信" not in normalize("AAAA级景区")


def test_width_script_punctuation_and_breaks() -> None:
    assert normalize("一是加强学习，\n二是完善制度。") == normalize("一是加强学习,二是完善制度。")
    assert normalize("２０２３年（一）") == normalize("2023年(一)")
    assert normalize("臺灣發展") == normalize("台湾发展")
    assert normalize("“三重一大”") == normalize('"三重一大"')
    assert normalize("加强 GDP growth") == "加强GDP growth"


def test_template_view_masks_numbers_dates_placeholders() -> None:
    a = "2022年10月8日至11月15日，区委第一巡察组对XX街道进行了巡察，发现问题12个"
    b = "2023年3月1日至4月2日，区委第一巡察组对某街道进行了巡察，发现问题7个"
    assert normalize(a) != normalize(b)
    assert template(a) == template(b)


def test_offsets_point_back_into_source() -> None:
    src = "一是 加强Ｄ委\n建设，利用AAA群"
    n = normalize_map(src)
    assert n.text == normalize(src)
    assert len(n.offsets) == len(n.text)
    assert n.text.startswith("一是加强党委")
    assert src[n.offsets[n.text.index("党")]] == "Ｄ"
    a, b = n.span(n.text.index("微信"), n.text.index("微信") + 2)
    assert src[a:b] == "AAA"


def test_seed_measure_masked_equals_clear() -> None:
    with open("corpora/seeds/000_80f6373e3b7370b3.txt", encoding="utf-8") as f:
        seed = f.read()
    line = next(s for s in seed.splitlines() if "D工委理论学习中心组" in s and "AAA" not in s)
    clear = line.replace("D", "党")
    assert normalize(line) == normalize(clear)


@settings(max_examples=300, deadline=None)
@given(CJKISH)
def test_normalize_is_idempotent(s: str) -> None:
    for view in ("literal", "template"):
        once = normalize(s, view)  # type: ignore[arg-type]
        assert normalize(once, view) == once  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(CJKISH)
def test_fast_and_mapped_paths_agree_and_offsets_are_monotone(s: str) -> None:
    for view in ("literal", "template"):
        n = normalize_map(s, view)  # type: ignore[arg-type]
        assert n.text == normalize(s, view)  # type: ignore[arg-type]
        assert len(n.offsets) == len(n.text)
        assert all(0 <= o < len(s) for o in n.offsets)
        assert n.offsets == sorted(n.offsets)


@settings(max_examples=200, deadline=None)
@given(st.lists(CJKISH, max_size=8))
@example(["\ue000"]).via("a text holding the separator normalize_many joins texts with")
@example(["一是 加强\ue000学习", " X ", "\ue000"]).via("the separator among other texts")
def test_normalize_many_equals_one_by_one(texts: list[str]) -> None:
    from simtool.text.normalize import normalize_many

    for view in ("literal", "template"):
        assert normalize_many(texts, view) == [normalize(t, view) for t in texts]  # type: ignore[arg-type]


def test_spaced_characters_read_as_unspaced() -> None:
    assert normalize("加 强 党 的 建 设") == normalize("加强党的建设") == "加强党的建设"
    assert normalize("加\u3000强\u3000党\u3000的\u3000建\u3000设") == "加强党的建设"
    sentence = "2023年以来，XX局D组召开GDP专题会议3次，利用AAA公众号发布信息，深入开展扫H除E专项斗争。"
    for sep in (" ", "\u3000", " \u3000 "):
        spaced = sep.join(sentence)
        assert normalize(spaced) == normalize(sentence)
        assert normalize_map(spaced).text == normalize(sentence)
        assert template(spaced) == template(sentence)
    assert normalize("加强 GDP growth") == "加强GDP growth"  # whole words keep their space


SPACEABLE = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),
        st.sampled_from(list("DAXHE某，。；：“”（）()0123456789abcGDP、…—%")),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(SPACEABLE, st.sampled_from([" ", "\u3000", "  "]))
def test_a_spaced_out_text_normalizes_like_its_unspaced_copy(s: str, sep: str) -> None:
    for view in ("literal", "template"):
        assert normalize(sep.join(s), view) == normalize(s, view)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(CJKISH)
def test_identity_shortcut_gives_the_walked_offsets(s: str) -> None:
    from simtool.text.normalize import _normalize_map_walk

    for view in ("literal", "template"):
        assert normalize_map(s, view) == _normalize_map_walk(s, view)  # type: ignore[arg-type]


def test_identity_shortcut_on_the_seed_sentences() -> None:
    from simtool.api import notices
    from simtool.text.normalize import _normalize_map_walk
    from simtool.text.sentences import sentence_spans

    checked = 0
    for n in notices(["corpora/seeds"]):
        for seg in n.segments:
            for a, b in sentence_spans(n.text, seg.start, seg.end):
                for view in ("literal", "template"):
                    assert normalize_map(n.text[a:b], view) == _normalize_map_walk(n.text[a:b], view)  # type: ignore[arg-type]
                checked += 1
    assert checked > 1000
