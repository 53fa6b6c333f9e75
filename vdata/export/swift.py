"""`vdata export --to swift`: ms-swift's messages JSONL with frame files (`swift sft --dataset OUT/train.jsonl`).

Written against ms-swift 4.6.0 (`swift/dataset/preprocessor/core.py` `MessagesPreprocessor`,
`swift/template/templates/qwen.py` `Qwen2VLTemplate.replace_tag` / `_encode`, `swift/model/models/qwen.py`
`patch_qwen_vl_utils`) and qwen-vl-utils 0.0.14; tested by loading the export with ms-swift's own
`load_dataset` and encoding every row with its Qwen2.5-VL template and a tiny Qwen2.5-VL processor.

One file per split, `OUT/<split>.jsonl`. Each line: `messages` (system; user: placeholders + the row's task
template text from `vdata.engines.prompts`; assistant: `<think>cot</think>` + the task's answer,
`vdata.train.data.sft_target`), `images`, `videos` (absolute paths of JPEG files under `OUT/frames/<id>/`), `id`.

Time. ms-swift's Qwen-VL template reads a list of frame files as one video at qwen-vl-utils' global `FPS`, which
ms-swift sets from the `FPS` environment variable (its default 2.0; Qwen2.5-VL's `second_per_grid_ts = 2 / FPS`),
one rate for every video of the run. So, as for LLaMA-Factory (`vdata.export.timing.global_rate_plan`):
rows evenly spaced at the export's rate (`video_fps` option, else the first evenly spaced row's) go as one
`<video>`; every other row goes as images, each after its time as text (`<2.5s><image>`). The report gives the
`FPS` to set. Lost: a video's time axis starts at 0 (the first keyframe's offset is in the prompt text only), and
evenly spaced rows at another rate train as timestamped images, not as video.

GRPO (`--option stage=grpo`, for `swift rlhf --rlhf_type grpo`): the same lines without the assistant turn (rows
need gold, not `cot`), plus `solution`, the sample as JSON (ms-swift 4.6.0 hands every dataset column to its
reward functions, `swift/rl_core/grpo_algorithm.py` `compute_rewards_per_func`), and `OUT/vdata_reward_plugin.py`,
the `--external_plugins` file that registers vdata's rewards as ORMs (`vdata.rewards.swift`: `vdata_accuracy`,
`vdata_format`, ...). The report gives the `swift rlhf` arguments (`rlhf_args`: vdata's default rewards and weights).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from vdata.errors import ConfigError
from vdata.export import rows
from vdata.export.base import ExportOptions, SingleFpsExporter, register
from vdata.export.timing import global_rate_plan

#: `stage` option values: `swift sft` data (default) or `swift rlhf --rlhf_type grpo` data and reward plugin.
STAGES = ("sft", "grpo")
#: The `--external_plugins` file written beside a GRPO export.
PLUGIN_FILE = "vdata_reward_plugin.py"
PLUGIN = '''"""vdata's rewards as ms-swift ORMs, written by `vdata export --to swift --option stage=grpo`.

    swift rlhf --rlhf_type grpo --external_plugins {path} --reward_funcs vdata_accuracy vdata_format ...

Needs vdata installed where ms-swift runs. Reward options (e.g. fallback=True) go to orm_classes().
"""

from swift.rewards import orms

from vdata.rewards.swift import orm_classes

orms.update(orm_classes())
'''


@register("swift")
@dataclass(frozen=True)
class Swift(SingleFpsExporter):
    """ms-swift 4.6.0's messages JSONL (see the module docstring). `video_fps`: the run's `FPS` (None: the first
    evenly spaced row's rate). `stage`: `sft` (with the assistant turn) or `grpo` (`solution` and the reward
    plugin instead). State of one export: `_state`."""

    stage: str = "sft"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.stage not in STAGES:
            raise ConfigError(f"swift stage must be one of {', '.join(STAGES)}, got {self.stage!r}")

    def write(self, row: dict[str, Any], options: ExportOptions) -> None:
        grpo = self.stage == "grpo"
        if grpo:
            rows.require_gold(row)
        else:
            completion = rows.sft_completion(row)
        frame_plan = rows.frame_plan(row)
        if not rows.is_image(row):  # an image sample's images go as images, untimed
            frame_plan = global_rate_plan(frame_plan, row["frame_timestamps_s"], float(row.get("fps") or 0.0),
                                          self._state)
        prompt = rows.prompt(row)
        frames = rows.write_frames(row, self._state["out"], frame_plan.indices)
        messages = [
            {"role": "system", "content": prompt.system},
            {"role": "user", "content": rows.media_text(frame_plan) + prompt.text},
        ]
        line = {
            "messages": messages if grpo else [*messages, {"role": "assistant", "content": completion}],
            "images": [] if frame_plan.as_video else frames,
            "videos": [frames] if frame_plan.as_video else [],
            "id": row["id"],
            **({"solution": rows.sample_json(row)} if grpo else {}),
        }
        files = self._state["files"]
        if row["split"] not in files:
            files[row["split"]] = (self._state["out"] / f"{row['split']}.jsonl").open("w", encoding="utf-8")
        files[row["split"]].write(json.dumps(line, ensure_ascii=False) + "\n")

    def close(self, options: ExportOptions) -> dict[str, Any]:
        out, files = self._state["out"], self._state["files"]
        for f in files.values():
            f.close()
        fps = self._state["video_fps"]
        report = {
            "files": [str(out / f"{split}.jsonl") for split in sorted(files)],
            "env": {"FPS": str(fps)} if fps is not None else {},
            "video_fps": fps,
            "shown_as": dict(self._state["shown_as"]),
        }
        if self.stage == "grpo":
            report.update(_write_plugin(out))
        return report


def _write_plugin(out: Any) -> dict[str, Any]:
    """Write the reward plugin; return its path and the `swift rlhf` arguments that use it (vdata's default
    rewards and weights, `vdata.rewards.weights.DEFAULT_REWARDS`)."""
    from vdata.rewards.swift import PREFIX
    from vdata.rewards.weights import DEFAULT_REWARDS, parse_weights

    path = (out / PLUGIN_FILE).resolve()
    path.write_text(PLUGIN.format(path=path), encoding="utf-8")
    rewards = parse_weights(DEFAULT_REWARDS)
    return {
        "plugin": str(path),
        "rlhf_args": f"--rlhf_type grpo --external_plugins {path} "
        f"--reward_funcs {' '.join(PREFIX + name for name, _ in rewards)} "
        f"--reward_weights {' '.join(f'{weight:g}' for _, weight in rewards)}",
    }
