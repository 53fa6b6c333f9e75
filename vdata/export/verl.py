"""`vdata export --to verl`: the Parquet verl's RL dataset (`verl.utils.dataset.rl_dataset.RLHFDataset`) reads.

Written against verl 0.9.1 (`verl/utils/dataset/rl_dataset.py`, `verl/workers/reward_manager/naive.py`, the
`reward.custom_reward_function` block of its trainer config) and qwen-vl-utils 0.0.14, which verl calls to load
the media; tested by loading the export with that `RLHFDataset` and scoring through `NaiveRewardManager`.

One file per split, `OUT/<split>.parquet` (`data.train_files=OUT/train.parquet`), columns:

- `prompt`: chat messages `[{"role": "system", ...}, {"role": "user", "content": "<video>" + text}]`; the text is
  the row's task template (`vdata.engines.prompts`). `RLHFDataset._build_messages` splits the content on
  `<video>` / `<image>` and puts the entries of `videos` / `images` there, in order.
- `videos`: evenly spaced keyframes (`vdata.export.timing`) as one video per row, `{"video": [frame, ...],
  "sample_fps": fps}`: qwen-vl-utils reads a list of frames at `sample_fps` (its default would be 2.0), which
  becomes Qwen2.5-VL's `second_per_grid_ts` and Qwen3-VL's `<t seconds>` (counted from the first keyframe; the
  prompt text lists the true times). An odd frame count gets its last frame repeated.
- `images`: keyframes that are not evenly spaced (`scenes`, `,boxes`, variable frame rate) go as images, each
  after its time as text (`<2.5s><image>`), since no fps describes them.
- `data_source` (`vdata/<source>`), `ability` (`video/<task>`), `reward_model` (`{"style": "rule",
  "ground_truth": the sample as JSON}`: `vdata.rewards.verl.compute_score` judges it unchanged), `extra_info`
  (`index`, `id`, `split`, `task`, `frame_timestamps_s`, `video_fps`: the sampling fps or None).

Frames: `files` (default; JPEGs under `OUT/frames/<id>/`, absolute paths in the Parquet, as verl has no image
root option) or `bytes` (JPEG bytes in the Parquet as `datasets` images, decoded to PIL by `load_dataset`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from vdata.export import rows
from vdata.export.base import Exporter, ExportOptions, register


def reward_entry() -> dict[str, str]:
    """The verl config lines that score an export with vdata's rewards (`reward.custom_reward_function`)."""
    import vdata.rewards.verl as adapter

    return {
        "reward.custom_reward_function.path": str(Path(adapter.__file__).resolve()),
        "reward.custom_reward_function.name": "compute_score",
    }


@register("verl")
@dataclass(frozen=True)
class Verl(Exporter):
    """verl 0.9.1's RL Parquet (see the module docstring). State of one export: `_state` (out, writer, index)."""

    frames_as: ClassVar[tuple[str, ...]] = ("files", "bytes")
    _state: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def open(self, out: Path, options: ExportOptions) -> None:
        import datasets

        from vdata.export.parquet import SplitWriter

        v = datasets.Value
        image = datasets.Image() if options.frames_as == "bytes" else v("string")
        self._state.update(out=out, index=0)
        self._state["writer"] = SplitWriter(out, {
            "data_source": v("string"),
            "prompt": [{"role": v("string"), "content": v("string")}],
            "images": [image],
            "videos": [{"video": [image], "sample_fps": v("float64")}],
            "ability": v("string"),
            "reward_model": {"style": v("string"), "ground_truth": v("string")},
            "extra_info": {
                "index": v("int64"), "id": v("string"), "split": v("string"), "task": v("string"),
                "frame_timestamps_s": [v("float64")], "video_fps": v("float64"),
            },
        })

    def write(self, row: dict[str, Any], options: ExportOptions) -> None:
        rows.require_gold(row)
        frame_plan = rows.frame_plan(row)
        prompt = rows.prompt(row)
        frames = rows.frames_out(row, frame_plan.indices, options, self._state["out"])
        videos = [{"video": frames, "sample_fps": frame_plan.fps}] if frame_plan.as_video else []
        self._state["writer"].add(row["split"], {
            "data_source": f"vdata/{row.get('source') or 'dataset'}",
            "prompt": [
                {"role": "system", "content": prompt.system},
                {"role": "user", "content": rows.media_text(frame_plan) + prompt.text},
            ],
            "images": [] if frame_plan.as_video else frames,
            "videos": videos,
            "ability": f"{row.get('media') or 'video'}/{row['task']}",
            "reward_model": {"style": "rule", "ground_truth": rows.sample_json(row)},
            "extra_info": {
                "index": self._state["index"], "id": row["id"], "split": row["split"], "task": row["task"],
                "frame_timestamps_s": list(row["frame_timestamps_s"] or []), "video_fps": frame_plan.fps,
            },
        })
        self._state["index"] += 1

    def close(self, options: ExportOptions) -> dict[str, Any]:
        files = self._state["writer"].close()
        return {"files": files, "reward": reward_entry()}
