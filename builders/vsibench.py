"""`vsibench:PATH` — VSI-Bench, visual-spatial questions over indoor scene videos (Yang et al., CVPR 2025)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vdata.builders._shared import (
    LETTERS,
    RowError,
    VideoIndex,
    annotation_files,
    read_records,
    require,
    strip_letter,
)
from vdata.builders.base import BadRow, Builder, Item, register
from vdata.tasks.benchmarks import VSIBENCH

#: Multiple-choice question types (accuracy) and numerical ones (MRA), as `thinking-in-space` lists them.
MCA_TYPES = (
    "object_rel_direction_easy", "object_rel_direction_medium", "object_rel_direction_hard",
    "object_rel_distance", "route_planning", "obj_appearance_order",
)
NA_TYPES = ("object_abs_distance", "object_counting", "object_size_estimation", "room_size_estimation")


@register("vsibench")
class VSIBench(Builder):
    """VSI-Bench: one sample per question (5,130 over 288 scene videos, split `test`): `multiple_choice` for
    the choice types, `regression` (scored by mean relative accuracy) for the numerical ones.

    Layout (the Hugging Face release `nyu-visionx/VSI-Bench`; PATH is its folder, or the annotation file):
    - `test.jsonl` or `test-00000-of-00001.parquet` (any `*.jsonl`/`*.parquet` under PATH) with fields `id`,
      `dataset` (arkitscenes, scannet, scannetpp), `scene_name`, `question_type`, `question`, `options`
      (["A. left", "B. right", ...], null for numerical questions) and `ground_truth` (a letter, or a number
      written as text: "3", "2.6").
    - `<dataset>/<scene_name>.mp4` (the unzipped `arkitscenes.zip`, `scannet.zip`, `scannetpp.zip`); a video not
      there is looked up by name anywhere under PATH.

    Conversions: `options` without their letters and `answer` the letter for the choice types; `answer` the
    `ground_truth` text for the numerical types (`task` = `regression`); `key` is `id`; `video_id` is
    `scene_name`; `meta` keeps `question_type`, `dataset` and `scene_name`. A question type
    outside the ten, a numerical `ground_truth` that is not a number, or a letter that names no option is a bad
    row. `vdata eval` prints VSI-Bench's table (`lmms_eval/tasks/vsibench/utils.py`): a score per question
    type and overall the mean over the eight tasks, the three `object_rel_direction_*` types averaged into one
    (accuracy or MRA, the first word of the answer read).
    """

    citation = """\
@inproceedings{yang2025thinking,
  title={Thinking in Space: How Multimodal Large Language Models See, Remember, and Recall Spaces},
  author={Yang, Jihan and Yang, Shusheng and Gupta, Anjali W. and Han, Rilyn and Fei-Fei, Li and Xie, Saining},
  booktitle={CVPR}, year={2025}
}
"""
    license = "see https://huggingface.co/datasets/nyu-visionx/VSI-Bench"
    benchmark = VSIBENCH

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root)
        for path in annotation_files(self.path, ["*.jsonl", "*.parquet"]):
            try:
                rows = read_records(path)
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            for i, row in enumerate(rows):
                key = str(row.get("id", f"row{i}")) if isinstance(row, dict) else f"row{i}"
                try:
                    yield self._item(row, key, videos)
                except RowError as e:
                    yield BadRow(self.name, key, f"{path}#{i}", e.code, f"row {i}: {e}")

    def _item(self, row: Any, key: str, videos: VideoIndex) -> Item:
        require(row, "dataset", "scene_name", "question_type", "question", "ground_truth")
        qtype = str(row["question_type"])
        gold = str(row["ground_truth"]).strip()
        options: tuple[str, ...] | None = None
        if qtype in MCA_TYPES:
            options = tuple(strip_letter(str(o)) for o in row.get("options") or ())
            if len(gold) != 1 or gold.upper() not in LETTERS[: len(options)]:
                raise RowError(f"ground_truth {gold!r} is not the letter of one of the {len(options)} options")
            gold = gold.upper()
        elif qtype in NA_TYPES:
            try:
                float(gold)
            except ValueError:
                raise RowError(f"ground_truth {gold!r} of a numerical question is not a number") from None
        else:
            raise RowError(f"unknown question_type {qtype!r}")
        scene = str(row["scene_name"])
        expected = videos.root / str(row["dataset"]) / f"{scene}.mp4"
        video = expected if expected.is_file() else videos.lookup(scene) or expected
        return Item(
            source=self.name,
            key=key,
            video=video,
            video_rel=videos.rel(video),
            video_id=scene,
            task="multiple_choice" if options is not None else "regression",
            split="test",
            question=str(row["question"]).strip(),
            options=options,
            answer=gold,
            meta={"question_type": qtype, "dataset": row["dataset"], "scene_name": scene},
        )
