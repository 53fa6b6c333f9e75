"""Test data for distill tests: schema-v1 rows with real JPEG keyframes, datasets, teacher scripts."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from vdata.shards import ShardWriter

TIMES_S = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
FPS = 10.0


def jpeg(shade: int, width: int = 64, height: int = 48) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (shade, 255 - shade, 128)).save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def make_row(id: str, task: str, **labels: Any) -> dict[str, Any]:
    """A schema-v1 row of a 6 s, 10 fps, 64x48 video with 6 keyframes at 0, 1, ..., 5 s."""
    return {
        "id": id,
        "source": "test",
        "split": "train",
        "video": f"{id}.mp4",
        "video_id": id,
        "duration_s": 6.0,
        "fps": FPS,
        "width": 64,
        "height": 48,
        "num_frames": 60,
        "clip_start_s": 0.0,
        "clip_end_s": 6.0,
        "frames": [{"bytes": jpeg(40 * i), "path": None} for i in range(len(TIMES_S))],
        "frame_timestamps_s": list(TIMES_S),
        "frame_indices": [round(t * FPS) for t in TIMES_S],
        "task": task,
        "meta": json.dumps({"origin": "fixture"}),
        **labels,
    }


ROWS = [
    make_row("mc1", "multiple_choice", question="What moves?", options=["a car", "a bus", "a cat"], answer="B"),
    make_row("num1", "numeric", question="How many boxes?", answer="3"),
    make_row("tg1", "temporal_grounding", question="the box turns red", spans=[{"start_s": 2.0, "end_s": 4.0}]),
    make_row("mc2", "multiple_choice", question="What colour?", options=["red", "green"], answer="A"),
]


def write_dataset(root: Path, rows: list[dict[str, Any]]) -> Path:
    """A finished dataset at `root` (data/train-*.parquet and vdata.json) written by the shard writer."""
    writer = ShardWriter(root, {"fixture": True}, shard_size_bytes=10**9)
    for row in rows:
        writer.add(row)
    writer.finish(lambda shards: {"format": "vdata", "build": {"fingerprint": {"fixture": True}}})
    return root


def think(answer: str, reason: str = "the frames at 2.0s and 3.0s show it") -> str:
    return f"<think>{reason}</think>\n<answer>{answer}</answer>"


def write_script(path: Path, completions: dict[str, list[str]], **extra: Any) -> str:
    path.write_text(json.dumps({"completions": completions, **extra}), encoding="utf-8")
    return str(path)
