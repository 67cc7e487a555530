"""``check``'s fast paths against slow references on the seeds store: the vectorized candidate
gathering against a loop over the postings, and the whole check against the plain per-candidate
algorithm it replaced (every stored notice loaded, every candidate unit expanded one by one)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

import simtool
from simtool.analyses.check import TOP_SOURCES, check_notices
from simtool.analyses.direction import direction_fields
from simtool.analyses.shared import BlockFinder, same_text_key, shared_text
from simtool.core.spans import count_chars, merge_spans, subtract_spans
from simtool.core.types import Notice
from simtool.match.engine import DEFAULT_PARAMS, INDEX_BUILD_SIM, aligned_part, keys_for
from simtool.match.runs import MAX_HOLDERS, RUN_CHARS, SHORT_RUN_CHARS, SHORT_TEXT_CHARS
from simtool.match.units import build_units
from simtool.match.verify import SENTENCE_CONTAIN_RATIO, verify
from simtool.read.ingest import iter_files
from simtool.report.output import record_dict
from simtool.store.cache import _build, index_cache
from simtool.store.codec import decode_keys, decode_units, encode_index, ensure_index, index_bands, text_id
from simtool.store.corpus import ingest
from simtool.store.sqlite import Store
from simtool.text.normalize import normalize_many

SEEDS = Path(__file__).resolve().parent.parent / "corpora" / "seeds"


@pytest.fixture(scope="module")
def seeds() -> list[Notice]:
    return simtool.load([str(SEEDS)]).notices


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "s.db"
    with Store(path) as store:
        ensure_index(store)
        list(ingest(list(iter_files([str(SEEDS)])), store, index=encode_index))
    return path


def _postings(store: Store) -> tuple[dict[int, list[int]], list[str]]:
    """Band key → ``notice_pos << 20 | unit`` of every stored unit, and the ids by position."""
    bands, _ = index_bands()
    out: dict[int, list[int]] = defaultdict(list)
    ids = []
    for pos, (nid, _t, _u, _d, _x, kblob, _s) in enumerate(store.indexed_rows()):
        ids.append(nid)
        for seq, row in enumerate(decode_keys(kblob, bands).tolist()):
            for key in row:
                out[key].append(pos << 20 | seq)
    return out, ids


def _plain_runs(text: str) -> set[tuple[int, str]]:
    """The runs a text holds, as plain strings: every ``RUN_CHARS`` characters, and in a short text
    every ``SHORT_RUN_CHARS`` too (tagged by their length)."""
    out = {(RUN_CHARS, text[g : g + RUN_CHARS]) for g in range(len(text) - RUN_CHARS + 1)}
    if len(text) <= SHORT_TEXT_CHARS:
        out |= {(SHORT_RUN_CHARS, text[g : g + SHORT_RUN_CHARS]) for g in range(len(text) - SHORT_RUN_CHARS + 1)}
    return out


def _run_postings(store: Store) -> tuple[dict[tuple[int, str], set[int]], dict[int, list[int]]]:
    """Each run (``_plain_runs``) → identities of the stored texts holding it, and each
    identity → ``notice_pos << 20 | unit`` of its units (plain strings, no hashing)."""
    holders: dict[tuple[int, str], set[int]] = defaultdict(set)
    units_of: dict[int, list[int]] = defaultdict(list)
    for pos, (_nid, _t, _u, _d, _x, _k, sblob) in enumerate(store.indexed_rows()):
        rows = decode_units(sblob)
        for seq in range(len(rows)):
            text = rows.text(seq)
            ident = int(np.asarray(rows.rows[seq][2:4], dtype="<i4").view("<i8")[0])
            units_of[ident].append(pos << 20 | seq)
            for g in _plain_runs(text):
                holders[g].add(ident)
    return holders, units_of


def _run_cands(
    texts: list[str], holders: dict[tuple[int, str], set[int]], units_of: dict[int, list[int]]
) -> set[tuple[int, int]]:
    """``(query unit, stored unit)`` sharing a run held by 2 to ``MAX_HOLDERS`` texts in all."""
    mine: dict[tuple[int, str], set[int]] = defaultdict(set)
    for k, t in enumerate(texts):
        for g in _plain_runs(t):
            mine[g].add(k)
    out = set()
    for g, qs in mine.items():
        stored = holders.get(g, set())
        if 2 <= len(stored | {text_id(texts[k]) for k in qs}) <= MAX_HOLDERS:
            out.update((k, p) for k in qs for ident in stored for p in units_of[ident])
    return out


def test_run_candidates_equal_the_plain_substring_loop(store_path: Path, seeds: list[Notice]) -> None:
    bands, _ = index_bands()
    with Store(store_path) as store:
        ensure_index(store)
        cache = index_cache(store, bands)
        holders, units_of = _run_postings(store)
    total = 0
    for n in seeds:
        units = build_units([n], "literal")
        slow = _run_cands(units.text, holders, units_of)
        idents = np.array([text_id(t) for t in units.text], dtype=np.int64)
        q, u = cache.run_candidates(units.text, idents, RUN_CHARS)
        pos = cache.unit_notice[u]
        fast = set(zip(q.tolist(), ((pos.astype(np.int64) << 20) | (u - cache.notice_unit[pos])).tolist()))
        assert fast == slow, n.id
        total += len(slow)
    assert total > 1_000


def test_vectorized_candidates_equal_the_postings_loop(store_path: Path, seeds: list[Notice]) -> None:
    bands, _ = index_bands()
    with Store(store_path) as store:
        ensure_index(store)
        cache = index_cache(store, bands)
        postings, ids = _postings(store)
    assert cache.ids == ids
    total = 0
    for n in seeds:
        units = build_units([n], "literal")
        flat = keys_for(units.text, DEFAULT_PARAMS, INDEX_BUILD_SIM).ravel()
        slow = sorted({(k // bands, p) for k, key in enumerate(flat.tolist()) for p in postings.get(key, [])})
        q, u = cache.candidates(flat, bands)
        pos = cache.unit_notice[u]
        fast = list(zip(q.tolist(), ((pos.astype(np.int64) << 20) | (u - cache.notice_unit[pos])).tolist()))
        assert fast == slow, n.id
        total += len(slow)
    assert total > 10_000


def test_the_memory_mapped_cache_equals_a_fresh_build(store_path: Path) -> None:
    bands, _ = index_bands()
    with Store(store_path) as store:
        ensure_index(store)
        index_cache(store, bands)  # written
        mapped, fresh = index_cache(store, bands), _build(store, bands)
    assert isinstance(mapped.keys.base, np.memmap)  # read from the files, not built again
    for name in mapped.__slots__:  # type: ignore[attr-defined]
        a, b = getattr(mapped, name), getattr(fresh, name)
        assert np.array_equal(np.asarray(a), np.asarray(b)) if isinstance(b, np.ndarray) else a == b, name
    lengths = [len(t) for t in fresh.unit_texts(np.arange(len(fresh.ident)))]
    assert fresh.text_len.tolist() == lengths


def test_every_stored_key_finds_its_own_unit(store_path: Path) -> None:
    bands, _ = index_bands()
    with Store(store_path) as store:
        cache = _build(store, bands)
        flat = np.concatenate([decode_keys(k, bands).ravel() for _i, _t, _u, _d, _x, k, _s in store.indexed_rows()])
    own = np.repeat(np.arange(len(flat) // bands), bands)
    for at in range(0, len(flat), bands * 1000):  # a thousand units at a time, as check asks
        q, u = cache.candidates(flat[at : at + bands * 1000], bands)
        found = set(zip(q.tolist(), u.tolist()))
        assert all((k, int(own[at + k * bands])) in found for k in range(len(flat[at : at + bands * 1000]) // bands))


def test_ingest_writes_the_check_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import simtool.store.cache as cache_module
    from simtool.cli.app import app

    db = str(tmp_path / "s.db")
    assert CliRunner().invoke(app, ["ingest", str(SEEDS), "--db", db, "--quiet"]).exit_code == 0
    assert list(tmp_path.glob("s.db.lsh-*.json"))

    def no_build(*_a: object) -> None:
        raise AssertionError("the first check built the index again")

    monkeypatch.setattr(cache_module, "_build", no_build)
    with Store(db) as store:
        assert check_notices(simtool.load([str(SEEDS / "002_7d8fcde3e44e2eb6.txt")]).notices, store)[0].sources


def test_a_reindex_keeps_the_generation_and_renews_the_cache(store_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    path.write_bytes(store_path.read_bytes())
    bands, _ = index_bands()
    with Store(path) as store:
        before = index_cache(store, bands)
        generation = store.get_meta("generation")
        store.replace_index([(before.ids[0], None)], {})
        assert store.get_meta("generation") == generation  # the 套话 learned from the texts stay valid
        after = index_cache(store, bands)
    assert after.notice_unit[1] == 0 < before.notice_unit[1]
    assert len(list(tmp_path.glob("s.db.lsh-*.json"))) == 1  # the older cache files are gone


def _reference(notices: list[Notice], store: Store, min_sim: float, exclude: set[str]) -> list[dict[str, Any]]:
    """The check as it was: a loop over the postings, every candidate source loaded and expanded."""
    bands, _ = index_bands()
    postings, ids = _postings(store)
    holders, units_of = _run_postings(store)
    texts: dict[str, str] = {}

    def source_text(sid: str, a: int, b: int) -> str:
        if sid not in texts:
            texts[sid] = store.unit_texts([(sid, 0, 1 << 30)])[0]
        return texts[sid][a:b]

    out = []
    for notice in notices:
        units = build_units([notice], "literal")
        cands: set[tuple[int, int]] = set()
        if len(units):
            flat = keys_for(units.text, DEFAULT_PARAMS, INDEX_BUILD_SIM).ravel()
            for k, key in enumerate(flat.tolist()):
                for p in postings.get(key, []):
                    cands.add((k // bands, p))
            cands |= _run_cands(units.text, holders, units_of)
        wanted = {ids[p >> 20] for _, p in cands} - exclude - {notice.id}
        stored = store.indexed_notices(sorted(wanted))
        sources = {sid: n for sid, (n, _, _sha) in stored.items()}
        spans = {sid: s for sid, (_, s, _) in stored.items()}
        groups: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
        for qi, p in sorted(cands):
            sid, seq = ids[p >> 20], p & ((1 << 20) - 1)
            if sid in sources and seq < len(spans[sid]):
                ident = int(np.asarray(spans[sid][seq][2:4], dtype="<i4").view("<i8")[0])
                groups[(qi, ident)].append((sid, seq))
        keys = sorted(groups)
        distinct = sorted({ident for _, ident in keys})
        rep: dict[int, tuple[str, int]] = {}
        for (_qi, ident), members in groups.items():
            if ident not in rep or members[0] < rep[ident]:
                rep[ident] = members[0]
        raw = [
            source_text(sid, int(spans[sid][seq][0]), int(spans[sid][seq][1]))
            for sid, seq in (rep[i] for i in distinct)
        ]
        where = {ident: len(units) + k for k, ident in enumerate(distinct)}
        all_texts = units.text + normalize_many(raw)
        pairs = np.array([(qi, where[ident]) for qi, ident in keys], dtype=np.int64).reshape(-1, 2)
        ver = verify(all_texts, pairs, min_sim, contain_ratio=SENTENCE_CONTAIN_RATIO)
        by_source: dict[str, list[tuple[int, int]]] = defaultdict(list)
        matches: list[dict[str, Any]] = []
        finder = BlockFinder()
        for qi, t, score, contained in zip(ver.i.tolist(), ver.j.tolist(), ver.score.tolist(), ver.contained.tolist()):
            ident = distinct[t - len(units)]
            q_span = (int(units.start[qi]), int(units.end[qi]))
            if contained and len(units.text[qi]) > len(all_texts[t]):
                a, b = aligned_part(all_texts[t], units.text[qi], notice.text[q_span[0] : q_span[1]])
                q_span = (q_span[0] + a, q_span[0] + b)
            for sid, seq in groups[(qi, ident)]:
                s_span = (int(spans[sid][seq][0]), int(spans[sid][seq][1]))
                if contained and len(units.text[qi]) < len(all_texts[t]):
                    a, b = aligned_part(units.text[qi], all_texts[t], source_text(sid, *s_span))
                    s_span = (s_span[0] + a, s_span[0] + b)
                full = source_text(sid, 0, 1 << 30)
                mine, _ = finder.shared(notice.text, q_span, full, s_span, units.text[qi] == all_texts[t])
                by_source[sid].extend(mine)
                matches.append(
                    {
                        "start": q_span[0],
                        "end": q_span[1],
                        "text": notice.text[q_span[0] : q_span[1]],
                        "score": round(float(score), 4),
                        "source": sid,
                        "source_start": s_span[0],
                        "source_end": s_span[1],
                    }
                )
        key, half = same_text_key(notice.text), len(notice.text) // 2
        likely = [sid for sid, sp in by_source.items() if sum(b - a for a, b in sp) >= half]
        identical = sorted(sid for sid in likely if same_text_key(source_text(sid, 0, 1 << 30)) == key)
        for sid in identical:
            by_source[sid].append((0, len(notice.text)))
        matches.sort(key=lambda m: (m["start"], m["source"], m["source_start"]))
        st = shared_text(notice.text, dict(sorted(by_source.items())))
        ranked = [
            {
                "notice": s.source,
                "title": sources[s.source].title,
                "unit": sources[s.source].unit,
                "date": sources[s.source].date,
                "shared": s.shared,
                "ratio": s.ratio,
                "ratio_substantive": s.ratio_substantive,
                "shared_spans": [list(x) for x in s.spans],
            }
            for s in st.sources
        ]
        top = {r["notice"] for r in ranked[:TOP_SOURCES]}
        shown = [m for m in matches if m["source"] in top]
        for m in shown:
            m["source_text"] = source_text(m["source"], m["source_start"], m["source_end"])
        out.append(
            {
                "notice": notice.id,
                "chars": st.chars,
                "shared": st.shared,
                "copy_ratio": st.copy_ratio,
                "max_source": st.max_source,
                **direction_fields(notice.date, ranked),
                "sources": ranked,
                "shared_spans": [list(x) for x in st.spans],
                "matches": shown,
                "identical": identical,
            }
        )
    return out


@pytest.mark.parametrize(("min_sim", "exclude"), [(0.8, 0), (0.72, 0), (0.8, 3)])
def test_check_equals_the_plain_algorithm(store_path: Path, seeds: list[Notice], min_sim: float, exclude: int) -> None:
    left_out = {n.id for n in seeds[:exclude]}
    with Store(store_path) as store:
        fast = check_notices(seeds, store, min_sim=min_sim, exclude=left_out)
        slow = _reference(seeds, store, min_sim, left_out)
    assert sum(len(r["matches"]) for r in slow) > 100
    for rec, s in zip(fast, slow, strict=True):
        f = record_dict(rec)  # the JSON object, as the plain algorithm builds it
        assert {k: f[k] for k in s} == s, s["notice"]
        assert all(p.units >= 1 and p.end - p.start >= 0 for p in rec.passages)


_spans = hs.lists(hs.tuples(hs.integers(0, 40), hs.integers(0, 40)).map(lambda t: (min(t), max(t))), max_size=8)


@given(
    hs.text(alphabet="甲乙丙 丁\n戊", max_size=40),
    hs.dictionaries(hs.sampled_from("xyz"), _spans, max_size=3),
    _spans,
    _spans,
)
@settings(max_examples=200, deadline=None)
def test_shared_text_counts_as_the_plain_span_arithmetic(
    text: str, by_other: dict[str, list[tuple[int, int]]], form: list[tuple[int, int]], quote: list[tuple[int, int]]
) -> None:
    st = shared_text(text, by_other, form, quote)
    for s in st.sources:
        merged = merge_spans(by_other[s.source])
        assert s.shared == count_chars(text, merged)
        assert s.shared_substantive == count_chars(text, subtract_spans(merged, merge_spans(form)))
        assert s.shared_unquoted == count_chars(text, subtract_spans(merged, merge_spans(quote)))
    assert {s.source for s in st.sources} == {k for k, v in by_other.items() if count_chars(text, merge_spans(v))}


def test_a_store_in_memory_leaves_no_index_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert simtool.ingest([str(SEEDS)], ":memory:").notices == 18
    assert list(tmp_path.iterdir()) == []


def test_an_index_too_large_for_memory_leaves_the_ingest_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import simtool.store.cache as cache_module
    from simtool.cli.app import app

    def no_memory(*_a: object) -> None:
        raise MemoryError

    monkeypatch.setattr(cache_module, "_build", no_memory)
    db = str(tmp_path / "s.db")
    res = CliRunner().invoke(app, ["ingest", str(SEEDS), "--db", db])
    assert res.exit_code == 0, res.output
    assert "库中共有 18 篇通报" in res.output
    assert not list(tmp_path.glob("s.db.lsh-*"))


def test_the_index_built_on_two_processes_equals_the_one_built_on_one(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import simtool.store.cache as cache_module

    bands, _ = index_bands()
    with Store(store_path) as store:
        ensure_index(store)
        one = _build(store, bands)
        monkeypatch.setattr(cache_module, "PARALLEL_MIN_NOTICES", 1)
        here: list[int] = []  # calls of _run_postings in this process (the forked one's are not seen)
        real = cache_module._run_postings
        monkeypatch.setattr(cache_module, "_run_postings", lambda *a: here.append(1) or real(*a))
        two = _build(store, bands)
    assert here == [] and len(two.grams) > 1000  # the postings came from the second process
    for name in one.__slots__:  # type: ignore[attr-defined]
        a, b = getattr(one, name), getattr(two, name)
        assert np.array_equal(np.asarray(a), np.asarray(b)) if isinstance(b, np.ndarray) else a == b, name
