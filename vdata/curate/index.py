"""Near-neighbour search over 64-bit hashes without all-pairs comparison, and clusters by union-find.

`near_pairs` finds the pairs of distinct hash values within `max_distance` bits by bit-sampling LSH: `tables`
hash tables, each keyed by `bits` bit positions drawn with a fixed seed; values that share a key in any table are
candidates, and each candidate pair is checked exactly. Equal values are merged first (`unique`), so the
same keyframe stored under many samples costs one entry. Work is O(n * tables) plus the candidates. Two values
`d` bits apart share a table's key with probability p = C(64 - d, bits) / C(64, bits), so the chance to find
them is 1 - (1 - p) ** tables; with the defaults (24 bits, 64 tables) per keyframe pair: d <= 4: 1.00, d = 6:
0.97, d = 8: 0.67, d = 10: 0.30. Samples share several keyframes, and two samples need only `min_shared`
found pairs (`vdata.curate.keyframes`), so samples are found far more surely than single pairs
(`benchmarks/bench_curate.py`: recall 1.000 on generated near-duplicates). Two unrelated values (d ~ 32) are
candidates with probability about tables / 2 ** bits = 4e-6, so the candidates stay a small multiple of n
up to about a million keyframes, and the cost grows about linearly (x10.8 from 10k to 100k samples there).
"""

from __future__ import annotations

import numpy as np

from vdata.curate.phash import hamming

#: Defaults of `near_pairs` (bit positions per key, number of tables): see the module docstring.
BITS, TABLES = 24, 64


def unique(values: np.ndarray, inverse: bool = True) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """(sorted distinct values, index of each input's value among them or None without `inverse`, count of
    each) by one sort: what `np.unique(..., return_inverse=True, return_counts=True)` returns, without its hash
    table (numpy 2.4's is two orders of magnitude slower than a sort on millions of 64-bit keys).

    >>> [a.tolist() for a in unique(np.array([5, 3, 5]))]
    [[3, 5], [1, 0, 1], [1, 2]]
    """
    order = np.argsort(values) if inverse else None
    ordered = values[order] if order is not None else np.sort(values)
    first = np.ones(len(values), bool)
    first[1:] = ordered[1:] != ordered[:-1]
    where = None
    if order is not None:
        where = np.empty(len(values), np.int64)
        where[order] = np.cumsum(first) - 1
    starts = np.nonzero(first)[0]
    return ordered[first], where, np.diff(np.append(starts, len(values)))


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
    pairs = unique(np.concatenate(found), inverse=False)[0]
    i, j = pairs // n, pairs % n
    close = hamming(values[i], values[j]) <= max_distance
    return i[close], j[close]


def _same_key_pairs(key: np.ndarray) -> np.ndarray:
    """Pairs (as i * n + j, i < j) of indices with equal `key` (< 2 ** 32), found in the sorted order (O(n) per
    step, one step per extra member of the largest group). Key and index are packed into one uint64 and
    sorted (a plain sort is several times faster than an argsort)."""
    n = len(key)
    packed = np.sort((key.astype(np.uint64) << np.uint64(32)) | np.arange(n, dtype=np.uint64))
    sorted_key, order = packed >> np.uint64(32), (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)
    out = []
    alive = np.arange(n - 1)
    step = 1
    while len(alive):
        alive = alive[alive + step < n]
        alive = alive[sorted_key[alive] == sorted_key[alive + step]]
        a, b = order[alive], order[alive + step]
        out.append(np.minimum(a, b) * n + np.maximum(a, b))
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
