"""`tempcompass:PATH` — TempCompass, temporal perception of video LLMs in three answer formats (Liu et al., ACL 2024)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import LETTERS, RowError, VideoIndex, load_json, require
from vdata.builders.base import BadRow, Builder, Item, register
from vdata.tasks.benchmarks import TEMPCOMPASS

#: The task types read (file stem under `questions/`); `captioning` needs an LLM judge and is not read.
TASK_TYPES = ("multi-choice", "yes_no", "caption_matching")
_OPTION_LINE = re.compile(r"^([A-Z])\. (.*)$")


@register("tempcompass")
class TempCompass(Builder):
    """TempCompass: one sample per question of three task types (split `test`): `multi-choice` questions are
    `multiple_choice` samples, `yes_no` and `caption_matching` ones `free_form` (the official rules read the
    words `yes`/`no` and the caption labels, not option letters).

    Layout (the release `github.com/llyx97/TempCompass`, videos from its Hugging Face dataset; PATH is its
    folder):
    - `questions/multi-choice.json`, `questions/yes_no.json`, `questions/caption_matching.json`:
      `{"<video_id>": {"<dimension>": [{"question", "answer"}, ...]}}`; dimensions are action, speed,
      direction, order and attribute_change. Multi-choice questions hold their options as lines `A. text` and the
      answer is one of those lines; caption-matching questions hold lines `Caption A: text` (or `Option 1:`,
      `Sentence A:`) and the answer is one of them; yes/no answers are `yes` or `no`. `captioning.json` (scored
      by an LLM) is not read.
    - `meta_info.json` (optional): `{"<video_id>": {"eval_dim": {"<dimension>": {"type": "<fine dimension>"}}}}`.
    - `videos/<video_id>.mp4` (`<id>_reverse.mp4` etc. are their own videos), or anywhere under PATH.

    Conversions: multi-choice `question` is the first line, `options` the option lines without letters, `answer`
    the letter; the other types keep the whole question text and the answer as written; `key` is
    `<task type>/<video_id>/<dimension>/<position>`; `meta` keeps `task_type`, `dimension` and `fine_dimension`.
    A multi-choice answer that is not one of its option lines, a caption-matching answer that is not one of
    its caption lines or a yes/no answer other than yes/no is a bad row.
    `vdata eval` prints TempCompass's table with the rule-based matching of `eval_<type>.py` and no LLM fallback
    (`--disable_llm`: an unmatched answer scores 0): accuracy per task type, per dimension and per task type x
    dimension, and overall over every question.
    """

    citation = """\
@inproceedings{liu2024tempcompass,
  title={TempCompass: Do Video LLMs Really Understand Videos?},
  author={Liu, Yuanxin and Li, Shicheng and Liu, Yi and Wang, Yuxiang and Ren, Shuhuai and Li, Lei and
          Chen, Sishuo and Sun, Xu and Hou, Lu},
  booktitle={Findings of ACL}, year={2024}
}
"""
    license = "see https://github.com/llyx97/TempCompass"
    benchmark = TEMPCOMPASS

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("videos", ""))
        try:
            fine = _meta_info(self.root)
        except RowError as e:
            yield BadRow(self.name, "meta_info.json", str(self.root / "meta_info.json"), e.code, str(e))
            fine = {}
        for task_type in TASK_TYPES:
            path = next((p for p in (self.root / "questions" / f"{task_type}.json", self.root / f"{task_type}.json")
                         if p.is_file()), None)
            if path is None:
                continue
            try:
                data = load_json(path)
                if not isinstance(data, dict):
                    raise RowError(f"{path.name}: expected an object of videos")
            except RowError as e:
                yield BadRow(self.name, task_type, str(path), e.code, str(e))
                continue
            for video_id, dims in data.items():
                for dim, questions in (dims or {}).items() if isinstance(dims, dict) else ():
                    for i, q in enumerate(questions if isinstance(questions, list) else [questions]):
                        key = f"{task_type}/{video_id}/{dim}/{i}"
                        try:
                            yield self._item(q, key, task_type, str(video_id), dim, fine, videos)
                        except RowError as e:
                            yield BadRow(self.name, key, f"{path}#{key}", e.code, str(e))

    def _item(self, q: Any, key: str, task_type: str, video_id: str, dim: str, fine: dict[str, Any],
              videos: VideoIndex) -> Item:
        require(q, "question", "answer")
        text, gold = str(q["question"]).strip(), str(q["answer"]).strip()
        question, options, answer, task = text, None, gold, "free_form"
        if task_type == "multi-choice":
            question, options, answer = _multi_choice(text, gold)
            task = "multiple_choice"
        elif task_type == "yes_no" and gold not in ("yes", "no"):
            raise RowError(f"yes/no answer {gold!r} is neither yes nor no")
        elif task_type == "caption_matching" and gold not in text.split("\n")[1:]:
            raise RowError(f"answer {gold!r} is not one of the question's caption lines")
        fine_dim = "order" if dim == "order" else (fine.get(video_id) or {}).get(dim, {}).get("type")
        video = videos.find(video_id)
        return Item(
            source=self.name,
            key=key,
            video=video,
            video_rel=videos.rel(video),
            video_id=video_id,
            task=task,
            split="test",
            question=question,
            options=options,
            answer=answer,
            meta={"task_type": task_type, "dimension": dim, "fine_dimension": fine_dim},
        )


def _multi_choice(text: str, gold: str) -> tuple[str, tuple[str, ...], str]:
    """(question, options, letter) of a multi-choice question whose option lines are `A. text`."""
    lines = text.split("\n")
    matches = [_OPTION_LINE.match(line.strip()) for line in lines]
    options = tuple(m.group(2).strip() for m in matches if m)
    question = "\n".join(line for line, m in zip(lines, matches, strict=True) if not m).strip()
    m = _OPTION_LINE.match(gold)
    index = LETTERS.index(m.group(1)) if m else -1
    if not m or index >= len(options) or options[index] != m.group(2).strip():
        raise RowError(f"answer {gold!r} is not one of the option lines")
    return question, options, m.group(1)


def _meta_info(root: Path) -> dict[str, Any]:
    """`{video_id: {dimension: {"type": fine dimension}}}` from `meta_info.json`, {} when absent; `RowError`
    when it is not JSON."""
    path = root / "meta_info.json"
    data = load_json(path) if path.is_file() else {}
    out: dict[str, Any] = {}
    for video_id, info in data.items() if isinstance(data, dict) else ():
        if isinstance(info, dict) and isinstance(info.get("eval_dim"), dict):
            out[str(video_id)] = info["eval_dim"]
    return out
