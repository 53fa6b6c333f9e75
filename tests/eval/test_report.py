"""`evaluate`: predictions joined to a built dataset by id, aggregated per task and per group; the report and plot."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.distill.helpers import make_row, write_dataset
from vdata.errors import ConfigError
from vdata.eval import EvalOptions, evaluate, load_predictions
from vdata.eval.plot import plot
from vdata.eval.report import table_rows

GQA_SPAN = [{"start_s": 2.0, "end_s": 4.0}]
ROWS = [
    make_row("mc1", "multiple_choice", options=["a", "b"], answer="A", meta=json.dumps({"type": "CW"})),
    make_row("mc2", "multiple_choice", options=["a", "b"], answer="B", meta=json.dumps({"type": "TN"})),
    make_row("mc3", "multiple_choice", options=["a", "b"], answer="B", meta=json.dumps({"type": "TN"})),
    make_row("tg1", "temporal_grounding", spans=[{"start_s": 1.0, "end_s": 3.0}]),
    make_row("tg2", "temporal_grounding", spans=[{"start_s": 1.0, "end_s": 3.0}]),
    make_row("gqa1", "grounded_qa", options=["a", "b"], answer="A", spans=GQA_SPAN),
    make_row("nogold", "numeric"),
]
for row in ROWS[1:3]:
    row["source"] = "other"

PREDS = {
    "mc1": "<answer>A</answer>",  # right
    "mc2": "<answer>A</answer>",  # wrong
    "mc3": "<answer>I cannot tell</answer>",  # no option: parse failure
    "tg1": "<answer>1 to 3</answer>",  # IoU 1
    "tg2": "<answer>2 to 4</answer>",  # IoU 1/3
    "gqa1": "<answer>A, 3 to 5</answer>",  # IoP 1/2 -> Acc@GQA
    "nogold": "<answer>3</answer>",
}


def write_preds(path: Path, preds: dict[str, str]) -> Path:
    path.write_text("".join(json.dumps({"id": k, "response": v}) + "\n" for k, v in preds.items()))
    return path


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "built", ROWS)


def test_metrics_per_task_over_the_joined_samples(data, tmp_path):
    report = evaluate(data, write_preds(tmp_path / "p.jsonl", PREDS))
    tasks = report.summary()["tasks"]
    assert tasks["multiple_choice"]["metrics"] == {"accuracy": pytest.approx(1 / 3)}
    assert tasks["multiple_choice"]["parse_failures"] == 1
    assert tasks["temporal_grounding"]["metrics"] == {
        "mIoU": pytest.approx((1 + 1 / 3) / 2), "R1@0.3": 1.0, "R1@0.5": 0.5, "R1@0.7": 0.5}
    assert tasks["grounded_qa"]["metrics"]["Acc@GQA"] == 1.0
    assert "numeric" not in tasks and report.unjudged == 1


def test_breakdown_by_source_and_by_meta_field(data, tmp_path):
    report = evaluate(data, write_preds(tmp_path / "p.jsonl", PREDS), EvalOptions(by=("source", "type")))
    by = report.summary()["by"]
    assert by["source"]["test"]["multiple_choice"]["metrics"]["accuracy"] == 1.0
    assert by["source"]["other"]["multiple_choice"]["metrics"]["accuracy"] == 0.0
    assert by["type"]["TN"]["multiple_choice"]["n"] == 2
    assert by["type"]["(none)"]["temporal_grounding"]["n"] == 2


def test_missing_predictions_score_zero_or_are_skipped(data, tmp_path):
    preds = write_preds(tmp_path / "p.jsonl", {"tg1": PREDS["tg1"], "ghost": "<answer>A</answer>"})
    zero = evaluate(data, preds)
    assert zero.summary()["tasks"]["temporal_grounding"]["metrics"]["mIoU"] == 0.5
    assert zero.missing == 6 and zero.unknown == 1
    skip = evaluate(data, preds, EvalOptions(missing="skip"))
    assert skip.summary()["tasks"] == {"temporal_grounding": {
        "n": 1, "parse_failures": 0, "parse_failure_rate": 0.0,
        "metrics": {"mIoU": 1.0, "R1@0.3": 1.0, "R1@0.5": 1.0, "R1@0.7": 1.0}}}


def test_bad_prediction_lines_are_named(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "a", "response": "x"}\n{"id": "a", "response": "y"}\n')
    with pytest.raises(ConfigError, match=r"p.jsonl:2: id 'a' is already on line 1"):
        load_predictions(path)
    path.write_text('{"id": "a"}\n')
    with pytest.raises(ConfigError, match=r"p.jsonl:1: no text"):
        load_predictions(path)


def test_bad_options_fail_at_start():
    with pytest.raises(ConfigError, match="--missing must be one of zero, skip"):
        EvalOptions(missing="drop")


def test_table_rows_show_percent_and_groups(data, tmp_path):
    report = evaluate(data, write_preds(tmp_path / "p.jsonl", PREDS), EvalOptions(by=("source",)))
    rows = table_rows(report.summary())
    assert ["multiple_choice", "all", 3, "33.3", "accuracy 33.3"] in rows
    assert any(r[1] == "source=other" for r in rows)


def test_plot_writes_a_png(data, tmp_path):
    from PIL import Image

    report = evaluate(data, write_preds(tmp_path / "p.jsonl", PREDS))
    out = plot(report, tmp_path / "plots" / "eval.png")
    with Image.open(out) as im:
        assert im.format == "PNG" and im.width > 500


def test_resized_boxes_are_scaled_by_the_stored_frame_size(tmp_path):
    # stored keyframes are 64 x 48; the video is 128 x 96, so [0, 0, 32, 24] in frame pixels is [0, 0, 64, 48]
    box = {"timestamp_s": None, "frame_index": None, "x1": 0.0, "y1": 0.0, "x2": 64.0, "y2": 48.0, "label": None}
    data = write_dataset(tmp_path / "built", [make_row("box", "spatial_grounding", width=128, height=96,
                                                       boxes=[box])])
    preds = write_preds(tmp_path / "p.jsonl", {"box": "<answer>[0, 0, 32, 24]</answer>"})
    report = evaluate(data, preds, EvalOptions(coord_space="resized"))
    assert report.summary()["tasks"]["spatial_grounding"]["metrics"]["mIoU"] == 1.0


# ------------------------------------------------------------------------------------------------ plot
def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def test_plot_gives_a_task_the_same_colour_in_both_panels(data, tmp_path):
    from PIL import Image

    from vdata.eval.plot import PANEL, bars, curves, task_colour

    report = evaluate(data, write_preds(tmp_path / "p.jsonl", PREDS))
    by_bar = {b.task: b.colour for b in bars(report)}
    assert set(by_bar) == {"multiple_choice", "temporal_grounding", "grounded_qa"}
    assert len(set(by_bar.values())) == 3
    assert {c.task: c.colour for c in curves(report)} == {t: by_bar[t] for t in ("temporal_grounding", "grounded_qa")}
    with Image.open(plot(report, tmp_path / "eval.png")) as im:
        rgb = im.convert("RGB")
        left_panel = {rgb.getpixel((x, 355)) for x in range(70, 40 + PANEL)}  # just above the bars' baseline
        right_panel = {tuple(p) for p in np.asarray(rgb.crop((610, 60, 580 + PANEL, 360))).reshape(-1, 3)}
    for task, colour in by_bar.items():
        assert _rgb(colour) in left_panel and _rgb(colour) == _rgb(task_colour(task))
    assert {_rgb(by_bar["temporal_grounding"]), _rgb(by_bar["grounded_qa"])} <= right_panel
    assert _rgb(by_bar["multiple_choice"]) not in right_panel


def test_plot_writes_long_task_names_whole(tmp_path):
    from PIL import Image, ImageFont

    from vdata.eval.plot import bars

    box = {"timestamp_s": 2.0, "frame_index": None, "x1": 0.0, "y1": 0.0, "x2": 32.0, "y2": 24.0, "label": None}
    data = write_dataset(tmp_path / "built", [make_row("stg", "spatiotemporal_grounding", spans=GQA_SPAN,
                                                       boxes=[box])])
    report = evaluate(data, write_preds(tmp_path / "p.jsonl", {"stg": "<answer>none</answer>"}))
    (bar,) = bars(report)
    label = f"{bar.task} ({bar.metric})"
    with Image.open(plot(report, tmp_path / "eval.png")) as im:
        below = im.convert("L").crop((40, 365, 40 + 480, im.height))  # under the bar panel's baseline
    rows = np.flatnonzero((np.asarray(below) < 128).any(axis=1))
    assert rows[-1] - rows[0] + 1 >= ImageFont.load_default().getbbox(label)[2] - 2  # upright, not cut


def test_unparsed_predictions_are_misses_at_every_threshold(data, tmp_path):
    from vdata.eval.plot import CURVE_THRESHOLDS, curves

    garbage = {**PREDS, "tg1": "no idea", "tg2": "", "gqa1": "<answer>A</answer>"}
    recall = {(c.task, c.metric): c.recall for c in curves(evaluate(data, write_preds(tmp_path / "g.jsonl", garbage)))}
    assert recall[("temporal_grounding", "mIoU")] == [0.0] * len(CURVE_THRESHOLDS)
    half = {(c.task, c.metric): c.recall
            for c in curves(evaluate(data, write_preds(tmp_path / "h.jsonl", {**PREDS, "tg2": "no idea"})))}
    tg = half[("temporal_grounding", "mIoU")]
    assert tg[0] == tg[-1] == 0.5  # tg1 (IoU 1) at every threshold, the unparsed tg2 at none
