"""Near-identical families: a formula and its variants as one group, matched in linear time.

A closing formula (欢迎广大干部群众对…监督, with 若有/如有, 我单位/我局, 请向/请及时向) is written a
little differently in hundreds of notices.  Every variant is similar to every other, so the
verified pairs grow with the square of the corpus.  A family gathers such variants: the
connected components of the verified near-identical edges (containment is not near-identity),
cut by leader clustering so that every member is verified against the family's leader, the
most frequent wording.  A family with more than ``max_family`` occurrences is reported as a star
(each occurrence with the representative) instead of all its pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simtool.match.verify import pair_scores

MAX_LEADER_ROUNDS = 32  # leaders tried per component; what is left after them stays ordinary


@dataclass(frozen=True, slots=True)
class Families:
    """Families over distinct texts: ``leader[t]`` is the family's leader text (-1: no family) and
    ``score[t]`` the similarity of text ``t`` to it (1.0 for the leader)."""

    leader: np.ndarray
    score: np.ndarray

    def members(self) -> dict[int, np.ndarray]:
        """Each leader's member texts (the leader first, then by index)."""
        idx = np.flatnonzero(self.leader >= 0)
        out: dict[int, np.ndarray] = {}
        if not len(idx):
            return out
        order = idx[np.lexsort((idx, idx != self.leader[idx], self.leader[idx]))]
        leaders = self.leader[order]
        cuts = np.flatnonzero(np.diff(leaders)) + 1
        for group in np.split(order, cuts):
            out[int(self.leader[group[0]])] = group
        return out


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected-component label of each node under edges ``(a, b)``: the smallest node index in its component.

    >>> components(5, np.array([0, 3]), np.array([2, 4])).tolist()
    [0, 1, 0, 3, 3]
    """
    lab = np.arange(n, dtype=np.int64)
    while True:  # min-label propagation onto the roots, then pointer jumping: a few rounds for real graphs
        la, lb = lab[a], lab[b]
        m = np.minimum(la, lb)
        new = lab.copy()
        np.minimum.at(new, la, m)
        np.minimum.at(new, lb, m)
        while True:
            nxt = new[new]
            if np.array_equal(nxt, new):
                break
            new = nxt
        if np.array_equal(new, lab):
            return lab
        lab = new


def find_families(
    texts: Sequence[str], sizes: np.ndarray, i: np.ndarray, j: np.ndarray, min_sim: float, max_family: int
) -> Families:
    """Families of the distinct ``texts`` (occurring ``sizes`` times) joined by near-identical edges ``(i, j)``.

    Only a component with more than ``max_family`` occurrences is cut into families: its texts in
    order of frequency, each leader takes every remaining text similar to it (≥ ``min_sim``).
    An identical text occurring more than ``max_family`` times is a family by itself.
    """
    n = len(texts)
    leader = np.full(n, -1, dtype=np.int64)
    score = np.zeros(n)
    label = components(n, i, j)
    total = np.bincount(label, weights=sizes, minlength=n)
    big = np.flatnonzero(total > max_family)
    if not len(big):
        return Families(leader, score)
    in_big = np.isin(label, big)
    nodes = np.flatnonzero(in_big)
    nodes = nodes[np.lexsort((nodes, -sizes[nodes], label[nodes]))]
    cuts = np.flatnonzero(np.diff(label[nodes])) + 1
    for comp in np.split(nodes, cuts):
        _lead(texts, sizes, comp, min_sim, max_family, leader, score)
    return Families(leader, score)


def _lead(
    texts: Sequence[str],
    sizes: np.ndarray,
    comp: np.ndarray,
    min_sim: float,
    max_family: int,
    leader: np.ndarray,
    score: np.ndarray,
) -> None:
    """Leader clustering of one component (``comp`` sorted by frequency), written into ``leader``/``score``."""
    rest = comp
    for _ in range(MAX_LEADER_ROUNDS):
        if len(rest) == 0 or int(sizes[rest].sum()) <= max_family:
            return
        head, others = int(rest[0]), rest[1:]
        sims = pair_scores([texts[head]] * len(others), [texts[k] for k in others.tolist()], min_sim)
        joined = others[sims > 0]
        if int(sizes[head]) + int(sizes[joined].sum()) > max_family:
            leader[head], score[head] = head, 1.0
            leader[joined], score[joined] = head, np.round(sims[sims > 0], 4)
        rest = others[sims <= 0]


def with_containment_hubs(
    fams: Families, lengths: np.ndarray, sizes: np.ndarray, i: np.ndarray, j: np.ndarray, max_family: int
) -> Families:
    """``fams`` plus a one-text family for every text outside families that is contained in so many
    places that its occurrences and its containers number more than ``max_family``.

    A formula clause (参加江苏代表团审议时的重要讲话精神) written into hundreds of different longer
    sentences is not near-identical to them, so it forms no family, yet every occurrence of it would be
    paired with every container: the pairs grow with the square of its use.  As a family, it is drawn as
    a star (each container with its representative), like any other formula.  ``(i, j)`` are the
    containment edges among the distinct texts.

    >>> f = Families(np.full(3, -1), np.zeros(3))
    >>> with_containment_hubs(f, np.array([5, 20, 30]), np.array([2, 1, 1]), np.array([0, 0]), np.array([1, 2]), 3).leader.tolist()
    [0, -1, -1]
    """
    short = np.where(lengths[i] <= lengths[j], i, j)
    long_ = np.where(lengths[i] <= lengths[j], j, i)
    plain = fams.leader[long_] < 0  # a container in a family is paired with one member of it
    places = sizes + np.bincount(short[plain], weights=sizes[long_[plain]], minlength=len(sizes)).astype(np.int64)
    hub = (places > max_family) & (fams.leader < 0)
    if not hub.any():
        return fams
    leader, score = fams.leader.copy(), fams.score.copy()
    leader[hub] = np.flatnonzero(hub)
    score[hub] = 1.0
    return Families(leader, score)
