"""`vdata export --to verl` loaded by verl's own `RLHFDataset` and scored through verl's own reward managers.

verl 0.9.1 pins transformers < 5.11, so its half runs in `.venv/verl` (`make venv-verl`, layered over `.venv`):
this file is also the script run there (tests/export/venvs.py), printing one JSON report per export (the test
corpus's, the `make demo` dataset's) that the tests below check. Tiny Qwen2.5-VL and Qwen3-VL processors are built
locally (`vdata.train.debug_model`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERL_PYTHON = ROOT / ".venv" / "verl" / "bin" / "python"


def _in_verl(export_dir: str, work: str, entry: dict, arch: str = "qwen2.5-vl") -> dict:
    """Run inside verl's venv: load `export_dir/train.parquet` with `RLHFDataset` (its length filter runs the
    processor on every row), process each item as verl's agent loop does (a tiny `arch` processor, built
    locally), score gold responses through `NaiveRewardManager` and `BatchRewardManager` with the reward entry
    the export reports."""
    export_dir, work = Path(export_dir), Path(work)
    import re

    import torch
    import verl
    from omegaconf import OmegaConf
    from transformers import AutoProcessor
    from verl.trainer.ppo.reward import get_custom_reward_fn
    from verl.utils.dataset.rl_dataset import RLHFDataset, collate_fn
    from verl.utils.tokenizer import build_multimodal_processor_inputs
    from verl.workers.reward_manager.batch import BatchRewardManager
    from verl.workers.reward_manager.naive import NaiveRewardManager

    from vdata import tasks
    from vdata.train.debug_model import build_debug_model

    processor = AutoProcessor.from_pretrained(build_debug_model(work / "tiny", arch=arch))
    tokenizer = processor.tokenizer
    config = OmegaConf.create({
        "max_prompt_length": 8192, "filter_overlong_prompts": True, "filter_overlong_prompts_workers": 1,
        "cache_dir": str(work / "cache"), "return_raw_chat": True,
    })
    dataset = RLHFDataset(str(export_dir / "train.parquet"), tokenizer, config, processor)
    video_id = tokenizer.convert_tokens_to_ids("<|video_pad|>")
    image_id = tokenizer.convert_tokens_to_ids("<|image_pad|>")
    items, report = [], {"verl": verl.__version__, "rows": len(dataset), "items": []}
    for i in range(len(dataset)):
        item = dataset[i]
        messages = item["raw_prompt"]
        images, videos, _ = RLHFDataset._process_multi_modal_info(messages, dataset.image_patch_size, config)
        text = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        inputs = build_multimodal_processor_inputs(processor, text=[text], images=images, videos=videos)
        sample = json.loads(item["reward_model"]["ground_truth"])
        report["items"].append({
            "task": sample["task"],
            "video_tokens": int((inputs["input_ids"] == video_id).sum()),
            "image_tokens": int((inputs["input_ids"] == image_id).sum()),
            "video_grid_thw": inputs["video_grid_thw"].tolist() if "video_grid_thw" in inputs else None,
            "second_per_grid_ts": [float(s) for s in inputs.get("second_per_grid_ts", [])],
            "num_images": len(images or []),
            "extra_info": item["extra_info"],
            "text": text,
            # Qwen3-VL's processor writes each temporal patch's time into the prompt: `<0.3 seconds>`
            "patch_times": [float(t) for t in re.findall(r"<([0-9.]+) seconds>", tokenizer.decode(
                inputs["input_ids"][0]))],
        })
        items.append(item)

    reward_config = OmegaConf.create({"reward": {"custom_reward_function": {
        "path": entry["reward.custom_reward_function.path"], "name": entry["reward.custom_reward_function.name"],
    }}})
    compute_score = get_custom_reward_fn(reward_config)
    batch = collate_fn(items)
    golds = [tasks.get(json.loads(it["reward_model"]["ground_truth"])["task"]).target(
        json.loads(it["reward_model"]["ground_truth"])) for it in items]
    responses = [f"<think>look at the frames</think><answer>{gold}</answer>" for gold in golds]
    response_ids = [tokenizer(r, add_special_tokens=False)["input_ids"] for r in responses]
    width = max(map(len, response_ids))
    prompts = torch.full((len(items), 4), tokenizer.pad_token_id)
    padded = torch.full((len(items), width), tokenizer.pad_token_id)
    mask = torch.zeros((len(items), 4 + width), dtype=torch.long)
    mask[:, :4] = 1
    for i, ids in enumerate(response_ids):
        padded[i, : len(ids)] = torch.tensor(ids)
        mask[i, 4 : 4 + len(ids)] = 1
    data = verl.DataProto.from_dict(
        tensors={"prompts": prompts, "responses": padded, "attention_mask": mask},
        non_tensors={k: batch[k] for k in ("data_source", "reward_model", "extra_info")},
    )
    for name, manager in {
        "naive": NaiveRewardManager(tokenizer, num_examine=0, compute_score=compute_score),
        "batch": BatchRewardManager(tokenizer, num_examine=0, compute_score=compute_score),
    }.items():
        try:
            out = manager(data, return_dict=True)
        except Exception as e:  # reported to the test, which names the failure
            report[name] = {"error": f"{type(e).__name__}: {e}"}
            continue
        report[name] = {
            "scores": out["reward_tensor"].sum(-1).tolist(),
            "accuracy": list(out["reward_extra_info"]["accuracy"]),
            "format": list(out["reward_extra_info"]["format"]),
        }
    return report


pytestmark = pytest.mark.skipif(
    not VERL_PYTHON.exists(), reason="verl needs its own venv (it pins transformers < 5.11): make venv-verl"
)


@pytest.fixture(scope="module")
def verl_export(export_data: Path, tmp_path_factory: pytest.TempPathFactory):
    from vdata.export import export

    out = tmp_path_factory.mktemp("verl") / "export"
    return export(export_data, "verl", out)


@pytest.fixture(scope="module")
def odd_export(tmp_path_factory: pytest.TempPathFactory):
    """A multiple-choice row with 5 evenly spaced keyframes (odd: Qwen2.5-VL's temporal patch is 2), exported with
    the frames as bytes inside the Parquet file (`--frames-as bytes`)."""
    from tests.helpers import write_jsonl
    from tests.videos import write_video
    from vdata.build import build
    from vdata.export import export
    from vdata.export.base import ExportOptions
    from vdata.options import BuildOptions

    root = tmp_path_factory.mktemp("odd")
    write_video(root / "a.mp4", fps=25.0, num_frames=50, width=160, height=120)
    samples = write_jsonl(root / "samples.jsonl", [{"id": "odd", "video": "a.mp4", "task": "multiple_choice",
                                                    "question": "Which?", "options": ["x", "y"], "answer": "A"}])
    build([f"jsonl:{samples}"], root / "built", BuildOptions(frames="uniform:5", workers=0))
    return export(root / "built", "verl", root / "export", ExportOptions(frames_as="bytes"))


@pytest.fixture(scope="module")
def verl_reports(verl_export, demo_exports, odd_export, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """verl's reports on the test corpus's export, the `make demo` dataset's and the odd-frame-count one's (with a
    Qwen2.5-VL processor), and on the test corpus's export with a Qwen3-VL processor."""
    from tests.export.venvs import run_jobs  # not at the top: this file also runs where `tests` is verl's

    work = tmp_path_factory.mktemp("verl-work")
    exports = (verl_export, demo_exports["verl"], odd_export)
    jobs = [[str(e.out), str(work / str(i)), e.extra["reward"]] for i, e in enumerate(exports)]
    jobs.append([str(verl_export.out), str(work / "qwen3"), verl_export.extra["reward"], "qwen3-vl"])
    return run_jobs(VERL_PYTHON, __file__, "VERL", jobs, cwd=ROOT, env=None)


@pytest.fixture(scope="module")
def verl_report(verl_reports) -> dict:
    return verl_reports[0]


def test_export_reports_rows_per_split_skips_and_the_reward_entry(verl_export):
    assert dict(verl_export.written) == {"train": 3, "test": 1}
    assert dict(verl_export.skipped) == {"no gold answer (caption)": 1}
    assert verl_export.extra["reward"]["reward.custom_reward_function.name"] == "compute_score"
    assert verl_export.extra["reward"]["reward.custom_reward_function.path"].endswith("rewards/verl.py")


def test_rlhf_dataset_keeps_every_row_and_evenly_spaced_frames_reach_the_model_as_a_video(verl_report):
    assert verl_report["verl"] == "0.9.1"
    assert verl_report["rows"] == 3  # a row the processor failed on would have been filtered out
    videos = [it for it in verl_report["items"] if it["video_grid_thw"]]
    assert {it["task"] for it in videos} == {"multiple_choice", "temporal_grounding"}
    for it in videos:
        (t, _, _), = it["video_grid_thw"]
        assert t == 2  # 4 keyframes, temporal patch 2
        assert it["video_tokens"] > 0 and it["image_tokens"] == 0
        fps = it["extra_info"]["video_fps"]
        assert fps is not None and it["second_per_grid_ts"] == pytest.approx([2 / fps])


def test_unevenly_spaced_frames_reach_the_model_as_timestamped_images(verl_report):
    (it,) = [it for it in verl_report["items"] if it["task"] == "spatial_grounding"]
    assert it["num_images"] == 5 and it["image_tokens"] > 0 and it["video_tokens"] == 0
    assert it["extra_info"]["video_fps"] is None
    assert "<0.24s><|vision_start|><|image_pad|>" in it["text"]


def test_with_qwen3_vl_each_temporal_patch_is_stamped_with_the_keyframes_time_from_the_first(verl_reports):
    report = verl_reports[3]
    assert report["rows"] == 3
    videos = [it for it in report["items"] if it["video_grid_thw"]]
    assert {it["task"] for it in videos} == {"multiple_choice", "temporal_grounding"}
    for it in videos:
        times = it["extra_info"]["frame_timestamps_s"]  # 4 evenly spaced keyframes: 2 temporal patches
        middles = [(times[k] + times[k + 1]) / 2 - times[0] for k in (0, 2)]  # each patch: its frames' mean
        assert it["video_grid_thw"][0][0] == 2 and it["patch_times"] == pytest.approx(middles, abs=0.051)
    (image_row,) = [it for it in report["items"] if it["task"] == "spatial_grounding"]
    assert image_row["image_tokens"] > 0 and "<0.24s>" in image_row["text"] and image_row["patch_times"] == []
    _assert_scored(report["naive"])


def _assert_scored(result: dict) -> None:
    assert "error" not in result, result.get("error")
    assert result["accuracy"] == [1.0, 1.0, 1.0]
    assert result["format"] == [1.0, 1.0, 1.0]
    assert result["scores"] == [5.0, 5.0, 5.0]  # format:1 + accuracy:4


def test_verls_naive_reward_manager_scores_the_ground_truth_with_vdata_rewards(verl_report):
    _assert_scored(verl_report["naive"])


def test_verls_batch_reward_manager_scores_the_ground_truth_with_vdata_rewards(verl_report):
    _assert_scored(verl_report["batch"])


def test_the_demo_dataset_loads_in_rlhf_dataset_and_scores_through_both_reward_managers(verl_reports, demo_exports):
    report, export = verl_reports[1], demo_exports["verl"]
    assert report["rows"] == sum(export.written.values()) == 18  # every row kept by the length filter
    for it in report["items"]:
        assert it["video_tokens"] + it["image_tokens"] > 0  # the keyframes reach the model
        assert (it["video_grid_thw"] is not None) == (it["extra_info"]["video_fps"] is not None)
    assert {it["task"] for it in report["items"]} == {"multiple_choice", "temporal_grounding", "spatial_grounding"}
    for manager in ("naive", "batch"):
        assert report[manager].get("scores") == [5.0] * 18, report[manager]



def test_an_odd_number_of_keyframes_reaches_the_model_padded_to_the_temporal_patch(verl_reports, odd_export):
    import pyarrow.parquet as pq

    [video] = pq.read_table(odd_export.out / "train.parquet").column("videos").to_pylist()[0]
    assert len(video["video"]) == 6 and video["video"][4] == video["video"][5]  # the export repeats the last one
    assert video["video"][0]["bytes"][:2] == b"\xff\xd8"  # JPEG bytes in the file, no frame files
    (it,) = verl_reports[2]["items"]
    assert it["video_grid_thw"][0][0] == 3  # 5 keyframes + the last repeated: 3 temporal patches, nothing dropped
    fps = it["extra_info"]["video_fps"]
    assert fps is not None and it["second_per_grid_ts"] == pytest.approx([2 / fps])

if __name__ == "__main__":
    import venvs  # this file's folder is sys.path[0]; verl's wheel has a `tests` package of its own

    venvs.main("VERL", _in_verl)
