"""video-r1: problem list with `<answer>` solutions, lettered options, `<think>` process, image rows as image items."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item
from vdata.builders.video_r1 import VideoR1


def _corpus(root: Path, put) -> Path:
    from PIL import Image

    put(root / "LLaVA-Video-178K" / "liwei_youtube_videos" / "ytb_7nRmsEw7nsE.mp4")
    (root / "Chart").mkdir(parents=True)
    Image.new("RGB", (90, 60), (200, 30, 30)).save(root / "Chart" / "a.png")
    rows = [
        {"problem_id": 2, "problem": "What appears on the screen?", "data_type": "video", "problem_type": "multiple choice",
         "options": ["A. A notification", "B. A command", "C. A warning"], "process": "<think>It looks familiar.</think>",
         "solution": "<answer>A</answer>", "path": "./LLaVA-Video-178K/liwei_youtube_videos/ytb_7nRmsEw7nsE.mp4",
         "data_source": "LLaVA-Video-178K/30_60_s_youtube_v0_1"},
        {"problem_id": 3, "problem": "How many balls?", "data_type": "video", "problem_type": "numerical", "options": [],
         "solution": "<answer>4</answer>", "path": "./LLaVA-Video-178K/liwei_youtube_videos/ytb_7nRmsEw7nsE.mp4"},
        {"problem_id": 4, "problem": "Chart?", "data_type": "image", "problem_type": "OCR", "solution": "<answer>x</answer>",
         "path": "./Chart/a.png"},
        {"problem_id": 5, "problem": "Which?", "data_type": "video", "problem_type": "multiple choice",
         "options": ["A. x", "B. y"], "solution": "<answer>D</answer>", "path": "./STAR/v.mp4"},
    ]
    (root / "Video-R1-COT-165k.json").write_text(json.dumps(rows))
    (root / "Video-R1-260k.json").write_text(json.dumps([{**rows[1], "problem": "duplicate, skipped"}]))
    return root


def test_multiple_choice_letter_options_without_letters_and_think_as_cot(tmp_path: Path, put) -> None:
    item = next(iter(VideoR1(_corpus(tmp_path, put)).items()))
    assert isinstance(item, Item)
    assert (item.key, item.task, item.answer, item.cot) == ("2", "multiple_choice", "A", "It looks familiar.")
    assert item.options == ("A notification", "A command", "A warning")
    assert item.video_rel == "LLaVA-Video-178K/liwei_youtube_videos/ytb_7nRmsEw7nsE.mp4"
    assert item.video == tmp_path / item.video_rel


def test_numerical_becomes_numeric_and_a_problem_id_is_built_once(tmp_path: Path, put) -> None:
    items = [i for i in VideoR1(_corpus(tmp_path, put)).items() if isinstance(i, Item) and i.images is None]
    assert [(i.key, i.task, i.question, i.answer, i.options, i.cot) for i in items[1:]] == [
        ("3", "numeric", "How many balls?", "4", None, None)
    ]


def test_image_rows_are_image_items_and_letter_outside_options_is_a_bad_row(tmp_path: Path, put) -> None:
    out = list(VideoR1(_corpus(tmp_path, put)).items())
    assert [(b.key, b.code) for b in out if isinstance(b, BadRow)] == [("5", "bad_annotation")]
    image = next(i for i in out if isinstance(i, Item) and i.key == "4")
    assert (image.task, image.answer, image.video_rel) == ("ocr", "x", "Chart/a.png")
    assert image.images == (tmp_path / "Chart" / "a.png",) and image.meta["data_type"] == "image"
