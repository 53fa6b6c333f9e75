"""`vdata show`: a contact sheet PNG of one sample — keyframes with their timestamps, boxes drawn on the
keyframes nearest their timestamps, and a timeline with the clip window, ground-truth spans, scene cuts and
keyframe times."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import Any

from vdata.errors import VdataError
from vdata.query import connect

COLUMNS = 4
THUMB_WIDTH = 240
MARGIN = 8
TIMELINE_HEIGHT = 70
SPAN_COLOR = (46, 160, 67)
BOX_COLOR = (255, 220, 0)  # a box annotated on this very keyframe
NEAR_BOX_COLOR = (150, 150, 150)  # a box annotated on a frame near this keyframe
CLIP_COLOR = (200, 200, 200)


def load_sample(root: str | Path, sample_id: str) -> dict[str, Any]:
    """The full row of sample `sample_id` (frames included)."""
    con = connect(root)
    result = con.execute("SELECT * FROM samples WHERE id = ?", [sample_id])
    names = [d[0] for d in result.description]
    row = result.fetchone()
    if row is None:
        raise VdataError(f"{root}: no sample with id {sample_id!r} (list ids with: vdata query {root} "
                         f"\"SELECT id, task FROM samples LIMIT 10\")")
    return dict(zip(names, row, strict=True))


def contact_sheet(sample: dict[str, Any]) -> Any:
    """A PIL image of `sample` (a schema-v1 row)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=13)
    frames = [Image.open(io.BytesIO(f["bytes"])).convert("RGB") for f in sample["frames"]]
    if not frames:
        raise VdataError(f"sample {sample['id']} has no keyframes")
    scale = THUMB_WIDTH / frames[0].width
    thumb_h = round(frames[0].height * scale)
    nearest = _boxes_by_frame(sample)
    rows = (len(frames) + COLUMNS - 1) // COLUMNS
    header = _header(sample)
    header_h = 18 * len(header) + MARGIN
    cell_h = thumb_h + 20
    width = COLUMNS * (THUMB_WIDTH + MARGIN) + MARGIN
    height = header_h + rows * (cell_h + MARGIN) + TIMELINE_HEIGHT + 2 * MARGIN
    sheet = Image.new("RGB", (width, height), (24, 24, 24))
    draw = ImageDraw.Draw(sheet)
    for i, line in enumerate(header):
        draw.text((MARGIN, MARGIN + 18 * i), line, fill=(235, 235, 235), font=font)
    sx = frames[0].width / sample["width"]
    sy = frames[0].height / sample["height"]
    for k, frame in enumerate(frames):
        x = MARGIN + (k % COLUMNS) * (THUMB_WIDTH + MARGIN)
        y = header_h + (k // COLUMNS) * (cell_h + MARGIN)
        thumb = frame.resize((THUMB_WIDTH, thumb_h))
        pen = ImageDraw.Draw(thumb)
        half_frame = 0.5 / sample["fps"] if sample["fps"] else 0.0
        for box in nearest.get(k, []):
            exact = abs(box["timestamp_s"] - sample["frame_timestamps_s"][k]) <= half_frame + 1e-9
            pen.rectangle(
                [box["x1"] * sx * scale, box["y1"] * sy * scale, box["x2"] * sx * scale - 1, box["y2"] * sy * scale - 1],
                outline=BOX_COLOR if exact else NEAR_BOX_COLOR, width=2 if exact else 1,
            )
        sheet.paste(thumb, (x, y))
        label = f"#{sample['frame_indices'][k]}  {sample['frame_timestamps_s'][k]:.3f}s"
        draw.text((x, y + thumb_h + 3), label, fill=(235, 235, 235), font=font)
    _timeline(draw, sample, MARGIN, height - TIMELINE_HEIGHT - MARGIN, width - 2 * MARGIN, font)
    return sheet


def _header(sample: dict[str, Any]) -> list[str]:
    lines = [f"{sample['id']}  {sample['source']}/{sample['split']}  task={sample['task']}  video={sample['video']}  "
             f"{sample['width']}x{sample['height']} {sample['fps']:.2f}fps {sample['duration_s']:.2f}s"]
    if sample.get("question"):
        lines += textwrap.wrap(f"Q: {sample['question']}", 110)[:3]
    for i, option in enumerate(sample.get("options") or []):
        lines.append(f"   {chr(65 + i)}. {option}"[:120])
    if sample.get("answer"):
        lines.append(f"A: {sample['answer']}"[:120])
    return lines


def _boxes_by_frame(sample: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    """Boxes keyed by the position of the keyframe nearest to each box's timestamp."""
    times = sample["frame_timestamps_s"]
    out: dict[int, list[dict[str, Any]]] = {}
    for box in sample.get("boxes") or []:
        k = min(range(len(times)), key=lambda i: abs(times[i] - box["timestamp_s"]))
        out.setdefault(k, []).append(box)
    return out


def _timeline(draw: Any, sample: dict[str, Any], x: int, y: int, width: int, font: Any) -> None:
    duration = max(sample["duration_s"], 1e-9)

    def px(t: float) -> float:
        return x + width * min(max(t / duration, 0.0), 1.0)

    draw.rectangle([x, y + 20, x + width, y + 40], outline=(120, 120, 120))
    draw.rectangle([px(sample["clip_start_s"]), y + 20, px(sample["clip_end_s"]), y + 40], fill=CLIP_COLOR)
    for span in sample.get("spans") or []:
        draw.rectangle([px(span["start_s"]), y + 24, px(span["end_s"]), y + 36], fill=SPAN_COLOR)
    for scene in (sample.get("scenes") or [])[1:]:
        draw.line([px(scene["start_s"]), y + 14, px(scene["start_s"]), y + 46], fill=(220, 60, 60), width=2)
    for t in sample["frame_timestamps_s"]:
        draw.line([px(t), y + 40, px(t), y + 48], fill=(90, 160, 255), width=1)
    draw.text((x, y), "0s", fill=(200, 200, 200), font=font)
    draw.text((x + width - 60, y), f"{duration:.2f}s", fill=(200, 200, 200), font=font)
    draw.text((x, y + 50), "grey: clip window  green: spans  red: scene cuts  blue: keyframes  | boxes: yellow on their frame, grey near it", fill=(200, 200, 200),
              font=font)


def show(root: str | Path, sample_id: str, out: str | Path) -> Path:
    """Write the contact sheet of `sample_id` to `out` (PNG); returns the path."""
    out = Path(out)
    contact_sheet(load_sample(root, sample_id)).save(out, format="PNG")
    return out
