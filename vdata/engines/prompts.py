"""Teacher prompts: per-task template files rendered from a sample row, with the row's stored keyframes.

Templates are `string.Template` text files (`$question`, `${width}`; `$$` is a literal dollar). The packaged ones
live in `vdata/engines/templates/{task}.txt` plus `system.txt`; leading lines that start with `#` document the
file and are not sent. Placeholders: `question`, `options` (one `A. text` line each), `timestamps` (`0.0s,
0.5s, ...`), `num_frames`, `duration_s`, `clip_start_s`, `clip_end_s` (seconds from video start), `width`,
`height` (pixels of the original video), `first_box` (tracking: the first gold box with its time), `subtitles`
(the row's subtitle cues within the clip, one `[1.0s-2.5s] text` line each, empty without subtitles: the "with
subtitles" setting of Video-MME or LongVideoBench is a template that adds `$subtitles`, given to `vdata infer
--prompt-template`).
"""

from __future__ import annotations

import hashlib
import io
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from vdata.errors import ConfigError
from vdata.schemas import TASKS
from vdata.tasks.multiple_choice import LETTERS

SYSTEM = "system"


@dataclass(frozen=True)
class Prompt:
    """One teacher request: the system and user text and the item's keyframes as one video.

    `frames` are the stored JPEG bytes, `timestamps_s` their exact times (seconds from video start),
    `frame_indices` their 0-based decoded frame numbers, `video_fps` the source video's frame rate. The frames
    come before the user text. `media` "image" (an image sample, schema v2): the frames are images, shown as
    images; `timestamps_s` and `frame_indices` are empty and `video_fps` 0.0.
    """

    id: str
    task: str
    system: str
    text: str
    frames: tuple[bytes, ...]
    timestamps_s: tuple[float, ...]
    frame_indices: tuple[int, ...]
    video_fps: float
    media: str = "video"

    @property
    def sampling_fps(self) -> float:
        """Frames per second of the keyframes: (n - 1) / (last - first timestamp); the video's fps for n <= 1."""
        span_s = self.timestamps_s[-1] - self.timestamps_s[0] if self.timestamps_s else 0.0
        if len(self.timestamps_s) < 2 or span_s <= 0:
            return self.video_fps
        return (len(self.timestamps_s) - 1) / span_s

    def images(self) -> list[Any]:
        """The frames decoded to RGB `PIL.Image`s."""
        from PIL import Image

        return [Image.open(io.BytesIO(b)).convert("RGB") for b in self.frames]

    def messages(self) -> list[dict[str, Any]]:
        """Chat messages for a processor's chat template: system text, then the video (or each image of an image
        sample), then the user text."""
        media = [{"type": "image"}] * len(self.frames) if self.media == "image" else [{"type": "video"}]
        return [
            {"role": "system", "content": [{"type": "text", "text": self.system}]},
            {"role": "user", "content": [*media, {"type": "text", "text": self.text}]},
        ]


def _strip_header(text: str) -> str:
    lines = text.splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "\n".join(lines).strip()


def packaged_template(name: str) -> str:
    """The packaged template `name` (a task or `system`), header stripped."""
    return _strip_header(resources.files("vdata.engines").joinpath(f"templates/{name}.txt").read_text("utf-8"))


class Templates:
    """The system prompt and one template per task; `overrides` are ((task or `*`, file path), ...).

    A `*` override applies to every task; a task override wins over it. Unknown placeholders fail here, at
    start-up, not at the first row that uses the template.
    """

    def __init__(self, overrides: Sequence[tuple[str, str]] = ()) -> None:
        texts = {name: packaged_template(name) for name in (SYSTEM, *TASKS)}
        for task, path in sorted(overrides, key=lambda o: o[0] != "*"):
            try:
                text = _strip_header(Path(path).read_text(encoding="utf-8"))
            except OSError as e:
                raise ConfigError(f"--prompt-template {path}: cannot read it ({e.strerror})") from None
            for name in TASKS if task == "*" else (task,):
                texts[name] = text
        self.texts = texts
        self._templates = {name: string.Template(text) for name, text in texts.items()}
        for name, template in self._templates.items():
            try:
                template.substitute(_EXAMPLE_FIELDS)
            except (KeyError, ValueError) as e:
                raise ConfigError(
                    f"prompt template for {name!r}: bad placeholder {e}; known: "
                    f"{', '.join('$' + k for k in _EXAMPLE_FIELDS)}"
                ) from None

    @property
    def digest(self) -> str:
        """sha256 (16 hex digits) over every template text: recorded in the manifest to tell prompt versions apart."""
        h = hashlib.sha256()
        for name in sorted(self.texts):
            h.update(f"{name}\0{self.texts[name]}\0".encode())
        return h.hexdigest()[:16]

    def prompt(self, row: Mapping[str, Any]) -> Prompt:
        """The `Prompt` for one schema-v1 row (frames, timestamps and labels read from the row)."""
        task = row["task"]
        fields = prompt_fields(row)
        return Prompt(
            id=row["id"],
            task=task,
            system=self._templates[SYSTEM].substitute(fields),
            text=self._templates[task].substitute(fields),
            frames=tuple(f["bytes"] for f in row["frames"]),
            timestamps_s=tuple(row["frame_timestamps_s"] or ()),  # null for an image sample
            frame_indices=tuple(row["frame_indices"] or ()),
            video_fps=float(row["fps"] or 0.0),
            media=row.get("media") or "video",
        )


def format_seconds(seconds: float) -> str:
    """`12.5s`: seconds with at most 2 decimals and no trailing zeros beyond one.

    >>> format_seconds(1.0), format_seconds(0.333333)
    ('1.0s', '0.33s')
    """
    text = f"{seconds:.2f}".rstrip("0")
    return (text + "0" if text.endswith(".") else text) + "s"


def prompt_fields(row: Mapping[str, Any]) -> dict[str, str]:
    """The placeholder values of one row, all as text."""
    options = row.get("options") or []
    boxes = row.get("boxes") or []
    first_box = ""
    if boxes:
        b = boxes[0]
        first_box = f"{format_seconds(b['timestamp_s'])}: [{b['x1']:.0f}, {b['y1']:.0f}, {b['x2']:.0f}, {b['y2']:.0f}]"
    return {
        "question": (row.get("question") or "").strip(),
        "options": "\n".join(f"{LETTERS[i]}. {o}" for i, o in enumerate(options[: len(LETTERS)])),
        "timestamps": ", ".join(format_seconds(t) for t in row["frame_timestamps_s"] or ()),
        "num_frames": str(len(row["frames"]) if "frames" in row else len(row["frame_timestamps_s"] or ())),
        "duration_s": f"{row['duration_s']:.2f}",
        "clip_start_s": f"{row['clip_start_s']:.2f}",
        "clip_end_s": f"{row['clip_end_s']:.2f}",
        "width": str(row["width"]),
        "height": str(row["height"]),
        "first_box": first_box,
        "subtitles": subtitle_lines(row.get("subtitles")),
    }


def subtitle_lines(cues: Sequence[Mapping[str, Any]] | None) -> str:
    """Subtitle cues (schema `subtitles`, seconds from video start) as one `[start-end] text` line each.

    >>> subtitle_lines([{"start_s": 1.0, "end_s": 2.5, "text": "Hello"}, {"start_s": 3.0, "end_s": 4.0, "text": "a\\nb"}])
    '[1.0s-2.5s] Hello\\n[3.0s-4.0s] a b'
    >>> subtitle_lines(None)
    ''
    """
    return "\n".join(f"[{format_seconds(c['start_s'])}-{format_seconds(c['end_s'])}] {' '.join(c['text'].split())}"
                     for c in cues or ())


_EXAMPLE_FIELDS = {
    k: "x"
    for k in (
        "question", "options", "timestamps", "num_frames", "duration_s", "clip_start_s", "clip_end_s", "width",
        "height", "first_box", "subtitles",
    )
}
