"""The evaluation benchmarks end to end: each release layout -> `vdata.build.build` (real decoding of generated
videos) -> shards whose rows `vdata eval` scores into the benchmark's own table. Also the properties every
format keeps (layout documented, ids deterministic and unique)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.builders import (
    test_egoschema,
    test_longvideobench,
    test_mvbench,
    test_tempcompass,
    test_videomme,
    test_vsibench,
)
from vdata.build import build
from vdata.builders import Item, get
from vdata.eval import evaluate
from vdata.options import BuildOptions
from vdata.schemas import parse_meta
from vdata.shards import read_table

CORPORA = {
    "egoschema": test_egoschema._corpus,
    "longvideobench": test_longvideobench._corpus,
    "mvbench": test_mvbench._corpus,
    "tempcompass": test_tempcompass._corpus,
    "videomme": test_videomme._corpus,
    "vsibench": test_vsibench._corpus,
}
OPTIONS = BuildOptions(frames="uniform:4", max_pixels=160 * 120, size_factor=1, workers=0)


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_layout_is_documented_and_ids_are_deterministic(name: str, tmp_path: Path, put) -> None:
    builder = get(name)
    assert "Layout" in (builder.__doc__ or "") and "Conversions" in (builder.__doc__ or "")
    assert builder.benchmark is not None and builder.citation
    root = CORPORA[name](tmp_path, put)
    ids = [i.id for i in builder(root).items() if isinstance(i, Item)]
    assert ids and len(ids) == len(set(ids)) and ids == [i.id for i in builder(root).items() if isinstance(i, Item)]


def test_all_six_build_into_one_dataset_and_eval_prints_each_table(tmp_path: Path, put) -> None:
    sources = [f"{name}:{make(tmp_path / name, put)}" for name, make in sorted(CORPORA.items())]
    out = tmp_path / "built"
    build(sources, out, OPTIONS)
    rows = read_table(out).to_pylist()
    errors = pq.read_table(out / "errors.parquet").to_pylist()
    by_source = {r["source"] for r in rows}
    assert by_source == set(CORPORA)
    # the builders' bad rows are error rows of the build, never dropped silently
    assert {e["source"] for e in errors} >= {"mvbench", "videomme", "vsibench", "tempcompass"}
    mv = next(r for r in rows if r["source"] == "mvbench" and parse_meta(r["meta"])["task_type"] == "Action Sequence")
    assert (mv["clip_start_s"], mv["clip_end_s"]) == (0.5, 2.5)  # the question's window bounds its keyframes
    assert all(0.5 <= t <= 2.5 for t in mv["frame_timestamps_s"])
    ep = next(r for r in rows if r["source"] == "mvbench" and parse_meta(r["meta"])["task_type"] == "Episodic Reasoning")
    assert ep["fps"] == 3.0 and all(1.0 <= t <= 4.0 for t in ep["frame_timestamps_s"])  # the TVQA frame folder
    mme = next(r for r in rows if r["source"] == "videomme")  # its subtitle/<id>.srt, in video seconds
    assert mme["subtitles"] == [{"start_s": 0.0, "end_s": 1.0, "text": "hello"}]
    assert next(r for r in rows if r["source"] == "longvideobench")["subtitles"] == []  # a file without cues
    vsi = {r["task"] for r in rows if r["source"] == "vsibench"}
    assert vsi == {"multiple_choice", "regression"}
    # every prediction right: each benchmark's official overall is 1.0, except VSI-Bench's, whose script counts
    # the absent medium and hard direction types as 0: ((1 + 0 + 0) / 3 + 1) / 2
    preds = tmp_path / "preds.jsonl"
    with preds.open("w") as f:
        for r in rows:
            gold = r["answer"]
            if r["source"] == "tempcompass" and r["task"] == "multiple_choice":
                gold = f"{r['answer']}. {r['options'][ord(r['answer']) - 65]}"
            f.write(json.dumps({"id": r["id"], "response": f"<answer>{gold}</answer>"}) + "\n")
    tables = evaluate(out, preds).summary()["benchmarks"]
    assert set(tables) == set(CORPORA)
    assert {name: t["overall"] for name, t in tables.items()} == {**{name: 1.0 for name in CORPORA},
                                                                  "vsibench": pytest.approx(2 / 3)}
