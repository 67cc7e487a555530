"""The one shared-characters function: check against a store equals the in-memory analysis,
what the report paints is what is counted, and a sentence copied into a longer paragraph is found."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

import simtool
from simtool.analyses.check import check_notices
from simtool.analyses.dupes import pair_records
from simtool.analyses.overlap import notice_ratios, overlap_records
from simtool.analyses.shared import notice_shares, shared_text
from simtool.core.spans import count_chars, merge_spans
from simtool.core.types import Notice, Segment
from simtool.read.ingest import iter_files
from simtool.read.parse import notices_from_text
from simtool.store.codec import STAMP_KEY, encode_index, ensure_index
from simtool.store.corpus import ingest
from simtool.store.sqlite import Store

SEEDS = Path(__file__).resolve().parent.parent / "corpora" / "seeds"


@pytest.fixture(scope="module")
def seeds() -> list[Notice]:
    return simtool.load([str(SEEDS)]).notices


@pytest.fixture(scope="module")
def seed_matches(seeds: list[Notice]) -> simtool.match.engine.Matches:
    return simtool.find_matches(seeds, scope="cross")


def test_shared_text_counts_the_union_and_ranks_sources() -> None:
    text = "甲乙丙丁 戊己庚辛"
    st = shared_text(text, {"x": [(0, 3)], "y": [(2, 7)], "z": []}, [(0, 2)])
    assert st.chars == 8
    assert st.shared == count_chars(text, [(0, 7)]) == 6
    assert st.spans == ((0, 7),)
    assert [s.source for s in st.sources] == ["y", "x"]  # z shares nothing: not a source
    assert st.max_source == "y" and st.max_source_ratio == 0.5
    assert st.copy_ratio_substantive == round(4 / 8, 4)  # 丙丁戊己 outside 套话, over all 8 characters
    assert st.copy_ratio_substantive <= st.copy_ratio
    assert st.formulaic_share == round(2 / 8, 4)


@settings(max_examples=300, deadline=None)
@given(
    hs.text(alphabet="甲乙丙 \n", min_size=1, max_size=30),
    hs.lists(hs.tuples(hs.sampled_from("xyz"), hs.integers(0, 30), hs.integers(0, 30)), max_size=8),
    hs.lists(hs.tuples(hs.integers(0, 30), hs.integers(0, 30)), max_size=4),
    hs.lists(hs.tuples(hs.integers(0, 30), hs.integers(0, 30)), max_size=4),
)
def test_removing_formulas_or_quotes_never_raises_a_ratio(
    text: str, matched: list[tuple[str, int, int]], form: list[tuple[int, int]], quoted: list[tuple[int, int]]
) -> None:
    """去除套话 ≤ 总 and 去除引用 ≤ 总, for the notice and for every source, whatever the spans."""
    by_other: dict[str, list[tuple[int, int]]] = {}
    for sid, a, b in matched:
        by_other.setdefault(sid, []).append((min(a, b), max(a, b)))
    spans = [(min(a, b), max(a, b)) for a, b in form]
    quotes = [(min(a, b), max(a, b)) for a, b in quoted]
    got = shared_text(text, by_other, spans, quotes)
    assert got.copy_ratio_substantive <= got.copy_ratio and got.copy_ratio_unquoted <= got.copy_ratio
    assert got.shared_substantive <= got.shared and got.shared_unquoted <= got.shared
    for src in got.sources:
        assert src.ratio_substantive <= src.ratio and src.ratio_unquoted <= src.ratio
        assert src.ratio_substantive == round(src.shared_substantive / got.chars, 4)
    assert got.copy_ratio == round(got.shared / got.chars, 4) if got.chars else got.copy_ratio == 0


def test_every_seed_notice_and_pair_keeps_the_invariants(
    seeds: list[Notice], seed_matches: simtool.match.engine.Matches
) -> None:
    """With the 套话 learned from the seeds and one seed notice as a reference document."""
    from simtool.analyses.phrases import corpus_formulaic
    from simtool.analyses.quoted import quoted_spans

    form = corpus_formulaic(seeds)
    assert sum(bool(v) for v in form.values()) == len(seeds)
    reference = seeds[-1]
    quoted = quoted_spans(seeds[:-1], [reference])
    assert any(quoted.values())
    rest = seeds[:-1]
    m = simtool.find_matches(rest, scope="cross")
    pairs = overlap_records(rest, matches=m, formulaic=form, quoted=quoted)
    ratios = notice_ratios(rest, matches=m, formulaic=form, quoted=quoted)
    assert len(pairs) > 50
    for r in pairs:
        for side in "ab":
            assert getattr(r, f"ratio_{side}_substantive") <= getattr(r, f"ratio_{side}"), r
            assert getattr(r, f"ratio_{side}_unquoted") <= getattr(r, f"ratio_{side}"), r
    for nid, v in ratios.items():
        assert v.copy_ratio_substantive <= v.copy_ratio and v.copy_ratio_unquoted <= v.copy_ratio, nid
    # 套话 lowers the ratio somewhere, and so does 引用 (the reference shares text with its copies)
    assert any(v.copy_ratio_substantive < v.copy_ratio for v in ratios.values())
    assert any(v.copy_ratio_unquoted < v.copy_ratio for v in ratios.values())
    # the record ratios are those of the one shared-characters function
    shares = notice_shares(rest, m, form, quoted)
    for n, st_ in zip(rest, shares):
        v = ratios[n.id]
        assert (v.copy_ratio, v.copy_ratio_substantive, v.copy_ratio_unquoted) == (
            st_.copy_ratio,
            st_.copy_ratio_substantive,
            st_.copy_ratio_unquoted,
        )


def test_check_against_a_store_equals_the_in_memory_analysis(
    tmp_path: Path, seeds: list[Notice], seed_matches: simtool.match.engine.Matches
) -> None:
    shares = notice_shares(seeds, seed_matches)
    with Store(tmp_path / "s.db") as store:
        ensure_index(store)
        list(ingest(list(iter_files([str(SEEDS)])), store, index=encode_index))
        records = check_notices(seeds, store)
    assert len(records) == 18
    for n, st, rec in zip(seeds, shares, records):
        assert (rec.shared, rec.copy_ratio, rec.max_source) == (st.shared, st.copy_ratio, st.max_source), n.id
        assert [(s.notice, s.shared) for s in rec.sources] == [(s.source, s.shared) for s in st.sources]
    assert sum(r.shared for r in records) > 3000


def test_check_joins_a_formula_family_as_the_in_memory_star_does(tmp_path: Path, seeds: list[Notice]) -> None:
    """61 notices end with the same formula: a family of more than 50 occurrences, drawn as a star
    (each occurrence with the first one, the first with all).  check of each against the store of
    all of them equals the in-memory analysis, sources included, and pairs a notice's formula with
    the first stored one only (the first notice: with all)."""
    formula = "欢迎广大干部群众对巡察整改落实情况进行监督，如有意见建议请及时向我们反映。"
    measures = [s for n in seeds for s in n.segments if s.kind == "measure" and 60 <= len(s.text) <= 200]
    folder = tmp_path / "notices"
    folder.mkdir()
    for k in range(61):
        (folder / f"n{k:02d}.txt").write_text(
            f"第{k}局党组关于巡察整改进展情况的通报\n一、整改落实情况\n{measures[k].text}\n{formula}\n第{k}局党组\n2024年1月5日\n",
            encoding="utf-8",
        )
    notices = simtool.load([str(folder)]).notices
    shares = notice_shares(notices, simtool.find_matches(notices, min_sim=0.8))
    with Store(tmp_path / "s.db") as store:
        ensure_index(store)
        list(ingest(list(iter_files([str(folder)])), store, index=encode_index))
        records = check_notices(notices, store)
    for n, st, rec in zip(notices, shares, records):
        assert (rec.shared, rec.copy_ratio, rec.max_source) == (st.shared, st.copy_ratio, st.max_source), n.id
        assert [(s.notice, s.shared) for s in rec.sources] == [(s.source, s.shared) for s in st.sources], n.id
    at = [n.text.index(formula) for n in notices]
    holders = [
        [s.notice for s in rec.sources if any(a <= at[k] < b for a, b in s.shared_spans)]
        for k, rec in enumerate(records)
    ]
    assert sorted(holders[0]) == [n.id for n in notices[1:]]  # the first occurrence: with all
    assert holders[1] == [notices[0].id] and all(h == [notices[0].id] for h in holders[2:])


def test_overlap_pairs_and_notice_ratios_come_from_the_same_spans(
    seeds: list[Notice], seed_matches: simtool.match.engine.Matches
) -> None:
    ratios = notice_ratios(seeds, matches=seed_matches, formulaic={})
    pairs = overlap_records(seeds, matches=seed_matches, formulaic={})
    assert pairs
    for n in seeds:
        mine = [r.ratio_a for r in pairs if r.a == n.id] + [r.ratio_b for r in pairs if r.b == n.id]
        assert ratios[n.id].max_source_ratio == max(mine, default=0.0)
        assert ratios[n.id].copy_ratio >= ratios[n.id].max_source_ratio
    for r in pairs:
        assert r.ratio_a_substantive == r.ratio_a and r.ratio_b_substantive == r.ratio_b  # no formulas


def test_painted_spans_are_counted_spans(seeds: list[Notice], seed_matches: simtool.match.engine.Matches) -> None:
    from simtool.report.data import build_report_data

    data = build_report_data(seeds, min_sim=0.8).data
    for row in data["notices"]:
        painted = merge_spans((a, b) for a, b, *_ in row["runs"] if len(_) and _[0] is not None)
        assert count_chars(row["text"], painted) == row["shared"], row["id"]


def _notice(nid: str, measures: list[str]) -> Notice:
    text = "关于某某问题的整改情况\n" + "\n".join(measures)
    segs, at = [], text.index("\n") + 1
    for m in measures:
        segs.append(Segment("measure", at, at + len(m), m, problem=1))
        at += len(m) + 1
    return Notice(id=nid, path=nid, index=1, title="标题", text=text, segments=tuple(segs))


def test_a_sentence_copied_into_a_longer_paragraph_is_found() -> None:
    copied = "建立健全党员干部联系服务群众长效机制，每月开展一次走访慰问活动。"
    a = _notice("a", ["一是召开专题会议研究部署整改工作，明确责任分工和完成时限。" + copied + "三是加强督促检查。"])
    b = _notice(
        "b",
        [
            "在深入调查研究的基础上，结合本单位工作实际和群众反映的突出问题，"
            + copied
            + "同时完善考核评价办法，把整改成效纳入年度考核。"
        ],
    )
    m = simtool.find_matches([a, b], scope="cross")
    assert any(copied in r["a"]["text"] and copied in r["b"]["text"] for r in pair_records([a, b], m))
    for n, st in zip((a, b), notice_shares([a, b], m)):
        at = n.text.index(copied)
        assert merge_spans([*st.spans, (at, at + len(copied))]) == list(st.spans), n.id  # all of it covered
        assert st.shared < 0.7 * st.chars  # and not much more


def test_a_clause_reused_inside_a_long_sentence_is_found() -> None:
    clause = "坚持把党风廉政建设同业务工作同谋划同部署"
    a = _notice(
        "a", ["局党组高度重视巡察反馈问题的整改落实，" + clause + "，切实扛起主体责任，确保各项整改任务落到实处。"]
    )
    b = _notice(
        "b", ["街道党工委对照问题清单逐项研究整改措施，" + clause + "，层层压实责任并建立整改台账定期销号管理。"]
    )
    m = simtool.find_matches([a, b], scope="cross")
    recs = list(pair_records([a, b], m))
    assert any(clause in r["a"]["text"] and clause in r["b"]["text"] and r["unit"] == "clause" for r in recs)


def test_a_store_built_with_other_parameters_is_reindexed(tmp_path: Path, seeds: list[Notice]) -> None:
    with Store(tmp_path / "s.db") as store:
        ensure_index(store)
        list(ingest(list(iter_files([str(SEEDS)])), store, index=encode_index))
        before = check_notices(seeds[:2], store)
        store.set_meta(STAMP_KEY, "old")
        store.replace_index([(n.id, None) for n in seeds], {})  # as if built by another version
        assert check_notices(seeds[:2], store) == before
        assert store.get_meta(STAMP_KEY) != "old"


def test_units_never_start_inside_a_word_of_the_seeds(seeds: list[Notice]) -> None:
    from simtool.match.units import build_units

    units = build_units(seeds)
    for k in range(len(units)):
        text = seeds[int(units.notice[k])].text
        a, b = int(units.start[k]), int(units.end[k])
        assert text[a:b].strip() == text[a:b]
        assert len(units.text[k]) >= 13
    assert len(units) > 4000


def test_a_hard_line_break_inside_a_sentence_does_not_hide_a_copy() -> None:
    sentence = "建立健全党员干部联系服务群众长效机制，每月开展一次走访慰问活动。"
    a = notices_from_text(
        "某局关于巡察整改进展情况的通报\n一、整改情况\n（一）关于联系群众不够的问题\n整改情况：一是" + sentence + "\n",
        "a.txt",
    )[0][0]
    broken = sentence[:15] + "\n" + sentence[15:]
    b = notices_from_text(
        "某局关于巡察整改进展情况的通报\n一、整改情况\n（一）关于联系群众不够的问题\n整改情况：一是" + broken + "\n",
        "b.txt",
    )[0][0]
    m = simtool.find_matches([a, b], scope="cross")
    assert any(r["score"] == 1.0 for r in pair_records([a, b], m))


def test_a_verbatim_copy_under_another_name_has_its_original_as_single_source(tmp_path: Path) -> None:
    original = SEEDS / "002_7d8fcde3e44e2eb6.txt"
    copy = tmp_path / "copy.txt"
    copy.write_bytes(original.read_bytes())
    db = tmp_path / "s.db"
    simtool.ingest([str(SEEDS)], str(db))
    rec = simtool.check([str(copy)], str(db))[0]
    assert rec.identical == (str(original),)
    assert rec.copy_ratio >= 0.99 and rec.max_source == rec.identical[0]
    assert rec.max_source_ratio >= 0.99


def test_dupes_passages_lists_runs_of_sentences() -> None:
    from typer.testing import CliRunner

    from simtool.cli.app import app

    res = CliRunner().invoke(app, ["dupes", str(SEEDS), "--passages", "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    import json

    recs = [json.loads(line) for line in res.output.splitlines()]
    assert recs and all(r["units"] >= 1 and {"a", "b", "score"} <= r.keys() for r in recs)
    assert max(r["units"] for r in recs) >= 4
    notices = {n.id: n for n in simtool.load([str(SEEDS)]).notices}
    for r in recs:
        for side in (r["a"], r["b"]):
            assert notices[side["notice"]].text[side["start"] : side["end"]] == side["text"]
