"""Exact shared strings (the suffix-array helper): exact against brute force, spans mapped back.

Whole formulas (what ``simtool phrases`` lists) are tested in test_formulas.py."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

import simtool
from simtool.analyses.formulaic import formulaic_share, formulaic_spans, matching_text, sentences
from simtool.analyses.formulas import default_min_notices
from simtool.analyses.fragments import fragment_records as phrase_records
from simtool.analyses.fragments import mine_phrases, trim
from simtool.core.spans import count_chars, merge_spans
from simtool.core.types import Notice, Segment
from simtool.text.normalize import normalize, normalize_map

FIELDS = {"phrase", "notices", "units", "occurrences", "examples"}
CLOSING = normalize("欢迎广大干部群众对巡察整改落实情况进行监督。如有意见建议，请及时向我们反映。")


def make(texts: list[str], units: list[str | None] | None = None) -> list[Notice]:
    units = units or [None] * len(texts)
    return [
        Notice(
            id=f"n{i:02d}", path="p", index=i, title="", text=t, segments=(Segment("measure", 0, len(t), t),), unit=u
        )
        for i, (t, u) in enumerate(zip(texts, units))
    ]


def brute(notices: list[Notice], k: int, min_len: int) -> list[tuple[str, int, int]]:
    """Every substring, counted directly; listed unless a longer one has the same notice set."""
    sets: dict[str, set[int]] = {}
    occ: dict[str, int] = {}
    for ni, n in enumerate(notices):
        for piece in matching_text(n).split("\x00"):
            for a in range(len(piece)):
                for b in range(a + min_len, len(piece) + 1):
                    t = piece[a:b]
                    if trim(t) == t:
                        sets.setdefault(t, set()).add(ni)
                        occ[t] = occ.get(t, 0) + 1
    freq = {t: s for t, s in sets.items() if len(s) >= k}
    out = [
        (t, len(s), occ[t])
        for t, s in freq.items()
        if not any(len(u) > len(t) and t in u and freq[u] == s for u in freq)
    ]
    return sorted(out, key=lambda x: (-x[1], -len(x[0]), x[0]))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(alphabet="ab,c。", max_size=24), min_size=1, max_size=6),
    st.integers(2, 4),
    st.integers(1, 4),
    st.data(),
)
def test_mining_equals_brute_force(texts: list[str], k: int, min_len: int, data: st.DataObject) -> None:
    base = data.draw(st.text(alphabet="abc,", min_size=0, max_size=20))
    notices = make([base + t if i % 2 == 0 else t + base for i, t in enumerate(texts)])
    got = [(p.phrase, p.notices, p.occurrences) for p in mine_phrases(notices, min_notices=k, min_len=min_len)]
    assert got == brute(notices, k, min_len)


def test_default_k_and_too_few_notices(seeds: simtool.Loaded) -> None:
    assert default_min_notices(18) == 4 and default_min_notices(2) == 3 and default_min_notices(100) == 20
    formula = "欢迎广大干部群众对巡察整改落实情况进行监督"
    two = make([formula + "一是甲", formula + "二是乙"])
    assert phrase_records(two) == []  # K = 3 > 2 notices
    assert phrase_records(two, min_notices=2)[0]["phrase"] == formula
    three = make([formula + "一是甲", formula + "二是乙", formula + "三是丙"], ["局", "局", None])
    rec = phrase_records(three)[0]
    assert rec == {"phrase": formula, "notices": 3, "units": 2, "occurrences": 3, "examples": ["n00", "n01", "n02"]}
    recs = phrase_records(seeds.notices)
    assert recs and min(r["notices"] for r in recs) == 4  # K = max(3, ceil(0.2 × 18)) = 4
    assert len(phrase_records(seeds.notices, min_notices=3)) > len(recs)
    assert phrase_records(seeds.notices[:2]) == []


def test_seed_fragments_rank_on_top(seeds: simtool.Loaded) -> None:
    top = [r["phrase"] for r in phrase_records(seeds.notices)[:10]]
    assert any(p in CLOSING and len(p) >= 6 for p in top), top  # 欢迎广大干部群众对……进行监督 / 请及时向我们反映
    assert any("欢迎广大干部群众" in p for p in top), top
    assert any("统一部署" in p for p in top), top  # 根据……统一部署
    assert any("予以公布" in p for p in top), top  # 现将……予以公布


def test_records_are_exact_ranked_and_closed(seeds: simtool.Loaded) -> None:
    recs = phrase_records(seeds.notices)
    texts = [matching_text(n) for n in seeds.notices]
    for r in recs[:40]:
        assert set(r) == FIELDS
        users = [n.id for n, t in zip(seeds.notices, texts) if r["phrase"] in t]
        assert r["notices"] == len(users) and r["examples"] == sorted(users)[:5]
        assert r["occurrences"] == sum(len(re.findall(f"(?={re.escape(r['phrase'])})", t)) for t in texts)
        assert 1 <= r["units"] <= r["notices"]
        assert len(r["phrase"]) >= 6 and trim(r["phrase"]) == r["phrase"]
        assert not any(c in r["phrase"] for c in "。;!?\x00")
    keys = [(-r["notices"], -len(r["phrase"]), r["phrase"]) for r in recs]
    assert keys == sorted(keys)
    # non-containment: a longer listed phrase containing a shorter one never has the same notices
    for r in recs:
        for q in recs:
            if len(q["phrase"]) > len(r["phrase"]) and r["phrase"] in q["phrase"]:
                assert q["notices"] < r["notices"], (r, q)
    assert len(phrase_records(seeds.notices, max_phrases=7)) == 7


def test_formulaic_spans_map_to_the_original_text(seeds: simtool.Loaded) -> None:
    stats = next(n for n in seeds.notices if n.title.startswith("统计局"))
    assert "全面从严治D" in stats.text  # masked in the compilation
    spans = formulaic_spans([stats], ["全面从严治党"])[stats.id]
    assert spans and all(stats.text[a:b] == "全面从严治D" for a, b in spans)
    assert len(spans) == stats.text.count("全面从严治D")
    phrases = [r["phrase"] for r in phrase_records(seeds.notices)]
    all_spans = formulaic_spans(seeds.notices, phrases)
    assert set(all_spans) == {n.id for n in seeds.notices}
    closing = stats.text.index("欢迎广大干部群众")
    assert any(a <= closing and b >= closing + 12 for a, b in all_spans[stats.id])
    for n in seeds.notices:
        sp = all_spans[n.id]
        assert sp == sorted(sp) and all(b0 < a1 for (_, b0), (a1, _) in zip(sp, sp[1:]))
        for a, b in sp:  # every span is made of phrase occurrences: its ends are phrase ends
            norm = normalize(n.text[a:b])
            assert any(norm.startswith(p) for p in phrases) and any(norm.endswith(p) for p in phrases)
        share = formulaic_share(n, sp)
        assert 0 < share < 0.5
        assert share == round(count_chars(n.text, sp) / count_chars(n.text), 4)
    assert formulaic_spans(seeds.notices[:1], []) == {seeds.notices[0].id: []}


def naive_spans(notice: Notice, phrases: list[str]) -> list[tuple[int, int]]:
    """Every occurrence of every phrase in each sentence's ``normalize_map``, mapped back."""
    out = []
    for a, b in sentences(notice):
        nm = normalize_map(notice.text[a:b])
        for w in {normalize(p) for p in phrases}:
            for m in re.finditer(f"(?={re.escape(w)})", nm.text):
                s, e = nm.span(m.start(), m.start() + len(w))
                out.append((a + s, a + e))
    return merge_spans(out)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="D党委风AAA整改 \n，,。；监督Ｄ１1…㈠\u200b", max_size=40), min_size=1, max_size=4),
    st.lists(st.text(alphabet="D党委风A微信整改，,监督1.(一)", min_size=1, max_size=5), min_size=1, max_size=5),
)
def test_formulaic_spans_equal_a_naive_search(texts: list[str], phrases: list[str]) -> None:
    notices = make(texts)
    got = formulaic_spans(notices, phrases)
    for n in notices:
        assert got[n.id] == naive_spans(n, phrases)
