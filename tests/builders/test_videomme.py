"""videomme: the Hugging Face parquet, `data/<videoID>.mp4` and `subtitle/<videoID>.srt` -> multiple_choice items."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from vdata.builders import BadRow, Item
from vdata.builders.videomme import VideoMME

OPTIONS = ["A. Two.", "B. Three.", "C. Four.", "D. Five."]


def _row(qid: str, **over) -> dict:
    row = {"video_id": "001", "duration": "short", "domain": "Knowledge", "sub_category": "Humanity & History",
           "url": "https://www.youtube.com/watch?v=fFjv93ACGo8", "videoID": "fFjv93ACGo8", "question_id": qid,
           "task_type": "Counting Problem", "question": "How many people are there?", "options": OPTIONS,
           "answer": "C"}
    return row | over


def _corpus(root: Path, put) -> Path:
    put(root / "data" / "fFjv93ACGo8.mp4")
    (root / "subtitle").mkdir(parents=True)
    (root / "subtitle" / "fFjv93ACGo8.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nhello\n")
    rows = [_row("001-1"), _row("001-2", answer="E"), _row("001-3", duration="very long"),
            _row("001-4", task_type="OCR Problems", answer="A", duration="long")]
    (root / "videomme").mkdir()
    pq.write_table(pa.Table.from_pylist(rows), root / "videomme" / "test-00000-of-00001.parquet")
    return root


def test_letters_are_stripped_and_the_duration_class_and_subtitle_kept(tmp_path: Path, put) -> None:
    out = list(VideoMME(_corpus(tmp_path, put)).items())
    item = out[0]
    assert isinstance(item, Item)
    assert (item.key, item.split, item.task, item.answer) == ("001-1", "test", "multiple_choice", "C")
    assert item.options == ("Two.", "Three.", "Four.", "Five.")
    assert (item.video_rel, item.video_id) == ("data/fFjv93ACGo8.mp4", "fFjv93ACGo8")
    assert item.meta["duration"] == "short" and item.meta["task_type"] == "Counting Problem"
    assert item.meta["subtitle"] == "subtitle/fFjv93ACGo8.srt" and item.meta["benchmark_video_id"] == "001"
    assert isinstance(out[3], Item) and out[3].meta["duration"] == "long"


def test_an_answer_outside_the_options_and_an_unknown_duration_are_bad_rows(tmp_path: Path, put) -> None:
    out = list(VideoMME(_corpus(tmp_path, put)).items())
    bad = [o for o in out if isinstance(o, BadRow)]
    assert [(b.key, b.code) for b in bad] == [("001-2", "bad_annotation"), ("001-3", "bad_annotation")]
    assert "'E' is not the letter" in bad[0].message and "very long" in bad[1].message
    assert bad[0].source_file.endswith("test-00000-of-00001.parquet#1")
