"""Paper-parity presets: each reproduces one paper's reward code, quirks included, for reproductions.

Registered as `paper/name`. The quirks are listed in each class docstring; use the plain rewards (`accuracy`,
`format`, `temporal_iou`, ...) for new work.
"""

from vdata.rewards.presets import open_r1, time_r1, video_r1, vlm_r1  # noqa: F401  (registers the presets)
