"""`vdata rewards list` and `vdata rewards score` on a tiny built dataset."""

import json

from typer.testing import CliRunner

from tests.distill.helpers import make_row, write_dataset
from vdata.rewards.cli import app


def _dataset(tmp_path):
    write_dataset(
        tmp_path,
        [
            make_row("a", "multiple_choice", answer="B", options=["x", "y"], duration_s=10.0),
            make_row("b", "temporal_grounding", spans=[{"start_s": 1.0, "end_s": 3.0}], duration_s=10.0),
            make_row("c", "numeric", answer="3", duration_s=10.0),
        ],
    )
    preds = tmp_path / "preds.jsonl"
    preds.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"id": "a", "completion": "<answer>B</answer>"},
                {"id": "b", "completion": "<answer>1 to 3</answer>"},
                {"id": "c", "prediction": "<answer>4</answer>"},
                {"id": "zzz", "completion": "<answer>B</answer>"},
            ]
        )
    )
    return tmp_path, preds


def test_list_shows_every_reward_as_json():
    result = CliRunner().invoke(app, ["list", "--json"])
    assert result.exit_code == 0
    assert "temporal_iou" in {r["name"] for r in json.loads(result.output)}


def test_score_joins_predictions_by_id_and_summarises_per_task(tmp_path):
    data, preds = _dataset(tmp_path)
    out = tmp_path / "scores.jsonl"
    result = CliRunner().invoke(
        app,
        [
            "score",
            "-r",
            "accuracy",
            "--predictions",
            str(preds),
            "--data",
            str(data),
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert {t: s["mean"] for t, s in summary["summary"].items()} == {
        "multiple_choice": 1.0,
        "numeric": 0.0,
        "temporal_grounding": 1.0,
    }
    assert summary["missing_ids"] == 1
    assert len(out.read_text().splitlines()) == 3


def test_score_unknown_reward_is_one_line_and_exit_1(tmp_path):
    data, preds = _dataset(tmp_path)
    result = CliRunner().invoke(
        app, ["score", "-r", "nope", "--predictions", str(preds), "--data", str(data)]
    )
    assert result.exit_code == 1 and "known:" in result.output


def test_score_passes_reward_options(tmp_path):
    data, preds = _dataset(tmp_path)
    result = CliRunner().invoke(
        app,
        [
            "score",
            "-r",
            "numeric",
            "-o",
            "rel_tol=0.5",
            "--predictions",
            str(preds),
            "--data",
            str(data),
            "--json",
        ],
    )
    assert json.loads(result.output)["summary"]["numeric"]["mean"] == 1.0


def test_score_box_reward_in_resized_space_reads_the_stored_frame_size(tmp_path):
    # the video is 64x48 and so are its stored keyframes here; a 128x96 dataset stores them at 64x48
    row = make_row("box", "spatial_grounding", width=128, height=96,
                   boxes=[{"timestamp_s": 0.0, "frame_index": 0, "x1": 0.0, "y1": 0.0, "x2": 64.0, "y2": 48.0,
                           "label": None}])
    write_dataset(tmp_path / "built", [row])
    preds = tmp_path / "p.jsonl"
    preds.write_text(json.dumps({"id": "box", "response": "<answer>[0, 0, 32, 24]</answer>"}) + "\n")
    args = ["score", "-r", "box_iou", "--predictions", str(preds), "--data", str(tmp_path / "built"), "--json"]
    resized = CliRunner().invoke(app, [*args, "-o", "coord_space=resized"])
    assert resized.exit_code == 0, resized.output
    assert json.loads(resized.output)["summary"]["spatial_grounding"]["mean"] == 1.0
    pixels = CliRunner().invoke(app, args)
    assert json.loads(pixels.output)["summary"]["spatial_grounding"]["mean"] == 0.25
