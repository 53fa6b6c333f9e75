"""Rows for training: reading a split, the SFT target text, the order rows are seen in. No torch here."""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vdata import tasks
from vdata.errors import ConfigError
from vdata.schemas import parse_meta
from vdata.shards import iter_rows
from vdata.tasks import extract_answer, format_response

logger = logging.getLogger(__name__)

def load_rows(data: Path, split: str) -> list[dict[str, Any]]:
    """Every row of `split` in the built dataset at `data`, frames included; an empty split raises."""
    rows = list(iter_rows(data, split=split))
    if not rows:
        raise ConfigError(f"--data {data}: no rows in split {split!r} (is it a built vdata dataset?)")
    return rows


def answer_text(row: Mapping[str, Any]) -> str | None:
    """The text that goes inside `<answer>` for a row: when `meta.distill` kept a teacher response, the answer
    the verifier judged in it (`vdata.tasks.extract_answer`: the last `<answer>` block, the one the rewards
    read); else the gold, written by the row's task (`Task.target`); None when there is none.

    >>> response = "<think>..</think><answer>A</answer> wait, re-check. <answer>B</answer>"
    >>> answer_text({"task": "multiple_choice", "answer": "B", "meta": {"distill": {"response": response}}})
    'B'
    """
    distilled = parse_meta(row.get("meta")).get("distill")
    response = distilled.get("response") if isinstance(distilled, dict) else None
    if isinstance(response, str) and (answer := extract_answer(response)):
        return answer
    task = row.get("task")
    return tasks.get(task).target(row) if task in tasks.names() else None


def sft_target(row: Mapping[str, Any]) -> str | None:
    """The assistant turn SFT learns: `<think>{cot}</think>\\n<answer>{answer}</answer>`; None without either.

    >>> sft_target({"task": "multiple_choice", "options": ["red", "blue"], "cot": "at 2.0s it turns blue", "answer": "B"})
    '<think>at 2.0s it turns blue</think>\\n<answer>B</answer>'
    """
    cot = (row.get("cot") or "").strip()
    answer = answer_text(row)
    if not cot or answer is None:
        return None
    return format_response(cot, answer)


def sft_rows(rows: Sequence[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """(row, target) for every row that has a target; rows without `cot` or an answer are skipped and counted."""
    pairs = [(row, target) for row in rows if (target := sft_target(row)) is not None]
    if not pairs:
        raise ConfigError("no row has both `cot` and an answer; distill the dataset first (vdata distill)")
    if len(pairs) < len(rows):
        logger.warning("skipped %d of %d rows without cot or answer", len(rows) - len(pairs), len(rows))
    return pairs


def batch_indices(num_rows: int, batch_size: int, step: int, seed: int) -> list[int]:
    """Row indices of optimizer step `step` (0-based): epochs are seeded permutations laid end to end.

    A pure function of its arguments, so a resumed run sees the same rows as an uninterrupted one.

    >>> batch_indices(4, 3, 0, 0) + batch_indices(4, 3, 1, 0) == batch_indices(4, 6, 0, 0)
    True
    """
    out = []
    for position in range(step * batch_size, (step + 1) * batch_size):
        epoch, offset = divmod(position, num_rows)
        order = list(range(num_rows))
        random.Random(f"{seed}-{epoch}").shuffle(order)
        out.append(order[offset])
    return out


def shuffled_order(num_frames: int, key: str) -> list[int]:
    """A seeded permutation of frame positions that moves at least one frame when there are two or more.

    >>> sorted(shuffled_order(5, "x")) == list(range(5)) and shuffled_order(5, "x") != list(range(5))
    True
    """
    order = list(range(num_frames))
    random.Random(key).shuffle(order)
    if num_frames > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    return order
