"""套话 as whole formulas: whole sentences and clauses as written, what counts as 套话, and a circulated
template that stays copying in 去除套话复制比."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cli_helpers import jsonl_twice, runner
from formula_case import TEMPLATE_GROUP, circulated_template

import simtool
from simtool.analyses.formulaic import TIFA_PATH, formulaic_spans, tifa_phrases
from simtool.analyses.formulas import VARIANTS, Phrase
from simtool.analyses.fragments import mine_phrases
from simtool.analyses.overlap import notice_ratios, overlap_records
from simtool.analyses.phrases import corpus_formulaic, learn, phrase_records
from simtool.cli.app import app
from simtool.core.spans import merge_spans, subtract_spans
from simtool.core.types import Notice
from simtool.core.words import cut
from simtool.report.output import record_dict
from simtool.text.normalize import normalize

SEEDS = "corpora/seeds"
FIELDS = {
    "phrase",
    "notices",
    "units",
    "occurrences",
    "role",
    "level",
    "source",
    "formulaic",
    "reason",
    "variants",
    "variant_count",
    "roles",
    "examples",
}
CLOSING = "欢迎广大干部群众对巡察整改落实情况进行监督。如有意见建议，请及时向我们反映。"
_BORDER = set("。！？；!?;，,、：:") | {" ", "\n", "\u3000"}


@pytest.fixture(scope="module")
def seed_records(seeds: simtool.Loaded) -> list[Phrase]:
    return phrase_records(seeds.notices)


def _segment(n: Notice, a: int, b: int) -> tuple[int, int]:
    return next((s.start, s.end) for s in n.segments if s.start <= a and b <= s.end)


def test_the_seeds_top_ten_are_whole_sentences_or_standard_clauses(
    seeds: simtool.Loaded, seed_records: list[Phrase]
) -> None:
    top = seed_records[:10]
    closing = [r for r in top if r.phrase == CLOSING]
    assert closing, [r.phrase for r in top]  # the closing formula, whole: both of its sentences
    assert closing[0].role == "closing" and closing[0].notices >= 14 and closing[0].variant_count > 3
    assert any(r.role == "opening" and r.phrase.endswith("予以公布。") for r in top)
    tifa = {normalize(p) for p in tifa_phrases()}
    by_id = {n.id: n for n in seeds.notices}
    for r in top:
        if r.source == "tifa":
            assert normalize(r.phrase) in tifa
            continue
        assert len(r.phrase) >= 13, r.phrase  # not a fragment such as 进展情况的通报
        for e in r.examples:  # each occurrence starts and ends at a sentence or clause border
            n = by_id[e.notice]
            seg_start, seg_end = _segment(n, e.start, e.end)
            assert e.start == seg_start or n.text[e.start - 1] in _BORDER, e
            assert e.end == seg_end or n.text[e.end - 1] in _BORDER or n.text[e.end] in _BORDER, e


def test_formulas_never_start_or_end_inside_a_word(seeds: simtool.Loaded, seed_records: list[Phrase]) -> None:
    """Corpus formulas are cut at clause marks; 提法 are whole listed expressions (jieba cuts 以新|时代)."""
    by_id = {n.id: n for n in seeds.notices}
    checked = 0
    for r in seed_records:
        if r.source != "corpus":
            continue
        for e in r.examples:
            n = by_id[e.notice]
            a, b = _segment(n, e.start, e.end)
            bounds = {a}
            for w in cut(n.text[a:b]):
                bounds.add(max(bounds) + len(w))
            assert e.start in bounds and e.end in bounds, (r.phrase, e)
            checked += 1
    assert checked >= 40


def test_wording_is_as_written_with_variants_and_examples(seeds: simtool.Loaded, seed_records: list[Phrase]) -> None:
    by_id = {n.id: n for n in seeds.notices}
    assert len(seed_records) >= 20
    for r in seed_records:
        assert set(record_dict(r)) == FIELDS
        assert r.phrase == r.variants[0].text
        counts = [v.count for v in r.variants]
        assert counts == sorted(counts, reverse=True)
        if r.variant_count <= VARIANTS:
            assert sum(counts) == r.occurrences == sum(r.roles.values())
        assert 1 <= r.units <= r.notices <= r.occurrences
        for e in r.examples:
            assert by_id[e.notice].text[e.start : e.end] == e.text
        assert [e.notice for e in r.examples] == sorted({e.notice for e in r.examples})
    # masking and punctuation as the notices wrote them, not normalized
    assert any("D" in r.phrase for r in seed_records) and not any("党" in r.phrase for r in seed_records)
    assert any("，" in r.phrase for r in seed_records) and not any("," in r.phrase for r in seed_records)
    assert all(r.formulaic for r in seed_records if r.role in ("opening", "closing", "heading"))


def test_phrases_and_formulas_print_the_same_deterministic_jsonl() -> None:
    recs = jsonl_twice(["phrases", SEEDS])
    assert recs == jsonl_twice(["formulas", SEEDS])
    assert len(recs) >= 20 and all(set(r) == FIELDS for r in recs)
    assert recs[0]["phrase"] == CLOSING


def test_tifa_list_is_bundled_with_its_source() -> None:
    text = TIFA_PATH.read_text("utf-8")
    assert "党章" in text or "中国共产党章程" in text
    phrases = tifa_phrases()
    assert len(phrases) >= 30 and "全面从严治党" in phrases and "两个维护" in phrases
    assert all(not p.startswith("#") for p in phrases)
    pyproject = Path("pyproject.toml").read_text("utf-8")
    assert re.search(r'package-data\]\nsimtool = \[[^\]]*"data/\*"', pyproject)


def test_a_circulated_template_is_copying_not_formula(seeds: simtool.Loaded) -> None:
    notices, template = circulated_template(seeds.notices)
    recs = phrase_records(notices)
    copied = [r for r in recs if normalize(template[0])[3:30] in normalize(r.phrase)]
    assert copied and not copied[0].formulaic and "照搬照抄" in copied[0].reason
    assert copied[0].notices >= len(TEMPLATE_GROUP) and copied[0].role == "measure"
    assert any(r.role == "closing" and r.formulaic and r.notices == len(notices) for r in recs)
    form = corpus_formulaic(notices)
    m = simtool.find_matches(notices, scope="cross")
    ratios = notice_ratios(notices, matches=m, formulaic=form)
    group = [notices[i].id for i in TEMPLATE_GROUP]
    for nid in group:
        v = ratios[nid]
        assert v.copy_ratio > 0.25
        assert v.copy_ratio_substantive >= 0.8 * v.copy_ratio, (nid, v)
    for r in overlap_records(notices, matches=m, formulaic=form):
        if r.a in group and r.b in group:
            assert r.ratio_a_substantive >= 0.8 * r.ratio_a, r
            assert r.ratio_b_substantive >= 0.8 * r.ratio_b, r
    # the old rule (a string shared by K notices is 套话) hid the copying: the test can tell the two apart
    old = formulaic_spans(notices, [p.phrase for p in mine_phrases(notices)])
    old_ratios = notice_ratios(notices, matches=m, formulaic=old)
    assert all(old_ratios[nid].copy_ratio_substantive < 0.2 * old_ratios[nid].copy_ratio for nid in group)
    # the template's text is not 套话 except for the 提法 inside it
    for i in TEMPLATE_GROUP:
        n = notices[i]
        spans = [(n.text.index(t[4:]), n.text.index(t[4:]) + len(t) - 4) for t in template]
        left = subtract_spans(merge_spans(spans), form[n.id])
        assert sum(b - a for a, b in left) >= 0.9 * sum(b - a for a, b in spans)


def test_a_formula_file_adds_formulas(tmp_path: Path, seeds: simtool.Loaded) -> None:
    mine = "组织财务人员进行集体学习"  # notice #1 reuses it for several problems
    path = tmp_path / "formulas.txt"
    path.write_text(f"# 本单位的套话\n{mine}\n", encoding="utf-8")
    recs = jsonl_twice(["phrases", SEEDS, "--formula-file", str(path)])
    user = [r for r in recs if r["source"] == "user"]
    assert [r["phrase"] for r in user] == [mine] and user[0]["formulaic"] and user[0]["role"] == "user"
    plain = corpus_formulaic(seeds.notices)
    with_user = corpus_formulaic(seeds.notices, [mine])
    n = next(x for x in seeds.notices if mine in x.text)
    at = n.text.index(mine)
    assert not any(a <= at and at + len(mine) <= b for a, b in plain[n.id])
    assert any(a <= at and at + len(mine) <= b for a, b in with_user[n.id])
    learned = learn(seeds.notices, user=[mine])
    assert learned.formula_set is not None and mine in learned.formula_set.user


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (None, "错误：无法读取套话文件 {path}，请检查路径是否写错"),
        ("# 只有注释\n\n", "错误：套话文件 {path} 是空的：请每行写一条套话"),
        (b"\xff\xfe\x00\xd8\x00\x00", "错误：套话文件 {path} 不是文本文件（应为每行一条套话的 UTF-8 文本）"),
    ],
)
def test_a_bad_formula_file_is_one_chinese_line(tmp_path: Path, content: str | bytes | None, line: str) -> None:
    path = tmp_path / "f.txt"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif content is not None:
        path.write_bytes(content)
    res = runner.invoke(app, ["overlap", SEEDS, "--formula-file", str(path)])
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.strip() == line.format(path=path)


def test_a_reference_is_quoted_not_copied(tmp_path: Path, seeds: simtool.Loaded) -> None:
    """Text of a reference document is 引用: 去除引用 ≤ 总 everywhere, lower where the reference is quoted."""
    science = next(n for n in seeds.notices if n.title.startswith("科技局"))  # 统计局 copies much of it
    ref = tmp_path / "template.txt"
    ref.write_text(science.text, encoding="utf-8")
    recs = jsonl_twice(["overlap", SEEDS, "--reference", str(ref)])
    assert recs and all(r["ratio_a_unquoted"] <= r["ratio_a"] and r["ratio_b_unquoted"] <= r["ratio_b"] for r in recs)
    assert any(r["ratio_a_unquoted"] < r["ratio_a"] or r["ratio_b_unquoted"] < r["ratio_b"] for r in recs)
    # what any notice shares with the notice the reference was made of is all 引用
    mine = [r for r in recs if science.id in (r["a"], r["b"])]
    assert len(mine) > 10 and all(
        r["ratio_a"] > 0 and r["ratio_a_unquoted"] == 0 == r["ratio_b_unquoted"] for r in mine
    )
    assert not any(str(ref) in (r["a"], r["b"]) for r in recs)  # a reference is never a source of copying
    res = runner.invoke(app, ["overlap", SEEDS, "--reference", str(tmp_path / "missing.txt")])
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.startswith(f"错误：无法读取参考文件 {tmp_path / 'missing.txt'}：")


def test_check_against_a_store_finds_the_same_formulas_as_memory(tmp_path: Path, seeds: simtool.Loaded) -> None:
    from simtool.analyses.check import check_notices
    from simtool.analyses.phrases import store_formulaic
    from simtool.store.sqlite import Store

    db = tmp_path / "s.db"
    simtool.ingest([SEEDS], str(db))
    memory = corpus_formulaic(seeds.notices)
    with Store(db) as store:
        spans_of = store_formulaic(store)
        assert spans_of is not None
        stored = {n.id: n for n in store.notices()}
        for n in seeds.notices:
            assert spans_of(stored[n.id]) == memory[n.id], n.id
        ref = tmp_path / "ref.txt"
        ref.write_text(seeds.notices[13].text, encoding="utf-8")
        recs = check_notices(
            seeds.notices[12:15], store, formulaic=spans_of, references=simtool.load([str(ref)]).notices
        )
    for r in recs:
        assert r.copy_ratio_unquoted is not None and r.quoted_share is not None
        assert r.copy_ratio_substantive <= r.copy_ratio and r.copy_ratio_unquoted <= r.copy_ratio
        assert all(s.ratio_substantive <= s.ratio for s in r.sources)
    assert (recs[1].quoted_share or 0) > 0.9  # the reference is that notice's own text


@pytest.mark.parametrize(
    ("roles", "notices", "total", "formulaic"),
    [
        ({"closing": 15}, 4, 18, True),  # by role, however few (≥ K) notices
        ({"framing": 5}, 5, 24, True),
        ({"measure": 20}, 20, 24, False),  # substantive text in most notices, always a measure: copying
        ({"measure": 6, "problem": 1}, 6, 18, False),  # one stray problem does not make it spread
        ({"measure": 9, "framing": 3}, 6, 24, False),  # spread, but in 6/24 = 25 % < 30 % of the notices
        ({"measure": 9, "framing": 3}, 9, 18, True),  # spread and in 9/18 = 50 % of the notices
    ],
)
def test_what_counts_as_formula(roles: dict[str, int], notices: int, total: int, formulaic: bool) -> None:
    from simtool.analyses.formulas import Formula, classify

    counted = tuple(sorted(roles.items(), key=lambda r: -r[1]))
    f = Formula("某表述", (("某表述", 1),), notices, notices, (), counted[0][0], counted, "sentence", "corpus")
    assert classify(f, total).formulaic is formulaic


def test_a_large_store_learns_its_formulas_from_an_even_sample(seeds: simtool.Loaded) -> None:
    from simtool.analyses.phrases import store_sample

    assert store_sample(seeds.notices, 50) == list(seeds.notices)
    sample = store_sample(seeds.notices, 6)
    assert len(sample) == 6 and len({n.id for n in sample}) == 6
    ids = sorted(n.id for n in seeds.notices)
    assert [n.id for n in sample] == [ids[k * 3] for k in range(6)]


def test_the_formula_set_covers_every_occurrence_of_every_formula(seeds: simtool.Loaded) -> None:
    """Two paths to the same 套话: the formulas' occurrences and the set matching units by their text."""
    learned = learn(seeds.notices)
    assert learned.formula_set is not None
    spans = learned.formula_set.spans_many(seeds.notices)
    exact = learned.formula_set.spans_many(seeds.notices, fuzzy=False)
    corpus = [f for f in learned.formulas if f.source == "corpus" and f.formulaic]
    assert corpus
    for f in corpus:
        for o in f.occurrences:
            assert merge_spans([*exact[o.notice], (o.start, o.end)]) == exact[o.notice], (f.text, o)
    for a, b in zip(exact, spans):  # similarity to a wording only adds
        assert merge_spans([*a, *b]) == b


def test_a_reference_folder_without_text_is_one_chinese_line(tmp_path: Path) -> None:
    res = runner.invoke(app, ["report", SEEDS, "-o", str(tmp_path / "r.html"), "--reference", str(tmp_path)])
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr == f"错误：参考文件 {tmp_path} 中没有可读的文字，请检查路径和文件格式\n"
    assert not (tmp_path / "r.html").exists()
