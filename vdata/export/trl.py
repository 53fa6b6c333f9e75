"""`vdata export --to trl`: a `datasets` dataset in TRL's conversational vision-language format.

Written against TRL 1.16 (`trl.data_utils.prepare_multimodal_messages`, `SFTTrainer`'s
`DataCollatorForVisionLanguageModeling`, `GRPOTrainer._tokenize_prompts`) and tested by one `SFTTrainer` and one
`GRPOTrainer` step of a tiny Qwen2.5-VL on the export. One Parquet file per split, `OUT/<split>.parquet`, with the
`datasets` features in its metadata:

    train = datasets.load_dataset("parquet", data_files={"train": "OUT/train.parquet"})["train"]

- `prompt`: `[system, user]` messages; the user content is, per keyframe, its time as text then an image
  entry (`<2.5s>`, `{"type": "image"}`), then the row's task template text (`vdata.engines.prompts`).
- `images`: the keyframes, in order (`datasets.Image`: PIL images once loaded). TRL's trainers take images,
  not video, so every row — evenly spaced or not — carries its time as the per-frame text of
  `vdata.export.timing`; no fps is needed and none is lost.
- `completion`: `[{"role": "assistant", "content": <think>cot</think><answer>..</answer>}]`, the SFT target
  `vdata train sft` learns (`vdata.train.data.sft_target`). Rows without `cot` are skipped (counted) unless
  the target option `completion=false` leaves the column out (a GRPO-only dataset).
- every column of the row but `frames` (`task`, `answer`, `options`, `spans`, `boxes`, ...): what the TRL reward
  adapter (`vdata.rewards.trl.reward_funcs`) rebuilds each sample from.

Frames: `bytes` (default: JPEG bytes inside the Parquet) or `files` (JPEGs under `OUT/frames/<id>/`, their
absolute paths in the `datasets.Image` column).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from vdata.export import rows
from vdata.export.base import Exporter, ExportOptions, register
from vdata.export.timing import timestamp_text


def _sample_features() -> dict[str, Any]:
    import datasets

    from vdata.schemas import SCHEMA

    features = datasets.Features.from_arrow_schema(SCHEMA)
    return {name: feature for name, feature in features.items() if name != "frames"}


@register("trl")
@dataclass(frozen=True)
class TRL(Exporter):
    """TRL's conversational VLM dataset (see the module docstring). `completion`: write the SFT completion
    (rows without `cot` are then skipped)."""

    completion: bool = True
    frames_as: ClassVar[tuple[str, ...]] = ("bytes", "files")
    _state: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def open(self, out: Path, options: ExportOptions) -> None:
        import datasets

        from vdata.export.parquet import SplitWriter

        v = datasets.Value
        features: dict[str, Any] = {
            "prompt": [{"role": v("string"), "content": [{"type": v("string"), "text": v("string")}]}],
            "images": [datasets.Image()],
        }
        if self.completion:
            features["completion"] = [{"role": v("string"), "content": v("string")}]
        self._state.update(out=out, writer=SplitWriter(out, {**features, **_sample_features()}))

    def write(self, row: dict[str, Any], options: ExportOptions) -> None:
        rows.require_gold(row)
        rows.frame_plan(row)  # a row without frames is skipped
        completion = rows.sft_completion(row) if self.completion else None
        prompt = rows.prompt(row)
        positions = tuple(range(len(row["frames"])))
        images = rows.frames_out(row, positions, options, self._state["out"])  # paths or bytes: datasets.Image
        content: list[dict[str, Any]] = []
        for t in row["frame_timestamps_s"] or [None] * len(positions):  # an image sample: images, no times
            text = [] if t is None else [{"type": "text", "text": timestamp_text(t)}]
            content += [*text, {"type": "image", "text": None}]
        content.append({"type": "text", "text": prompt.text})
        record = {
            **rows.sample(row),
            "prompt": [
                {"role": "system", "content": [{"type": "text", "text": prompt.system}]},
                {"role": "user", "content": content},
            ],
            "images": images,
        }
        if completion is not None:
            record["completion"] = [{"role": "assistant", "content": completion}]
        self._state["writer"].add(row["split"], record)

    def close(self, options: ExportOptions) -> dict[str, Any]:
        return {"files": self._state["writer"].close()}
