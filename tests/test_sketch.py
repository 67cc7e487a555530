"""The vectorized sketch against its slow references: datasketch MinHash and the pure-Python hash."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import datasketch
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simtool.match import sketch
from simtool.match.sketch import (
    DEFAULT_NGRAM,
    DEFAULT_NUM_PERM,
    DEFAULT_SCHEME,
    DEFAULT_SEED,
    MAX_HASH,
    Scheme,
    char_shingles,
    permutations,
    shingle_hash_bytes,
    shingle_hashes,
    signatures,
    signatures_from_hashes,
    word_shingle_hashes,
    word_shingles,
)

SEEDS = Path(__file__).resolve().parent.parent / "corpora" / "seeds"
SCHEMES: list[Scheme] = ["affine32", "legacy"]


def _sentences(path: Path) -> list[str]:
    parts = re.split(r"[。；\n]", path.read_text(encoding="utf-8"))
    return [p.strip() for p in parts if p.strip()]


@pytest.fixture(scope="module")
def seed_texts() -> list[str]:
    files = sorted(SEEDS.glob("*.txt"))
    assert len(files) == 2
    texts: list[str] = []
    for f in files:
        sents = _sentences(f)
        texts += sents[::7][:250]  # every 7th sentence of each file, both files
        texts += [s for s in sents if len(s) < DEFAULT_NGRAM][:10]  # shorter than n
    texts += ["", "整改", "改", "", "😀党的二十大"]
    assert any(len(t) < DEFAULT_NGRAM for t in texts) and any(len(t) > 100 for t in texts)
    return texts


def _datasketch_row(
    shingles: list[str], scheme: Scheme, num_perm: int = DEFAULT_NUM_PERM, seed: int = DEFAULT_SEED
) -> np.ndarray:
    m = datasketch.MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hash_bytes, scheme=scheme)
    m.update_batch([s.encode("utf-32-le") for s in shingles])
    return np.asarray(m.hashvalues)


def _assert_rows_equal(sig: np.ndarray, texts: list[str], scheme: Scheme, **kw: int) -> None:
    assert sig.dtype == np.uint64 and sig.shape == (len(texts), kw.get("num_perm", DEFAULT_NUM_PERM))
    n = kw.pop("n", DEFAULT_NGRAM)
    for text, row in zip(texts, sig):
        expected = _datasketch_row(char_shingles(text, n), scheme, **kw)
        assert np.array_equal(row, expected.astype(np.uint64)), text


def test_doctests() -> None:
    assert doctest.testmod(sketch).failed == 0


def test_shingle_hash_is_murmur3_x86_32() -> None:
    assert shingle_hash_bytes(b"") == 0
    assert shingle_hash_bytes(b"test") == 0xBA6BD213
    assert shingle_hash_bytes(b"Hello, world!") == 0xC0363E43
    assert shingle_hash_bytes(b"The quick brown fox jumps over the lazy dog") == 0x2E4FF723


def test_char_shingles_edges() -> None:
    assert char_shingles("") == []
    assert char_shingles("整") == ["整"]
    assert char_shingles("整改") == ["整改"]
    assert char_shingles("整改落") == ["整改落"]
    assert char_shingles("整改落实", 2) == ["整改", "改落", "落实"]
    with pytest.raises(ValueError):
        char_shingles("整改", 0)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_shingle_hashes_match_reference(seed_texts: list[str], n: int) -> None:
    for text in seed_texts:
        expected = [shingle_hash_bytes(s.encode("utf-32-le")) for s in char_shingles(text, n)]
        got = shingle_hashes(text, n)
        assert got.dtype == np.uint32 and got.tolist() == expected, text


def test_flat_hashes_match_per_text(seed_texts: list[str]) -> None:
    hashes, offsets = sketch._flat_char_hashes(seed_texts, 3, 2)
    assert offsets[0] == 0 and offsets[-1] == hashes.size
    for i, text in enumerate(seed_texts):
        assert hashes[offsets[i] : offsets[i + 1]].tolist() == shingle_hashes(text).tolist()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (16, 7), (1, 0)])
def test_permutations_match_datasketch(scheme: Scheme, num_perm: int, seed: int) -> None:
    a, b = permutations(num_perm, seed, scheme=scheme)
    ref = datasketch.MinHash(num_perm=num_perm, seed=seed, scheme=scheme).permutations
    assert a.dtype == np.asarray(ref[0]).dtype and b.dtype == np.asarray(ref[1]).dtype
    assert np.array_equal(a, ref[0]) and np.array_equal(b, ref[1])


@pytest.mark.parametrize("scheme", SCHEMES)
def test_signatures_equal_datasketch_on_seed_sentences(seed_texts: list[str], scheme: Scheme) -> None:
    sig = signatures(seed_texts, scheme=scheme)
    _assert_rows_equal(sig, seed_texts, scheme)
    empty = [i for i, t in enumerate(seed_texts) if not t]
    assert empty and (sig[empty] == MAX_HASH).all()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_signatures_other_parameters(seed_texts: list[str], scheme: Scheme) -> None:
    texts = seed_texts[:40] + ["a", ""]
    sig = signatures(texts, n=5, num_perm=16, seed=42, scheme=scheme)
    _assert_rows_equal(sig, texts, scheme, n=5, num_perm=16, seed=42)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_blocks_with_very_different_lengths(seed_texts: list[str], scheme: Scheme) -> None:
    rng = np.random.default_rng(3)
    long_text = "".join(seed_texts)
    texts = [long_text[int(s) : int(s) + int(k)] for s, k in zip(rng.integers(0, 5000, 60), rng.integers(0, 9000, 60))]
    texts += [long_text[:20000], "", "一"]
    sig = signatures(texts, scheme=scheme, workers=2)
    assert np.array_equal(sig, signatures(texts, scheme=scheme, workers=1))
    _assert_rows_equal(sig, texts, scheme)


def test_legacy_table_batches(seed_texts: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    whole = signatures(seed_texts, scheme="legacy")
    monkeypatch.setattr(sketch, "_TABLE_BYTES", 4 * 128 * 500)  # about 500 hashes per batch
    assert np.array_equal(signatures(seed_texts, scheme="legacy"), whole)


@settings(max_examples=150, deadline=None)
@given(
    texts=st.lists(st.text(max_size=30), max_size=8),
    n=st.integers(1, 4),
    scheme=st.sampled_from(SCHEMES),
)
def test_signatures_equal_datasketch_on_any_unicode(texts: list[str], n: int, scheme: Scheme) -> None:
    sig = signatures(texts, n=n, num_perm=32, scheme=scheme)
    _assert_rows_equal(sig, texts, scheme, n=n, num_perm=32)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60), st.integers(1, 6))
def test_shingle_hashes_equal_reference_on_any_unicode(text: str, n: int) -> None:
    expected = [shingle_hash_bytes(s.encode("utf-32-le")) for s in char_shingles(text, n)]
    assert shingle_hashes(text, n).tolist() == expected


def test_mod_mersenne_equals_numpy_modulo() -> None:
    p = np.uint64((1 << 61) - 1)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2**64, 2_000_000, dtype=np.uint64, endpoint=False)
    edges = [0, 1, p - 1, p, p + 1, 2 * p - 1, 2 * p, 2 * p + 1, 7 * p, 8 * p, 2**64 - 1, 2**64 - 2, 2**61, 2**62]
    edges += [int(p) * k + d for k in range(1, 9) for d in range(-8, 9) if 0 <= int(p) * k + d < 2**64]
    x = np.concatenate([x, np.array(edges, dtype=np.uint64)])
    assert np.array_equal(sketch._mod_mersenne(x.copy()), x % p)


def test_legacy_permuted_equals_datasketch_formula() -> None:
    a, b = permutations(scheme="legacy")
    h = np.random.default_rng(1).integers(0, 2**32, 5000, dtype=np.uint64)
    expected = ((h[:, None] * a + b) % np.uint64((1 << 61) - 1)) & np.uint64(MAX_HASH)  # datasketch, wrapping
    assert np.array_equal(sketch._permuted(h.astype(np.uint32), a, b, "legacy"), expected)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_signatures_from_hashes_offsets(scheme: Scheme) -> None:
    rng = np.random.default_rng(5)
    hashes = rng.integers(0, 2**32, 300, dtype=np.uint32)
    offsets = np.array([10, 10, 50, 50, 51, 200, 200])  # empty texts between, first hash not at 0
    a, b = permutations(scheme=scheme)
    sig = signatures_from_hashes(hashes, offsets, a, b, scheme=scheme)
    assert sig.shape == (6, 128) and sig.dtype == np.uint64
    for i in range(6):
        part = hashes[offsets[i] : offsets[i + 1]]
        m = datasketch.MinHash(seed=1, hashfunc=int, scheme=scheme)
        m.update_batch(part.tolist())
        assert np.array_equal(sig[i], m.hashvalues.astype(np.uint64))
    assert (sig[[0, 2, 5]] == MAX_HASH).all()
    assert signatures_from_hashes(hashes, np.array([0]), a, b, scheme=scheme).shape == (0, 128)
    assert signatures([], scheme=scheme).shape == (0, 128)


def test_signatures_from_hashes_rejects_bad_input() -> None:
    a, b = permutations()
    h = np.zeros(10, np.uint32)
    with pytest.raises(ValueError):
        signatures_from_hashes(h, np.array([0, 5, 3]), a, b)
    with pytest.raises(ValueError):
        signatures_from_hashes(h, np.array([0, 11]), a, b)
    with pytest.raises(ValueError):
        signatures_from_hashes(h, np.array([0, 10]), a.astype(np.uint64), b.astype(np.uint64))
    with pytest.raises(ValueError):
        signatures(["整改"], mode="chars")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        permutations(scheme="affine64")  # type: ignore[arg-type]


def test_word_shingles() -> None:
    words = word_shingles("坚决整改，落实到位！")
    assert words and all("，" not in w and "！" not in w for w in words)
    assert word_shingles("") == [] and word_shingles("。，") == []
    assert word_shingles("整改", 2) == ["整改"]
    assert word_shingle_hashes("坚决整改，落实到位！").tolist() == [
        shingle_hash_bytes(w.encode("utf-32-le")) for w in words
    ]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_word_mode_equals_datasketch(seed_texts: list[str], scheme: Scheme) -> None:
    texts = seed_texts[:60] + ["", "。"]
    sig = signatures(texts, mode="word", scheme=scheme)
    for text, row in zip(texts, sig):
        assert np.array_equal(row, _datasketch_row(word_shingles(text), scheme).astype(np.uint64)), text


@pytest.mark.parametrize("scheme", SCHEMES)
def test_datasketch_lsh_accepts_rows_and_finds_near_duplicate(seed_texts: list[str], scheme: Scheme) -> None:
    docs = [t for t in seed_texts if len(t) >= 40][:50]
    lsh = datasketch.MinHashLSH(threshold=0.5, num_perm=128)
    for i, row in enumerate(signatures(docs, scheme=scheme)):
        lsh.insert(f"s{i}", datasketch.LeanMinHash(seed=DEFAULT_SEED, hashvalues=row, scheme=scheme))
    for i in (0, 17, 42):
        near = docs[i][:20] + "某" + docs[i][21:]  # one character changed
        row = signatures([near], scheme=scheme)[0]
        assert f"s{i}" in lsh.query(datasketch.LeanMinHash(seed=DEFAULT_SEED, hashvalues=row, scheme=scheme))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_estimated_jaccard_is_close_to_true_jaccard(seed_texts: list[str], scheme: Scheme) -> None:
    docs = [t for t in seed_texts if len(t) >= 30][:40]
    rng = np.random.default_rng(11)
    pairs = [(d, d[: int(k)] + d[int(k) + 5 :] + "整改落实") for d, k in zip(docs, rng.integers(0, 25, len(docs)))]
    pairs += list(zip(docs[:-1], docs[1:]))
    sig_a = signatures([p[0] for p in pairs], scheme=scheme)
    sig_b = signatures([p[1] for p in pairs], scheme=scheme)
    for (x, y), ra, rb in zip(pairs, sig_a, sig_b):
        sx, sy = set(char_shingles(x)), set(char_shingles(y))
        assert abs(float(np.mean(ra == rb)) - len(sx & sy) / len(sx | sy)) <= 0.15, (x, y)


def test_default_scheme_is_datasketch_default() -> None:
    assert datasketch.MinHash().scheme == DEFAULT_SCHEME


def _gram_hash(gram: str, salt: int = 0) -> int:
    """``runs.gram_hashes``' hash of one gram, written out one character at a time (64-bit arithmetic)."""
    mask, base, h = (1 << 64) - 1, 0x9E3779B97F4A7C15, 0
    for ch in gram:
        h = ((h ^ ord(ch)) * base) & mask
        h ^= h >> 29
    return (h ^ salt) >> 26


def _grams(i: int, text: str, n: int) -> set[tuple[int, int]]:
    """``(hash, i)`` of the runs ``gram_hashes`` gives ``text``: its ``n``-grams, and its short runs when it is short."""
    from simtool.match.runs import _SHORT_SALT, SHORT_RUN_CHARS, SHORT_TEXT_CHARS

    out = {(_gram_hash(text[k : k + n]), i) for k in range(len(text) - n + 1)}
    if SHORT_RUN_CHARS < n and len(text) <= SHORT_TEXT_CHARS:
        m = SHORT_RUN_CHARS
        out |= {(_gram_hash(text[k : k + m], int(_SHORT_SALT)), i) for k in range(len(text) - m + 1)}
    return out


@pytest.mark.parametrize("n", [3, 12])
def test_gram_hashes_equal_the_per_text_reference(seed_texts: list[str], n: int) -> None:
    from simtool.match.runs import gram_hashes

    h, who = gram_hashes(seed_texts, n)
    got = list(zip(h.tolist(), who.tolist()))
    expected = sorted(set().union(*(_grams(i, t, n) for i, t in enumerate(seed_texts))))
    assert got == expected and len(expected) > 1000
    if n == 12:  # short texts hold their short runs too
        assert len(expected) > len(
            {(_gram_hash(t[k : k + n]), i) for i, t in enumerate(seed_texts) for k in range(len(t) - n + 1)}
        )


@pytest.mark.parametrize("at_once", [None, 64])
def test_run_pairs_equal_the_plain_postings(
    seed_texts: list[str], at_once: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collections import defaultdict

    from simtool.match import runs
    from simtool.match.runs import run_pairs

    if at_once is not None:  # merged many times over
        monkeypatch.setattr(runs, "PAIRS_AT_ONCE", at_once)

    texts = seed_texts + [t[3:40] + "，另加的一句话" for t in seed_texts[:60]]  # shared runs
    holders: dict[int, set[int]] = defaultdict(set)
    for i, t in enumerate(texts):
        for gram, _ in _grams(i, t, 12):
            holders[gram].add(i)
    m = len(texts)
    expected = {min(a, b) * m + max(a, b) for g in holders.values() if len(g) <= 64 for a in g for b in g if a != b}
    got = run_pairs(texts, n=12, max_holders=64)
    assert got.tolist() == sorted(expected) and len(expected) > 50


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 6), min_size=2, max_size=5, unique=True), max_size=30))
def test_distinct_holder_sets_drop_only_repeated_sets(groups: list[list[int]]) -> None:
    from simtool.match.runs import distinct_holder_sets

    holders = [sorted(g) for g in groups]
    who = np.array([h for g in holders for h in g], dtype=np.int64)
    size = np.array([len(g) for g in holders], dtype=np.int64)
    got_who, got_size = distinct_holder_sets(who, size)
    expected = [g for k, g in enumerate(holders) if g not in holders[:k]]
    kept = [g.tolist() for g in np.split(got_who, np.cumsum(got_size)[:-1])] if len(got_size) else []
    assert kept == expected


def test_run_pairs_equal_without_the_repeated_holder_sets(
    seed_texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from simtool.match import runs

    texts = seed_texts + [t[3:40] + "，另加的一句话" for t in seed_texts[:60]]  # runs shared by the same texts
    got = runs.run_pairs(texts)
    monkeypatch.setattr(runs, "distinct_holder_sets", lambda who, size: (who, size))
    plain = runs.run_pairs(texts)
    assert np.array_equal(got, plain) and len(plain) > 50


def test_gram_hashes_a_slice_at_a_time_equal_all_at_once(
    seed_texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from simtool.match import runs

    whole = runs.gram_hashes(seed_texts)
    monkeypatch.setattr(runs, "CHARS_AT_ONCE", 50)  # many slices, some of one text longer than the slice
    sliced = runs.gram_hashes(seed_texts)
    assert all(np.array_equal(a, b) for a, b in zip(whole, sliced)) and len(whole[0]) > 1000
