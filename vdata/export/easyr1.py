"""`vdata export --to easyr1`: the Parquet EasyR1's `RLHFDataset` (`verl/utils/dataset.py`) reads.

EasyR1 is not on the package index: this follows its source read at hiyouga/EasyR1 b44b311 (2026-07-30:
`verl/utils/dataset.py`, `examples/config.yaml`), which loads media with qwen-vl-utils (0.0.14 read). Not run
here; `tests/export/test_easyr1.py` checks the columns and types that loader reads. One file per split,
`OUT/<split>.parquet`, columns:

- `prompt`: one string; EasyR1 renders it through `data.format_prompt` (vdata writes `OUT/format_prompt.jinja`:
  the text, then vdata's system instruction) and splits it on `<image>` when the dataset has an `images`
  column, else on `<video>` when it has `videos` — one media column per file.
- `answer`: the sample as JSON; EasyR1 hands it to the reward function as `ground_truth`, and
  `vdata/rewards/easyr1.py:compute_score` judges it unchanged.
- `media=images` (default): `images`, every keyframe as an image, each after its time as text
  (`<2.5s><image>`): exact for every row, evenly spaced or not, no fps involved.
- `media=video`: `videos`, each row's keyframes as one video (a list of frames). EasyR1 gives
  qwen-vl-utils `fps` = `data.video_fps`, which a list of frames ignores: such a video is always read at
  qwen-vl-utils' default `sample_fps` 2.0 (Qwen2.5-VL's `second_per_grid_ts` = 1.0). So only rows whose
  keyframes are evenly spaced at 2 fps (`vdata build --frames fps:2,...`) are exported; the others are
  skipped and counted. An odd frame count repeats the last frame (`vdata.export.timing`).

Frames: `files` (default; JPEGs under `OUT/frames/<id>/`, absolute paths, so `data.image_dir` is not needed) or
`bytes` (`datasets` images inside the Parquet, decoded to PIL by `load_dataset`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from vdata.errors import ConfigError
from vdata.export import rows
from vdata.export.base import Exporter, ExportOptions, Skip, register
from vdata.export.timing import images_plan, matches_fps

#: The fps qwen-vl-utils gives a video passed as a list of frames without `sample_fps` (what EasyR1 passes).
FRAME_LIST_FPS = 2.0
MEDIA = ("images", "video")


def reward_entry() -> dict[str, str]:
    """The EasyR1 config lines that score an export with vdata's rewards. EasyR1 (b44b311) reads the reward type
    from the file's `REWARD_TYPE` (`verl/workers/reward/function.py`); its `RewardConfig` has no `reward_type` key
    and refuses one."""
    import vdata.rewards.easyr1 as adapter

    return {"worker.reward.reward_function": f"{Path(adapter.__file__).resolve()}:compute_score"}


@register("easyr1")
@dataclass(frozen=True)
class EasyR1(Exporter):
    """EasyR1's RL Parquet (see the module docstring). `media`: `images` or `video`."""

    media: str = "images"
    frames_as: ClassVar[tuple[str, ...]] = ("files", "bytes")
    _state: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.media not in MEDIA:
            raise ConfigError(f"easyr1 media must be one of {', '.join(MEDIA)}, got {self.media!r}")

    def open(self, out: Path, options: ExportOptions) -> None:
        import datasets

        from vdata.export.parquet import SplitWriter

        v = datasets.Value
        image = datasets.Image() if options.frames_as == "bytes" else v("string")
        media = {"images": [image]} if self.media == "images" else {"videos": [[image]]}
        self._state.update(out=out, writer=SplitWriter(out, {"prompt": v("string"), "answer": v("string"), **media}))

    def write(self, row: dict[str, Any], options: ExportOptions) -> None:
        rows.require_gold(row)
        frame_plan = rows.frame_plan(row)
        prompt = rows.prompt(row)
        self._state.setdefault("system", prompt.system)
        record: dict[str, Any] = {"answer": rows.sample_json(row)}
        if self.media == "images":
            positions = tuple(range(len(row["frames"])))
            shown = frame_plan if rows.is_image(row) else images_plan(row["frame_timestamps_s"])
            record["prompt"] = rows.media_text(shown) + prompt.text
            record["images"] = rows.frames_out(row, positions, options, self._state["out"])
        else:
            if rows.is_image(row):
                raise Skip("an image sample (use --option media=images)")
            if not frame_plan.as_video:
                raise Skip("keyframes not evenly spaced (use --option media=images)")
            if not matches_fps(row["frame_timestamps_s"], FRAME_LIST_FPS, float(row["fps"])):
                raise Skip(f"keyframes not at {FRAME_LIST_FPS:g} fps, the rate EasyR1 reads frame lists at "
                           "(build with --frames fps:2 or use --option media=images)")
            record["prompt"] = "<video>" + prompt.text
            record["videos"] = [rows.frames_out(row, frame_plan.indices, options, self._state["out"])]
        self._state["writer"].add(row["split"], record)

    def close(self, options: ExportOptions) -> dict[str, Any]:
        out: Path = self._state["out"]
        template = out / "format_prompt.jinja"
        template.write_text("{{ content | trim }}\n" + self._state.get("system", "") + "\n", encoding="utf-8")
        return {
            "files": self._state["writer"].close(),
            "config": {
                "data.prompt_key": "prompt", "data.answer_key": "answer",
                "data.format_prompt": str(template.resolve()), **reward_entry(),
            },
        }
