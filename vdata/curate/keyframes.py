"""Keyframe hashes of whole datasets and which samples share near-identical keyframes (dedup, contamination).

`hash_samples` reads every sample's stored keyframes once and keeps their 64-bit pHashes (`vdata.curate.phash`),
leaving out flat frames (black, one colour: they carry no content and would match each other). `matching_pairs`
finds the sample pairs that share keyframes: two keyframes match when their hashes are within `max_distance`
bits (found through the LSH index of `vdata.curate.index`, never all pairs); for a pair of samples a and b,
`m_ab` counts the keyframes of a that match some keyframe of b. The pair shows the same video when

    max(m_ab, m_ba) >= min(min_shared, n_a, n_b)   and   min(m_ab, m_ba) >= 1

(n = a sample's hashed keyframes): a 2-second clip cut from a longer video has most of its keyframes in the
longer one, while the longer video has only the one or two keyframes that fall inside the clip's window; a
re-encode, resize or small crop matches nearly every keyframe both ways. Samples whose hashes are all equal are
one group before indexing, so many questions over the same clip cost one index entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vdata.curate.index import BITS, TABLES, near_pairs, unique
from vdata.curate.phash import flat, phash, thumbnails

#: Defaults: bits of 64 within which two keyframes match, and keyframes two samples must share.
MAX_DISTANCE, MIN_SHARED = 8, 2


@dataclass
class Hashes:
    """Keyframe hashes of many samples: `frame_sample[f]` is the sample (0-based, in the order read) of hashed
    frame f and `frame_hash[f]` its pHash; `counts[s]` hashed frames of sample s; `errors[s]` why sample s
    could not be hashed (absent when it could)."""

    frame_sample: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    frame_hash: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint64))
    counts: list[int] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)

    def of(self, sample: int) -> np.ndarray:
        """The sorted hashes of one sample."""
        return np.sort(self.frame_hash[self.frame_sample == sample])


def hash_samples(rows: Iterable[dict[str, Any]]) -> Hashes:
    """Hash the keyframes (`frames` column) of `rows`; a row whose frames cannot be decoded gets an error and
    no hashes."""
    samples: list[np.ndarray] = []
    hashes: list[np.ndarray] = []
    out = Hashes()
    for s, row in enumerate(rows):
        try:
            thumbs = thumbnails([f["bytes"] or b"" for f in row["frames"]])
        except OSError as e:
            out.errors[s] = f"unreadable keyframe: {e}"
            thumbs = np.empty((0, 32, 32), np.float32)
        kept = thumbs[~flat(thumbs)] if len(thumbs) else thumbs
        hashes.append(phash(kept) if len(kept) else np.empty(0, np.uint64))
        samples.append(np.full(len(kept), s, np.int64))
        out.counts.append(len(kept))
    if hashes:
        out.frame_sample, out.frame_hash = np.concatenate(samples), np.concatenate(hashes)
    return out


def exact_groups(h: Hashes) -> np.ndarray:
    """Group number of each sample: samples with the same multiset of hashes (at least one) share one; samples
    with no hash are alone."""
    keys: dict[bytes, int] = {}
    group = np.empty(len(h.counts), np.int64)
    order = np.argsort(h.frame_sample)
    starts = np.concatenate([[0], np.cumsum(h.counts)])
    sorted_hash = h.frame_hash[order]
    for s in range(len(h.counts)):
        values = np.sort(sorted_hash[starts[s]:starts[s + 1]])
        key = values.tobytes() if len(values) else f"none-{s}".encode()
        group[s] = keys.setdefault(key, len(keys))
    return group


def matching_pairs(h: Hashes, group: np.ndarray, max_distance: int = MAX_DISTANCE, min_shared: int = MIN_SHARED,
                   bits: int = BITS, tables: int = TABLES) -> list[tuple[int, int, int]]:
    """Pairs of samples (a < b) that show the same video by the rule of the module docstring, each with its
    number of shared keyframes `max(m_ab, m_ba)`. `group` is `exact_groups(h)`: only the first member of each
    group takes part (its other members have the same keyframes; the caller extends pairs to them)."""
    first = {}
    for s, g in enumerate(group.tolist()):
        first.setdefault(g, s)
    reps = np.array(sorted(first.values()), np.int64)
    keep = np.isin(h.frame_sample, reps)
    fs, fh = h.frame_sample[keep], h.frame_hash[keep]
    if not len(fh):
        return []
    values, inverse, counts = unique(fh)
    i, j = near_pairs(values, max_distance, bits, tables)
    selfs = np.nonzero(counts > 1)[0]
    us, vs = np.concatenate([i, j, selfs]), np.concatenate([j, i, selfs])
    fa, fb = _expand(inverse, counts, us, vs)
    sa, sb = fs[fa], fs[fb]
    cross = sa != sb
    sa, sb, fa = sa[cross], sb[cross], fa[cross]
    n = len(h.counts)
    frames = len(fh)
    matched = unique((sa * n + sb) * frames + fa, inverse=False)[0] // frames  # one entry per (a, b, frame of a)
    pair_keys, _, m = unique(matched, inverse=False)
    m_of = dict(zip(pair_keys.tolist(), m.tolist(), strict=True))
    out = []
    for key, m_ab in m_of.items():
        a, b = divmod(key, n)
        if a >= b:
            continue
        m_ba = m_of.get(b * n + a, 0)
        need = min(min_shared, h.counts[a], h.counts[b])
        if max(m_ab, m_ba) >= need and min(m_ab, m_ba) >= 1:
            out.append((a, b, max(m_ab, m_ba)))
    return out


def _expand(inverse: np.ndarray, counts: np.ndarray, us: np.ndarray, vs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every frame pair (fa, fb), fa != fb, whose hash values are a pair (us[k], vs[k])."""
    order = np.argsort(inverse)
    starts = np.concatenate([[0], np.cumsum(counts)])[:-1]
    cu, cv = counts[us], counts[vs]
    n = cu * cv
    rep = np.repeat(np.arange(len(us)), n)
    offset = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    fa = order[starts[us][rep] + offset // cv[rep]]
    fb = order[starts[vs][rep] + offset % cv[rep]]
    distinct = fa != fb
    return fa[distinct], fb[distinct]
