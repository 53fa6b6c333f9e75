"""The grounding benchmarks' evaluation splits build from the release's own file names, and `vdata eval --split`
scores only them: Charades-STA `charades_sta_test.txt` (split test), ActivityNet Captions `val_2.json` (split val_2:
the release has no test annotations; grounding papers report val_2 or val_1), NExT-GQA `test.csv` with
`gsub_test.json` (split test, grounded_qa)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.distill.helpers import make_row, write_dataset
from vdata.builders import Item, Span, get
from vdata.eval import EvalOptions, evaluate


def put(path: Path) -> None:
    """A placeholder video file (the builders only locate videos; decoding is the build's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")


def _items(name: str, root: Path) -> list[Item]:
    return [i for i in get(name)(root).items() if isinstance(i, Item)]


def test_charades_sta_test_file_is_the_test_split(tmp_path: Path) -> None:
    put(tmp_path / "Charades_v1_480" / "AO8RW.mp4")
    (tmp_path / "charades_sta_train.txt").write_text("AO8RW 0.0 1.0##a person opens a door.\n")
    (tmp_path / "charades_sta_test.txt").write_text("AO8RW 0.3 0.9##the person closes the door.\n")
    test = [i for i in _items("charades-sta", tmp_path) if i.split == "test"]
    assert [(i.task, i.question, i.spans) for i in test] == [
        ("temporal_grounding", "the person closes the door.", (Span(0.3, 0.9),))]


def test_activitynet_captions_val_2_is_its_own_split(tmp_path: Path) -> None:
    put(tmp_path / "videos" / "v_abc.mp4")
    (tmp_path / "val_2.json").write_text(
        json.dumps({"v_abc": {"duration": 3.0, "timestamps": [[0.5, 2.0]], "sentences": [" A man jumps."]}}))
    items = _items("activitynet-captions", tmp_path)
    grounding = [i for i in items if i.task == "temporal_grounding"]
    assert [(i.split, i.spans) for i in grounding] == [("val_2", (Span(0.5, 2.0),))]


def test_nextgqa_test_csv_and_gsub_test_make_grounded_test_rows(tmp_path: Path) -> None:
    put(tmp_path / "NExTVideo" / "1001" / "4882821564.mp4")
    (tmp_path / "map_vid_vidorID.json").write_text(json.dumps({"4882821564": "1001/4882821564"}))
    (tmp_path / "test.csv").write_text(
        "video_id,frame_count,width,height,question,answer,qid,type,a0,a1,a2,a3,a4\n"
        "4882821564,30,160,120,why,c,4,CW,a,b,c,d,e\n")
    (tmp_path / "gsub_test.json").write_text(json.dumps({"4882821564": {"duration": 3, "location": {"4": [[1, 2]]}}}))
    assert [(i.split, i.task, i.answer, i.spans) for i in _items("nextgqa", tmp_path)] == [
        ("test", "grounded_qa", "C", (Span(1.0, 2.0),))]


def test_eval_split_scores_only_the_test_rows(tmp_path: Path) -> None:
    rows = [make_row("t1", "temporal_grounding", split="test", spans=[{"start_s": 1.0, "end_s": 3.0}]),
            make_row("r1", "temporal_grounding", split="train", spans=[{"start_s": 1.0, "end_s": 3.0}])]
    data = write_dataset(tmp_path / "built", rows)
    preds = tmp_path / "p.jsonl"
    preds.write_text(json.dumps({"id": "t1", "response": "<answer>1.0 - 3.0</answer>"}) + "\n")
    summary = evaluate(data, preds, EvalOptions(split="test")).summary()
    assert summary["tasks"]["temporal_grounding"]["n"] == 1
    assert summary["tasks"]["temporal_grounding"]["metrics"]["R1@0.7"] == 1.0
