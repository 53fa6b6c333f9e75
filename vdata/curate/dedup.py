"""`vdata curate dedup`: exact and near-duplicate videos across datasets, one sample kept per cluster.

Keyframes are hashed and matched as `vdata.curate.keyframes` states (a re-encode, a resize, a crop of a few
pixels and a clip cut from a longer video all match; default: keyframes within 8 of 64 bits, 2 shared). Matching
samples are joined into clusters (transitively, union-find). With `by="sample"` (default) a cluster is further
split by task and question (lower-cased words, punctuation dropped) and options, so several questions about one
video all stay and only repeated samples go; `by="video"` keeps one sample per video. The sample kept is the
first by `prefer`:

- `source-order`: the first in the order the inputs were given (then row order);
- `longest`: the longest clip (`clip_end_s - clip_start_s`), then source order;
- `most-frames`: the most keyframes, then source order;
- `largest`: the largest original frame (`width * height`), then source order.

Report columns: `cluster` (number, shared by the members; null for a sample with no duplicate), `cluster_size`,
`duplicate_of` (the kept sample's input and id), `match` (`exact`: the same keyframe hashes as the kept one;
`near`), `error` (keyframes that could not be decoded: the sample is kept and left out of matching).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from vdata.curate.base import Context, Decision, Key, Step, register
from vdata.curate.index import BITS, TABLES, UnionFind
from vdata.curate.keyframes import MAX_DISTANCE, MIN_SHARED, exact_groups, hash_samples, matching_pairs
from vdata.errors import ConfigError
from vdata.tasks.text import word_tokens

PREFER = ("source-order", "longest", "most-frames", "largest")
BY = ("sample", "video")
COLUMNS = ["id", "task", "question", "options", "frames", "clip_start_s", "clip_end_s", "width", "height"]


@dataclass(frozen=True)
class DedupOptions:
    """`max_distance`: bits (0-64) within which two keyframe hashes match; `min_shared`: keyframes two samples
    must share (fewer when a sample has fewer); `prefer`: which sample of a cluster stays (`PREFER`); `by`:
    `sample` or `video` (`BY`); `bits`, `tables`: the LSH index (`vdata.curate.index`)."""

    max_distance: int = MAX_DISTANCE
    min_shared: int = MIN_SHARED
    prefer: str = "source-order"
    by: str = "sample"
    bits: int = BITS
    tables: int = TABLES

    def __post_init__(self) -> None:
        if not 0 <= self.max_distance <= 32:
            raise ConfigError(f"--max-distance must be in 0-32 bits, got {self.max_distance}")
        if self.min_shared < 1:
            raise ConfigError(f"--min-shared must be >= 1, got {self.min_shared}")
        if self.prefer not in PREFER:
            raise ConfigError(f"--prefer must be one of {', '.join(PREFER)}, got {self.prefer!r}")
        if self.by not in BY:
            raise ConfigError(f"--by must be one of {', '.join(BY)}, got {self.by!r}")
        if not (8 <= self.bits <= 32 and 1 <= self.tables <= 256):
            raise ConfigError(f"index: bits in 8-32 and tables in 1-256, got {self.bits}, {self.tables}")


def question_key(row: dict[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    """What makes two samples of one video the same sample: task, normalised question, normalised options.

    >>> question_key({"task": "free_form", "question": "What is it?", "options": None})
    ('free_form', 'what is it', ())
    """
    def norm(text: str | None) -> str:
        return " ".join(word_tokens(text or "", lowercase=True, strip_punctuation=True))

    return row["task"], norm(row.get("question")), tuple(norm(o) for o in row.get("options") or ())


@register("dedup")
class Dedup(Step):
    """Near-duplicate videos across the inputs (see the module docstring)."""

    max_inputs = 64
    report_schema = pa.schema([("cluster", pa.int64()), ("cluster_size", pa.int32()), ("duplicate_of", pa.string()),
                               ("match", pa.string()), ("error", pa.string())])

    def code(self) -> list[type]:
        from vdata.curate.index import UnionFind
        from vdata.curate.keyframes import Hashes

        return [type(self), UnionFind, Hashes]

    def decide(self, context: Context) -> tuple[dict[Key, Decision], dict[str, Any]]:
        opts: DedupOptions = self.options
        keys: list[Key] = []
        info: list[dict[str, Any]] = []
        total = context.count()

        def rows() -> Any:
            for key, row in context.meta(COLUMNS):
                keys.append(key)
                info.append({"task": row["task"], "question": row["question"], "options": row["options"],
                             "length_s": row["clip_end_s"] - row["clip_start_s"], "frames": len(row["frames"]),
                             "pixels": row["width"] * row["height"]})
                if len(keys) % 64 == 0:
                    context.progress("hash keyframes", len(keys), total)
                yield row

        hashes = hash_samples(rows())
        context.progress("hash keyframes", len(keys), total)
        n = len(keys)
        union = UnionFind(n)
        group = exact_groups(hashes)
        first: dict[int, int] = {}
        for s, g in enumerate(group.tolist()):
            if s in hashes.errors or hashes.counts[s] == 0:
                continue
            union.union(first.setdefault(g, s), s)
        pairs = matching_pairs(hashes, group, opts.max_distance, opts.min_shared, bits=opts.bits, tables=opts.tables)
        for a, b, _ in pairs:
            union.union(a, b)
        clusters: dict[Any, list[int]] = {}
        for s in range(n):
            if s in hashes.errors:
                continue
            sub = question_key(info[s]) if opts.by == "sample" else ()
            clusters.setdefault((union.root(s), sub), []).append(s)
        rank = _rank(opts.prefer, keys, info)
        decisions: dict[Key, Decision] = {}
        number = 0
        exact = near = 0
        sizes = []
        for members in clusters.values():
            if len(members) == 1:
                continue
            kept = min(members, key=rank)
            kept_hashes = hashes.of(kept)
            sizes.append(len(members))
            for s in members:
                report = {"cluster": number, "cluster_size": len(members)}
                if s == kept:
                    decisions[keys[s]] = Decision(True, "", report=report)
                    continue
                match = "exact" if np.array_equal(hashes.of(s), kept_hashes) else "near"
                exact, near = exact + (match == "exact"), near + (match == "near")
                of = f"{context.inputs[keys[kept][0]]}:{keys[kept][1]}"
                decisions[keys[s]] = Decision(False, f"duplicate: of {keys[kept][1]} ({match})",
                                              report={**report, "duplicate_of": of, "match": match})
            number += 1
        for s, key in enumerate(keys):
            if key not in decisions:
                error = hashes.errors.get(s)
                decisions[key] = Decision(True, f"error: {error}" if error else "", report={"error": error})
        summary = {"samples": n, "clusters": number, "largest_cluster": max(sizes, default=0),
                   "duplicates_dropped": exact + near, "exact": exact, "near": near,
                   "frames_hashed": len(hashes.frame_hash), "unreadable": len(hashes.errors),
                   "matching_pairs": len(pairs)}
        return decisions, summary


def _rank(prefer: str, keys: list[Key], info: list[dict[str, Any]]) -> Any:
    """Sort key of a sample index: smaller is kept first."""
    if prefer == "longest":
        return lambda s: (-info[s]["length_s"], s)
    if prefer == "most-frames":
        return lambda s: (-info[s]["frames"], s)
    if prefer == "largest":
        return lambda s: (-info[s]["pixels"], s)
    return lambda s: s
