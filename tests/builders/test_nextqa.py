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
