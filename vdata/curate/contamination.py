"""`vdata curate contamination`: training samples whose video or question appears in benchmark datasets.

A training sample matches a benchmark sample (a dataset built by vdata, `against`) by:

- `video_id`: the same `video_id` string;
- `frames`: keyframes, by the rule of `vdata.curate.keyframes` (pHashes within `max_distance` bits, at least
  `min_shared` shared): a re-encode, resize or small crop of the benchmark video, or a clip cut from it;
- `question`: word n-grams (lower-cased, punctuation dropped; default n = 8): the share of the training
  question's n-grams found in one benchmark question reaches `question_threshold` (default 0.5). A question
  shorter than n words is one n-gram: the whole question, so it matches only an identical question. Templated
  questions ("What colour is the background?") match across datasets by design: leave `question` out of
  `match` for such corpora.

`match` chooses the kinds (default all three). The report lists every pair in `matches` (a list of `{bench, id,
kind}`; `SELECT id, unnest(matches) FROM 'OUT/curate-contamination.parquet'`), the kinds in `matched_by`, the
best question overlap and the shared keyframes. With `drop` the matched samples are left out of the output (reason
`contaminated`); without it every sample is kept and only the report says which are contaminated.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from vdata.curate.base import Context, Decision, Key, Step, register
from vdata.curate.index import BITS, TABLES
from vdata.curate.keyframes import MAX_DISTANCE, MIN_SHARED, exact_groups, hash_samples, matching_pairs
from vdata.errors import ConfigError
from vdata.shards import iter_rows, read_manifest
from vdata.tasks.text import word_tokens

MATCH_KINDS = ("video_id", "frames", "question")
#: Benchmark samples listed per n-gram in the question index (bounds memory on templated questions).
MAX_POSTINGS = 64
#: Pairs listed per training sample in the report.
MAX_PAIRS = 20
COLUMNS = ["id", "video_id", "question", "frames"]


def ngrams(text: str | None, n: int) -> set[tuple[str, ...]]:
    """The word n-grams of a question (lower-cased, punctuation dropped); a shorter question is one gram.

    >>> sorted(ngrams("Where is the red cup?", 3))
    [('is', 'the', 'red'), ('the', 'red', 'cup'), ('where', 'is', 'the')]
    >>> ngrams("What is it?", 8)
    {('what', 'is', 'it')}
    """
    words = word_tokens(text or "", lowercase=True, strip_punctuation=True)
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


@dataclass(frozen=True)
class ContaminationOptions:
    """`against`: benchmark datasets; `match`: kinds of match (`MATCH_KINDS`); `ngram`: words per n-gram (>= 1);
    `question_threshold`: share of the training question's n-grams, in (0, 1]; `max_distance`, `min_shared`:
    keyframe matching (`vdata.curate.keyframes`); `drop`: leave matched samples out of the output."""

    against: tuple[Path, ...]
    match: tuple[str, ...] = MATCH_KINDS
    ngram: int = 8
    question_threshold: float = 0.5
    max_distance: int = MAX_DISTANCE
    min_shared: int = MIN_SHARED
    drop: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "against", tuple(Path(p).expanduser().resolve() for p in self.against))
        if not self.against:
            raise ConfigError("--against: give at least one benchmark dataset")
        for root in self.against:
            read_manifest(root)  # a finished dataset, or a one-line error naming it
        unknown = [m for m in self.match if m not in MATCH_KINDS]
        if unknown or not self.match:
            raise ConfigError(f"--match: kinds from {', '.join(MATCH_KINDS)}, got {','.join(self.match) or 'none'}")
        if self.ngram < 1 or not 0 < self.question_threshold <= 1:
            raise ConfigError(f"--ngram >= 1 and --question-threshold in (0, 1] required, got {self.ngram}, "
                              f"{self.question_threshold}")
        if not 0 <= self.max_distance <= 32 or self.min_shared < 1:
            raise ConfigError(f"--max-distance in 0-32 and --min-shared >= 1, got {self.max_distance}, "
                              f"{self.min_shared}")


@register("contamination")
class Contamination(Step):
    """Overlap of a training dataset with benchmark datasets (see the module docstring)."""

    report_schema = pa.schema([
        ("matched_by", pa.string()),
        ("matches", pa.list_(pa.struct([("bench", pa.string()), ("id", pa.string()), ("kind", pa.string())]))),
        ("question_overlap", pa.float64()), ("frames_shared", pa.int32()),
    ])

    def code(self) -> list[type]:
        from vdata.curate.keyframes import Hashes

        return [type(self), Hashes]

    def decide(self, context: Context) -> tuple[dict[Key, Decision], dict[str, Any]]:
        opts: ContaminationOptions = self.options
        train: list[dict[str, Any]] = []
        bench: list[dict[str, Any]] = []
        total = context.count()

        def read(rows: Any, into: list[dict[str, Any]], name: str) -> Any:
            for row in rows:
                into.append({"id": row["id"], "video_id": row["video_id"], "question": row["question"], "bench": name})
                if len(into) % 64 == 0:
                    context.progress("hash keyframes", len(train) + len(bench), total)
                yield row

        def every_row() -> Any:
            yield from read((row for _, row in context.meta(COLUMNS)), train, "")
            for root in opts.against:
                yield from read(iter_rows(root, columns=COLUMNS), bench, str(root))

        found: dict[int, dict[tuple[str, str], set[str]]] = {}  # train index -> (bench, id) -> kinds

        def add(t: int, b: int, kind: str) -> None:
            found.setdefault(t, {}).setdefault((bench[b]["bench"], bench[b]["id"]), set()).add(kind)

        shared: dict[int, int] = {}
        if "frames" in opts.match:
            hashes = hash_samples(every_row())
            self._frames(hashes, len(train), add, shared)
        else:
            for _ in every_row():
                pass
        if "video_id" in opts.match:
            by_video: dict[str, list[int]] = {}
            for b, row in enumerate(bench):
                by_video.setdefault(row["video_id"], []).append(b)
            for t, row in enumerate(train):
                for b in by_video.get(row["video_id"], [])[:MAX_PAIRS]:
                    add(t, b, "video_id")
        overlap = self._questions(train, bench, add) if "question" in opts.match else {}
        decisions: dict[Key, Decision] = {}
        kinds: Counter[str] = Counter()
        for t, row in enumerate(train):
            pairs = found.get(t, {})
            by = sorted({k for ks in pairs.values() for k in ks})
            kinds.update(by)
            report = {"matched_by": ",".join(by) or None, "question_overlap": overlap.get(t), "frames_shared": shared.get(t),
                      "matches": [{"bench": b, "id": i, "kind": ",".join(sorted(k))}
                                  for (b, i), k in list(pairs.items())[:MAX_PAIRS]] or None}
            reason = ""
            if pairs:
                b, i = next(iter(pairs))
                reason = f"contaminated: {','.join(by)} with {b}:{i}"
            decisions[(0, row["id"])] = Decision(not (pairs and opts.drop), reason, report=report)
        summary = {"samples": len(train), "benchmark_samples": len(bench), "contaminated": len(found),
                   "by_kind": dict(sorted(kinds.items())), "ngram": opts.ngram,
                   "question_threshold": opts.question_threshold}
        return decisions, summary

    def _frames(self, hashes: Any, n_train: int, add: Any, shared: dict[int, int]) -> None:
        """Train-benchmark pairs with shared keyframes (indices >= n_train are benchmark samples)."""
        opts: ContaminationOptions = self.options
        group = exact_groups(hashes)
        members: dict[int, list[int]] = {}
        for s, g in enumerate(group.tolist()):
            if hashes.counts[s]:
                members.setdefault(g, []).append(s)

        def link(sides: list[int], count: int) -> None:
            trains = [s for s in sides if s < n_train]
            for t in trains:
                for b in [s for s in sides if s >= n_train][:MAX_PAIRS]:
                    add(t, b - n_train, "frames")
                    shared[t] = max(shared.get(t, 0), count)

        for same in members.values():
            link(same, hashes.counts[same[0]])
        for a, b, count in matching_pairs(hashes, group, opts.max_distance, opts.min_shared, BITS, TABLES):
            link(members[group[a]] + members[group[b]], count)

    def _questions(self, train: list[dict[str, Any]], bench: list[dict[str, Any]], add: Any) -> dict[int, float]:
        """Train index -> best n-gram overlap with one benchmark question, for those at or above the threshold."""
        opts: ContaminationOptions = self.options
        index: dict[tuple[str, ...], list[int]] = {}
        for b, row in enumerate(bench):
            for gram in ngrams(row["question"], opts.ngram):
                postings = index.setdefault(gram, [])
                if len(postings) < MAX_POSTINGS:
                    postings.append(b)
        out = {}
        for t, row in enumerate(train):
            grams = ngrams(row["question"], opts.ngram)
            hits: Counter[int] = Counter(b for gram in grams for b in index.get(gram, ()))
            for b, count in hits.most_common(MAX_PAIRS):
                share = count / len(grams)
                if share < opts.question_threshold:
                    break
                out[t] = max(out.get(t, 0.0), share)
                add(t, b, "question")
        return out
