"""`vdata export` on the command line: the report (rows per split, skips per reason, the target's entries),
`--json`, target options, and bad input as one error line with exit code 1."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run_vdata


def test_export_prints_rows_per_split_skips_and_the_reward_entry(export_data: Path, tmp_path: Path):
    proc = run_vdata("export", str(export_data), "--to", "verl", "--out", str(tmp_path / "verl"), "--split", "train")
    assert proc.returncode == 0, proc.stderr
    assert "train" in proc.stdout and "no gold answer (caption)" in proc.stdout
    assert "reward.custom_reward_function.name=compute_score" in proc.stdout
    assert (tmp_path / "verl" / "train.parquet").is_file() and not (tmp_path / "verl" / "test.parquet").exists()


def test_export_json_with_a_target_option_and_limit(export_data: Path, tmp_path: Path):
    proc = run_vdata("export", str(export_data), "--to", "trl", "--out", str(tmp_path / "trl"), "--limit", "2",
                     "--option", "completion=false", "--frames-as", "files", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["target"] == "trl" and sum(report["written"].values()) + sum(report["skipped"].values()) == 2
    assert list((tmp_path / "trl" / "frames").iterdir())


def test_bad_target_option_and_non_empty_out_are_one_line_errors(export_data: Path, tmp_path: Path):
    bad = run_vdata("export", str(export_data), "--to", "nope", "--out", str(tmp_path / "a"))
    assert bad.returncode == 1 and "known: " in bad.stderr and "easyr1" in bad.stderr and "Traceback" not in bad.stderr
    option = run_vdata("export", str(export_data), "--to", "easyr1", "--out", str(tmp_path / "b"),
                       "--option", "media=film")
    assert option.returncode == 1 and "media must be one of images, video" in option.stderr
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "x").write_text("x")
    full = run_vdata("export", str(export_data), "--to", "verl", "--out", str(tmp_path / "c"))
    assert full.returncode == 1 and "not empty" in full.stderr
    frames = run_vdata("export", str(export_data), "--to", "verl", "--out", str(tmp_path / "d"), "--frames-as", "x")
    assert frames.returncode == 1 and "--frames-as must be one of files, bytes" in frames.stderr
