"""`vdata export --to llamafactory` loaded by LLaMA-Factory's own dataset pipeline (`get_train_args`,
`load_tokenizer`, `get_template_and_fix_tokenizer`, `get_dataset`: converter, qwen2_vl template, Qwen2VLPlugin)
with a tiny Qwen2.5-VL processor built locally (tests/distill/tiny_qwen.py), then one batch through its
collator, which computes the vision inputs.

LLaMA-Factory 0.9.5 pins transformers <= 5.6 and datasets <= 4.0, so its half runs in `.venv/llamafactory`
(`make venv-llamafactory`, layered over `.venv`): this file is also the script run there (tests/export/venvs.py),
printing one JSON report per export (the test corpus's, the `make demo` dataset's).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LF_PYTHON = ROOT / ".venv" / "llamafactory" / "bin" / "python"


def _in_llamafactory(export_dir: str, work: str, video_fps: float) -> dict:
    import llamafactory
    from llamafactory.data import get_dataset, get_template_and_fix_tokenizer
    from llamafactory.data.collator import SFTDataCollatorWith4DAttentionMask
    from llamafactory.hparams import get_train_args
    from llamafactory.model import load_tokenizer

    export_dir, work = Path(export_dir), Path(work)
    spec = importlib.util.spec_from_file_location("tiny_qwen", ROOT / "tests" / "distill" / "tiny_qwen.py")
    tiny_qwen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tiny_qwen)
    model_dir = tiny_qwen.build_tiny_qwen25_vl(work / "tiny")
    model_args, data_args, training_args, _, _ = get_train_args({
        "model_name_or_path": str(model_dir), "stage": "sft", "do_train": True, "finetuning_type": "full",
        "dataset": "vdata_train", "dataset_dir": str(export_dir), "template": "qwen2_vl", "cutoff_len": 8192,
        "output_dir": str(work / "out"), "overwrite_cache": True, "report_to": "none",
        "video_fps": video_fps, "image_max_pixels": 200704, "video_max_pixels": 200704,
    })
    tokenizer_module = load_tokenizer(model_args)
    tokenizer, processor = tokenizer_module["tokenizer"], tokenizer_module["processor"]
    template = get_template_and_fix_tokenizer(tokenizer, data_args)
    dataset = get_dataset(template, model_args, data_args, training_args, "sft", **tokenizer_module)["train_dataset"]
    collator = SFTDataCollatorWith4DAttentionMask(template=template, processor=processor, tokenizer=tokenizer,
                                                  model=None, label_pad_token_id=-100)
    video_id = tokenizer.convert_tokens_to_ids("<|video_pad|>")
    image_id = tokenizer.convert_tokens_to_ids("<|image_pad|>")
    report = {"llamafactory": llamafactory.__version__, "rows": len(dataset), "items": []}
    for i in range(len(dataset)):
        feature = {k: dataset[i][k] for k in ("input_ids", "attention_mask", "labels", "images", "videos", "audios")}
        batch = collator([feature])
        ids = batch["input_ids"][0]
        labels = [t for t in batch["labels"][0].tolist() if t != -100]
        report["items"].append({
            "text": tokenizer.decode(ids),
            "answer": tokenizer.decode(labels, skip_special_tokens=True),
            "video_tokens": int((ids == video_id).sum()),
            "image_tokens": int((ids == image_id).sum()),
            "video_grid_thw": batch["video_grid_thw"].tolist() if "video_grid_thw" in batch else None,
            "image_grid_thw": batch["image_grid_thw"].tolist() if "image_grid_thw" in batch else None,
            "second_per_grid_ts": [float(s) for s in batch.get("second_per_grid_ts", [])],
        })
    return report


pytestmark = pytest.mark.skipif(
    not LF_PYTHON.exists(),
    reason="LLaMA-Factory needs its own venv (it pins transformers <= 5.6): make venv-llamafactory",
)


@pytest.fixture(scope="module")
def lf_export(export_data: Path, tmp_path_factory: pytest.TempPathFactory):
    from vdata.export import export

    return export(export_data, "llamafactory", tmp_path_factory.mktemp("llamafactory") / "export")


@pytest.fixture(scope="module")
def lf_reports(lf_export, demo_exports, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """LLaMA-Factory's reports on the test corpus's export and on the `make demo` dataset's."""
    from tests.export.venvs import run_jobs

    work = tmp_path_factory.mktemp("llamafactory-work")
    exports = (lf_export, demo_exports["llamafactory"])
    jobs = [[str(e.out), str(work / str(i)), e.extra["video_fps"]] for i, e in enumerate(exports)]
    return run_jobs(LF_PYTHON, __file__, "LF", jobs, cwd=work)


@pytest.fixture(scope="module")
def lf_report(lf_reports) -> dict:
    return lf_reports[0]


def test_export_writes_dataset_info_and_reports_the_run_fps_and_skips(lf_export):
    assert dict(lf_export.written) == {"train": 3, "test": 1}
    assert dict(lf_export.skipped) == {"no cot for the SFT completion (distill first: vdata distill)": 1}
    info = json.loads((lf_export.out / "dataset_info.json").read_text())
    assert set(info) == {"vdata_train", "vdata_test"}
    assert info["vdata_train"]["formatting"] == "sharegpt"
    assert lf_export.extra["shown_as"] == {"video": 3, "images": 1}
    assert lf_export.extra["video_fps"] == pytest.approx(3 / 1.52)  # uniform:4 of a 2 s clip: 0.24 .. 1.76 s


def test_every_row_loads_and_evenly_spaced_frames_reach_the_model_as_a_video_at_the_run_fps(lf_report, lf_export):
    assert lf_report["llamafactory"] == "0.9.5"
    assert lf_report["rows"] == 3
    videos = [it for it in lf_report["items"] if it["video_grid_thw"]]
    assert len(videos) == 2
    for it in videos:
        (t, _, _), = it["video_grid_thw"]
        assert t == 2 and it["video_tokens"] > 0 and it["image_tokens"] == 0
        assert it["second_per_grid_ts"] == pytest.approx([2 / lf_export.extra["video_fps"]])


def test_unevenly_spaced_frames_reach_the_model_as_timestamped_images(lf_report):
    (it,) = [it for it in lf_report["items"] if it["image_grid_thw"]]
    assert len(it["image_grid_thw"]) == 5 and it["video_tokens"] == 0
    assert "<0.24s><|vision_start|><|image_pad|>" in it["text"]


def test_the_labels_are_the_task_layers_answer(lf_report):
    answers = sorted(it["answer"] for it in lf_report["items"])
    assert any(a.startswith("<think>") and a.rstrip().endswith("<answer>B</answer>") for a in answers), answers


def test_the_demo_dataset_loads_and_every_row_reaches_the_model(lf_reports, demo_exports):
    report, export = lf_reports[1], demo_exports["llamafactory"]
    assert report["rows"] == sum(export.written.values()) == 18
    shown = {"video": sum(bool(it["video_grid_thw"]) for it in report["items"]),
             "images": sum(bool(it["image_grid_thw"]) for it in report["items"])}
    assert shown == export.extra["shown_as"]  # each row as the export planned it: a video at the run fps or images
    assert all(it["video_tokens"] + it["image_tokens"] > 0 for it in report["items"])
    assert all(it["answer"].startswith("<think>") and "<answer>" in it["answer"] for it in report["items"])


if __name__ == "__main__":
    import venvs  # this file's folder is sys.path[0]

    venvs.main("LF", _in_llamafactory)
