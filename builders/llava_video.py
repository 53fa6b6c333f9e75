"""`llava-video:PATH` — LLaVA-Video-178K conversations (Zhang et al., 2024, lmms-lab/LLaVA-Video-178K)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import LETTERS, RowError, load_json, require
from vdata.builders.base import BadRow, Builder, Item, register

_MEDIA_TOKEN = re.compile(r"<(image|video)>\s*")
_OPTION = re.compile(r"^\(?([A-Z])[.):]\s*(.*)$")
_ANSWER_LETTER = re.compile(r"^\(?([A-Z])(?:[.):]|\s|$)")


@register("llava-video")
class LLaVAVideo(Builder):
    """LLaVA-Video-178K: one sample per question-answer turn of each conversation.

    Layout (PATH is the dataset folder, or one JSON file):
    - subset folders `<duration>_<source>_v0_1/` (e.g. `0_30_s_academic_v0_1/`) holding
      `*_cap_processed.json` (captions), `*_oe_*qa_processed.json` (open-ended QA) and
      `*_mc_*qa_processed.json` (multiple choice); every `*.json` under PATH is read. Each is a list of
      `{"id", "video": "<path>", "conversations": [{"from": "human", "value": "<image>\\n..."},
      {"from": "gpt", "value": "..."}, ...], "data_source"}`; a row may name `"image": "<path>"` (or a list of
      paths) instead of `video`, as the LLaVA image-instruction files mixed into LLaVA-Video training do.
    - videos at `video`, relative to the JSON file's folder (the subset folder with its extracted tars), else to
      PATH.

    Conversions: each human turn followed by a gpt turn is one sample, the `<image>`/`<video>` token removed.
    The task comes from the file name: `_cap_` -> caption (`question` the prompt, `answer` the caption),
    `_mc_` -> multiple_choice (the prompt's `A. ...` lines become `options` without letters, the text before
    them the `question`, any instruction after them is kept in `meta["instruction"]`; `answer` the letter the
    gpt turn starts with), anything else -> free_form. `key` is `<file stem>:<id>#<turn>` (turn = 0-based QA
    pair index; a repeated `id` in a file gets `@<n>`). `meta` keeps `data_source`, `id`, the file name. An
    `image` row is an image sample (schema v2 `media` "image", `Item.images`: its image(s) in order as frames,
    no timestamps; `video_id` the first image's stem). A row with neither `video` nor `image`, a
    conversation without a gpt reply, or a multiple-choice turn whose options or answer letter cannot be read,
    is a bad row.
    """

    citation = """\
@article{zhang2024llavavideo,
  title={Video Instruction Tuning With Synthetic Data},
  author={Zhang, Yuanhan and Wu, Jinming and Li, Wei and Li, Bo and Ma, Zejun and Liu, Ziwei and Li, Chunyuan},
  journal={arXiv preprint arXiv:2410.02713}, year={2024}
}
"""
    license = "see https://huggingface.co/datasets/lmms-lab/LLaVA-Video-178K"

    def items(self) -> Iterator[Item | BadRow]:
        files = [self.path] if self.path.is_file() else sorted(self.path.rglob("*.json"))
        for path in files:
            try:
                rows = load_json(path)
                if not isinstance(rows, list):
                    raise RowError(f"{path.name}: expected a list of conversations")
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            task = "caption" if "_cap_" in path.name else "multiple_choice" if "_mc_" in path.name else "free_form"
            counts: dict[str, int] = {}
            for n, row in enumerate(rows):
                raw_id = str(row.get("id", f"row{n}")) if isinstance(row, dict) else f"row{n}"
                seen = counts.get(raw_id, 0)
                counts[raw_id] = seen + 1
                base = f"{path.stem}:{raw_id}" + (f"@{seen}" if seen else "")
                try:
                    yield from self._conversation(path, row, base, task)
                except RowError as e:
                    yield BadRow(self.name, base, f"{path}:{n}", e.code, f"{base}: {e}")

    def _conversation(self, path: Path, row: Any, base: str, task: str) -> Iterator[Item | BadRow]:
        is_image = isinstance(row, dict) and "video" not in row and "image" in row
        if is_image:
            require(row, "image", "conversations")
            rels = [str(r) for r in row["image"]] if isinstance(row["image"], list) else [str(row["image"])]
            if not rels:
                raise RowError("an empty image list")
        else:
            require(row, "video", "conversations")
            rels = [str(row["video"])]
        found = [self._locate(path, rel) for rel in rels]
        video, rel = found[0], rels[0]
        images = tuple(f.resolve() for f in found) if is_image else None
        turns = [t for t in row["conversations"] if isinstance(t, dict)]
        pairs = [
            (turns[i]["value"], turns[i + 1]["value"])
            for i in range(len(turns) - 1)
            if turns[i].get("from") == "human" and turns[i + 1].get("from") == "gpt"
        ]
        if not pairs:
            raise RowError("no human turn followed by a gpt reply")
        for turn, (prompt, reply) in enumerate(pairs):
            key = f"{base}#{turn}"
            meta = {"id": row.get("id"), "data_source": row.get("data_source"), "file": path.name}
            text = _MEDIA_TOKEN.sub("", str(prompt)).strip()
            fields: dict[str, Any] = {"question": text, "answer": str(reply).strip()}
            if task == "multiple_choice":
                try:
                    fields = _multiple_choice(text, str(reply), meta)
                except RowError as e:
                    yield BadRow(self.name, key, f"{path}:{row.get('id')}", e.code, f"{key}: {e}")
                    continue
            yield Item(
                source=self.name,
                key=key,
                video=video.resolve(),
                video_rel=_rel(video, self.root),
                video_id=Path(rel).stem,
                task=task,
                split=self.split,
                meta=meta,
                images=images,
                **fields,
            )

    def _locate(self, path: Path, rel: str) -> Path:
        """A media path of a row: relative to the JSON file's folder, else to PATH."""
        media = path.parent / rel
        return self.root / rel if not media.is_file() and (self.root / rel).is_file() else media


def _multiple_choice(prompt: str, reply: str, meta: dict[str, Any]) -> dict[str, Any]:
    """Split an MC prompt into question, options (letters A, B, ... in order) and instruction; read the letter."""
    question: list[str] = []
    options: list[str] = []
    after: list[str] = []
    for line in prompt.splitlines():
        found = _OPTION.match(line.strip())
        if found and not after and found.group(1) == LETTERS[len(options)]:
            options.append(found.group(2).strip())
        elif options:
            after.append(line)
        else:
            question.append(line)
    if len(options) < 2:
        raise RowError("a multiple-choice prompt without 'A. ...' option lines")
    if question and question[-1].strip().lower() in ("options:", "options"):
        question.pop()
    letter = _ANSWER_LETTER.match(reply.strip())
    if letter is None or LETTERS.index(letter.group(1)) >= len(options):
        raise RowError(f"reply {reply.strip()[:40]!r} does not start with one of the option letters")
    meta["instruction"] = "\n".join(after).strip() or None
    return {
        "question": "\n".join(question).strip(),
        "options": tuple(options),
        "answer": letter.group(1),
    }


def _rel(video: Path, root: Path) -> str:
    try:
        return video.resolve().relative_to(root).as_posix()
    except ValueError:
        return video.as_posix()
