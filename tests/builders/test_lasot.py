"""lasot: `img/` JPEG sequences + xywh ground truth, full_occlusion/out_of_view flags, nlp.txt -> tracking."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders.conftest import HEIGHT, WIDTH, write_frames
from tests.helpers import rgb
from tests.videos import box_at, read_index
from vdata.build import build
from vdata.builders import BadRow, Box, Item
from vdata.builders.lasot import LaSOT
from vdata.options import BuildOptions
from vdata.shards import read_table


def _xywh(i: int) -> str:
    x1, y1, x2, y2 = box_at(i, WIDTH, HEIGHT)
    return f"{x1},{y1},{x2 - x1},{y2 - y1}"


def _corpus(root: Path, put=None) -> Path:
    seq = root / "airplane" / "airplane-1"
    write_frames(seq / "img")
    (seq / "groundtruth.txt").write_text("\n".join(_xywh(i) for i in range(30)) + "\n")
    (seq / "full_occlusion.txt").write_text(",".join("1" if i == 3 else "0" for i in range(30)))
    (seq / "out_of_view.txt").write_text(",".join("1" if i in (7, 8) else "0" for i in range(30)))
    (seq / "nlp.txt").write_text("white airplane landing on the ground\n")
    other = root / "bird" / "bird-2"
    write_frames(other / "img", 2)
    (other / "groundtruth.txt").write_text(_xywh(0) + "\n0,0,0,0\n")
    broken = root / "cat" / "cat-3"
    write_frames(broken / "img", 1)
    (broken / "groundtruth.txt").write_text("1,2,x,4\n")
    (root / "testing_set.txt").write_text("bird-2\n")
    return root


def test_hidden_frames_are_left_out_and_nlp_is_the_question(tmp_path: Path) -> None:
    items = [i for i in LaSOT(_corpus(tmp_path)).items() if isinstance(i, Item)]
    plane, bird = items
    assert (plane.key, plane.split, plane.question, plane.video_rel) == (
        "airplane-1", "train", "white airplane landing on the ground", "airplane/airplane-1/img")
    assert [b.frame_index for b in plane.boxes] == [i for i in range(30) if i not in (3, 7, 8)]
    assert plane.boxes[0] == Box(*map(float, box_at(0, WIDTH, HEIGHT)), frame_index=0, label="airplane")
    assert (plane.meta["frames_fps"], plane.meta["frames_hidden"], plane.meta["category"]) == (30.0, 3, "airplane")
    assert (bird.split, bird.question, len(bird.boxes), bird.meta["boxes_without_area"]) == ("test", "bird", 1, 1)


def test_a_ground_truth_line_that_is_not_four_numbers_is_a_bad_row(tmp_path: Path) -> None:
    [bad] = [b for b in LaSOT(_corpus(tmp_path)).items() if isinstance(b, BadRow)]
    assert (bad.key, bad.code) == ("cat-3", "bad_box")


def test_build_times_lasot_frames_at_30_fps(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([f"lasot:{_corpus(tmp_path / 'LaSOT') / 'airplane'}"], out,
          BuildOptions(frames="uniform:3", max_pixels=WIDTH * HEIGHT, size_factor=1, workers=0))
    [row] = read_table(out).to_pylist()
    assert (row["fps"], row["num_frames"], row["duration_s"]) == (30.0, 30, pytest.approx(1.0))
    for index, time_s, frame in zip(row["frame_indices"], row["frame_timestamps_s"], row["frames"], strict=True):
        assert time_s == pytest.approx(index / 30.0) and read_index(rgb(frame["bytes"])) == index


def test_the_frame_rate_option_on_the_command_line_retimes_the_frames(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from vdata.cli import app

    corpus = _corpus(tmp_path / "LaSOT") / "airplane"
    result = CliRunner().invoke(app, ["build", "--source", f"lasot,fps=25:{corpus}", "--out", str(tmp_path / "out"),
                                      "--frames", "uniform:3", "--workers", "0", "--json"])
    assert result.exit_code == 0, result.output
    [row] = read_table(tmp_path / "out").to_pylist()
    assert (row["fps"], row["duration_s"]) == (25.0, pytest.approx(30 / 25))
    assert [round(t * 25) for t in row["frame_timestamps_s"]] == row["frame_indices"]
    bad = CliRunner().invoke(app, ["build", "--source", f"lasot,speed=2:{corpus}", "--out", str(tmp_path / "x")])
    assert bad.exit_code != 0 and "lasot has no option 'speed' (its options: fps)" in bad.output
    assert len(bad.output.strip().splitlines()) == 1
    from vdata.hub.card import render_card

    card = render_card(tmp_path / "out")  # the format with options still names its builder's license and paper
    assert "lasot" in card and LaSOT.citation.split("{")[1].split(",")[0] in card
