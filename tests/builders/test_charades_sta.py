"""charades-sta: `VIDEO_ID START END##SENTENCE` lines -> temporal_grounding items."""

from __future__ import annotations

from pathlib import Path

from vdata.builders import BadRow, Item, Span
from vdata.builders.charades_sta import CharadesSTA


def _corpus(root: Path, put) -> Path:
    put(root / "Charades_v1_480" / "AO8RW.mp4")
    (root / "charades_sta_train.txt").write_text(
        "AO8RW 0.0 1.5##a person is putting a book on a shelf.\n"
        "AO8RW 1.2 2.8##person begins to play on a phone.\r\n"
        "\n"
        "AO8RW 2.0 1.0##end before start\n"
        "AO8RW 0.5##missing end\n"
    )
    (root / "charades_sta_test.txt").write_text("AO8RW 0.3 0.9##the person closes the door.\n")
    (root / "Charades_v1_train.csv").write_text("id,subject,length\nAO8RW,XYZ,3.00\n")
    return root


def test_lines_become_spans_in_seconds_with_split_from_file_name(tmp_path: Path, put) -> None:
    out = list(CharadesSTA(_corpus(tmp_path, put)).items())
    items = [i for i in out if isinstance(i, Item)]
    assert [(i.split, i.key, i.question, i.spans) for i in items] == [
        ("train", "AO8RW#0", "a person is putting a book on a shelf.", (Span(0.0, 1.5),)),
        ("train", "AO8RW#1", "person begins to play on a phone.", (Span(1.2, 2.8),)),
        ("test", "AO8RW#0", "the person closes the door.", (Span(0.3, 0.9),)),
    ]
    assert items[0].video == tmp_path / "Charades_v1_480" / "AO8RW.mp4"
    assert items[0].video_rel == "Charades_v1_480/AO8RW.mp4"
    assert items[0].task == "temporal_grounding"
    assert items[0].meta["charades_length_s"] == 3.0


def test_end_before_start_and_missing_field_are_bad_rows(tmp_path: Path, put) -> None:
    bad = [b for b in CharadesSTA(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert [(b.code, b.source_file.endswith("charades_sta_train.txt:4")) for b in bad[:1]] == [("bad_span", True)]
    assert bad[1].code == "bad_annotation" and "line 5" in bad[1].message


def test_ids_are_deterministic(tmp_path: Path, put) -> None:
    root = _corpus(tmp_path, put)
    first = [i.id for i in CharadesSTA(root).items() if isinstance(i, Item)]
    assert first == [i.id for i in CharadesSTA(root).items() if isinstance(i, Item)]
    assert len(set(first)) == 3
