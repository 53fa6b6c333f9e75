"""`vdata export --to lmms-eval` loaded by lmms-eval's own `TaskManager(include_path=...)` and `get_task_dict`: the
task's documents, visuals, prompts and requests are built by lmms-eval, and gold responses are scored through the
task's `process_results` (vdata.eval.score) and aggregated with the task's own aggregation functions.

lmms-eval 0.7.3 installs versions that differ from `.venv`'s (av 15, peft...), so its half runs in
`.venv/lmms-eval` (`make venv-lmms-eval`, layered over `.venv`): this file is also the script run there
(tests/export/venvs.py), printing one JSON report per export (the test corpus's, the `make demo` dataset's).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LMMS_PYTHON = ROOT / ".venv" / "lmms-eval" / "bin" / "python"


def _in_lmms_eval(include_path: str, task_name: str) -> dict:
    from importlib.metadata import version

    from lmms_eval.tasks import TaskManager, get_task_dict

    from vdata import tasks

    task = get_task_dict([task_name], TaskManager(include_path=str(include_path)))[task_name]
    task.build_all_requests(limit=None, rank=0, world_size=1)
    report = {"lmms_eval": version("lmms_eval"), "requests": len(task.instances), "docs": []}
    aggregation = task.aggregation()
    values: dict[str, list[float]] = {}
    for doc in task.test_docs():
        visuals = task.doc_to_visual(doc)
        sample = json.loads(doc["sample"])
        gold = f"<think>looked</think><answer>{tasks.get(sample['task']).target(sample)}</answer>"
        for response, tag in ((gold, "gold"), ("no idea", "bad")):
            for name, value in task.process_results(doc, [response]).items():
                values.setdefault(f"{tag}:{name}", []).append(value)
        report["docs"].append({
            "task": doc["task"], "num_visuals": len(visuals), "visual_size": list(visuals[0].size),
            "text": task.doc_to_text(doc),
        })
    report["metrics"] = {key: aggregation[key.split(":", 1)[1]](vals) for key, vals in values.items()}
    return report


pytestmark = pytest.mark.skipif(
    not LMMS_PYTHON.exists(), reason="lmms-eval needs its own venv (its pins differ from .venv's): make venv-lmms-eval"
)


@pytest.fixture(scope="module")
def lmms_export(export_data: Path, tmp_path_factory: pytest.TempPathFactory):
    from vdata.export import export

    return export(export_data, "lmms-eval", tmp_path_factory.mktemp("lmms") / "bench", task_name="vdata_bench")


@pytest.fixture(scope="module")
def lmms_reports(lmms_export, demo_exports, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """lmms-eval's reports on the test corpus's train task and on the `make demo` dataset's task."""
    from tests.export.venvs import run_jobs

    work = tmp_path_factory.mktemp("lmms-work")
    jobs = [[str(e.out), e.extra["tasks"]["train"]] for e in (lmms_export, demo_exports["lmms-eval"])]
    return run_jobs(LMMS_PYTHON, __file__, "LMMS", jobs, cwd=work,
                    env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "HF_HOME": str(work / "hf")})


@pytest.fixture(scope="module")
def lmms_report(lmms_reports) -> dict:
    return lmms_reports[0]


def test_export_writes_one_task_per_split_and_skips_rows_without_gold(lmms_export):
    assert lmms_export.extra["tasks"] == {"train": "vdata_bench_train", "test": "vdata_bench_test"}
    assert dict(lmms_export.written) == {"train": 3, "test": 1}
    assert dict(lmms_export.skipped) == {"no gold answer (caption)": 1}
    assert (lmms_export.out / "utils.py").exists() and (lmms_export.out / "vdata_bench_train.yaml").exists()


def test_lmms_evals_task_loader_builds_a_request_per_row_with_every_keyframe(lmms_report):
    assert lmms_report["lmms_eval"] == "0.7.3"
    assert lmms_report["requests"] == 3
    frames = {d["task"]: d["num_visuals"] for d in lmms_report["docs"]}
    assert frames == {"multiple_choice": 4, "temporal_grounding": 4, "spatial_grounding": 5}
    assert all("0.24s" in d["text"] for d in lmms_report["docs"])  # the keyframes' times are in the prompt


def test_gold_answers_score_full_marks_and_unparseable_ones_zero_with_vdatas_metrics(lmms_report):
    m = lmms_report["metrics"]
    assert m["gold:multiple_choice/accuracy"] == 1.0 and m["bad:multiple_choice/accuracy"] == 0.0
    assert m["gold:temporal_grounding/mIoU"] == pytest.approx(1.0)
    assert m["gold:spatial_grounding/mIoU"] == pytest.approx(1.0)
    assert m["bad:multiple_choice/parse_failed"] == 1.0 and m["gold:multiple_choice/parse_failed"] == 0.0


def test_the_demo_dataset_evaluates_with_full_marks_for_gold_answers(lmms_reports, demo_exports):
    report = lmms_reports[1]
    assert report["requests"] == sum(demo_exports["lmms-eval"].written.values()) == 18
    assert all(d["num_visuals"] >= 8 for d in report["docs"])  # uniform:8 keyframes (+ box frames)
    gold = {k.removeprefix("gold:"): v for k, v in report["metrics"].items() if k.startswith("gold:")}
    assert gold["multiple_choice/accuracy"] == 1.0
    assert gold["temporal_grounding/mIoU"] == pytest.approx(1.0)
    assert gold["spatial_grounding/mIoU"] == pytest.approx(1.0)


if __name__ == "__main__":
    import venvs  # this file's folder is sys.path[0]

    venvs.main("LMMS", _in_lmms_eval)
