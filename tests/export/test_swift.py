"""`vdata export --to swift` loaded by ms-swift's own `load_dataset` (its messages preprocessor) and encoded
by its own Qwen2.5-VL template and data collator, with a tiny Qwen2.5-VL processor built locally
(tests/distill/tiny_qwen.py) and the `FPS` the export reports.

ms-swift 4.6.0 pins transformers < 5.20 (and its own trl, peft, datasets), so its half runs in `.venv/swift`
(`make venv-swift`, layered over `.venv`): this file is also the script run there, printing one JSON report.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SWIFT_PYTHON = ROOT / ".venv" / "swift" / "bin" / "python"


def _in_swift(export_dir: Path, work: Path, fps: str) -> dict:
    import os

    os.environ["FPS"] = fps  # what the export reports; ms-swift hands it to qwen-vl-utils for frame-list videos
    import swift
    from swift import get_processor, get_template, load_dataset

    spec = importlib.util.spec_from_file_location("tiny_qwen", ROOT / "tests" / "distill" / "tiny_qwen.py")
    tiny_qwen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tiny_qwen)
    processor = get_processor(str(tiny_qwen.build_tiny_qwen25_vl(work / "tiny")), model_type="qwen2_5_vl")
    template = get_template(processor, max_length=8192, template_type="qwen2_5_vl")
    template.set_mode("train")
    dataset, _ = load_dataset([str(export_dir / "train.jsonl")])
    tokenizer = processor.tokenizer
    video_id = tokenizer.convert_tokens_to_ids("<|video_pad|>")
    image_id = tokenizer.convert_tokens_to_ids("<|image_pad|>")
    report = {"swift": swift.__version__, "rows": len(dataset), "items": []}
    for row in dataset:
        batch = template.data_collator([template.encode(row)])
        ids = batch["input_ids"][0]
        labels = [t for t in batch["labels"][0].tolist() if t != -100]
        report["items"].append({
            "text": tokenizer.decode(ids),
            "answer": tokenizer.decode(labels, skip_special_tokens=True),
            "video_tokens": int((ids == video_id).sum()),
            "image_tokens": int((ids == image_id).sum()),
            "video_grid_thw": batch["video_grid_thw"].tolist() if "video_grid_thw" in batch else None,
            "image_grid_thw": batch["image_grid_thw"].tolist() if "image_grid_thw" in batch else None,
            "second_per_grid_ts": [float(x) for x in batch.get("second_per_grid_ts", [])],
        })
    return report


pytestmark = pytest.mark.skipif(
    not SWIFT_PYTHON.exists(),
    reason="ms-swift needs its own venv (it pins transformers < 5.20): make venv-swift",
)


@pytest.fixture(scope="module")
def swift_export(export_data: Path, tmp_path_factory: pytest.TempPathFactory):
    from vdata.export import export

    return export(export_data, "swift", tmp_path_factory.mktemp("swift") / "export")


@pytest.fixture(scope="module")
def swift_report(swift_export, tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("swift-work")
    proc = subprocess.run(
        [str(SWIFT_PYTHON), __file__, str(swift_export.out), str(work), swift_export.extra["env"]["FPS"]],
        capture_output=True, text=True, cwd=work, timeout=600, env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"},
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("SWIFT-REPORT ")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-5000:]
    return json.loads(lines[-1].removeprefix("SWIFT-REPORT "))


def test_export_reports_the_fps_to_set_and_the_skipped_rows(swift_export):
    assert dict(swift_export.written) == {"train": 3, "test": 1}
    assert dict(swift_export.skipped) == {"no cot for the SFT completion (distill first: vdata distill)": 1}
    assert swift_export.extra["shown_as"] == {"video": 3, "images": 1}
    assert float(swift_export.extra["env"]["FPS"]) == pytest.approx(3 / 1.52)  # uniform:4 of 2 s: 0.24 .. 1.76 s


def test_every_row_loads_and_evenly_spaced_frames_reach_the_model_as_a_video_at_the_run_fps(swift_report, swift_export):
    assert swift_report["swift"] == "4.6.0"
    assert swift_report["rows"] == 3
    videos = [it for it in swift_report["items"] if it["video_grid_thw"]]
    assert len(videos) == 2
    for it in videos:
        (t, _, _), = it["video_grid_thw"]
        assert t == 2 and it["video_tokens"] > 0 and it["image_tokens"] == 0
        assert it["second_per_grid_ts"] == pytest.approx([2 / swift_export.extra["video_fps"]])


def test_unevenly_spaced_frames_reach_the_model_as_timestamped_images(swift_report):
    (it,) = [it for it in swift_report["items"] if it["image_grid_thw"]]
    assert len(it["image_grid_thw"]) == 5 and it["video_tokens"] == 0
    assert "<0.24s><|vision_start|><|image_pad|>" in it["text"]


def test_the_labels_are_the_task_layers_answer(swift_report):
    answers = sorted(it["answer"] for it in swift_report["items"])
    assert any(a.startswith("<think>") and a.rstrip().endswith("<answer>B</answer>") for a in answers), answers


if __name__ == "__main__":
    print("SWIFT-REPORT " + json.dumps(_in_swift(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])))
