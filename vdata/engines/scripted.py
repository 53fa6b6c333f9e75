"""`scripted`: completions read from a JSON file, for tests and dry runs of the verification path."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vdata.engines.base import Engine
from vdata.engines.registry import register
from vdata.errors import ConfigError

if TYPE_CHECKING:
    from vdata.engines.config import EngineConfig, Sampling
    from vdata.engines.prompts import Prompt


@register("scripted")
class ScriptedEngine(Engine):
    """Answers from a script: the model is the path of a JSON file holding

        {"completions": {"<sample id>": ["text 1", "text 2"], "*": ["fallback text"]},
         "delay_s": 0.0, "log": "asked.txt"}

    Candidate k of an item is its list's item `k % len(list)`; `*` serves ids not listed. `delay_s` sleeps per
    `generate` call (seconds) to imitate a slow teacher; `log`, when set, gets one line per prompt asked (its
    id), appended and flushed at once. Generated tokens are counted as whitespace-separated words.
    The prompts seen are kept in `seen`.
    """

    def __init__(self, config: EngineConfig) -> None:
        super().__init__(config)
        path = Path(config.model)
        try:
            script: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise ConfigError(f"model {path}: the scripted engine needs a JSON script ({e})") from None
        self.completions: dict[str, list[str]] = script.get("completions", {})
        if not isinstance(self.completions, dict) or not all(
            isinstance(v, list) and v and all(isinstance(t, str) for t in v) for v in self.completions.values()
        ):
            raise ConfigError(f"model {path}: 'completions' must map ids to non-empty lists of strings")
        self.delay_s = float(script.get("delay_s", 0.0))
        self.log = Path(script["log"]) if script.get("log") else None
        self.seen: list[Prompt] = []

    def generate(self, prompts: Sequence[Prompt], n: int, sampling: Sampling) -> list[list[str]]:
        start = time.perf_counter()
        if self.log is not None:
            with self.log.open("a", encoding="utf-8") as f:
                f.write("".join(p.id + "\n" for p in prompts))
        if self.delay_s:
            time.sleep(self.delay_s)
        out = []
        for p in prompts:
            texts = self.completions.get(p.id) or self.completions.get("*") or [""]
            out.append([texts[k % len(texts)] for k in range(n)])
            self.stats.generated_tokens += sum(len(t.split()) for t in out[-1])
        self.seen.extend(prompts)
        self.stats.calls += 1
        self.stats.generate_s += time.perf_counter() - start
        return out
