"""Verification: score each teacher candidate with the rewards, decide which pass, build the output rows."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vdata import rewards
from vdata.schemas import parse_meta
from vdata.tasks import extract_think

REJECTED_SPLIT = "rejected"


@dataclass(frozen=True)
class Candidate:
    """One teacher completion and its verdict.

    `reward` is the weighted mean of the verifier rewards (a None reward counts as 0; in [0, 1] when every
    reward is), `rewards` each reward's own value (None = not applicable), `passed` whether `reward` reached
    the task's threshold.
    """

    index: int
    text: str
    reward: float
    rewards: dict[str, float | None]
    passed: bool

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "reward": self.reward, "rewards": self.rewards, "passed": self.passed}


class Verifier:
    """Scores completions with `verify` ((reward name, weight), ...) and applies per-task thresholds."""

    def __init__(self, verify: Sequence[tuple[str, float]], threshold: float, task_thresholds: Mapping[str, float]):
        self.names = [name for name, _ in verify]
        self.fns = [rewards.get(name) for name in self.names]  # unknown names fail here, at start-up
        total = sum(w for _, w in verify)
        self.weights = [w / total for _, w in verify]
        self.threshold = threshold
        self.task_thresholds = dict(task_thresholds)

    def threshold_for(self, task: str) -> float:
        return self.task_thresholds.get(task, self.threshold)

    def judge(self, texts: Sequence[str], sample: Mapping[str, Any]) -> list[Candidate]:
        """One `Candidate` per text, in order, each judged against `sample` (a schema-v1 row)."""
        threshold = self.threshold_for(sample["task"])
        out = []
        for i, text in enumerate(texts):
            values = {name: fn(text, sample) for name, fn in zip(self.names, self.fns, strict=True)}
            total = rewards.weighted_sum(list(values.values()), self.weights)
            out.append(Candidate(i, text, round(total, 6), values, total >= threshold))
        return out


def select(candidates: Sequence[Candidate], keep: str) -> list[Candidate]:
    """The passing candidates to keep: `best` = the one with the highest reward (the first on ties),
    `all` = every passing one, in candidate order. Empty when none passed."""
    passing = [c for c in candidates if c.passed]
    if keep == "all" or not passing:
        return passing
    return [max(passing, key=lambda c: (c.reward, -c.index))]


def output_rows(
    row: Mapping[str, Any], candidates: Sequence[Candidate], keep: str, keep_rejected: bool, run: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The rows to write for one input row.

    Kept candidates become rows with `cot` (the `<think>` part) and `meta.distill` = the run info in `run`,
    the full teacher `response`, the `candidate` index and every candidate's rewards. With `keep="all"` ids
    become `ID-k` (k = candidate index) and `meta.distill.source_id` keeps `ID`. When none
    passed and `keep_rejected`, the best-scoring candidate goes to split `rejected` (`meta.distill.split`
    keeps the original split); otherwise there is no row.
    """
    kept = select(candidates, keep)
    base_meta = parse_meta(row.get("meta"))
    summary = [c.to_json() for c in candidates]
    if not kept:
        if not keep_rejected or not candidates:
            return []
        best = max(candidates, key=lambda c: (c.reward, -c.index))
        info = {**run, "response": best.text, "candidate": best.index, "candidates": summary,
                "passed": False, "split": row["split"]}
        return [{**row, "split": REJECTED_SPLIT, "cot": extract_think(best.text),
                 "meta": json.dumps({**base_meta, "distill": info})}]
    out = []
    for c in kept:
        info = {**run, "response": c.text, "candidate": c.index, "candidates": summary, "passed": True}
        new_id = row["id"] if keep == "best" else f"{row['id']}-{c.index}"
        if new_id != row["id"]:
            info["source_id"] = row["id"]
        out.append({**row, "id": new_id, "cot": extract_think(c.text), "meta": json.dumps({**base_meta, "distill": info})})
    return out
