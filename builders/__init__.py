"""Builders: one module per on-disk annotation format, registered by name (`vdata.builders`).

`get("charades-sta")` returns the builder class; `names()` lists them all. Each module registers itself on
import; the list below is the whole catalogue.
"""

from vdata.builders import (  # noqa: F401  (registers the formats)
    activitynet_captions,
    activitynet_qa,
    charades_sta,
    didemo,
    ego4d_nlq,
    egoschema,
    folder,
    got10k,
    hc_stvg,
    jsonl,
    lasot,
    llava_video,
    longvideobench,
    msrvtt_qa,
    msvd_qa,
    mvbench,
    nextgqa,
    nextqa,
    perception_test,
    qvhighlights,
    sharegpt4video,
    star,
    tacos,
    tempcompass,
    time_r1,
    video_r1,
    videomme,
    vidstg,
    vsibench,
    youcook2,
)
from vdata.builders.base import (
    BadRow,
    Box,
    Builder,
    Item,
    Span,
    builder_kwargs,
    create,
    get,
    names,
    parse_source,
    register,
    sample_id,
)

__all__ = ["BadRow", "Box", "Builder", "Item", "Span", "builder_kwargs", "create", "get", "names", "parse_source", "register", "sample_id"]
