"""`vdata curate filter`: simple quality filters on stored keyframes, clip length and token budgets.

A sample is dropped, with the first reason that applies:

- `short`: its clip (`clip_end_s - clip_start_s`, seconds) is shorter than `min_duration_s`;
- `black`: at least `black_share` of its keyframes are near-black (mean grey level of the 32x32 thumbnail, 0-255,
  below `black_level`; default 16, the video black level);
- `frozen`: it has two keyframes or more and no two consecutive ones differ: the mean absolute grey difference
  of their 32x32 thumbnails (0-255) stays below `frozen_diff` (a still image, or a stream that froze);
- `tokens`: visual plus text tokens exceed `max_tokens` for the model family `family`. Visual tokens come from
  `vdata.engines.tokens` (the family's patch arithmetic, frames at `max_pixels` per frame, default the
  family's); text tokens count the prompt the engines send (`vdata.engines.Templates`: system and user text) and
  the SFT answer (`cot` and the task's target), with the `tokenizer` given (a local path), else estimated as one
  token per 4 characters.

A sample whose keyframes cannot be decoded is kept and reported (`error`). The report holds each measure:
`duration_s`, `black_share`, `min_change` (the smallest grey difference between consecutive keyframes),
`visual_tokens`, `text_tokens`.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from vdata.curate.base import Context, Decision, Key, Step, register
from vdata.curate.phash import thumbnails
from vdata.engines import Templates
from vdata.engines.tokens import family, video_tokens
from vdata.errors import ConfigError
from vdata.schemas import COLUMNS
from vdata.tasks import get as get_task

#: Characters per text token when no tokenizer is given (English BPE, roughly).
CHARS_PER_TOKEN = 4


@dataclass(frozen=True)
class FilterOptions:
    """See the module docstring: `min_duration_s` (seconds, >= 0), `black_level` (0-255), `black_share` (0-1],
    `frozen_diff` (0-255; 0 turns the frozen filter off), `max_tokens` (None = no budget), `family`,
    `max_pixels` (per frame, None = the family's), `tokenizer` (a local tokenizer path, None = estimate)."""

    min_duration_s: float = 0.0
    black_level: float = 16.0
    black_share: float = 0.5
    frozen_diff: float = 1.0
    max_tokens: int | None = None
    family: str = "qwen2.5-vl"
    max_pixels: int | None = None
    tokenizer: str | None = None

    def __post_init__(self) -> None:
        family(self.family)
        if not (self.min_duration_s >= 0 and 0 <= self.black_level <= 255 and 0 < self.black_share <= 1
                and 0 <= self.frozen_diff <= 255):
            raise ConfigError(f"--min-duration >= 0, --black-level in 0-255, --black-share in (0, 1] and "
                              f"--frozen-diff in 0-255 required, got {self.min_duration_s}, {self.black_level}, "
                              f"{self.black_share}, {self.frozen_diff}")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise ConfigError(f"--max-tokens must be >= 1, got {self.max_tokens}")


@register("filter")
class Filter(Step):
    """Black or frozen keyframes, short clips, token budgets (see the module docstring)."""

    report_schema = pa.schema([("duration_s", pa.float64()), ("black_share", pa.float64()),
                               ("min_change", pa.float64()), ("visual_tokens", pa.int64()),
                               ("text_tokens", pa.int64()), ("error", pa.string())])

    def code(self) -> list[type]:
        from vdata.engines.tokens import Family

        return [type(self), Family]

    def decide(self, context: Context) -> tuple[dict[Key, Decision], dict[str, Any]]:
        opts: FilterOptions = self.options
        count_text = _text_counter(opts.tokenizer)
        templates = Templates()
        total = context.count()
        decisions: dict[Key, Decision] = {}
        for n, (key, row) in enumerate(context.meta(list(COLUMNS)), 1):
            decisions[key] = self._judge(row, templates, count_text)
            if n % 64 == 0 or n == total:
                context.progress("check samples", n, total)
        return decisions, {"samples": len(decisions)}

    def _judge(self, row: dict[str, Any], templates: Templates, count_text: Any) -> Decision:
        opts: FilterOptions = self.options
        duration = row["clip_end_s"] - row["clip_start_s"]
        report: dict[str, Any] = {"duration_s": duration}
        frames = [f["bytes"] or b"" for f in row["frames"]]
        try:
            thumbs = thumbnails(frames)
            height, width = _size(frames[0]) if frames else (0, 0)
        except OSError as e:
            return Decision(True, f"error: unreadable keyframe: {e}", report={**report, "error": str(e)})
        means = thumbs.reshape(len(thumbs), -1).mean(axis=1) if len(thumbs) else np.empty(0)
        changes = np.abs(np.diff(thumbs, axis=0)).mean(axis=(1, 2)) if len(thumbs) > 1 else np.empty(0)
        report["black_share"] = float((means < opts.black_level).mean()) if len(means) else None
        report["min_change"] = float(changes.min()) if len(changes) else None
        if opts.max_tokens is not None:
            prompt = templates.prompt(row)
            answer = " ".join(filter(None, [row.get("cot"), get_task(row["task"]).target(row)]))
            report["visual_tokens"] = video_tokens(opts.family, len(frames), height, width, max_pixels=opts.max_pixels)
            report["text_tokens"] = count_text(prompt.system + "\n" + prompt.text + "\n" + answer)
        reason = ""
        if duration < opts.min_duration_s:
            reason = f"short: {duration:.2f}s < {opts.min_duration_s}s"
        elif report["black_share"] is not None and report["black_share"] >= opts.black_share:
            reason = f"black: {report['black_share']:.0%} of keyframes near-black"
        elif len(changes) and opts.frozen_diff > 0 and changes.max() < opts.frozen_diff:
            reason = f"frozen: keyframes change by at most {changes.max():.2f} grey levels"
        elif opts.max_tokens is not None and report["visual_tokens"] + report["text_tokens"] > opts.max_tokens:
            reason = (f"tokens: {report['visual_tokens']} visual + {report['text_tokens']} text > "
                      f"{opts.max_tokens} ({opts.family})")
        return Decision(not reason, reason, report=report)


def _size(jpeg: bytes) -> tuple[int, int]:
    """(height, width) of a stored keyframe, from its header."""
    from PIL import Image

    with Image.open(io.BytesIO(jpeg)) as im:
        return im.height, im.width


def _text_counter(tokenizer: str | None) -> Any:
    """Text -> token count: the tokenizer at `tokenizer` (transformers), else `ceil(chars / CHARS_PER_TOKEN)`."""
    if tokenizer is None:
        return lambda text: math.ceil(len(text) / CHARS_PER_TOKEN)
    try:
        from transformers import AutoTokenizer
    except ImportError:
        raise ConfigError("--tokenizer needs transformers: pip install 'vdata[train]'") from None
    tok = AutoTokenizer.from_pretrained(tokenizer)
    return lambda text: len(tok(text)["input_ids"])
