"""`vdata export --to llamafactory`: LLaMA-Factory's sharegpt JSON Lines, frame files and `dataset_info.json`.

Written against LLaMA-Factory 0.9.5 (`llamafactory/data/converter.py` `SharegptDatasetConverter`,
`llamafactory/data/mm_plugin.py` `Qwen2VLPlugin._regularize_videos`, `hparams/model_args.py` `video_fps`);
tested by loading the export with its own `get_dataset` (converter, template, `Qwen2VLPlugin`) and a tiny
Qwen2.5-VL processor.

One file per split, `OUT/<split>.jsonl`, and `OUT/dataset_info.json` naming each as `vdata_<split>` (`dataset_dir:
OUT`, `dataset: vdata_train`). Each line: `messages` (user: placeholders + the row's task template text from
`vdata.engines.prompts`; assistant: `<think>cot</think>` + the task's answer, `vdata.train.data.sft_target`),
`system`, `images`, `videos`. Frames are JPEG files under `OUT/frames/<id>/`, paths relative to `OUT` (LLaMA-Factory
resolves them against `media_dir`, which defaults to `dataset_dir`).

Time. LLaMA-Factory reads a list of frame files as one video and gives EVERY such video the one `video_fps` of
the run (`ModelArguments.video_fps`, default 2.0; Qwen2.5-VL's `second_per_grid_ts = 2 / video_fps`). So:

- rows whose keyframes are evenly spaced AT THE EXPORT'S RATE (`video_fps` option, else the first evenly spaced
  row's rate; the report gives the value to put in the training YAML) go as one video (`<video>`), odd counts
  padded by repeating the last frame (`vdata.export.timing`);
- every other row (another rate, `scenes`, `,boxes`, variable frame rate) goes as images, each after its time as
  text (`<2.5s><image>`), so no wrong rate is implied.

Lost: a video's time axis starts at 0 (the first keyframe's offset is only in the prompt text), and rows of an
evenly spaced policy whose rate differs from the run's (`uniform:N` over clips of different lengths) lose the
video form: they train as timestamped images.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from vdata.export import rows
from vdata.export.base import ExportOptions, SingleFpsExporter, register
from vdata.export.timing import global_rate_plan


@register("llamafactory")
@dataclass(frozen=True)
class LlamaFactory(SingleFpsExporter):
    """LLaMA-Factory 0.9.5's sharegpt SFT data (see the module docstring). `video_fps`: the run's `video_fps`
    (None: the first evenly spaced row's rate). State of one export: `_state`."""

    def _file(self, split: str) -> Any:
        files = self._state["files"]
        if split not in files:
            files[split] = (self._state["out"] / f"{split}.jsonl").open("w", encoding="utf-8")
        return files[split]

    def write(self, row: dict[str, Any], options: ExportOptions) -> None:
        completion = rows.sft_completion(row)
        frame_plan = rows.frame_plan(row)
        if not rows.is_image(row):  # an image sample's images go as images, untimed
            frame_plan = global_rate_plan(frame_plan, row["frame_timestamps_s"], float(row.get("fps") or 0.0),
                                          self._state)
        prompt = rows.prompt(row)
        out = self._state["out"]
        frames = [os.path.relpath(p, out) for p in rows.write_frames(row, out, frame_plan.indices)]
        line = {
            "messages": [
                {"role": "user", "content": rows.media_text(frame_plan) + prompt.text},
                {"role": "assistant", "content": completion},
            ],
            "system": prompt.system,
            "images": [] if frame_plan.as_video else frames,
            "videos": [frames] if frame_plan.as_video else [],
            "id": row["id"],
        }
        self._file(row["split"]).write(json.dumps(line, ensure_ascii=False) + "\n")

    def close(self, options: ExportOptions) -> dict[str, Any]:
        out, files = self._state["out"], self._state["files"]
        for f in files.values():
            f.close()
        info = {
            f"vdata_{split}": {
                "file_name": f"{split}.jsonl",
                "formatting": "sharegpt",
                "columns": {"messages": "messages", "system": "system", "images": "images", "videos": "videos"},
                "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user",
                         "assistant_tag": "assistant"},
            }
            for split in sorted(files)
        }
        (out / "dataset_info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        return {
            "files": [str(out / f"{split}.jsonl") for split in sorted(files)],
            "dataset_info": str(out / "dataset_info.json"),
            "datasets": sorted(info),
            "video_fps": self._state["video_fps"],
            "shown_as": dict(self._state["shown_as"]),
        }
