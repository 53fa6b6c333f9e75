"""`mvbench:PATH` — MVBench, 20 temporal multiple-choice tasks over 11 video corpora (Li et al., CVPR 2024)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, letter, load_json, require, span
from vdata.builders.base import BadRow, Builder, Item, register
from vdata.tasks.benchmarks import MVBENCH
from vdata.video.frames_folder import FPS_KEY

#: The 20 tasks as the release's `mvbench.ipynb` lists them: name -> (json file, video folder under `video/`,
#: whether the question is about a window `start`-`end` of the video). Episodic Reasoning reads TVQA frame
#: folders (`FRAME_FOLDER_FPS` JPEGs `00001.jpg`, ...), not video files.
TASKS: dict[str, tuple[str, str, bool]] = {
    "Action Sequence": ("action_sequence.json", "star/Charades_v1_480", True),
    "Action Prediction": ("action_prediction.json", "star/Charades_v1_480", True),
    "Action Antonym": ("action_antonym.json", "ssv2_video", False),
    "Fine-grained Action": ("fine_grained_action.json", "Moments_in_Time_Raw/videos", False),
    "Unexpected Action": ("unexpected_action.json", "FunQA_test/test", False),
    "Object Existence": ("object_existence.json", "clevrer/video_validation", False),
    "Object Interaction": ("object_interaction.json", "star/Charades_v1_480", True),
    "Object Shuffle": ("object_shuffle.json", "perception/videos", False),
    "Moving Direction": ("moving_direction.json", "clevrer/video_validation", False),
    "Action Localization": ("action_localization.json", "sta/sta_video", True),
    "Scene Transition": ("scene_transition.json", "scene_qa/video", False),
    "Action Count": ("action_count.json", "perception/videos", False),
    "Moving Count": ("moving_count.json", "clevrer/video_validation", False),
    "Moving Attribute": ("moving_attribute.json", "clevrer/video_validation", False),
    "State Change": ("state_change.json", "perception/videos", False),
    "Fine-grained Pose": ("fine_grained_pose.json", "nturgbd", False),
    "Character Order": ("character_order.json", "perception/videos", False),
    "Egocentric Navigation": ("egocentric_navigation.json", "vlnqa", False),
    "Episodic Reasoning": ("episodic_reasoning.json", "tvqa/frames_fps3_hq", True),
    "Counterfactual Inference": ("counterfactual_inference.json", "clevrer/video_validation", False),
}
FRAME_FOLDER_TASKS = ("Episodic Reasoning",)
#: Frame rate of the TVQA frame folders (`frames_fps3_hq`), frames per second.
FRAME_FOLDER_FPS = 3.0


@register("mvbench")
class MVBench(Builder):
    """MVBench: one `multiple_choice` sample per question of its 20 task files (200 each, split `test`).

    Layout (the Hugging Face release `OpenGVLab/MVBench`; PATH is its folder):
    - `json/<task>.json` (`action_sequence.json`, ... the 20 files of `TASKS`), each a list of
      `{"video", "question", "candidates": [...], "answer": "<text of the right candidate>"}`, plus `start` and
      `end` (seconds) in the tasks that ask about a window (Action Sequence, Action Prediction, Object
      Interaction, Action Localization, Episodic Reasoning).
    - `video/<folder>/<video>`: each task's folder of `TASKS` (`star/Charades_v1_480/`, `clevrer/video_validation/`,
      ...); a video not there is looked up by file name anywhere under PATH.

    Conversions: `options` are the `candidates`, `answer` the letter of the candidate equal to `answer`; in the
    window tasks `start`/`end` become `clip_start_s`/`clip_end_s`, so keyframes come from the window the
    question is about (the other tasks' `start`/`end`, if any, are ignored, as the release's loader ignores them);
    `key` is `<json stem>/<position in the file>`; `meta` keeps `task_type` (the task name) and `task_file`.
    An answer that is none of the candidates, a window with end < start or a row without
    `video`/`question`/`candidates`/`answer` is a bad row. Episodic Reasoning's videos are TVQA frame folders
    (`video/tvqa/frames_fps3_hq/<video>/00001.jpg`, ...): the video is the folder, read as an image-folder video
    at 3 fps (`meta.frames_fps`), frame file k at (k - 1) / 3 s, so its `start`/`end` bound the same frames as
    the release's loader (which rounds `start * 3` to a 1-based file number) up to one frame.
    `vdata eval` prints MVBench's table (`mvbench.ipynb` `check_ans`): accuracy per task and overall over
    every question.
    """

    citation = """\
@inproceedings{li2024mvbench,
  title={MVBench: A Comprehensive Multi-modal Video Understanding Benchmark},
  author={Li, Kunchang and Wang, Yali and He, Yinan and others},
  booktitle={CVPR}, year={2024}
}
"""
    license = "see https://huggingface.co/datasets/OpenGVLab/MVBench"
    benchmark = MVBENCH

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("video", ""))
        files = {p.name: p for p in self._json_files()}
        for task, (file_name, folder, windowed) in TASKS.items():
            path = files.get(file_name)
            if path is None:
                continue
            try:
                rows = load_json(path)
                if not isinstance(rows, list):
                    raise RowError(f"{path.name}: expected a JSON list of questions")
            except RowError as e:
                yield BadRow(self.name, path.stem, str(path), e.code, str(e))
                continue
            for i, row in enumerate(rows):
                key = f"{path.stem}/{i}"
                try:
                    yield self._item(row, key, task, folder, windowed, videos)
                except RowError as e:
                    yield BadRow(self.name, key, f"{path}#{i}", e.code, f"question {i}: {e}")

    def _json_files(self) -> list[Path]:
        if self.path.is_file():
            return [self.path]
        return [p for folder in (self.path / "json", self.path) for p in sorted(folder.glob("*.json"))]

    def _item(self, row: Any, key: str, task: str, folder: str, windowed: bool, videos: VideoIndex) -> Item:
        require(row, "video", "question", "candidates", "answer")
        options = tuple(str(c).strip() for c in row["candidates"])
        answer = str(row["answer"]).strip()
        if answer not in options:
            raise RowError(f"answer {answer!r} is none of the candidates {list(options)}")
        clip = span(row.get("start"), row.get("end"), "start/end") if windowed and "start" in row else (None, None)
        meta: dict[str, Any] = {"task_type": task, "task_file": key.split("/")[0]}
        if task in FRAME_FOLDER_TASKS:
            video = _find_folder(videos, folder, str(row["video"]))
            meta[FPS_KEY] = FRAME_FOLDER_FPS
        else:
            video = _find(videos, folder, str(row["video"]))
        return Item(
            source=self.name,
            key=key,
            video=video,
            video_rel=videos.rel(video),
            video_id=Path(str(row["video"])).stem,
            task="multiple_choice",
            split="test",
            clip_start_s=clip[0],
            clip_end_s=clip[1],
            question=str(row["question"]).strip(),
            options=options,
            answer=letter(options.index(answer), len(options)),
            meta=meta,
        )


def _find_folder(videos: VideoIndex, folder: str, name: str) -> Path:
    """The frame folder `video/<folder>/<name>` (or `<folder>/<name>`); the first path when neither exists."""
    candidates = (videos.root / "video" / folder / name, videos.root / folder / name)
    return next((c for c in candidates if c.is_dir()), candidates[0])


def _find(videos: VideoIndex, folder: str, name: str) -> Path:
    """`video/<folder>/<name>` (or `<folder>/<name>`), else the file of that name anywhere under the root."""
    for base in (videos.root / "video" / folder, videos.root / folder):
        if (base / name).is_file():
            return base / name
    found = videos.find_file(name)
    return found if found.is_file() else videos.root / "video" / folder / name
