"""`vdata demo`: the whole build path on a small generated corpus, in under a minute.

Writes `OUT/corpus/` (six synthetic videos whose frames carry their index and a moving box, one broken file,
and `samples.jsonl` with caption, temporal grounding, multiple choice and spatial grounding samples), builds
it into `OUT/dataset/`, prints the summary and one DuckDB query, and writes `OUT/sheet.png`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console

from vdata.synthetic import SCENE_COLORS, box_at, write_video

FPS, SECONDS, WIDTH, HEIGHT = 25.0, 8, 640, 360
COLOR_NAMES = ["blue", "orange", "green", "purple", "yellow", "grey"]
QUERY = (
    "SELECT task, count(*) AS samples, round(avg(len(frame_indices)), 1) AS keyframes_per_sample, "
    "round(avg(clip_end_s - clip_start_s), 2) AS clip_seconds FROM samples GROUP BY task ORDER BY task"
)


def make_corpus(root: Path) -> Path:
    """Write the demo videos and `samples.jsonl` under `root`; returns the JSONL path."""
    root.mkdir(parents=True, exist_ok=True)
    frames = int(FPS * SECONDS)
    samples: list[dict[str, Any]] = []
    for v in range(6):
        cuts = [frames // 3 + 5 * v, 2 * frames // 3]
        name = f"video_{v}.mp4"
        write_video(root / name, fps=FPS, num_frames=frames, width=WIDTH, height=HEIGHT, cuts=cuts, gop=50)
        first, second = cuts[0] / FPS, cuts[1] / FPS
        colour = COLOR_NAMES[1 % len(SCENE_COLORS)]
        samples += [
            {"video": name, "id": f"{v}-caption", "task": "caption"},
            {"video": name, "id": f"{v}-tg", "task": "temporal_grounding",
             "question": f"When is the background {colour}?", "spans": [[first, second]]},
            {"video": name, "id": f"{v}-mc", "task": "multiple_choice", "clip_start_s": 0.0, "clip_end_s": first,
             "question": "What colour is the background?", "options": ["green", "blue", "orange"], "answer": "B"},
            {"video": name, "id": f"{v}-box", "task": "spatial_grounding", "question": "Where is the magenta box?",
             "boxes": [_box(k, WIDTH, HEIGHT) for k in (12, 100, 180)]},
        ]
    (root / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    samples.append({"video": "broken.mp4", "id": "broken", "task": "caption"})
    path = root / "samples.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in samples), encoding="utf-8")
    return path


def _box(index: int, width: int, height: int) -> dict[str, Any]:
    x1, y1, x2, y2 = box_at(index, width, height)
    return {"frame_index": index, "x1": x1, "y1": y1, "x2": x2, "y2": y2, "label": "magenta box"}


def run_demo(out: Path, console: Console) -> None:
    from vdata.build import build
    from vdata.console import print_summary, print_table
    from vdata.info import summarise
    from vdata.options import BuildOptions, default_workers
    from vdata.query import query
    from vdata.show import show

    annotations = make_corpus(out / "corpus")
    console.print(f"corpus: {annotations}")
    dataset = out / "dataset"
    options = BuildOptions(frames="uniform:8,boxes", scenes="content", workers=default_workers())
    report = build([f"jsonl:{annotations}"], dataset, options)
    console.print(f"built {report.rows} samples into {dataset} ({report.errors} bad item(s) recorded in errors.parquet)")
    print_summary(summarise(dataset))
    names, rows = query(dataset, QUERY)
    console.print(f"[bold]vdata query {dataset} \"{QUERY}\"")
    print_table("", names, [list(r) for r in rows])
    sheet = show(dataset, query(dataset, "SELECT id FROM samples WHERE task = 'spatial_grounding' LIMIT 1")[1][0][0],
                 out / "sheet.png")
    console.print(f"contact sheet: {sheet}")
