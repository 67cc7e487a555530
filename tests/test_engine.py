"""The near-duplicate engine on the real seeds: recall against brute force, precision, masking,
template view, families, passages, determinism, check."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import process
from rapidfuzz.distance import Indel
from typer.testing import CliRunner

import simtool
from simtool.cli.app import app
from simtool.analyses.dupes import pair_records, passages
from simtool.match.engine import find_matches
from simtool.match.units import collapse

SEED_A = "corpora/seeds/000_80f6373e3b7370b3.txt"


def oracle_pairs(texts: list[str], min_sim: float) -> set[tuple[int, int]]:
    m = process.cdist(
        texts, texts, scorer=Indel.normalized_similarity, score_cutoff=min_sim - 1e-6, workers=-1, dtype=np.float64
    )
    i, j = np.nonzero(np.triu(m >= min_sim - 1e-9, 1))
    return set(zip(i.tolist(), j.tolist()))


@pytest.mark.parametrize("view", ["literal", "template"])
@pytest.mark.parametrize("min_sim", [0.7, 0.8, 0.9])
def test_recall_and_precision_against_brute_force(seeds: simtool.Loaded, view: str, min_sim: float) -> None:
    m = find_matches(seeds.notices, min_sim=min_sim, view=view, scope="all")  # type: ignore[arg-type]
    distinct, inv = collapse(m.units.text)
    truth = oracle_pairs(distinct, min_sim)
    got = set()
    for a, b, s, c in zip(m.a.tolist(), m.b.tolist(), m.score.tolist(), m.contained.tolist()):
        ta, tb = m.units.text[a], m.units.text[b]
        if not c:  # precision: every reported pair really is ≥ min-sim
            assert Indel.normalized_similarity(ta, tb) >= min_sim - 1e-9
        if inv[a] != inv[b] and not c:
            got.add((min(inv[a], inv[b]), max(inv[a], inv[b])))
    assert len(truth) > 10
    assert got <= truth
    assert len(got & truth) / len(truth) >= 0.98


def test_reported_spans_are_exact_slices(seeds: simtool.Loaded) -> None:
    by_id = {n.id: n for n in seeds.notices}
    m = find_matches(seeds.notices, min_sim=0.8, scope="all")
    records = list(pair_records(seeds.notices, m))
    assert records
    for r in records:
        for side in ("a", "b"):
            s = r[side]
            assert by_id[s["notice"]].text[s["start"] : s["end"]] == s["text"]
        assert 0.8 - 1e-9 <= r["score"] <= 1.0
        assert r["scope"] in ("cross", "within")


def test_closing_formula_is_shared_across_notices(seeds: simtool.Loaded) -> None:
    m = find_matches(seeds.notices, min_sim=0.9, scope="cross")
    texts = {r["a"]["text"] for r in pair_records(seeds.notices, m)}
    assert any(t.startswith("欢迎广大干部群众对巡察整改落实情况进行监督") for t in texts)


def _notice_file(path: Path, unit: str, measures: list[str], date: str = "2023年8月1日") -> None:
    body = "\n".join(f"{i + 1}.问题{i + 1}存在不足\n整改情况：一是{m}" for i, m in enumerate(measures))
    path.write_text(
        f"{unit}关于巡察整改进展情况的通报\n根据区委统一部署，区委第二巡察组对{unit}进行了巡察。\n"
        f"一、问题整改情况\n{body}\n欢迎广大干部群众对巡察整改落实情况进行监督。\n{unit}\n{date}\n",
        encoding="utf-8",
    )


def test_masked_and_clear_text_match_with_score_one(tmp_path: Path) -> None:
    masked = "在D工委理论学习中心组会议上集中学习D的二十大精神，利用AAA公众号开展宣传。"
    clear = masked.replace("D", "党").replace("AAA", "微信")
    _notice_file(tmp_path / "a.txt", "XX街道D工委", [masked, "完善财务管理制度并组织财务人员集中培训学习"])
    _notice_file(tmp_path / "b.txt", "某县统计局党组", [clear, "开展安全生产大检查，建立隐患整改台账"])
    notices = simtool.load([str(tmp_path)]).notices
    recs = list(pair_records(notices, find_matches(notices, min_sim=0.8, scope="cross")))
    hit = [r for r in recs if "理论学习中心组" in r["a"]["text"]]
    assert hit and hit[0]["score"] == 1.0
    assert "D工委" in hit[0]["a"]["text"] and "党工委" in hit[0]["b"]["text"]  # reports show the original text


def test_template_view_sees_through_dates_numbers_placeholders(tmp_path: Path) -> None:
    a = "2023年3月15日召开XX镇专题会议12次，整改问题8个，完成率达到100%。"
    b = "2022年11月2日召开某镇专题会议3次，整改问题15个，完成率达到96%。"
    _notice_file(tmp_path / "a.txt", "XX镇D委", [a])
    _notice_file(tmp_path / "b.txt", "YY区财政局党组", [b])
    notices = simtool.load([str(tmp_path)]).notices
    lit = [
        r
        for r in pair_records(notices, find_matches(notices, min_sim=0.8, scope="cross"))
        if "专题会议" in r["a"]["text"]
    ]
    tpl = [
        r
        for r in pair_records(notices, find_matches(notices, min_sim=0.8, scope="cross", view="template"))
        if "专题会议" in r["a"]["text"]
    ]
    assert not lit or lit[0]["score"] < 1.0
    assert tpl and tpl[0]["score"] == 1.0


def test_large_identical_family_is_a_star_not_all_pairs(tmp_path: Path) -> None:
    shared = "坚持把巡察整改作为重大政治任务，主要领导亲自抓、负总责，切实压实整改责任。"
    for k in range(60):
        _notice_file(tmp_path / f"n{k:02d}.txt", f"第{k}局", [shared, f"本单位第{k}项独有的整改措施，内容编号{k}不同"])
    notices = simtool.load([str(tmp_path)]).notices
    m = find_matches(notices, min_sim=0.9, scope="cross", max_family=50)
    recs = [r for r in pair_records(notices, m) if shared in r["a"]["text"] or shared in r["b"]["text"]]
    assert len(recs) == 59  # a star: 60 occurrences paired with the representative, not 60·59/2
    assert all(r["family_size"] == 60 and r["family"] for r in recs)
    small = find_matches(notices[:10], min_sim=0.9, scope="cross", max_family=50)
    assert sum(1 for r in pair_records(notices[:10], small) if shared in r["a"]["text"]) == 45


def test_passages_merge_adjacent_units(tmp_path: Path) -> None:
    ms = [
        "组织全体干部深入学习巡察整改工作有关文件精神并开展专题研讨",
        "建立问题整改台账并实行销号管理确保按期完成",
        "对照问题清单逐项整改并由纪检部门开展督促检查",
    ]
    _notice_file(tmp_path / "a.txt", "甲局", ms)
    _notice_file(tmp_path / "b.txt", "乙局", ms)
    notices = simtool.load([str(tmp_path)]).notices
    ps = passages(find_matches(notices, min_sim=0.9, scope="cross"))
    assert ps and max(p.units for p in ps) >= 2


def test_dupes_jsonl_is_deterministic(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["dupes", "corpora/seeds", "--format", "jsonl", "--min-sim", "0.8"]
    first = runner.invoke(app, args)
    second = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    rec = json.loads(first.output.splitlines()[0])
    assert set(rec) >= {"score", "scope", "a", "b"}
    assert set(rec["a"]) >= {"notice", "title", "unit", "start", "end", "text"}


def test_check_against_store_and_fail_above(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", "corpora/seeds", "--db", db])
    assert res.exit_code == 0, res.output
    source = next(n for n in simtool.load(["corpora/seeds"]).notices if n.id.endswith("#17"))
    copied = [s.text for s in source.segments if s.kind == "measure"][:12]
    new = tmp_path / "new.txt"
    _notice_file(new, "某县审计局党组", copied)
    res = runner.invoke(app, ["check", str(new), "--db", db, "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output.splitlines()[0])
    assert rec["sources"][0]["notice"] == source.id
    assert rec["copy_ratio"] > 0.3 and rec["max_source_ratio"] > 0.3
    assert rec["copy_ratio"] >= rec["max_source_ratio"]
    res = runner.invoke(app, ["check", str(new), "--db", db, "--fail-above", "0.2"])
    assert res.exit_code == 1


def test_check_reports_a_byte_identical_stored_file(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "corpora/seeds", "--db", db]).exit_code == 0
    copy = tmp_path / "same.txt"
    copy.write_bytes(Path("corpora/seeds/002_7d8fcde3e44e2eb6.txt").read_bytes())
    res = runner.invoke(app, ["check", str(copy), "--db", db, "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output.splitlines()[0])
    assert rec["identical"] == ["corpora/seeds/002_7d8fcde3e44e2eb6.txt"]  # 与库中……完全相同, not left out
    assert rec["max_source"] == "corpora/seeds/002_7d8fcde3e44e2eb6.txt" and rec["copy_ratio"] >= 0.99
    table = runner.invoke(app, ["check", str(copy), "--db", db])
    assert "与库中 corpora/seeds/002_7d8fcde3e44e2eb6.txt 完全相同" in table.output


def test_check_merges_adjacent_matches_into_passages(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "corpora/seeds", "--db", db]).exit_code == 0
    source = next(n for n in simtool.load(["corpora/seeds"]).notices if n.id.endswith("#17"))
    block = max((s for s in source.segments if s.kind == "measure"), key=lambda s: len(s.text))
    problem = next(s for s in source.segments if s.kind == "problem" and s.problem == block.problem)
    excerpt = source.text[problem.start : block.end]
    new = tmp_path / "copy.txt"
    new.write_text(
        "某县审计局党组关于巡察整改进展情况的通报\n根据县委统一部署，县委巡察组对我局进行了巡察。\n"
        f"一、整改情况\n{excerpt}\n某县审计局党组\n2024年1月5日\n",
        encoding="utf-8",
    )
    rec = json.loads(runner.invoke(app, ["check", str(new), "--db", db, "--format", "jsonl"]).output.splitlines()[0])
    assert rec["passages"], rec
    top = rec["passages"][0]
    assert top["source"] == source.id and top["units"] >= 2
    assert top["text"] == Path(new).read_text(encoding="utf-8")[top["start"] : top["end"]]


def test_containment_spans_equal_the_one_by_one_alignment(seeds: simtool.Loaded) -> None:
    from simtool.match.engine import aligned_part

    m = find_matches(seeds.notices, min_sim=0.8, scope="all")
    u, texts = m.units, [n.text for n in seeds.notices]
    checked = 0
    for k in np.flatnonzero(m.contained).tolist():
        a, b = int(m.a[k]), int(m.b[k])
        ways = [(a, b, True), (b, a, False)]  # (longer, shorter, the longer is side a)
        if len(u.text[a]) != len(u.text[b]):  # of two equally long texts either may be the longer one
            ways = [ways[len(u.text[a]) < len(u.text[b])]]
        expected, got = [], []
        for long_, short, on_a in ways:
            s0 = int(u.start[long_])
            raw = texts[int(u.notice[long_])][s0 : int(u.end[long_])]
            x, y = aligned_part(u.text[short], u.text[long_], raw)
            expected.append((s0 + x, s0 + y))
            got.append((int(m.a_start[k]), int(m.a_end[k])) if on_a else (int(m.b_start[k]), int(m.b_end[k])))
        assert any(g == e for g, e in zip(got, expected)), (got, expected)
        checked += 1
    assert checked > 100


def _verify_one_by_one(texts: list[str], pairs: np.ndarray, min_sim: float, ratio: float) -> list[tuple]:
    """``verify`` without its filters: every pair scored, every possible containment aligned."""
    from rapidfuzz import fuzz

    from simtool.match.verify import CONTAIN_MIN_CHARS, contained_span, equal_runs

    out = []
    for i, j in pairs.tolist():
        a, b = texts[i], texts[j]
        score = Indel.normalized_similarity(a, b)
        if score >= min_sim - 1e-9:
            out.append((i, j, round(score, 4), False, 0, max(len(a), len(b))))
            continue
        short, long_ = (a, b) if len(a) <= len(b) else (b, a)
        if len(short) < CONTAIN_MIN_CHARS or len(short) > ratio * len(long_):
            continue
        part = fuzz.partial_ratio(short, long_) / 100
        if part >= min_sim - 1e-9:
            start, end, _ = contained_span(short, long_)
            if equal_runs(short, long_[start:end]):
                out.append((i, j, round(part, 4), True, start, end))
    return out


def test_verify_filters_drop_no_pair(seeds: simtool.Loaded) -> None:
    """The length bound, the Indel bound on containments and the MIN_SHARED bound are exact."""
    from simtool.match.engine import DEFAULT_PARAMS, keys_for
    from simtool.match.lsh import candidate_pairs
    from simtool.match.units import build_units
    from simtool.match.verify import verify

    texts, _ = collapse(build_units(seeds.notices).text)
    pairs = candidate_pairs(keys_for(texts, DEFAULT_PARAMS, 0.8))
    fast = verify(texts, pairs, 0.8, contain_ratio=1.0)
    got = list(zip(*(col.tolist() for col in fast)))
    slow = _verify_one_by_one(texts, pairs, 0.8, 1.0)
    assert sum(1 for row in slow if row[3]) > 100
    assert got == slow


def test_a_score_exactly_on_the_threshold_counts() -> None:
    from simtool.match.verify import pair_scores, verify

    a, b = "根据区委统一部署,2021年5月6日至8月6日,", "根据区委统一部署,2021年3月3日至10月12日,"
    assert Indel.distance(a, b) == 10 and len(a) + len(b) == 50  # 40 of 50: exactly 0.8
    assert pair_scores([a], [b], 0.8).tolist() == [0.8]
    assert verify([a, b], np.array([[0, 1]]), 0.8).score.tolist() == [0.8]
    assert pair_scores([a], [b], 0.81).tolist() == [0.0]


def test_a_clause_pair_is_covered_only_by_its_own_sentences_far_into_a_corpus() -> None:
    from simtool.match.engine import covered_by_sentences
    from simtool.match.units import CLAUSE, SENTENCE, Units

    # units: notice 0's sentence, notice 16's window of its sentence 0, notice 40's sentence (all sentence 0)
    notice = np.array([0, 16, 40], dtype=np.int32)
    zero = np.zeros(3, dtype=np.int64)
    level = np.array([SENTENCE, CLAUSE, SENTENCE])
    u = Units(notice, zero, zero + 20, zero, zero, zero, ["甲", "乙", "丙"], zero.astype(np.int32), level, zero)
    # (0, 40) is a sentence pair; the window pair (16, 40) lies in other sentences and stays
    assert covered_by_sentences(u, np.array([0, 1]), np.array([2, 2])).tolist() == [False, False]
    two = Units(
        notice[[0, 0, 2]], zero, zero + 20, zero, zero, zero, ["甲", "乙", "丙"], zero.astype(np.int32), level, zero
    )
    assert covered_by_sentences(two, np.array([0, 1]), np.array([2, 2])).tolist() == [False, True]


def test_dropped_clause_pairs_repeat_a_reported_one(seeds: simtool.Loaded) -> None:
    from simtool.analyses.dupes import reported_pairs
    from simtool.match.engine import covered_by_sentences

    m = find_matches(seeds.notices, min_sim=0.8, scope="cross")
    u = m.units
    kept = set(reported_pairs(m).tolist())
    covered = covered_by_sentences(u, m.a, m.b)

    def sentences(k: int) -> tuple[int, int, int, int]:
        a, b = int(m.a[k]), int(m.b[k])
        return int(u.notice[a]), int(u.sentence[a]), int(u.notice[b]), int(u.sentence[b])

    by_pair: dict[tuple[int, int, int, int], list[int]] = {}
    for k in kept:
        by_pair.setdefault(sentences(k), []).append(k)
    dropped = [k for k in range(len(m)) if k not in kept and not covered[k]]
    assert dropped and len(kept) < len(m)
    for k in dropped:
        assert any(
            m.a_start[k] < m.a_end[j]
            and m.a_start[j] < m.a_end[k]
            and m.b_start[k] < m.b_end[j]
            and m.b_start[j] < m.b_end[k]
            and m.score[j] >= m.score[k]
            for j in by_pair[sentences(k)]
        )


def test_verification_on_worker_processes_gives_the_same_edges(
    seeds: simtool.Loaded, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simtool.match import parallel
    from simtool.match.engine import DEFAULT_PARAMS, keys_for, verified_edges
    from simtool.match.lsh import CandidateBlocks
    from simtool.match.units import build_units

    distinct, _ = collapse(build_units(seeds.notices, "literal").text)
    one = verified_edges(distinct, DEFAULT_PARAMS, 0.8, jobs=1)
    monkeypatch.setattr(parallel, "POOL_MIN_TEXTS", 0)
    monkeypatch.setattr(parallel, "CHUNK_PAIRS", 5_000)  # many chunks and blocks, results taken back in order
    monkeypatch.setattr(parallel, "POOL_BLOCK_PAIRS", 20_000)
    assert parallel.verify_jobs(len(distinct), 2) == 2
    keys = keys_for(distinct, DEFAULT_PARAMS, 0.8)
    assert len(CandidateBlocks(keys, pairs_per_block=parallel.block_pairs(2))) > 4
    two = verified_edges(distinct, DEFAULT_PARAMS, 0.8, jobs=2)
    monkeypatch.setattr(parallel, "PAIRS_PER_BLOCK", 20_000)  # one process, many blocks (texts from an array)
    assert len(CandidateBlocks(keys, pairs_per_block=parallel.block_pairs(1))) > 4
    blocks_here = verified_edges(distinct, DEFAULT_PARAMS, 0.8, jobs=1)
    assert len(one.i) > 1000
    for col_one, col_two, col_here in zip(one, two, blocks_here):
        assert np.array_equal(col_one, col_two)
        assert np.array_equal(col_one, col_here)


def test_aligned_spans_found_a_range_of_units_at_a_time_are_the_same(
    seeds: simtool.Loaded, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simtool.match import engine

    whole = find_matches(seeds.notices, min_sim=0.8)
    assert int(whole.contained.sum()) > 500
    monkeypatch.setattr(engine, "SPAN_ROWS_AT_ONCE", 50)  # dozens of pieces, each a range of whole units
    assert len(list(engine._by_unit_range(np.where(whole.contained, whole.a, -1), len(whole.units), 50))) > 10
    pieces = find_matches(seeds.notices, min_sim=0.8)
    for col in ("a", "b", "score", "contained", "a_start", "a_end", "b_start", "b_end"):
        assert np.array_equal(getattr(whole, col), getattr(pieces, col)), col


def test_shared_runs_beside_the_sketch_equal_the_runs_made_here(
    seeds: simtool.Loaded, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from simtool.match import parallel
    from simtool.match.runs import run_pairs
    from simtool.match.units import build_units

    distinct, _ = collapse(build_units(seeds.notices, "literal").text)
    monkeypatch.setattr(parallel, "POOL_MIN_TEXTS", 0)
    made_in: list[int] = []
    monkeypatch.setattr(parallel, "run_pairs", lambda texts, n: made_in.append(os.getpid()) or run_pairs(texts, n=n))
    with parallel.run_pairs_beside(distinct, 12, 2) as beside:
        got = beside()
    assert made_in == []  # (made on the forked process: its list is its own)
    assert np.array_equal(got, run_pairs(distinct, n=12)) and len(got) > 100


def test_units_built_on_two_processes_equal_the_units_built_on_one(
    seeds: simtool.Loaded, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simtool.match import parallel
    from simtool.match.units import build_units

    one = build_units(seeds.notices, "literal")
    monkeypatch.setattr(parallel, "POOL_MIN_NOTICES", 0)
    two = parallel.units_on(seeds.notices, "literal", 2)
    assert len(one) > 1000 and one.text == two.text
    for name in ("notice", "start", "end", "kind", "problem", "seq", "sentence", "level", "segment"):
        assert np.array_equal(getattr(one, name), getattr(two, name)), name


def test_every_reported_pair_rescored_from_its_two_texts_reaches_the_threshold(seeds: simtool.Loaded) -> None:
    """What a reader recomputes from a record: Indel similarity of the two texts for a similar or
    identical pair, ``partial_ratio`` of the shorter in the longer for a containment.  A
    containment whose matched part is cut shorter than the contained unit is a similar pair of
    the two texts (partial_ratio would swap the roles and score it lower)."""
    from rapidfuzz import fuzz

    m = find_matches(seeds.notices, min_sim=0.8, scope="cross")
    records = list(pair_records(seeds.notices, m))
    kinds = {r["match"] for r in records}
    assert {"contained", "similar", "identical"} <= kinds
    low = []
    for r in records:
        x, y = simtool.normalize(r["a"]["text"]), simtool.normalize(r["b"]["text"])
        if r["match"] == "contained":
            short, long_ = sorted((x, y), key=len)
            score = fuzz.partial_ratio(short, long_) / 100
        else:
            score = Indel.normalized_similarity(x, y)
        if score < 0.8 - 0.01:
            low.append((round(score, 4), r["score"], r["match"], x, y))
    assert not low, low[:3]


def _reported_one_by_one(m: simtool.match.engine.Matches) -> list[int]:
    """``reported_pairs`` pair by pair: of the clause pairs between the same two sentences, taken best
    first (score, then size, then index), each goes when it overlaps on both sides one kept before it."""
    from simtool.match.engine import covered_by_sentences
    from simtool.match.units import SENTENCE

    u = m.units
    covered = covered_by_sentences(u, m.a, m.b)
    groups: dict[tuple[int, int, int, int], list[int]] = {}
    out = []
    for k in range(len(m)):
        a, b = int(m.a[k]), int(m.b[k])
        if covered[k]:
            continue
        if u.level[a] == SENTENCE and u.level[b] == SENTENCE:
            out.append(k)
            continue
        key = (int(u.notice[a]), int(u.sentence[a]), int(u.notice[b]), int(u.sentence[b]))
        groups.setdefault(key, []).append(k)
    for members in groups.values():
        size = {k: int(m.a_end[k] - m.a_start[k] + m.b_end[k] - m.b_start[k]) for k in members}
        kept: list[int] = []
        for k in sorted(members, key=lambda k: (-m.score[k], -size[k], k)):
            if not any(
                m.a_start[k] < m.a_end[j]
                and m.a_start[j] < m.a_end[k]
                and m.b_start[k] < m.b_end[j]
                and m.b_start[j] < m.b_end[k]
                for j in kept
            ):
                kept.append(k)
        out += kept
    return sorted(out)


def _clause_runs_one_by_one(notices: list, m: simtool.match.engine.Matches, keep: np.ndarray) -> dict:
    """``clause_runs`` row by row: clause pairs (outside families) between the same two sentences, in
    order of their starts, each following the previous one on both sides within ``RUN_GAP``, are a
    run; a run of two or more is kept when its merged texts are as similar as its least similar pair."""
    from simtool.analyses.dupes import RUN_GAP
    from simtool.match.units import SENTENCE
    from simtool.match.verify import similarity
    from simtool.text.normalize import normalize

    u = m.units
    rows = []
    for p, k in enumerate(keep.tolist()):
        a, b = int(m.a[k]), int(m.b[k])
        if (u.level[a] != SENTENCE or u.level[b] != SENTENCE) and m.family[k] < 0:
            s = (int(u.notice[a]), int(u.sentence[a]), int(u.notice[b]), int(u.sentence[b]))
            rows.append((s, int(m.a_start[k]), int(m.b_start[k]), p))
    rows.sort()
    runs: list[list[int]] = []
    prev = None  # the previous row's sentences and pair
    for s, x0, y0, p in rows:
        j = None if prev is None else int(keep[prev[1]])
        if (
            j is not None
            and prev[0] == s
            and x0 - int(m.a_end[j]) <= RUN_GAP
            and y0 - int(m.b_end[j]) <= RUN_GAP
            and x0 >= int(m.a_start[j])
            and y0 >= int(m.b_start[j])
        ):
            runs[-1].append(p)
        else:
            runs.append([p])
        prev = (s, p)
    out = {}
    for run in runs:
        if len(run) < 2:
            continue
        ks = [int(keep[p]) for p in run]
        na, nb = notices[int(u.notice[m.a[ks[0]]])], notices[int(u.notice[m.b[ks[0]]])]
        lo_a, hi_a = min(int(m.a_start[k]) for k in ks), max(int(m.a_end[k]) for k in ks)
        lo_b, hi_b = min(int(m.b_start[k]) for k in ks), max(int(m.b_end[k]) for k in ks)
        score = round(similarity(normalize(na.text[lo_a:hi_a]), normalize(nb.text[lo_b:hi_b])), 4)
        if score >= min(float(m.score[k]) for k in ks):
            out |= {p: (-1, 0, 0, 0, 0.0) for p in run}
            out[min(run)] = (lo_a, hi_a, lo_b, hi_b, score)
    return out


@pytest.mark.parametrize("walked", [32, 2])
def test_reported_pairs_and_clause_runs_equal_the_pair_by_pair_rules(
    seeds: simtool.Loaded, walked: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The array code of ``reported_pairs`` and ``clause_runs`` against plain loops, on the seeds with
    both scopes (groups of one, two and many clause pairs between two sentences); with ``walked`` 2,
    the larger groups take the pair-by-pair path."""
    from simtool.analyses import dupes
    from simtool.analyses.dupes import clause_runs, reported_pairs

    monkeypatch.setattr(dupes, "WALKED_GROUP", walked)
    for scope in ("cross", "all"):
        m = find_matches(seeds.notices, min_sim=0.8, scope=scope)  # type: ignore[arg-type]
        keep = reported_pairs(m)
        assert keep.tolist() == _reported_one_by_one(m)
        runs = clause_runs(seeds.notices, m, keep)
        assert runs == _clause_runs_one_by_one(seeds.notices, m, keep)
        assert sum(r[0] < 0 for r in runs.values()) > sum(r[0] >= 0 for r in runs.values()) > 0
