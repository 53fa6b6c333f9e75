"""`star:PATH` — STAR situated reasoning in real-world videos (Wu et al., NeurIPS 2021)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files, letter, load_json, require, span
from vdata.builders.base import BadRow, Builder, Item, register

FILES = {f"STAR_{s}.json": s for s in ("train", "val", "test")}


@register("star")
class STAR(Builder):
    """STAR: one `multiple_choice` sample per question, keyframes sampled inside the question's clip window.

    Layout (PATH is the folder, or one annotation file in it):
    - `STAR_train.json`, `STAR_val.json`, `STAR_test.json` (also under `annotations/`; split from the file
      name): a list of `{"question_id": "<Type>_T<n>_<m>", "question", "video_id" (a Charades id), "start",
      "end" (seconds, the situation clip inside the Charades video), "answer" (the correct choice's text),
      "choices": [{"choice_id", "choice"}, ...], "question_program", "situations"}`.
    - videos: the Charades videos `Charades_v1_480/<video_id>.mp4` (or `Charades_v1/`, `videos/`, PATH itself,
      or anywhere under PATH).

    Conversions: `key` is `question_id`; `clip_start_s`/`clip_end_s` are `start`/`end` (keyframes come from the
    window; labels stay in video time); `options` the choices ordered by `choice_id`; `answer` the letter of the
    choice whose text equals `answer` (None when the test split gives no answer). `meta` keeps the question
    type (the `question_id` prefix: Interaction, Sequence, Prediction, Feasibility), `start`, `end` and the
    original `answer` text; the situation graphs and programs are not copied. An answer that is none of the
    choices, or end < start, is a bad row.
    """

    citation = """\
@inproceedings{wu2021star,
  title={STAR: A Benchmark for Situated Reasoning in Real-World Videos},
  author={Wu, Bo and Yu, Shoubin and Chen, Zhenfang and Tenenbaum, Joshua B. and Gan, Chuang},
  booktitle={NeurIPS Datasets and Benchmarks}, year={2021}
}
"""
    license = "see https://bobbywu.com/STAR/ (videos: Charades terms)"

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("Charades_v1_480", "Charades_v1", "videos", ""))
        for path in annotation_files(self.path, list(FILES)):
            split = FILES.get(path.name, self.split)
            try:
                rows = load_json(path)
                if not isinstance(rows, list):
                    raise RowError(f"{path.name}: expected a list of questions")
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            for n, row in enumerate(rows):
                key = str(row.get("question_id", f"row{n}")) if isinstance(row, dict) else f"row{n}"
                try:
                    yield self._convert(row, key, split, videos)
                except (RowError, TypeError, ValueError) as e:
                    code = getattr(e, "code", "bad_annotation")
                    yield BadRow(self.name, key, f"{path}:{n}", code, f"{key}: {e}")

    def _convert(self, row: Any, key: str, split: str, videos: VideoIndex) -> Item:
        require(row, "question_id", "question", "video_id", "start", "end", "choices")
        start_s, end_s = span(row["start"], row["end"], "start/end")
        choices = sorted(row["choices"], key=lambda c: int(c["choice_id"]))
        options = tuple(str(c["choice"]).strip() for c in choices)
        answer = None
        if row.get("answer") is not None:
            text = str(row["answer"]).strip()
            if text not in options:
                raise RowError(f"answer {text!r} is none of the choices {list(options)}")
            answer = letter(options.index(text), len(options))
        video = videos.find(str(row["video_id"]))
        return Item(
            source=self.name,
            key=key,
            video=video,
            video_rel=videos.rel(video),
            video_id=str(row["video_id"]),
            task="multiple_choice",
            split=split,
            clip_start_s=start_s,
            clip_end_s=end_s,
            question=str(row["question"]).strip(),
            options=options,
            answer=answer,
            meta={
                "question_type": key.split("_", 1)[0],
                "start": row["start"],
                "end": row["end"],
                "answer_text": row.get("answer"),
            },
        )
