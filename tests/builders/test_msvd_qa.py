"""msvd-qa: `<split>_qa.json` video ids through `youtube_mapping.txt` to `YouTubeClips/<name>.avi`."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item
from vdata.builders.msvd_qa import MSVDQA


def _corpus(root: Path, put) -> Path:
    put(root / "YouTubeClips" / "-4wsuPCjDBc_5_15.avi")
    (root / "youtube_mapping.txt").write_text("-4wsuPCjDBc_5_15 vid1\n-7KMZQEsJW4_205_208 vid2\n")
    (root / "train_qa.json").write_text(json.dumps([
        {"answer": "peel", "id": 0, "question": "what is a woman doing?", "video_id": 1},
        {"answer": "cut", "id": 1, "question": "what unmapped?", "video_id": 1971},
    ]))
    return root


def test_video_id_maps_to_the_youtube_clip(tmp_path: Path, put) -> None:
    items = [i for i in MSVDQA(_corpus(tmp_path, put)).items() if isinstance(i, Item)]
    assert [(i.key, i.split, i.question, i.answer, i.video_id, i.video_rel) for i in items] == [
        ("0", "train", "what is a woman doing?", "peel", "-4wsuPCjDBc_5_15", "YouTubeClips/-4wsuPCjDBc_5_15.avi"),
    ]


def test_an_unmapped_video_id_is_a_bad_row(tmp_path: Path, put) -> None:
    [bad] = [b for b in MSVDQA(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert (bad.key, bad.code) == ("1", "bad_annotation") and "youtube_mapping.txt" in bad.message
