"""`vdata eval --plot out.png`: per-task bars of each task's headline metric and recall-at-threshold curves.

Drawn with Pillow (already a dependency), so plotting needs no extra package.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from vdata.eval.report import EvalReport, aggregate
from vdata.eval.score import CURVES, HEADLINE
from vdata.tasks.metrics import recall_curve

WIDTH, HEIGHT = 1100, 460
PANEL = 480  # side of each plot area, pixels
COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
#: Thresholds of the recall curves: 0.00, 0.05, ..., 1.00.
CURVE_THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(21))


def curves(report: EvalReport) -> dict[str, list[float]]:
    """`"task metric"` -> recall at each of `CURVE_THRESHOLDS` (share of samples whose value is >= it)."""
    out = {}
    for task, names in CURVES.items():
        records = [r for r in report.records if r.task == task]
        for name in names if records else ():
            out[f"{task} {name}"] = recall_curve([r.scored.values.get(name, 0.0) for r in records], CURVE_THRESHOLDS)
    return out


def plot(report: EvalReport, out: str | Path) -> Path:
    """Write the PNG: left, each task's headline metric (`HEADLINE`) as a bar in percent; right, the recall
    curves of the IoU-like metrics (`CURVES`) over thresholds 0..1. Returns the path written."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    stats = aggregate(report.records)
    bars = [(task, s["metrics"][HEADLINE[task]], HEADLINE[task]) for task, s in stats.items()]
    _bars(draw, font, (40, 40), bars)
    _curves(draw, font, (580, 40), curves(report))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, format="PNG")
    return out


def _axes(draw, font, origin: tuple[int, int], title: str) -> tuple[int, int, int, int]:
    x0, y0 = origin
    left, top, right, bottom = x0 + 30, y0 + 20, x0 + PANEL, y0 + 20 + 300
    draw.text((x0, y0), title, fill="black", font=font)
    draw.line([(left, top), (left, bottom), (right, bottom)], fill="black")
    for pct in (0, 25, 50, 75, 100):
        y = bottom - (bottom - top) * pct / 100
        draw.line([(left - 4, y), (left, y)], fill="black")
        draw.text((x0, y - 5), f"{pct}", fill="black", font=font)
    return left, top, right, bottom


def _bars(draw, font, origin: tuple[int, int], bars: Sequence[tuple[str, float, str]]) -> None:
    left, top, right, bottom = _axes(draw, font, origin, "headline metric per task (%)")
    if not bars:
        return
    slot = (right - left) / len(bars)
    for i, (task, value, name) in enumerate(bars):
        x = left + i * slot + slot * 0.15
        y = bottom - (bottom - top) * value
        draw.rectangle([x, y, x + slot * 0.7, bottom], fill=COLOURS[i % len(COLOURS)])
        draw.text((x, y - 12), f"{100 * value:.1f}", fill="black", font=font)
        draw.text((x, bottom + 5), task[:16], fill="black", font=font)
        draw.text((x, bottom + 18), name, fill="black", font=font)


def _curves(draw, font, origin: tuple[int, int], data: dict[str, list[float]]) -> None:
    left, top, right, bottom = _axes(draw, font, origin, "recall (%) at IoU / IoP / vIoU >= threshold")
    for t in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = left + (right - left) * t
        draw.line([(x, bottom), (x, bottom + 4)], fill="black")
        draw.text((x - 8, bottom + 6), f"{t:g}", fill="black", font=font)
    for i, (label, values) in enumerate(data.items()):
        colour = COLOURS[i % len(COLOURS)]
        points = [(left + (right - left) * t, bottom - (bottom - top) * v)
                  for t, v in zip(CURVE_THRESHOLDS, values, strict=True)]
        draw.line(points, fill=colour, width=2)
        draw.text((left + 10, bottom + 22 + 12 * i), f"- {label}", fill=colour, font=font)
