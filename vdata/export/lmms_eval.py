"""`vdata export --to lmms-eval`: an lmms-eval task folder scored with vdata's own metrics.

Written against lmms-eval 0.7.3 (`lmms_eval/api/task.py` `ConfigurableTask`: `dataset_path: parquet` with
`dataset_kwargs.data_files`, `!function utils.*` hooks, `process_results` -> `metric_list` with `aggregation`;
`lmms_eval/tasks/__init__.py` `TaskManager(include_path=...)`); tested by loading the folder with that
`TaskManager`, building the task's requests and scoring gold answers through its `process_results`.

`OUT` holds, per split, `<split>.parquet` (`id`, `task`, `system`, `prompt`: the row's task template text from
`vdata.engines.prompts`, `target`: the task's answer, `frames`, `frame_timestamps_s`, `sample`: the row without
frames as JSON) and `<task>.yaml` (task `vdata_<OUT name>`, or `vdata_<OUT name>_<split>` with several splits),
plus `utils.py`. Run with `lmms-eval --include_path OUT --tasks <task> ...` in an environment where vdata is
installed: `process_results` calls `vdata.eval.score`, the one definition `vdata eval` uses, and reports
`<task>/<metric>` (and `<task>/parse_failed`), each a mean over that task's samples (`aggregation: mean`, as
every vdata metric is a mean of per-sample values).

Frames: `bytes` (default; a `datasets` image list in the Parquet) or `files` (absolute JPEG paths). Time: lmms-eval
hands a model its visuals as a list before the text, so the frames go as images and their true times only as the
prompt's text (the templates list every keyframe's time); no fps reaches the model and frames cannot be
interleaved with timestamp text. That is the same for every frame policy, so `scenes` and `,boxes` lose nothing
more than uniform ones. The data paths in the YAML are absolute: move the folder, re-export.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from vdata.export import rows
from vdata.export.base import Exporter, ExportOptions, Skip, register

#: The task's hooks, written as `OUT/utils.py` (lmms-eval imports it from the YAML's folder).
UTILS_PY = '''"""lmms-eval hooks of a task exported by `vdata export --to lmms-eval`; scores with `vdata.eval.score`."""

import json

from PIL import Image


def vdata_doc_to_visual(doc):
    """The row's keyframes as RGB images, in time order."""
    return [(Image.open(f) if isinstance(f, str) else f).convert("RGB") for f in doc["frames"]]


def vdata_doc_to_text(doc, lmms_eval_specific_kwargs=None):
    """vdata's system text, then the task template's prompt (which lists the frames' times)."""
    kwargs = lmms_eval_specific_kwargs or {}
    return kwargs.get("pre_prompt", "") + doc["system"] + "\\n\\n" + doc["prompt"] + kwargs.get("post_prompt", "")


def vdata_doc_to_target(doc):
    return doc["target"]


def vdata_process_results(doc, results):
    """`<task>/<metric>` values of the first response, from vdata's own scorer (`vdata.eval.score`)."""
    from vdata.eval import score

    sample = json.loads(doc["sample"])
    scored = score(results[0] if results else "", sample)
    if scored is None:
        return {}
    values = {f"{sample['task']}/{name}": value for name, value in scored.values.items()}
    values[f"{sample['task']}/parse_failed"] = float(scored.parse_failed)
    return values
'''


def _task_yaml(task: str, split: str, data_file: Path, metrics: list[str]) -> str:
    metric_lines = "".join(
        f"  - metric: {name}\n    aggregation: mean\n    higher_is_better: {str(not name.endswith('/parse_failed')).lower()}\n"
        for name in metrics
    )
    return (
        f"# Exported by `vdata export --to lmms-eval`; scored by vdata.eval.score (utils.py).\n"
        f"task: {task}\n"
        f"dataset_path: parquet\n"
        f"dataset_kwargs:\n  data_files:\n    {split}: {data_file}\n"
        f"test_split: {split}\n"
        f"output_type: generate_until\n"
        f"doc_to_visual: !function utils.vdata_doc_to_visual\n"
        f"doc_to_text: !function utils.vdata_doc_to_text\n"
        f"doc_to_target: !function utils.vdata_doc_to_target\n"
        f"process_results: !function utils.vdata_process_results\n"
        f"generation_kwargs:\n  max_new_tokens: 1024\n  temperature: 0\n  do_sample: false\n"
        f"metric_list:\n{metric_lines}"
        f"lmms_eval_specific_kwargs:\n  default:\n    pre_prompt: \"\"\n    post_prompt: \"\"\n"
        f"metadata:\n  version: 0.0\n"
    )


@register("lmms-eval")
@dataclass(frozen=True)
class LmmsEval(Exporter):
    """An lmms-eval 0.7.3 task folder (see the module docstring). `task_name`: the lmms-eval task name (None:
    `vdata_<OUT folder name>`). State of one export: `_state`."""

    frames_as: ClassVar[tuple[str, ...]] = ("bytes", "files")
    task_name: str | None = None
    _state: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def open(self, out: Path, options: ExportOptions) -> None:
        import datasets

        from vdata.export.parquet import SplitWriter

        v = datasets.Value
        frame = datasets.Image() if options.frames_as == "bytes" else v("string")
        self._state.update(out=out, tasks=defaultdict(set))
        self._state["writer"] = SplitWriter(out, {
            "id": v("string"), "task": v("string"), "system": v("string"), "prompt": v("string"),
            "target": v("string"), "frames": [frame], "frame_timestamps_s": [v("float64")], "sample": v("string"),
        })

    def write(self, row: dict[str, Any], options: ExportOptions) -> None:
        target = rows.require_gold(row)
        if not row.get("frames"):
            raise Skip("no frames")
        prompt = rows.prompt(row)
        positions = tuple(range(len(row["frames"])))
        self._state["writer"].add(row["split"], {
            "id": row["id"], "task": row["task"], "system": prompt.system, "prompt": prompt.text,
            "target": target, "frames": rows.frames_out(row, positions, options, self._state["out"]),
            "frame_timestamps_s": [float(t) for t in row["frame_timestamps_s"] or []],
            "sample": rows.sample_json(row),
        })
        self._state["tasks"][row["split"]].add(row["task"])

    def close(self, options: ExportOptions) -> dict[str, Any]:
        from vdata.eval.score import TASK_METRICS

        out: Path = self._state["out"]
        files = self._state["writer"].close()
        base = self.task_name or "vdata_" + re.sub(r"\W+", "_", out.resolve().name).strip("_").lower()
        names = {}
        for split, path in files.items():
            name = base if len(files) == 1 else f"{base}_{split}"
            metrics = [
                f"{task}/{metric}"
                for task in sorted(self._state["tasks"][split])
                for metric in (*TASK_METRICS[task], "parse_failed")
            ]
            (out / f"{name}.yaml").write_text(_task_yaml(name, split, Path(path).resolve(), metrics), encoding="utf-8")
            names[split] = name
        (out / "utils.py").write_text(UTILS_PY, encoding="utf-8")
        return {"files": files, "tasks": names, "include_path": str(out.resolve())}
