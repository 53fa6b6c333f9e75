"""nextgqa: CSV rows with answer text + `gsub_*.json` evidence spans -> grounded_qa items."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item, Span
from vdata.builders.nextgqa import NExTGQA

HEADER = "video_id,frame_count,width,height,question,answer,qid,type,a0,a1,a2,a3,a4\n"


def _corpus(root: Path, put) -> Path:
    put(root / "NExTVideo" / "1001" / "4882821564.mp4")
    (root / "map_vid_vidorID.json").write_text(json.dumps({"4882821564": "1001/4882821564"}))
    (root / "val.csv").write_text(
        HEADER
        + "4882821564,30,160,120,why did the boy pick up one present,unwrap it,1,CW,share with the girl,"
        "approach lady,unwrap it,playing with toy train,gesture something\n"
        + "4882821564,30,160,120,what next,fly away,3,TN,a,b,c,d,e\n"
    )
    (root / "gsub_val.json").write_text(
        json.dumps({"4882821564": {"duration": 3, "location": {"1": [[0.5, 1.2], [2.0, 3]]}, "fps": 10.0}})
    )
    (root / "train.csv").write_text(HEADER + "4882821564,30,160,120,how,b,0,CH,a,b,c,d,e\n")
    return root


def test_answer_text_becomes_letter_and_location_becomes_spans(tmp_path: Path, put) -> None:
    item = next(i for i in NExTGQA(_corpus(tmp_path, put)).items() if isinstance(i, Item) and i.split == "val")
    assert (item.key, item.split, item.task, item.answer) == ("4882821564_1", "val", "grounded_qa", "C")
    assert item.spans == (Span(0.5, 1.2), Span(2.0, 3.0))
    assert item.video_rel == "NExTVideo/1001/4882821564.mp4"
    assert (item.meta["gsub_fps"], item.meta["grounded"], item.meta["type"]) == (10.0, True, "CW")


def test_answer_text_not_among_options_is_a_bad_row(tmp_path: Path, put) -> None:
    bad = [b for b in NExTGQA(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert [(b.key, b.code) for b in bad] == [("4882821564_3", "bad_annotation")]
    assert "'fly away' is none of the options" in bad[0].message


def test_train_rows_without_spans_are_multiple_choice(tmp_path: Path, put) -> None:
    train = [i for i in NExTGQA(_corpus(tmp_path, put)).items() if isinstance(i, Item) and i.split == "train"]
    assert [(i.key, i.task, i.answer, i.spans, i.meta["grounded"]) for i in train] == [
        ("4882821564_0", "multiple_choice", "B", None, False)
    ]
