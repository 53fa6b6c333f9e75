"""`video-r1:PATH` — the Video-R1 RL and CoT-SFT data (Feng et al., 2025, tulerfeng/Video-R1)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import (
    LETTERS,
    RowError,
    VideoIndex,
    annotation_files,
    load_json,
    require,
    strip_letter,
)
from vdata.builders.base import BadRow, Builder, Item, register

#: Release files, read in this order: the CoT file first so its `process` wins for a `problem_id` in both.
FILES = ("Video-R1-COT-165k.json", "Video-R1-260k.json")
#: Video-R1 `problem_type` -> schema v1 task.
TASKS = {
    "multiple choice": "multiple_choice",
    "numerical": "numeric",
    "OCR": "ocr",
    "free-form": "free_form",
    "regression": "regression",
}
_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
_THINK = re.compile(r"<think>(.*?)</think>", re.DOTALL)


@register("video-r1")
class VideoR1(Builder):
    """Video-R1: one sample per problem, video or image (the image problems are image samples of the same table).

    Layout (PATH is the `Video-R1-data` folder, or one JSON file in it):
    - `Video-R1-COT-165k.json` (SFT, with `process`) and/or `Video-R1-260k.json` (RL): a list of
      `{"problem_id", "problem", "data_type": "video"|"image", "problem_type", "options": ["A. ...", ...],
      "solution": "<answer>X</answer>", "process": "<think>...</think>" (CoT file only), "path":
      "./<folder>/<file>", "data_source"}`. When both files are there a `problem_id` is built once, from the CoT
      file.
    - videos at `path`, relative to the JSON file's folder (`./LLaVA-Video-178K/...`, `./NeXT-QA/...`,
      `./PerceptionTest/...`, `./STAR/...`, `./CLEVRER/...`); images (`data_type` "image") likewise
      (`./Multimodal-Open-R1-8k-verified/...`, `./ChartQA/...`, ...).

    Conversions: `problem_type` -> task (`multiple choice` -> multiple_choice, `numerical` -> numeric, `OCR` ->
    ocr, `free-form` -> free_form, `regression` -> regression); `question` is `problem`; `options` lose their
    `A. ` letters; `answer` is the text inside `<answer>...</answer>` (for multiple choice, the letter, checked
    against the options); `cot` is the text inside `<think>...</think>` of `process` (the tags removed), None
    without `process`. `key` is `problem_id`; `meta` keeps `problem_type`, `data_source`, `path`,
    `data_type`. A `data_type` "image" row is an image sample (schema v2 `media` "image": the image as its one
    frame, no timestamps; `Item.images`), so the mixed release is one dataset; an unknown `problem_type`, a
    `solution` without `<answer>`, or a letter outside the options is a bad row; a missing or unreadable
    image is an error row of the build.
    """

    citation = """\
@article{feng2025videor1,
  title={Video-R1: Reinforcing Video Reasoning in MLLMs},
  author={Feng, Kaituo and Gong, Kaixiong and Li, Bohao and Guo, Zonghao and Wang, Yibing and Peng, Tianshuo and Wang, Benyou and Yue, Xiangyu},
  journal={arXiv preprint arXiv:2503.21776}, year={2025}
}
"""
    license = "see https://huggingface.co/datasets/Video-R1/Video-R1-data"

    def items(self) -> Iterator[Item | BadRow]:
        seen: set[str] = set()
        for path in annotation_files(self.path, list(FILES)):
            videos = VideoIndex(path.parent)
            try:
                rows = load_json(path)
                if not isinstance(rows, list):
                    raise RowError(f"{path.name}: expected a list of problems")
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            for n, row in enumerate(rows):
                key = str(row.get("problem_id", f"row{n}")) if isinstance(row, dict) else f"row{n}"
                if key in seen:
                    continue
                seen.add(key)
                try:
                    yield self._convert(row, key, videos)
                except (RowError, TypeError, ValueError) as e:
                    yield BadRow(self.name, key, f"{path}:{n}", getattr(e, "code", "bad_annotation"), f"{key}: {e}")

    def _convert(self, row: Any, key: str, videos: VideoIndex) -> Item:
        require(row, "problem", "problem_type", "solution", "path")
        task = TASKS.get(str(row["problem_type"]))
        if task is None:
            raise RowError(f"unknown problem_type {row['problem_type']!r}; known: {', '.join(TASKS)}")
        found = _ANSWER.search(str(row["solution"]))
        if found is None:
            raise RowError(f"solution {row['solution']!r} has no <answer>...</answer>")
        answer = found.group(1).strip()
        options = tuple(strip_letter(str(o)) for o in row.get("options") or []) or None
        if task == "multiple_choice":
            if not options:
                raise RowError("a multiple choice problem without options")
            index = LETTERS.find(answer.upper()) if len(answer) == 1 else -1
            if not 0 <= index < len(options):
                raise RowError(f"answer {answer!r} is not the letter of one of the {len(options)} options")
            answer = LETTERS[index]
        cot = None
        if row.get("process"):
            think = _THINK.search(str(row["process"]))
            cot = (think.group(1) if think else str(row["process"])).strip()
        rel = str(row["path"]).removeprefix("./")
        video = (videos.root / rel).resolve()
        image = row.get("data_type") == "image"
        return Item(
            source=self.name,
            key=key,
            video=video,
            video_rel=rel,
            video_id=Path(rel).stem,
            task=task,
            split=self.split,
            question=str(row["problem"]).strip(),
            options=options if task == "multiple_choice" else None,
            answer=answer,
            cot=cot,
            meta={"problem_type": row["problem_type"], "data_source": row.get("data_source"), "path": row["path"],
                  "data_type": row.get("data_type")},
            images=(video,) if image else None,
        )
