"""`vdata export --to swift` loaded by ms-swift's own `load_dataset` (its messages preprocessor) and encoded
by its own Qwen2.5-VL template and data collator, with a tiny Qwen2.5-VL processor built locally
(tests/distill/tiny_qwen.py) and the `FPS` the export reports; the GRPO export (`stage=grpo`) loaded the way
`swift rlhf --rlhf_type grpo` loads it, its reward plugin imported by ms-swift's `--external_plugins` loader and
its ORMs called by ms-swift's own reward step.

ms-swift 4.6.0 pins transformers < 5.20 (and its own trl, peft, datasets), so its half runs in `.venv/swift`
(`make venv-swift`, layered over `.venv`): this file is also the script run there (tests/export/venvs.py),
printing one JSON report per export (the test corpus's and the `make demo` dataset's, SFT and GRPO layouts).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SWIFT_PYTHON = ROOT / ".venv" / "swift" / "bin" / "python"


def _in_swift(export_dir: str, work: str, fps: str) -> dict:
    import os

    export_dir, work = Path(export_dir), Path(work)
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


def _grpo_in_swift(export_dir: str, plugin: str, reward_funcs: list[str]) -> dict:
    """Import the export's reward plugin with ms-swift's own `--external_plugins` loader, load the GRPO rows with
    its `load_dataset`, and score a gold and a wrong completion per row with its own reward step
    (`compute_rewards_per_func` on `GRPOSample`s, the ORMs built from `orms` as its trainer builds them)."""
    from types import SimpleNamespace

    import torch
    from swift import load_dataset
    from swift.arguments import BaseArguments
    from swift.rewards import orms
    from swift.rl_core.data import GRPOSample
    from swift.rl_core.grpo_algorithm import compute_rewards_per_func

    from vdata import tasks

    BaseArguments._import_external_plugins(SimpleNamespace(external_plugins=[plugin], custom_register_path=[]))
    funcs = [orms[name](args=None) for name in reward_funcs]  # GRPOTrainer._prepare_rewards
    # `swift rlhf --rlhf_type grpo` keeps every column (RLHFArguments._init_grpo: remove_unused_columns=False)
    dataset, _ = load_dataset([str(Path(export_dir) / "train.jsonl")], remove_unused_columns=False)
    samples, report = [], {"registered": sorted(k for k in orms if k.startswith("vdata_")), "rows": []}
    for row in dataset:
        sample = json.loads(row["solution"])
        report["rows"].append({"task": sample["task"], "roles": [m["role"] for m in row["messages"]],
                               "columns": sorted(row)})
        gold = f"<think>look</think><answer>{tasks.get(sample['task']).target(sample)}</answer>"
        for response in (gold, "<think>no idea</think>"):
            grpo = GRPOSample.from_row(row)
            grpo.messages.append({"role": "assistant", "content": response})  # a single-turn rollout's result
            grpo.response_token_ids = [[1] * 5]
            samples.append(grpo)
    rewards = compute_rewards_per_func(samples, funcs, None, torch.device("cpu"), trainer_state=None)
    report["rewards"] = [[None if r != r else r for r in row] for row in rewards.tolist()]  # NaN: not judged
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
def grpo_export(export_data: Path, tmp_path_factory: pytest.TempPathFactory):
    from vdata.export import export

    return export(export_data, "swift", tmp_path_factory.mktemp("swift-grpo") / "export", stage="grpo")


def _reward_funcs(grpo_export) -> list[str]:
    args = grpo_export.extra["rlhf_args"].split()
    return args[args.index("--reward_funcs") + 1 : args.index("--reward_weights")]


@pytest.fixture(scope="module")
def swift_reports(swift_export, grpo_export, demo_exports, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """ms-swift's reports on the SFT and GRPO exports of the test corpus and of the `make demo` dataset, from one
    process (importing ms-swift takes most of the time)."""
    from tests.export.venvs import run_jobs

    work = tmp_path_factory.mktemp("swift-work")
    pairs = [(swift_export, grpo_export), (demo_exports["swift"], demo_exports["swift-grpo"])]
    args = []
    for i, (sft, grpo) in enumerate(pairs):
        args.append(["sft", str(sft.out), str(work / str(i)), sft.extra["env"]["FPS"]])
        args.append(["grpo", str(grpo.out), grpo.extra["plugin"], _reward_funcs(grpo)])
    reports = run_jobs(SWIFT_PYTHON, __file__, "SWIFT", args, cwd=work)
    return {"sft": reports[0], "grpo": reports[1], "demo-sft": reports[2], "demo-grpo": reports[3]}


@pytest.fixture(scope="module")
def swift_report(swift_reports) -> dict:
    return swift_reports["sft"]


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


def test_grpo_export_keeps_rows_without_cot_and_reports_the_rlhf_arguments(grpo_export):
    assert dict(grpo_export.written) == {"train": 3, "test": 1}
    assert dict(grpo_export.skipped) == {"no gold answer (caption)": 1}
    plugin = grpo_export.extra["plugin"]
    assert Path(plugin).parent == grpo_export.out.resolve()
    assert grpo_export.extra["rlhf_args"] == (f"--rlhf_type grpo --external_plugins {plugin} "
                                              "--reward_funcs vdata_format vdata_accuracy --reward_weights 1 4")


def test_swifts_plugin_loader_registers_vdata_orms_that_score_the_exported_rows(swift_reports, grpo_export):
    report = swift_reports["grpo"]
    assert _reward_funcs(grpo_export) == ["vdata_format", "vdata_accuracy"]
    assert {"vdata_accuracy", "vdata_format", "vdata_temporal_iou"} <= set(report["registered"])
    assert [r["roles"] for r in report["rows"]] == [["system", "user"]] * 3  # no assistant turn: GRPO generates it
    assert all("solution" in r["columns"] for r in report["rows"])
    # per row: the gold completion, then a wrong one; columns: vdata_format, vdata_accuracy
    assert report["rewards"] == [[1.0, 1.0], [0.0, 0.0]] * 3


def test_the_demo_dataset_loads_and_scores_in_both_layouts(swift_reports, demo_exports):
    sft, export = swift_reports["demo-sft"], demo_exports["swift"]
    assert sft["rows"] == sum(export.written.values()) == 18
    shown = {"video": sum(bool(it["video_grid_thw"]) for it in sft["items"]),
             "images": sum(bool(it["image_grid_thw"]) for it in sft["items"])}
    assert shown == export.extra["shown_as"]
    assert all(it["video_tokens"] + it["image_tokens"] > 0 for it in sft["items"])
    grpo = swift_reports["demo-grpo"]
    assert len(grpo["rows"]) == sum(demo_exports["swift-grpo"].written.values()) == 18
    assert grpo["rewards"] == [[1.0, 1.0], [0.0, 0.0]] * 18


def _job(kind: str, *args):
    return _in_swift(*args) if kind == "sft" else _grpo_in_swift(*args)


if __name__ == "__main__":
    import venvs  # this file's folder is sys.path[0]

    venvs.main("SWIFT", _job)
