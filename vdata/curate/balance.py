"""`vdata curate balance`: caps per source, task, split or video, and a uniform position of the correct option.

Caps (`max_per`, e.g. `source=1000,task=500`): samples are visited in a seeded random order and one is kept
while every count it adds to stays within its cap, so which samples survive a cap is a seeded random choice,
not the first ones; the output keeps the input order.

`answer_letters="uniform"`: among the kept multiple-choice samples with n options, the correct option's new
position is dealt out evenly (each of the n positions `count // n` or one more times, in a seeded random order);
the correct option moves there, the other options keep their relative order, and `answer` becomes the new
position's letter. Which option is correct is read by the task layer (`vdata.tasks.multiple_choice.gold_option`:
a letter or an option's text), so the rewritten sample's gold target scores 1.0 with the `multiple_choice`
reward. `meta.balance = {"answer": the old answer, "option_order": old index of each new option}` keeps the
original. A sample whose gold names no option is kept unchanged, with reason `error` in the report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from vdata.curate.base import Context, Decision, Key, Step, register
from vdata.errors import ConfigError
from vdata.tasks.multiple_choice import LETTERS, gold_option

CAP_KEYS = ("source", "task", "split", "video_id")
LETTER_MODES = ("keep", "uniform")


def parse_caps(text: str) -> tuple[tuple[str, int], ...]:
    """`source=1000,task=500` -> ((`source`, 1000), (`task`, 500)); keys from `CAP_KEYS`, caps >= 1.

    >>> parse_caps("source=10, task=5")
    (('source', 10), ('task', 5))
    """
    caps = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep or key.strip() not in CAP_KEYS or not value.strip().isdigit() or int(value) < 1:
            raise ConfigError(f"--max-per {part!r}: expected KEY=N with KEY one of {', '.join(CAP_KEYS)} and N >= 1")
        caps.append((key.strip(), int(value)))
    return tuple(caps)


def reorder(options: list[str], gold: int, position: int) -> list[int]:
    """Old indices of the options in their new order: the gold option at `position`, the others in order.

    >>> reorder(["a", "b", "c", "d"], 2, 0)
    [2, 0, 1, 3]
    """
    others = [i for i in range(len(options)) if i != gold]
    return [*others[:position], gold, *others[position:]]


@dataclass(frozen=True)
class BalanceOptions:
    """`max_per`: ((key, cap), ...), keys from `CAP_KEYS`; `answer_letters`: `keep` or `uniform`; `seed`: the
    random order of caps and of the letter positions (same seed, same output)."""

    max_per: tuple[tuple[str, int], ...] = ()
    answer_letters: str = "keep"
    seed: int = 0

    def __post_init__(self) -> None:
        parse_caps(",".join(f"{k}={v}" for k, v in self.max_per))
        if self.answer_letters not in LETTER_MODES:
            raise ConfigError(f"--answer-letters must be one of {', '.join(LETTER_MODES)}, got {self.answer_letters!r}")
        if not self.max_per and self.answer_letters == "keep":
            raise ConfigError("balance: give --max-per and/or --answer-letters uniform")


@register("balance")
class Balance(Step):
    """Caps and uniform answer letters (see the module docstring)."""

    report_schema = pa.schema([("answer_before", pa.string()), ("answer_after", pa.string())])

    def decide(self, context: Context) -> tuple[dict[Key, Decision], dict[str, Any]]:
        opts: BalanceOptions = self.options
        rows = list(context.meta(["id", *CAP_KEYS, "options", "answer"]))  # no frame bytes
        rng = np.random.default_rng(opts.seed)
        counts: Counter[tuple[str, str]] = Counter()
        caps = dict(opts.max_per)
        kept = np.zeros(len(rows), bool)
        for i in rng.permutation(len(rows)):
            row = rows[i][1]
            keys = [(k, row[k]) for k in caps]
            if all(counts[key] < caps[key[0]] for key in keys):
                counts.update(keys)
                kept[i] = True
        decisions: dict[Key, Decision] = {}
        for i, (key, row) in enumerate(rows):
            full = [f"{k}={row[k]}" for k in caps if counts[(k, row[k])] >= caps[k]]
            decisions[key] = Decision(True) if kept[i] else Decision(False, f"cap: {full[0]} is full")
        letters_before: Counter[str] = Counter()
        letters_after: Counter[str] = Counter()
        if opts.answer_letters == "uniform":
            self._letters(rows, decisions, rng, letters_before, letters_after)
        summary = {"kept_by": {k: {str(v): n for (kk, v), n in sorted(counts.items()) if kk == k} for k in caps},
                   "letters_before": dict(sorted(letters_before.items())),
                   "letters_after": dict(sorted(letters_after.items()))}
        return decisions, summary

    def _letters(self, rows: list[tuple[Key, dict[str, Any]]], decisions: dict[Key, Decision],
                 rng: np.random.Generator, before: Counter[str], after: Counter[str]) -> None:
        """Deal the correct option's positions evenly per option count, in a seeded order."""
        by_n: dict[int, list[tuple[Key, dict[str, Any], int]]] = {}
        for key, row in rows:
            if not decisions[key].keep or row["task"] != "multiple_choice":
                continue
            options = row["options"] or []
            gold = gold_option(row) if options else None
            if gold is None:
                decisions[key] = Decision(True, "error: the gold answer names none of the options; left as is",
                                          report={"answer_before": row["answer"]})
                continue
            by_n.setdefault(len(options), []).append((key, row, gold))
        for n, group in sorted(by_n.items()):
            positions = rng.permutation(np.arange(len(group)) % n)
            for (key, row, gold), position in zip(group, positions.tolist(), strict=True):
                order = reorder(row["options"], gold, position)
                answer = LETTERS[position]
                before[LETTERS[gold]] += 1
                after[answer] += 1
                updates = {"options": [row["options"][j] for j in order], "answer": answer,
                           "meta": {"balance": {"answer": row["answer"], "option_order": order}}}
                decisions[key] = Decision(True, "" if order == list(range(n)) else "reordered: options",
                                          updates=updates,
                                          report={"answer_before": row["answer"], "answer_after": answer})
