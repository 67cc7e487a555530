"""Notice-pair overlap and copy ratios: a constructed copy case, consistency on the seeds, the CLI,
and the store's cached formulaic phrases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import jsonl_twice

import simtool
from simtool.analyses.overlap import likely_source, notice_ratios, overlap_records
from simtool.analyses.phrases import META_KEY, formulaic_share, store_formulaic
from simtool.core.spans import count_chars
from simtool.core.types import Notice, Segment
from simtool.match.engine import find_matches
from simtool.report.output import record_dict
from simtool.store.corpus import ingest

FIELDS = {
    "a",
    "b",
    "a_chars",
    "b_chars",
    "shared_a",
    "shared_b",
    "ratio_a",
    "ratio_b",
    "ratio_a_substantive",
    "ratio_b_substantive",
    "likely_source",
}
RATIO_FIELDS = {
    "copy_ratio",
    "copy_ratio_substantive",
    "max_source_ratio",
    "max_source",
    "shared",
    "chars",
    "formulaic_share",
}

COPIED = [
    "一是组织全体党员干部逐条学习新修订的财务管理制度，建立公务接待审批台账，实行一事一登记、一月一通报。",
    "二是聘请第三方审计机构对近三年工程项目资金开展专项审计，对发现的超付款项限期追回并在全局通报。",
    "一是修订干部选拔任用工作规程，把民主推荐、考察谈话、任前公示各环节纳入纪实档案，做到全程留痕可查。",
    "二是建立年轻干部轮岗交流计划，每年安排不少于十名科级干部到基层站所和重点项目一线挂职锻炼。",
]
A_OWN = [
    "一是由局主要负责同志牵头召开专题会议研究意识形态工作，每季度听取一次各科室阵地管理情况汇报。",
    "二是对局属网站和政务新媒体账号开展全面清理，关停长期不更新的账号三个，明确专人负责内容审核。",
    "一是制定基层党支部标准化建设清单，对照二十项指标逐一验收，对不达标的支部书记进行约谈提醒。",
    "二是落实三会一课制度，局领导班子成员带头讲党课，全年累计开展主题党日活动二十四次。",
]
B_OWN = [
    "一是围绕农村饮水安全巩固提升开展入户走访，摸清分散供水工程底数，建立问题清单和销号台账。",
    "二是统筹安排专项资金改造老旧供水管网，优先保障偏远山区群众饮水，汛期前完成全部水源地巡查。",
    "一是对河道采砂许可证发放情况进行全面复核，撤销不符合条件的许可两件，移交执法部门立案查处。",
    "二是联合公安、自然资源部门开展夜间巡河行动，设立举报电话，对非法采砂行为发现一起查处一起。",
]


def _notice_text(
    title: str,
    opening: str,
    heading: str,
    problems: list[str],
    measures: list[str],
    closing: str,
    signature: str,
    date: str,
) -> str:
    lines = [title, "", opening, "", heading, ""]
    for i, problem in enumerate(problems):
        lines += [problem, "整改情况：" + measures[2 * i], measures[2 * i + 1], ""]
    return "\n".join(lines + [closing, "", signature, date, ""])


@pytest.fixture()
def pair(tmp_path: Path) -> list[Notice]:
    """A (dated 2023-09-01) and B (2023-10-08): B copies half of A's eight measures verbatim."""
    a = _notice_text(
        "XX市交通运输局关于巡察整改进展情况的通报",
        "根据市委统一部署，2023年3月1日至4月30日，市委第一巡察组对市交通运输局党组进行了巡察。"
        "2023年6月10日，巡察组向我局反馈了巡察意见。按照巡察工作有关要求，现将巡察整改进展情况予以公布。",
        "二、巡察反馈问题的整改落实情况",
        [
            "（一）关于财务管理制度执行不严格的问题",
            "（二）关于选人用人工作不规范的问题",
            "（三）关于意识形态责任制落实不到位的问题",
            "（四）关于基层党组织建设薄弱的问题",
        ],
        COPIED + A_OWN,
        "欢迎广大干部群众对巡察整改落实情况进行监督。如有意见建议，请及时向我们反映。联系电话：0000-1234567。",
        "中共XX市交通运输局党组",
        "2023年9月1日",
    )
    b = _notice_text(
        "YY县水利局关于巡察整改进展情况的通报",
        "按照县委安排，县委第三巡察组于2023年5月对县水利局开展了常规巡察，并在7月向局党组反馈了意见。"
        "局党组高度重视，逐条制定措施，现就整改情况通报如下。",
        "二、各项问题整改完成情况",
        [
            "（一）关于农村饮水安全保障不力的问题",
            "（二）关于财经纪律执行不严的问题",
            "（三）关于河道采砂监管缺位的问题",
            "（四）关于干部队伍建设滞后的问题",
        ],
        B_OWN[:2] + COPIED[:2] + B_OWN[2:] + COPIED[2:],
        "请社会各界继续关心支持水利事业发展，对整改工作中存在的不足提出宝贵意见。",
        "中共YY县水利局党组",
        "2023年10月8日",
    )
    (tmp_path / "a.txt").write_text(a, encoding="utf-8")
    (tmp_path / "b.txt").write_text(b, encoding="utf-8")
    loaded = simtool.load([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    assert [n.date for n in loaded.notices] == ["2023-09-01", "2023-10-08"]
    return loaded.notices


def test_copied_measures_give_the_expected_ratios(pair: list[Notice]) -> None:
    a, b = pair
    [rec] = overlap_records(pair)
    assert set(record_dict(rec)) >= FIELDS
    assert (rec.a, rec.b) == (a.id, b.id)
    copied = sum(count_chars(c) for c in COPIED)
    measures_b = sum(count_chars(c) for c in B_OWN + COPIED)
    assert rec.a_chars == count_chars(a.text) and rec.b_chars == count_chars(b.text)
    # exactly the four copied measures are shared (a leading "整改情况：" label at most)
    assert copied <= rec.shared_a <= copied + 5 and copied <= rec.shared_b <= copied + 5
    assert rec.ratio_a == round(rec.shared_a / rec.a_chars, 4)
    assert rec.ratio_b == pytest.approx(copied / count_chars(b.text), abs=0.01)
    # half of B's measures are copied: B's ratio is about half of its measure share
    assert copied / measures_b == pytest.approx(0.5, abs=0.03)
    assert rec.ratio_b == pytest.approx(0.5 * measures_b / count_chars(b.text), abs=0.02)
    assert rec.likely_source == a.id  # published first
    assert rec.passages == 2  # COPIED[0:2] and COPIED[2:4], each pair adjacent on both sides
    # two notices are too few to learn formulas: substantive ratios equal the plain ones
    assert (rec.ratio_a_substantive, rec.ratio_b_substantive) == (rec.ratio_a, rec.ratio_b)


def test_formulaic_spans_are_left_out_of_substantive_ratios(pair: list[Notice]) -> None:
    a, b = pair
    start = a.text.index(COPIED[0])
    form_a = [(start, start + len(COPIED[0]))]
    closing = a.text.index("欢迎广大干部群众")
    form_a.append((closing, closing + 20))
    [rec] = overlap_records(pair, formulaic={a.id: form_a})
    c0 = count_chars(COPIED[0])
    assert rec.ratio_a == round(rec.shared_a / rec.a_chars, 4)
    # 套话 leaves the numerator only: the denominator stays all of A, so 去除套话 ≤ 总
    assert rec.ratio_a_substantive == round((rec.shared_a - c0) / rec.a_chars, 4)
    assert rec.ratio_a_substantive < rec.ratio_a
    assert rec.ratio_b_substantive == rec.ratio_b
    ratios = notice_ratios(pair, formulaic={a.id: form_a})
    assert ratios[a.id].formulaic_share == round((c0 + 20) / rec.a_chars, 4)
    assert ratios[a.id].copy_ratio_substantive == rec.ratio_a_substantive
    assert ratios[b.id].max_source == a.id and ratios[b.id].max_source_ratio == rec.ratio_b


def _measures_notice(nid: str, measures: list[str], date: str | None = None) -> Notice:
    text = "\n".join(measures)
    segs, pos = [], 0
    for m in measures:
        segs.append(Segment("measure", pos, pos + len(m), m, (), 1))
        pos += len(m) + 1
    return Notice(id=nid, path=nid, index=0, title="", text=text, segments=tuple(segs), date=date)


def test_a_short_unit_inside_a_long_one_counts_only_the_aligned_part() -> None:
    inner = "对发现的超付款项限期追回并在全局通报"
    long_a = (
        "一是聘请第三方审计机构对近三年工程项目资金开展专项审计，" + inner + "，同时修订内部控制制度并组织全员培训。"
    )
    a = _measures_notice("a", [long_a, A_OWN[0]])
    b = _measures_notice("b", ["二是" + inner + "。", B_OWN[0]])
    [rec] = overlap_records([a, b], formulaic={})
    # only the characters both sides have: 二是 is not in a
    assert count_chars(inner) <= rec.shared_b <= count_chars(inner + "。")
    assert count_chars(inner) <= rec.shared_a <= count_chars(inner) + 4  # not all of long_a
    assert rec.shared_a < count_chars(long_a) / 2


def test_likely_source_needs_two_different_dates(pair: list[Notice]) -> None:
    from dataclasses import replace

    a, b = pair
    assert likely_source(a, b) == likely_source(b, a) == a.id
    assert likely_source(a, replace(b, date=None)) is None
    assert likely_source(a, replace(b, date=a.date)) is None


def test_notice_ratios_agree_with_overlap_records(seeds: simtool.Loaded) -> None:
    notices = seeds.notices
    m = find_matches(notices, min_sim=0.8, scope="cross")
    recs = overlap_records(notices, matches=m)
    ratios = notice_ratios(notices, matches=m)
    assert list(ratios) == [n.id for n in notices]
    order = {n.id: i for i, n in enumerate(notices)}
    keys = [(-max(r.ratio_a_substantive, r.ratio_b_substantive), r.a, r.b) for r in recs]
    assert keys == sorted(keys)
    assert len({(r.a, r.b) for r in recs}) == len(recs) > 20
    for r in recs:
        assert set(record_dict(r)) >= FIELDS
        assert order[r.a] < order[r.b]
        assert 0 < r.shared_a <= r.a_chars and 0 < r.shared_b <= r.b_chars
        assert r.ratio_a_substantive <= 1 and r.ratio_b_substantive <= 1
    for n in notices:
        rat = ratios[n.id]
        assert set(record_dict(rat)) == RATIO_FIELDS
        mine = [(r.ratio_a, r.b) for r in recs if r.a == n.id] + [(r.ratio_b, r.a) for r in recs if r.b == n.id]
        best = max((x for x, _ in mine), default=0.0)
        assert rat.max_source_ratio == best
        assert rat.max_source == min((s for x, s in mine if x == best), default=None)
        assert rat.copy_ratio >= rat.max_source_ratio
        assert rat.chars == count_chars(n.text)
        assert rat.copy_ratio == round(rat.shared / rat.chars, 4)
        assert 0 < rat.formulaic_share < 0.5
    # formulaic text is learned from the seeds themselves: it lowers the ratios where formulas are shared
    assert any(r.ratio_a_substantive < r.ratio_a for r in recs)


def test_formulaic_share_matches_the_phrases_module(seeds: simtool.Loaded) -> None:
    from simtool.analyses.phrases import corpus_formulaic, learn

    spans = corpus_formulaic(seeds.notices)
    fset = learn(seeds.notices).formula_set
    assert fset is not None and spans == {n.id: s for n, s in zip(seeds.notices, fset.spans_many(seeds.notices))}
    ratios = notice_ratios(seeds.notices, formulaic=spans)
    for n in seeds.notices:
        assert ratios[n.id].formulaic_share == formulaic_share(n, spans[n.id])


def test_overlap_cli_contract_and_determinism() -> None:
    recs = jsonl_twice(["overlap", "corpora/seeds"])
    assert len(recs) > 20 and all(set(r) >= FIELDS for r in recs)
    assert all(r["likely_source"] in (None, r["a"], r["b"]) for r in recs)


def test_store_formulaic_caches_phrases_per_generation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import simtool.analyses.phrases as phrases

    db = tmp_path / "s.db"
    with simtool.Store(db) as store:
        assert store_formulaic(store) is None  # empty store: fewer notices than K
        ingest(["corpora/seeds/000_80f6373e3b7370b3.txt"], store)
        spans_of = store_formulaic(store)
        assert spans_of is not None
        cached = json.loads(store.get_meta(META_KEY) or "{}")
        assert cached["generation"] == store.get_meta("generation") and json.loads(cached["set"])["members"]
        stats = next(n for n in store.notices() if n.title.startswith("统计局"))
        spans = spans_of(stats)
        closing = stats.text.index("欢迎广大干部群众")
        assert any(a <= closing < b for a, b in spans)

        def boom(*_args: object, **_kw: object) -> list[str]:
            raise AssertionError("formulas recomputed although the store did not change")

        monkeypatch.setattr(phrases, "learn", boom)
        assert store_formulaic(store)(stats) == spans  # type: ignore[misc]
        monkeypatch.undo()
        ingest(["corpora/seeds/002_7d8fcde3e44e2eb6.txt"], store)  # bumps the generation
        assert store_formulaic(store) is not None
        assert json.loads(store.get_meta(META_KEY) or "{}")["generation"] == store.get_meta("generation")
