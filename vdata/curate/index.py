"""Near-neighbour search over 64-bit hashes without all-pairs comparison, and clusters by union-find.

`near_pairs` finds the pairs of distinct hash values within `max_distance` bits by bit-sampling LSH: `tables`
hash tables, each keyed by `bits` bit positions drawn with a fixed seed; values that share a key in any table are
candidates, and each candidate pair is checked exactly. Equal values are merged first (`np.unique`), so the
same keyframe stored under many samples costs one entry. Work is O(n * tables) plus the candidates. Two values
`d` bits apart share a table's key with probability p = C(64 - d, bits) / C(64, bits), so the chance to find
them is 1 - (1 - p) ** tables; with the defaults (20 bits, 32 tables) per keyframe pair: d <= 4: 1.00, d = 6:
0.96, d = 8: 0.73, d = 10: 0.41. Samples share several keyframes, and two samples need only `min_shared`
found pairs (`vdata.curate.keyframes`), so samples are found far more surely than single pairs; two unrelated
values (d ~ 32) are candidates with probability about tables / 2 ** bits = 3e-5, which keeps the candidates
a small multiple of n up to about a million keyframes.
"""

from __future__ import annotations

import numpy as np

from vdata.curate.phash import hamming

#: Defaults of `near_pairs` (bit positions per key, number of tables): see the module docstring.
BITS, TABLES = 20, 32


def near_pairs(values: np.ndarray, max_distance: int, bits: int = BITS, tables: int = TABLES,
               seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j), i < j, of `values` (distinct uint64) within `max_distance` bits, each pair once.

    >>> v = np.array([0b1011, 0b1010, 2**63], dtype=np.uint64)
    >>> [a.tolist() for a in near_pairs(v, 1)]
    [[0], [1]]
    """
    n = len(values)
    rng = np.random.default_rng(seed)
    found: list[np.ndarray] = []
    for _ in range(tables if max_distance > 0 else 0):
        positions = rng.choice(64, size=bits, replace=False).astype(np.uint64)
        key = np.zeros(n, np.uint64)
        for b, p in enumerate(positions):
            key |= ((values >> p) & np.uint64(1)) << np.uint64(b)
        found.append(_same_key_pairs(key))
    if not found:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    pairs = np.unique(np.concatenate(found))
    i, j = pairs // n, pairs % n
    close = hamming(values[i], values[j]) <= max_distance
    return i[close], j[close]


def _same_key_pairs(key: np.ndarray) -> np.ndarray:
    """Pairs (as i * n + j, i < j) of indices with equal `key`, found in the sorted order (O(n) per step,
    one step per extra member of the largest group)."""
    n = len(key)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    out = []
    alive = np.arange(n - 1)
    step = 1
    while len(alive):
        alive = alive[alive + step < n]
        alive = alive[sorted_key[alive] == sorted_key[alive + step]]
        a, b = order[alive], order[alive + step]
        out.append(np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b))
        step += 1
    return np.concatenate(out) if out else np.empty(0, np.int64)


class UnionFind:
    """Disjoint sets over 0..n-1 with path halving; `root(i)` names i's set by its smallest member."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def root(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
