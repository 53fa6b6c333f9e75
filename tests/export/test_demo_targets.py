"""The `make demo` dataset (tests/export/conftest.py `demo_data`: `vdata.demo.run_demo`, then `vdata distill` with
a scripted teacher giving gold answers) exports to every registered target. Each target's loader test loads that
export in the target's own loader too (`test_the_demo_dataset_*` in test_verl, test_llamafactory, test_swift,
test_lmms_eval, test_trl, test_easyr1)."""

from __future__ import annotations

import pytest

from vdata.errors import ConfigError
from vdata.export import export, names

#: Targets whose rows are SFT examples: they need the `cot` that `vdata distill` adds.
SFT_ONLY = {"llamafactory", "swift", "trl"}


def test_the_distilled_demo_dataset_exports_every_row_to_every_target(demo_exports):
    assert set(names()) <= set(demo_exports)
    for name, report in demo_exports.items():
        assert dict(report.written) == {"train": 18}, name  # 6 videos x (grounding, choice, boxes)
        assert not report.skipped, (name, dict(report.skipped))
        assert any(report.out.iterdir()), name


@pytest.mark.parametrize("name", names())
def test_the_built_demo_dataset_exports_or_says_to_distill_first(demo_data, tmp_path, name):
    if name in SFT_ONLY:
        with pytest.raises(ConfigError, match="distill first: vdata distill"):
            export(demo_data["built"], name, tmp_path / name)
        return
    report = export(demo_data["built"], name, tmp_path / name)
    assert dict(report.written) == {"train": 18}
    assert dict(report.skipped) == {"no gold answer (caption)": 6}


@pytest.mark.parametrize(("name", "option"), [("trl", {"completion": False}), ("swift", {"stage": "grpo"})])
def test_the_rl_layouts_of_sft_targets_take_the_built_demo_dataset(demo_data, tmp_path, name, option):
    report = export(demo_data["built"], name, tmp_path / name, **option)
    assert dict(report.written) == {"train": 18}
    assert dict(report.skipped) == {"no gold answer (caption)": 6}
