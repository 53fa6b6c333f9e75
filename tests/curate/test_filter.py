"""`vdata curate filter`: near-black, frozen and short generated videos are dropped with their reason, normal ones
kept, undecodable keyframes kept and reported (filter and dedup); the token budget uses patch arithmetic that equals a real Qwen2.5-VL processor's `video_grid_thw`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.curate.helpers import report
from tests.curate.media import build_dataset, encode, textured_frames
from tests.distill.helpers import ROWS, make_row, write_dataset
from vdata.curate import STEPS, run_step
from vdata.curate.dedup import DedupOptions
from vdata.curate.filter import FilterOptions
from vdata.engines import Templates
from vdata.engines.tokens import video_grid, video_tokens
from vdata.errors import ConfigError


@pytest.fixture(scope="module")
def built(videos: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("filter")
    frames = textured_frames(7, 4.0)
    dark = encode(root / "dark.mp4", [(f // 24).astype(np.uint8) for f in frames])  # grey levels <= 10
    frozen = encode(root / "frozen.mp4", [frames[0]] * len(frames))
    return build_dataset([videos["v1"], videos["v0_cut"], dark, frozen], root / "built")


def test_black_frozen_and_short_samples_go_with_their_reason(built, tmp_path):
    result = run_step(STEPS.get("filter")(FilterOptions(min_duration_s=3.0)), [built], tmp_path / "out")
    rows = {r["key"]: r for r in report(tmp_path / "out", "filter")}
    assert rows["v1"]["kept"] and rows["v1"]["black_share"] == 0.0 and rows["v1"]["min_change"] > 1.0
    assert rows["v0_cut"]["reason"].startswith("short: 2.00s")
    assert rows["dark"]["reason"].startswith("black: 100%")
    assert rows["frozen"]["reason"].startswith("frozen:")
    assert result.dropped == {"black": 1, "frozen": 1, "short": 1}


def test_a_token_budget_drops_samples_over_it_and_reports_both_counts(built, tmp_path):
    per_video = video_tokens("qwen2.5-vl", 8, 64, 96)  # 8 keyframes of 96 x 64 (fps:2 over 4 s)
    options = FilterOptions(frozen_diff=0, black_share=1.0, max_tokens=per_video + 60)
    run_step(STEPS.get("filter")(options), [built], tmp_path / "out")
    rows = {r["key"]: r for r in report(tmp_path / "out", "filter")}
    assert rows["v1"]["visual_tokens"] == per_video and rows["v1"]["text_tokens"] > 0
    assert not rows["v1"]["kept"] and rows["v1"]["reason"].startswith("tokens:")
    assert rows["v0_cut"]["kept"]  # 4 keyframes: half the visual tokens
    with pytest.raises(ConfigError, match="unknown model family"):
        FilterOptions(family="llava")


def test_the_patch_arithmetic_equals_the_real_qwen25_vl_processor(tiny_qwen):
    from transformers import AutoProcessor

    from vdata.engines.vlm import encode_prompts

    processor = AutoProcessor.from_pretrained(tiny_qwen)
    size = processor.video_processor.size
    for row, max_pixels in [(ROWS[0], None), (ROWS[1], 28 * 28 * 4)]:
        batch = encode_prompts(processor, [Templates().prompt(row)], max_pixels=max_pixels)
        grid = video_grid("qwen2.5-vl", len(row["frames"]), 48, 64, min_pixels=min(size["shortest_edge"],
                          max_pixels or size["shortest_edge"]), max_pixels=max_pixels or size["longest_edge"])
        assert batch["video_grid_thw"][0].tolist() == list(grid)


def test_a_sample_whose_keyframes_cannot_be_decoded_is_kept_and_reported(tmp_path):
    broken = make_row("broken", "numeric", question="?", answer="1")
    broken["frames"] = [{"bytes": b"not a jpeg", "path": None}] * len(broken["frames"])
    built = write_dataset(tmp_path / "built", [broken, make_row("fine", "numeric", question="?", answer="2")])
    for step, options in (("filter", FilterOptions()), ("dedup", DedupOptions())):
        result = run_step(STEPS.get(step)(options), [built], tmp_path / step)
        rows = {r["id"]: r for r in report(tmp_path / step, step)}
        assert rows["broken"]["kept"] and rows["broken"]["reason"].startswith("error: unreadable keyframe")
        assert result.rows_out == 2
