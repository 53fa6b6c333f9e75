"""Image folders as videos: frame order, times from the given fps, the `frames` decoder, and their error codes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.videos import make_frame, read_index
from vdata.errors import ItemError
from vdata.video import decode, frames_folder


def _frames(folder: Path, names: list[str], size: tuple[int, int] = (64, 48)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index, name in enumerate(names):
        Image.fromarray(make_frame(index, *size)).save(folder / name)
    return folder


def test_frames_come_in_natural_name_order_at_i_over_fps(tmp_path: Path) -> None:
    folder = _frames(tmp_path / "seq", ["1.jpg", "2.jpg", "10.jpg"])
    (folder / "groundtruth.txt").write_text("not a frame")
    info = frames_folder.probe_any(folder, 25.0)
    assert (info.num_frames, info.fps, info.width, info.height, info.container) == (3, 25.0, 64, 48, "image_folder")
    assert info.frames.timestamps_s.tolist() == pytest.approx([0.0, 0.04, 0.08])
    frames = decode.get("frames")(str(folder), info.frames, [0, 2], (32, 24))
    assert [(f.index, f.timestamp_s, f.image.shape) for f in frames] == [(0, 0.0, (24, 32, 3)), (2, 0.08, (24, 32, 3))]
    assert [read_index(np.asarray(Image.open(folder / n).convert("RGB"))) for n in ("1.jpg", "10.jpg")] == [0, 2]
    assert read_index(frames[1].image) == 2  # "10.jpg" is frame 2, not frame 1


def test_a_folder_without_fps_is_unreadable_and_an_empty_folder_is_no_video(tmp_path: Path) -> None:
    folder = _frames(tmp_path / "seq", ["00000001.jpg"])
    with pytest.raises(ItemError) as no_fps:
        frames_folder.probe_any(folder, None)
    assert no_fps.value.code == "video_unreadable" and "frame rate" in no_fps.value.message
    (tmp_path / "empty").mkdir()
    with pytest.raises(ItemError) as empty:
        frames_folder.probe_any(tmp_path / "empty", 10.0)
    assert empty.value.code == "video_not_a_file"


def test_a_frame_of_another_size_fails_to_decode(tmp_path: Path) -> None:
    folder = _frames(tmp_path / "seq", ["00000001.jpg"])
    _frames(tmp_path / "other", ["x.jpg"], (80, 48))
    (tmp_path / "other" / "x.jpg").rename(folder / "00000002.jpg")
    info = frames_folder.probe_any(folder, 10.0)
    with pytest.raises(ItemError) as caught:
        decode.get("frames")(str(folder), info.frames, [0, 1], (64, 48))
    assert caught.value.code == "decode_failed" and "80x48" in caught.value.message


def test_the_frames_decoder_refuses_a_video_file(tmp_path: Path) -> None:
    from tests.videos import write_video

    video = write_video(tmp_path / "a.mp4", fps=10.0, num_frames=3, width=64, height=48)
    with pytest.raises(ItemError) as caught:
        decode.get("frames")(str(video), frames_folder.frame_table(3, 10.0), [0], (64, 48))
    assert caught.value.code == "decode_failed" and "image folders" in caught.value.message


@pytest.mark.parametrize("frames", ["uniform:4", "scenes,min=3"])
def test_scenes_are_found_on_an_image_folder_as_on_the_same_frames_in_a_video(tmp_path: Path, frames: str) -> None:
    from tests.videos import write_video
    from vdata.builders import Item
    from vdata.options import BuildOptions
    from vdata.process import process_item

    cuts = (20, 45)
    folder = tmp_path / "seq"
    folder.mkdir()
    for index in range(60):
        Image.fromarray(make_frame(index, 160, 120, cuts)).save(folder / f"{index + 1:08d}.jpg", quality=95)
    video = write_video(tmp_path / "v.mp4", fps=25.0, num_frames=60, width=160, height=120, cuts=cuts)
    options = BuildOptions(frames=frames, scenes="content", max_pixels=160 * 120, size_factor=1, workers=0)

    def row(path: Path, meta: dict) -> dict:
        item = Item(source="t", key=path.name, video=path, video_rel=path.name, video_id=path.name, task="caption",
                    split="train", meta=meta)
        return process_item(item, options)

    on_folder = row(folder, {frames_folder.FPS_KEY: 25.0})
    assert on_folder["scenes"] == row(video, {})["scenes"] == [
        {"start_s": 0.0, "end_s": 0.8}, {"start_s": 0.8, "end_s": 1.8}, {"start_s": 1.8, "end_s": 2.4}]
    shown = [read_index(np.asarray(Image.open(__import__("io").BytesIO(f["bytes"])).convert("RGB")))
             for f in on_folder["frames"]]
    assert shown == on_folder["frame_indices"]  # each stored keyframe is the frame its index names


def test_jsonl_lines_may_name_a_folder_of_frames_with_its_rate(tmp_path: Path) -> None:
    import json

    import pyarrow.parquet as pq

    from vdata.build import build
    from vdata.options import BuildOptions
    from vdata.shards import read_table

    _frames(tmp_path / "frames" / "a", [f"{i:05d}.jpg" for i in range(1, 11)])
    _frames(tmp_path / "frames" / "b", [f"{i:05d}.jpg" for i in range(1, 11)])
    lines = [{"id": "a", "video": "frames/a", "task": "caption", "fps": 2},
             {"id": "b", "video": "frames/b", "task": "caption"}]
    (tmp_path / "s.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    options = BuildOptions(frames="uniform:2", scenes="none", workers=0)
    build([f"jsonl:{tmp_path / 's.jsonl'}"], tmp_path / "out", options)
    [row] = read_table(tmp_path / "out").to_pylist()
    assert (row["video"], row["fps"], row["duration_s"], row["num_frames"]) == ("frames/a", 2.0, 5.0, 10)
    [error] = pq.read_table(tmp_path / "out" / "errors.parquet").to_pylist()
    assert error["code"] == "video_unreadable" and "frame rate" in error["message"]
    build([f"jsonl,fps=5:{tmp_path / 's.jsonl'}"], tmp_path / "out5", options)  # the option: lines without fps
    rows = sorted(read_table(tmp_path / "out5").to_pylist(), key=lambda r: r["video"])
    assert [(r["video"], r["fps"]) for r in rows] == [("frames/a", 2.0), ("frames/b", 5.0)]
