"""Test videos live in the package (`vdata.synthetic`) so the demo can make them too."""

from vdata.synthetic import *  # noqa: F403
from vdata.synthetic import BITS, BOX_COLOR, CONTAINERS, box_at, find_box, make_frame, read_index, write_video

__all__ = ["BITS", "BOX_COLOR", "CONTAINERS", "box_at", "find_box", "make_frame", "read_index", "write_video"]
