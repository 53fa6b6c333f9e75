"""The distill journal: every verified item's teacher texts and verdicts, so a killed run never asks twice.

One JSON line per item, appended and fsynced right after its candidates are judged and before its rows go to the
shard writer: `{"id", "task", "texts", "candidates"}`. On resume the rows of a journaled item that the shard
writer had not yet committed are rebuilt from the journal, without calling the teacher. The file lives in the
shard writer's work folder, so a finished run removes it with the rest.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vdata.distill.verify import Candidate

JOURNAL_NAME = "distill.jsonl"


class Journal:
    """Append-only record of verified items; `entries` maps id -> (task, candidates) after replay."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, tuple[str, list[Candidate]]] = {}
        if path.exists():
            self._replay()

    def _replay(self) -> None:
        lines = self.path.read_text(encoding="utf-8").splitlines()
        good = []
        for line in lines:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                break  # a line cut short by a kill: that item was never written, it will be asked again
            good.append(line)
            self.entries[entry["id"]] = (entry["task"], _candidates(entry))
        if len(good) != len(lines):
            self.path.write_text("".join(line + "\n" for line in good), encoding="utf-8")

    def append(self, items: Sequence[tuple[str, str, Sequence[Candidate]]]) -> None:
        """Record (id, task, candidates) for several items in one write, then fsync."""
        if not items:
            return
        text = "".join(
            json.dumps({"id": i, "task": task, "texts": [c.text for c in cs], "candidates": [c.to_json() for c in cs]})
            + "\n"
            for i, task, cs in items
        )
        with self.path.open("a", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        for i, task, cs in items:
            self.entries[i] = (task, list(cs))


def _candidates(entry: dict[str, Any]) -> list[Candidate]:
    return [
        Candidate(c["index"], text, c["reward"], c["rewards"], c["passed"])
        for text, c in zip(entry["texts"], entry["candidates"], strict=True)
    ]
