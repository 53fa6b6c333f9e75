"""`vdata curate dedup`: re-encodes, resizes, small crops and a cut clip of a generated video are found from the
stored keyframes across inputs; distinct videos are not; one sample per cluster stays by the stated rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.curate.conftest import KINDS
from tests.curate.helpers import kept_keys, report
from tests.distill.helpers import make_row, write_dataset
from vdata.curate import STEPS, run_step
from vdata.curate.dedup import DedupOptions
from vdata.curate.index import near_pairs
from vdata.errors import ConfigError
from vdata.shards import read_table


def dedup(inputs: list[Path], out: Path, **options: object):
    return run_step(STEPS.get("dedup")(DedupOptions(**options)), inputs, out)


def test_every_kind_of_near_duplicate_joins_the_original_and_distinct_videos_stay(built, tmp_path):
    result = dedup([built["all"]], tmp_path / "out", by="video")
    rows = {r["key"]: r for r in report(tmp_path / "out", "dedup")}
    assert rows["v0"]["kept"] and rows["v0"]["cluster_size"] == 1 + len(KINDS)
    for kind in KINDS:
        row = rows[f"v0_{kind}"]
        assert not row["kept"] and row["cluster"] == rows["v0"]["cluster"], kind
        assert row["match"] == "near" and row["reason"].startswith("duplicate: of ")
    for distinct in ("v1", "v2", "v3"):
        assert rows[distinct]["kept"] and rows[distinct]["cluster"] is None
    assert kept_keys(tmp_path / "out") == ["v0", "v1", "v2", "v3"]
    assert result.dropped == {"duplicate": len(KINDS)} and result.summary["clusters"] == 1


def test_across_inputs_source_order_keeps_the_first_input_and_questions_decide_samples(built, tmp_path):
    dedup([built["a"], built["b"]], tmp_path / "out")
    rows = report(tmp_path / "out", "dedup")
    dropped = {(r["input"], r["key"]): r for r in rows if not r["kept"]}
    assert set(dropped) == {(str(built["b"]), "v0_crf"), (str(built["b"]), "q1")}
    repeat = dropped[(str(built["b"]), "q1")]
    assert repeat["match"] == "exact" and repeat["duplicate_of"].startswith(str(built["a"]))
    # two different questions about v1 both stay; the caption sample of v1 is a third sample, not a duplicate
    assert kept_keys(tmp_path / "out") == sorted(["v0", "v1", "q1", "q2", "v2"])


def test_prefer_longest_keeps_the_long_video_over_the_clip_cut_from_it(built, videos, tmp_path):
    dedup([built["all"]], tmp_path / "out", by="video", prefer="longest")
    assert "v0" in kept_keys(tmp_path / "out")
    rows = {r["key"]: r for r in report(tmp_path / "out", "dedup")}
    assert not rows["v0_cut"]["kept"]


def test_a_finished_run_is_a_no_op_and_other_options_are_refused(built, tmp_path):
    dedup([built["all"]], tmp_path / "out")
    assert dedup([built["all"]], tmp_path / "out").already_done
    with pytest.raises(ConfigError, match="already holds a finished dataset"):
        dedup([built["all"]], tmp_path / "out", max_distance=4)
    with pytest.raises(ConfigError, match="--prefer must be one of"):
        DedupOptions(prefer="newest")


def test_the_index_finds_every_pair_within_the_distance_without_comparing_all_pairs():
    rng = np.random.default_rng(1)
    base = rng.integers(0, 2**63, 2000, dtype=np.uint64)
    flips = np.zeros(2000, np.uint64)
    for i in range(2000):  # a copy of each value with 0-4 bits flipped
        for bit in rng.choice(64, i % 5, replace=False):
            flips[i] |= np.uint64(1) << np.uint64(bit)
    values = np.concatenate([base, base ^ flips])
    values = np.unique(values)
    i, j = near_pairs(values, 4)
    found = {(int(a), int(b)) for a, b in zip(values[i], values[j], strict=True)}
    expected = {tuple(sorted((int(b), int(b ^ f)))) for b, f in zip(base, flips, strict=True) if f}
    assert len(expected & found) / len(expected) > 0.99
    assert len(found) <= len(expected) + 5  # unrelated values (about 32 bits apart) are not paired


def test_an_id_taken_by_an_earlier_input_is_renamed_not_lost(tmp_path):
    a = write_dataset(tmp_path / "a", [make_row("x", "numeric", question="How many?", answer="3")])
    b = write_dataset(tmp_path / "b", [make_row("x", "free_form", question="What happens?", answer="it moves")])
    result = dedup([a, b], tmp_path / "out")
    assert result.rows_out == 2  # the same frames, but other questions: two samples
    assert sorted(read_table(tmp_path / "out", columns=["id"]).column("id").to_pylist()) == ["x", "x#in1"]
    assert [r["reason"] for r in report(tmp_path / "out", "dedup")] == ["", "renamed x#in1"]
