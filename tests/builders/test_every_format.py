"""Properties every public-corpus builder keeps: registered, documented, ids deterministic and unique."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders import (
    test_activitynet_captions,
    test_activitynet_qa,
    test_charades_sta,
    test_didemo,
    test_ego4d_nlq,
    test_got10k,
    test_hc_stvg,
    test_lasot,
    test_llava_video,
    test_msrvtt_qa,
    test_msvd_qa,
    test_nextgqa,
    test_nextqa,
    test_perception_test,
    test_qvhighlights,
    test_sharegpt4video,
    test_star,
    test_tacos,
    test_time_r1,
    test_video_r1,
    test_vidstg,
    test_youcook2,
)
from vdata.builders import BadRow, Item, get

CORPORA = {
    "activitynet-captions": test_activitynet_captions._corpus,
    "activitynet-qa": test_activitynet_qa._corpus,
    "charades-sta": test_charades_sta._corpus,
    "didemo": test_didemo._corpus,
    "ego4d-nlq": test_ego4d_nlq._corpus,
    "got10k": test_got10k._corpus,
    "hc-stvg": test_hc_stvg._corpus,
    "lasot": test_lasot._corpus,
    "llava-video": test_llava_video._corpus,
    "msrvtt-qa": test_msrvtt_qa._corpus,
    "msvd-qa": test_msvd_qa._corpus,
    "nextgqa": test_nextgqa._corpus,
    "nextqa": test_nextqa._corpus,
    "perception-test": test_perception_test._corpus,
    "qvhighlights": test_qvhighlights._corpus,
    "sharegpt4video": test_sharegpt4video._corpus,
    "star": test_star._corpus,
    "tacos": test_tacos._corpus,
    "time-r1": test_time_r1._corpus,
    "video-r1": test_video_r1._corpus,
    "vidstg": test_vidstg._corpus,
    "youcook2": test_youcook2._corpus,
}


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_ids_are_deterministic_and_unique_and_layout_is_documented(name: str, tmp_path: Path, put) -> None:
    builder = get(name)
    assert "Layout" in (builder.__doc__ or "") and "Conversions" in (builder.__doc__ or "")
    root = CORPORA[name](tmp_path, put)
    first = list(builder(root).items())
    ids = [i.id for i in first if isinstance(i, Item)]
    assert ids and len(ids) == len(set(ids))
    assert ids == [i.id for i in builder(root).items() if isinstance(i, Item)]
    assert all(isinstance(e, (Item, BadRow)) for e in first)
