"""LSH banding: candidate pairs equal the brute-force set of rows sharing a band key."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simtool.match.lsh import CandidateBlocks, band_keys, candidate_pairs, lsh_params


def brute(keys: np.ndarray) -> set[tuple[int, int]]:
    return {
        (i, j)
        for i, j in itertools.combinations(range(keys.shape[0]), 2)
        if any(keys[i, k] == keys[j, k] for k in range(keys.shape[1]))
    }


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 40), st.integers(1, 5), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_candidate_pairs_equal_brute_force(m: int, bands: int, alphabet: int, seed: int) -> None:
    keys = np.random.default_rng(seed).integers(0, alphabet, size=(m, bands)).astype(np.int64)
    got = {(int(a), int(b)) for a, b in candidate_pairs(keys)}
    assert got == brute(keys)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 60), st.integers(1, 4), st.integers(1, 5), st.integers(1, 40), st.integers(0, 2**32 - 1))
def test_candidate_blocks_split_the_pairs_by_their_smaller_row(
    m: int, bands: int, alphabet: int, per_block: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, alphabet, size=(m, bands)).astype(np.int64)
    keys[rng.random(m) < 0.3, 0] = 99  # one bucket over max_bucket (a star) when it is large
    extra = np.unique([min(i, j) * m + max(i, j) for i, j in rng.integers(0, m, size=(m, 2)) if i != j])
    blocks = CandidateBlocks(keys, max_bucket=8, pairs_per_block=per_block, extra=extra.astype(np.int64))
    given_ = [[(int(a), int(b)) for a, b in block] for block in blocks]
    flat = [p for block in given_ for p in block]
    expected = {(int(c) // m, int(c) % m) for c in extra}
    for k in range(bands):  # each bucket: all its pairs, or its first row with every other (a star)
        for key in set(keys[:, k].tolist()):
            rows = np.flatnonzero(keys[:, k] == key).tolist()
            pairs = [(rows[0], r) for r in rows[1:]] if len(rows) > 8 else itertools.combinations(rows, 2)
            expected.update(pairs)
    assert len(flat) == len(set(flat)) and set(flat) == expected
    lows = [{a for a, _ in block} for block in given_]
    assert all(max(x) < min(y) for x, y in zip(lows, lows[1:]) if x and y)  # ranges of smaller rows, in order
    assert len(given_) <= len(blocks)


def test_band_keys_equal_iff_band_equal() -> None:
    rng = np.random.default_rng(7)
    sig = rng.integers(0, 2**32, size=(6, 12), dtype=np.uint64)
    sig[3, :4] = sig[0, :4]  # same first band
    sig[5] = sig[1]  # same everything
    keys = band_keys(sig, 3, 4)
    assert keys.dtype == np.int64 and keys.shape == (6, 3)
    assert keys[3, 0] == keys[0, 0] and keys[3, 1] != keys[0, 1]
    assert (keys[5] == keys[1]).all()
    assert (keys >= 0).all()
    assert {tuple(p) for p in candidate_pairs(keys).tolist()} == {(0, 3), (1, 5)}


def test_lsh_params_follow_threshold() -> None:
    b_low, r_low = lsh_params(0.3, 128)
    b_high, r_high = lsh_params(0.7, 128)
    assert b_low * r_low <= 128 and b_high * r_high <= 128
    assert r_low < r_high  # a lower threshold needs shorter bands


def test_oversized_bucket_becomes_a_star() -> None:
    keys = np.zeros((10, 1), dtype=np.int64)  # one bucket of 10
    keys[9, 0] = 1  # … and a lone row
    pairs = {tuple(p) for p in candidate_pairs(keys, max_bucket=4).tolist()}
    assert pairs == {(0, j) for j in range(1, 9)}  # linear: the first member with each other one
    assert len(candidate_pairs(keys, max_bucket=64)) == 9 * 8 // 2


@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_lsh_params_equal_datasketch(num_perm: int) -> None:
    from datasketch.lsh import _optimal_param

    for t in (0.1, 0.15, 0.2, 0.3, 0.35, 0.5, 0.6, 0.7, 0.8, 0.9):
        assert lsh_params(t, num_perm) == tuple(int(x) for x in _optimal_param(t, num_perm, 0.5, 0.5)), t
