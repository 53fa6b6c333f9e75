"""`egoschema:PATH` — EgoSchema, very long-form egocentric video QA (Mangalam et al., NeurIPS 2023)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files, letter, load_json, require
from vdata.builders.base import BadRow, Builder, Item, register
from vdata.tasks.benchmarks import EGOSCHEMA

OPTION_FIELDS = tuple(f"option {i}" for i in range(5))


@register("egoschema")
class EgoSchema(Builder):
    """EgoSchema: one `multiple_choice` sample per question of the subset with public answers (500, split
    `subset`).

    Layout (the release `github.com/egoschema/EgoSchema`; PATH is its folder):
    - `questions.json`: a list of `{"q_uid", "google_drive_id", "question", "option 0", ..., "option 4"}`
      (5,031 questions).
    - `subset_answers.json`: `{"<q_uid>": <0-based index of the right option>}` for the 500 questions whose
      answers are public. The other questions are scored only by the benchmark's Kaggle server: they have no
      gold here and are not built (a multiple-choice sample needs its answer).
    - `videos/<q_uid>.mp4` (three-minute clips, from the release's download), or anywhere under PATH.

    Conversions: `options` are `option 0`..`option 4`, `answer` the letter of the subset answer; `key` and
    `video_id` are `q_uid`; `meta` keeps `google_drive_id`. A subset answer outside 0-4, an answer for a q_uid
    missing from `questions.json`, or a question without its five options is a bad row.
    `vdata eval` prints the subset accuracy as lmms-eval's `egoschema` generation task scores it: the answer must
    be exactly a whole option (`A. text.`), an option's text (with its final period) or a letter.
    """

    citation = """\
@inproceedings{mangalam2023egoschema,
  title={EgoSchema: A Diagnostic Benchmark for Very Long-form Video Language Understanding},
  author={Mangalam, Karttikeya and Akshulakov, Raiymbek and Malik, Jitendra},
  booktitle={NeurIPS Datasets and Benchmarks}, year={2023}
}
"""
    license = "see https://github.com/egoschema/EgoSchema"
    benchmark = EGOSCHEMA

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("videos", "good_clips_git", ""))
        files = {name: annotation_files(self.root, [name]) for name in ("questions.json", "subset_answers.json")}
        try:
            if not files["questions.json"] or not files["subset_answers.json"]:
                raise RowError("questions.json and subset_answers.json are both needed")
            questions = load_json(files["questions.json"][0])
            answers = load_json(files["subset_answers.json"][0])
            if not isinstance(questions, list) or not isinstance(answers, dict):
                raise RowError("questions.json must be a list and subset_answers.json an object")
        except RowError as e:
            yield BadRow(self.name, "questions.json", str(self.root), e.code, str(e))
            return
        by_uid = {q.get("q_uid"): q for q in questions if isinstance(q, dict)}
        source_file = str(files["subset_answers.json"][0])
        for uid, index in answers.items():
            try:
                if uid not in by_uid:
                    raise RowError(f"q_uid {uid} has an answer but is not in questions.json")
                yield self._item(by_uid[uid], index, videos)
            except RowError as e:
                yield BadRow(self.name, uid, f"{source_file}#{uid}", e.code, str(e))

    def _item(self, question: dict[str, Any], index: Any, videos: VideoIndex) -> Item:
        require(question, "q_uid", "question", *OPTION_FIELDS)
        options = tuple(str(question[f]).strip() for f in OPTION_FIELDS)
        if not isinstance(index, int) or isinstance(index, bool):
            raise RowError(f"answer {index!r} is not an option index")
        uid = str(question["q_uid"])
        video = videos.find(uid)
        return Item(
            source=self.name,
            key=uid,
            video=video,
            video_rel=videos.rel(video),
            video_id=uid,
            task="multiple_choice",
            split="subset",
            question=str(question["question"]).strip(),
            options=options,
            answer=letter(index, len(options)),
            meta={"google_drive_id": question.get("google_drive_id")},
        )
