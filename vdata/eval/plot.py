"""`vdata eval --plot out.png`: per-task bars of each task's headline metric and recall-at-threshold curves.

Drawn with Pillow (already a dependency), so plotting needs no extra package. A task has one colour
(`task_colour`) in both panels; names are written whole (bar labels turned upright).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vdata.eval.report import EvalReport, Record, aggregate
from vdata.eval.score import CURVES, HEADLINE
from vdata.schemas import TASKS
from vdata.tasks.metrics import recall_curve

WIDTH, HEIGHT = 1100, 580
PANEL = 480  # side of each plot area, pixels
#: One colour per schema task, in `vdata.schemas.TASKS` order (12 distinct: every task has its own).
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
           "#7f7f7f", "#393b79", "#637939")
#: Thresholds of the recall curves: 0.00, 0.05, ..., 1.00.
CURVE_THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(21))


def task_colour(task: str) -> str:
    """The colour of `task` in every panel of every plot: its place in `TASKS` (a name outside them: a hash).

    >>> task_colour("multiple_choice"), task_colour("temporal_grounding")
    ('#1f77b4', '#e377c2')
    """
    if task in TASKS:
        return PALETTE[TASKS.index(task) % len(PALETTE)]
    return PALETTE[int(hashlib.sha1(task.encode()).hexdigest(), 16) % len(PALETTE)]


@dataclass(frozen=True)
class Bar:
    """One task's headline metric (`value` in [0, 1]) in the left panel."""

    task: str
    metric: str
    value: float
    colour: str


@dataclass(frozen=True)
class Curve:
    """Recall of one task's IoU-like `metric` at each of `CURVE_THRESHOLDS` (fractions in [0, 1])."""

    task: str
    metric: str
    recall: list[float]
    colour: str


def curve_values(records: Sequence[Record], metric: str) -> list[float]:
    """Each sample's `metric` for a recall curve: an unparsed (or missing) prediction has none and counts as a
    miss at every threshold (-inf), not as IoU 0, which every threshold 0 would count as a hit."""
    return [float("-inf") if r.scored.parse_failed or metric not in r.scored.values else r.scored.values[metric]
            for r in records]


def bars(report: EvalReport) -> list[Bar]:
    """The left panel: each task's headline metric (`HEADLINE`)."""
    return [Bar(task, HEADLINE[task], s["metrics"][HEADLINE[task]], task_colour(task))
            for task, s in aggregate(report.records).items()]


def curves(report: EvalReport) -> list[Curve]:
    """The right panel: for each task with IoU-like metrics (`CURVES`), recall at each of `CURVE_THRESHOLDS`."""
    out = []
    for task, names in CURVES.items():
        records = [r for r in report.records if r.task == task]
        for name in names if records else ():
            out.append(Curve(task, name, recall_curve(curve_values(records, name), CURVE_THRESHOLDS), task_colour(task)))
    return out


def plot(report: EvalReport, out: str | Path) -> Path:
    """Write the PNG: left, each task's headline metric as a bar in percent; right, the recall curves of the
    IoU-like metrics over thresholds 0..1 (a task's second metric drawn with dots). Returns the path written."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    _bars(image, draw, font, (40, 40), bars(report))
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


def _upright_text(image, font, xy: tuple[float, float], text: str) -> None:
    """`text` whole, turned to read bottom-up, its top-left corner at `xy` (bar labels of any length)."""
    from PIL import Image, ImageDraw

    *_, width, height = font.getbbox(text)
    label = Image.new("L", (width + 2, height + 2), 0)
    ImageDraw.Draw(label).text((0, 0), text, fill=255, font=font)
    label = label.rotate(90, expand=True)
    image.paste("black", (round(xy[0]), round(xy[1])), label)


def _bars(image, draw, font, origin: tuple[int, int], data: Sequence[Bar]) -> None:
    left, top, right, bottom = _axes(draw, font, origin, "headline metric per task (%)")
    if not data:
        return
    slot = (right - left) / len(data)
    for i, bar in enumerate(data):
        x = left + i * slot + slot * 0.15
        y = bottom - (bottom - top) * bar.value
        draw.rectangle([x, y, x + slot * 0.7, bottom], fill=bar.colour)
        draw.text((x, y - 12), f"{100 * bar.value:.1f}", fill="black", font=font)
        _upright_text(image, font, (x + slot * 0.35 - 6, bottom + 5), f"{bar.task} ({bar.metric})")


def _curves(draw, font, origin: tuple[int, int], data: Sequence[Curve]) -> None:
    left, top, right, bottom = _axes(draw, font, origin, "recall (%) at IoU / IoP / vIoU >= threshold")
    for t in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = left + (right - left) * t
        draw.line([(x, bottom), (x, bottom + 4)], fill="black")
        draw.text((x - 8, bottom + 6), f"{t:g}", fill="black", font=font)
    seen: set[str] = set()
    for i, curve in enumerate(data):
        points = [(left + (right - left) * t, bottom - (bottom - top) * v)
                  for t, v in zip(CURVE_THRESHOLDS, curve.recall, strict=True)]
        draw.line(points, fill=curve.colour, width=2)
        dotted = curve.task in seen  # the task's second metric: same colour, dots at each threshold
        for px, py in points if dotted else ():
            draw.ellipse([px - 3, py - 3, px + 3, py + 3], fill=curve.colour)
        seen.add(curve.task)
        draw.text((left + 10, bottom + 22 + 12 * i), f"- {curve.task} {curve.metric}" + (" (dots)" if dotted else ""),
                  fill=curve.colour, font=font)
