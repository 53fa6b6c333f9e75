"""`longvideobench:PATH` — LongVideoBench, referring multiple-choice QA over long videos (Wu et al., NeurIPS 2024)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files, letter, read_records, require
from vdata.builders.base import BadRow, Builder, Item, register
from vdata.tasks.benchmarks import LONGVIDEOBENCH

#: The annotation files with answers: validation (`lvb_val.json`); the test file has none (a server scores it).
FILES = {"lvb_val.json": "val"}


@register("longvideobench")
class LongVideoBench(Builder):
    """LongVideoBench: one `multiple_choice` sample per question of the validation set (1,337, split `val`).

    Layout (the Hugging Face release `longvideobench/LongVideoBench`; PATH is its folder, or `lvb_val.json`):
    - `lvb_val.json`: a list of `{"id", "video_id", "video_path" ("<video_id>.mp4"), "question", "candidates":
      [...] (4 or 5), "correct_choice" (0-based index), "duration" (s), "duration_group" (15, 60, 600, 3600:
      the upper bound of the video length class in seconds), "question_category" (17 codes: "S2E", "T3O", ...),
      "level", "topic_category", "position", "subtitle_path", "starting_timestamp_for_subtitles"}`.
      `lvb_test_wo_gt.json` has no answers (its leaderboard scores it) and is not read.
    - `videos/<video_path>` (the joined `videos.tar.part.*`), or anywhere under PATH; `subtitles/<subtitle_path>`.

    Conversions: `options` are the `candidates`, `answer` the letter of `correct_choice`; `key` is `id`;
    `meta` keeps `duration_group`, `question_category`, `level`, `topic_category`, `position`, `duration_s`
    and `subtitle` (the subtitle path relative to PATH when the file exists). Its JSON cues fill the `subtitles`
    column as the benchmark's loader reads them: `start`/`end` clock times or `timestamp` seconds, minus
    `starting_timestamp_for_subtitles` (video time), within the clip window. A `correct_choice` outside the candidates or
    a row without `video_path`/`question`/`candidates`/`correct_choice` is a bad row.
    `vdata eval` prints LongVideoBench's table (lmms-eval `longvideobench/utils.py`): accuracy per duration group
    and per question category, and overall over every question; an answer with no letter A-E counts as the
    expected value of the script's random pick, 1 / the number of options.
    """

    citation = """\
@inproceedings{wu2024longvideobench,
  title={LongVideoBench: A Benchmark for Long-context Interleaved Video-Language Understanding},
  author={Wu, Haoning and Li, Dongxu and Chen, Bei and Li, Junnan},
  booktitle={NeurIPS Datasets and Benchmarks}, year={2024}
}
"""
    license = "cc-by-nc-sa-4.0"
    benchmark = LONGVIDEOBENCH

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("videos", ""))
        for path in annotation_files(self.path, list(FILES)):
            split = FILES.get(path.name, self.split)
            try:
                rows = read_records(path)
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            for i, row in enumerate(rows):
                key = str(row.get("id") or f"row{i}") if isinstance(row, dict) else f"row{i}"
                try:
                    yield self._item(row, key, split, videos)
                except RowError as e:
                    yield BadRow(self.name, key, f"{path}#{i}", e.code, f"row {i}: {e}")

    def _item(self, row: Any, key: str, split: str, videos: VideoIndex) -> Item:
        require(row, "video_path", "question", "candidates", "correct_choice")
        options = tuple(str(c).strip() for c in row["candidates"])
        try:
            index = int(row["correct_choice"])
        except (TypeError, ValueError):
            raise RowError(f"correct_choice {row['correct_choice']!r} is not an option index") from None
        answer = letter(index, len(options))
        video = videos.find_file(str(row["video_path"]))
        meta: dict[str, Any] = {k: row.get(k) for k in
                                ("duration_group", "question_category", "level", "topic_category", "position")}
        meta["duration_s"] = row.get("duration")
        subtitle = self.root / "subtitles" / str(row.get("subtitle_path") or "")
        if row.get("subtitle_path") and subtitle.is_file():
            meta["subtitle"] = f"subtitles/{row['subtitle_path']}"
        return Item(
            source=self.name,
            key=key,
            video=video,
            video_rel=videos.rel(video),
            video_id=str(row.get("video_id") or video.stem),
            task="multiple_choice",
            split=split,
            question=str(row["question"]).strip(),
            options=options,
            answer=answer,
            meta=meta,
            subtitles=subtitle if "subtitle" in meta else None,
            subtitles_offset_s=float(row.get("starting_timestamp_for_subtitles") or 0.0),
        )
