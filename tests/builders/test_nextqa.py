"""nextqa: CSV rows with an answer index and `map_vid_vidorID.json` video paths -> multiple_choice items."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item
from vdata.builders.nextqa import NExTQA

HEADER = "video,frame_count,width,height,question,answer,qid,type,a0,a1,a2,a3,a4\n"


def _corpus(root: Path, put) -> Path:
    put(root / "NExTVideo" / "0000" / "2440175990.mp4")
    (root / "map_vid_vidorID.json").write_text(json.dumps({"4010069381": "0000/2440175990"}))
    (root / "val.csv").write_text(
        HEADER
        + "4010069381,30,160,120,how do the two man play the instrument,2,6,CH,roll the handle,tap their feet,"
        "strum the string,hit with sticks,pat with hand\n"
        + "4010069381,30,160,120,why,7,7,CW,a,b,c,d,e\n"
    )
    return root


def test_answer_index_becomes_letter_and_video_path_comes_from_the_map(tmp_path: Path, put) -> None:
    out = list(NExTQA(_corpus(tmp_path, put)).items())
    item = out[0]
    assert isinstance(item, Item)
    assert (item.key, item.split, item.task, item.answer) == ("4010069381_6", "val", "multiple_choice", "C")
    assert item.options == ("roll the handle", "tap their feet", "strum the string", "hit with sticks", "pat with hand")
    assert item.video_rel == "NExTVideo/0000/2440175990.mp4"
    assert item.video_id == "4010069381"
    assert item.meta == {"type": "CH", "qid": "6", "frame_count": 30, "width": 160, "height": 120}


def test_answer_index_outside_the_options_is_a_bad_row(tmp_path: Path, put) -> None:
    bad = list(NExTQA(_corpus(tmp_path, put)).items())[1]
    assert isinstance(bad, BadRow)
    assert (bad.key, bad.code) == ("4010069381_7", "bad_annotation")
    assert bad.source_file.endswith("val.csv:3") and "answer index 7" in bad.message


def _open_ended_corpus(root: Path, put) -> Path:
    put(root / "NExTVideo" / "0000" / "2440175990.mp4")
    (root / "map_vid_vidorID.json").write_text(json.dumps({"4010069381": "0000/2440175990"}))
    (root / "test.csv").write_text(
        "video,frame_count,width,height,question,answer,qid,type\n"
        "4010069381,369,640,480,what are the people doing in the video,performing,9,TC\n"
        "4010069381,369,640,480,why does the lady walk away,help man do something else ,3,CW\n"
        "4010069381,369,640,480,how many people,,4,DC\n"
    )
    (root / "add_reference_answer_test.json").write_text(json.dumps({"4010069381": {"9": "dancing"}}))
    return root


def test_a_csv_without_options_is_next_oe_with_text_answers_and_a_second_reference(tmp_path: Path, put) -> None:
    out = list(NExTQA(_open_ended_corpus(tmp_path, put)).items())
    items = [i for i in out if isinstance(i, Item)]
    assert [(i.key, i.split, i.task, i.options, i.answer, i.meta["additional_reference"]) for i in items] == [
        ("4010069381_9", "test", "free_form", None, "performing", "dancing"),
        ("4010069381_3", "test", "free_form", None, "help man do something else", None),
    ]
    assert items[0].video_rel == "NExTVideo/0000/2440175990.mp4" and items[0].meta["type"] == "TC"
    [bad] = [b for b in out if isinstance(b, BadRow)]
    assert (bad.key, bad.code) == ("4010069381_4", "bad_annotation") and "empty answer" in bad.message
