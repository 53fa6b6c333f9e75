"""`vdata curate contamination`: a training set holding a re-encode of a benchmark video, a clip cut from one, the
same video id, and a benchmark question reworded only in case and punctuation is found pair by pair; unrelated
samples are not; `--drop` writes the clean set."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.curate.helpers import kept_keys, report
from tests.curate.media import build_dataset
from vdata.curate import STEPS, run_step
from vdata.curate.contamination import ContaminationOptions
from vdata.errors import ConfigError

QUESTION = "In which direction does the coloured square drift across the textured background of the video?"


@pytest.fixture(scope="module")
def datasets(videos: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("contamination")
    qa = {"task": "free_form", "answer": "left"}
    bench = build_dataset([videos["v0"], videos["v1"]], root / "bench",
                          extra=[{"video": str(videos["v1"]), "id": "bq", "question": QUESTION, **qa}])
    train = build_dataset([videos["v0_crf"], videos["v0_cut"], videos["v2"], videos["v3"]], root / "train", extra=[
        {"video": str(videos["v3"]), "id": "tq", "question": QUESTION.upper().replace("?", ""), **qa},
        {"video": str(videos["v3"]), "id": "other", "question": "How many squares are there in the video?", **qa},
    ])
    return bench, train


def contamination(train: Path, bench: Path, out: Path, **options: object):
    return run_step(STEPS.get("contamination")(ContaminationOptions(against=(bench,), **options)), [train], out)


def test_video_by_frames_and_id_and_questions_by_ngrams_are_reported_as_pairs(datasets, tmp_path):
    bench, train = datasets
    result = contamination(train, bench, tmp_path / "out")
    rows = {r["key"]: r for r in report(tmp_path / "out", "contamination")}
    assert rows["v0_crf"]["matched_by"] == "frames" and rows["v0_cut"]["matched_by"] == "frames"
    assert [m["bench"] for m in rows["v0_crf"]["matches"]] == [str(bench)]
    assert rows["tq"]["matched_by"] == "question" and rows["tq"]["question_overlap"] == 1.0
    assert rows["other"]["matched_by"] is None and rows["v2"]["matched_by"] is None and rows["v3"]["matched_by"] is None
    assert result.rows_out == result.rows_in  # reported, not dropped, without --drop
    assert result.summary["by_kind"] == {"frames": 2, "question": 1}


def test_drop_writes_the_clean_set(datasets, tmp_path):
    bench, train = datasets
    result = contamination(train, bench, tmp_path / "out", drop=True, match=("frames", "question"))
    assert kept_keys(tmp_path / "out") == ["other", "v2", "v3"]
    assert result.dropped == {"contaminated": 3}


def test_same_video_id_matches_by_id(videos, tmp_path):
    bench = build_dataset([videos["v1"]], tmp_path / "bench")
    twin = tmp_path / "twin" / "v1.mp4"
    twin.parent.mkdir()
    twin.write_bytes(videos["v2"].read_bytes())  # another video under the benchmark's file name
    train = build_dataset([twin], tmp_path / "train")
    contamination(train, bench, tmp_path / "out")
    assert [r["matched_by"] for r in report(tmp_path / "out", "contamination")] == ["video_id"]


def test_bad_options_are_one_line_errors(datasets, tmp_path):
    with pytest.raises(ConfigError, match="--match"):
        ContaminationOptions(against=(datasets[0],), match=("faces",))
    with pytest.raises(Exception, match="not a finished vdata dataset"):
        ContaminationOptions(against=(tmp_path,))
