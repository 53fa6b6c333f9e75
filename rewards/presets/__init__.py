"""Paper-parity presets: each reproduces one paper's reward code, quirks included, for reproductions.

Registered as `paper/name`. The quirks are listed in each class docstring; use the plain rewards (`accuracy`,
`format`, `temporal_iou`, ...) for new work. Unlike the plain rewards, presets judge the whole completion (no cut
to its last 200,000 characters: the papers' code reads the first or last answer block of the whole text), in
time linear in its length, and never clamp a predicted box or span the paper's code does not.
"""

from vdata.rewards.presets import open_r1, time_r1, video_r1, vlm_r1  # noqa: F401  (registers the presets)
