"""`vdata rewards list` and `vdata rewards score` on a tiny dataset written with pyarrow."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from vdata.rewards.cli import app


def _dataset(tmp_path):
    (tmp_path / "data").mkdir()
    table = pa.table(
        {
            "id": ["a", "b", "c"],
            "task": ["multiple_choice", "temporal_grounding", "numeric"],
            "answer": ["B", None, "3"],
            "options": [["x", "y"], None, None],
            "spans": [None, [{"start_s": 1.0, "end_s": 3.0}], None],
            "duration_s": [10.0, 10.0, 10.0],
        }
    )
    pq.write_table(table, tmp_path / "data" / "train-00000-of-00001.parquet")
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
