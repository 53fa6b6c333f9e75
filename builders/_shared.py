"""Helpers the format builders share: finding videos by id, multiple-choice letters, reading annotation files.

Nothing here registers a format; each `builders/<format>.py` module does that.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from vdata.builders.base import Box
from vdata.builders.folder import VIDEO_EXTENSIONS

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class RowError(ValueError):
    """A malformed annotation row; `code` is the `errors.parquet` code (`bad_annotation`, `bad_span`, `bad_box`)."""

    def __init__(self, message: str, code: str = "bad_annotation") -> None:
        super().__init__(message)
        self.code = code


def letter(index: int, num_options: int) -> str:
    """The letter (A, B, ...) of the 0-based option `index`; `RowError` when it is not one of `num_options`."""
    if not 0 <= index < num_options:
        raise RowError(f"answer index {index} is not one of the {num_options} options")
    return LETTERS[index]


def strip_letter(option: str) -> str:
    """`"A. a dog"` -> `"a dog"`; text without a leading `X.`/`X)`/`(X)` letter is returned stripped."""
    text = option.strip()
    if len(text) >= 2 and text[0] in LETTERS and text[1] in ".):":
        return text[2:].strip()
    if len(text) >= 3 and text[0] == "(" and text[1] in LETTERS and text[2] == ")":
        return text[3:].strip()
    return text


def span(start: Any, end: Any, what: str = "span") -> tuple[float, float]:
    """`(start_s, end_s)` as floats; `RowError(bad_span)` when not numbers or when end < start."""
    try:
        start_s, end_s = float(start), float(end)
    except (TypeError, ValueError):
        raise RowError(f"{what} [{start!r}, {end!r}] is not two numbers", "bad_span") from None
    if end_s < start_s:
        raise RowError(f"{what} ends before it starts: [{start_s}, {end_s}]", "bad_span")
    return start_s, end_s


def require(obj: Any, *fields: str) -> None:
    """`RowError` naming the first of `fields` missing from the mapping `obj`."""
    if not isinstance(obj, dict):
        raise RowError(f"expected a JSON object, got {type(obj).__name__}")
    for name in fields:
        if name not in obj or obj[name] is None:
            raise RowError(f"missing field {name!r}")


def load_json(path: Path) -> Any:
    """The parsed JSON file; a file that is not valid JSON raises `RowError` naming it."""
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise RowError(f"{path.name} is not valid JSON: {e}") from None


def annotation_files(path: Path, patterns: Sequence[str]) -> list[Path]:
    """`[path]` when `path` is a file; else the files in folder `path` (or its `annotations/`, `annotation/`,
    `annos/` or `anno/`) matching `patterns`.

    Files come in sorted order, each pattern's matches once.
    """
    if path.is_file():
        return [path]
    found: list[Path] = []
    for folder in (path, path / "annotations", path / "annotation", path / "annos", path / "anno"):
        for pattern in patterns:
            for f in sorted(folder.glob(pattern)):
                if f.is_file() and f not in found:
                    found.append(f)
    return found


class VideoIndex:
    """Finds a video file by id (file name without extension) under a corpus root.

    `find(video_id)` looks in `folders` (relative to root, in order) for `<video_id>.<ext>`, ext any of the video
    extensions; when absent there it searches the root recursively (indexed once). A video that is nowhere gives
    the path it would have in the first folder with `default_ext`, so the build reports it as `video_missing`.
    """

    def __init__(self, root: Path, folders: Iterable[str] = ("",), default_ext: str = ".mp4") -> None:
        self.root = root
        self.folders = [root / f for f in folders]
        self.default_ext = default_ext
        self._by_name: dict[str, Path] | None = None

    def find(self, video_id: str) -> Path:
        hit = self.lookup(video_id)
        return hit if hit is not None else self.folders[0] / f"{video_id}{self.default_ext}"

    def lookup(self, video_id: str) -> Path | None:
        """The video named `<video_id>.<ext>`, or None when there is none."""
        for folder in self.folders:
            for ext in (self.default_ext, *sorted(VIDEO_EXTENSIONS)):
                candidate = folder / f"{video_id}{ext}"
                if candidate.is_file():
                    return candidate
        return self._index().get(video_id)

    def find_file(self, name: str) -> Path:
        """A video by its file name with extension (`55_vfjywN5CN0Y.mp4`), searched like `find`."""
        for folder in self.folders:
            if (folder / name).is_file():
                return folder / name
        hit = self._index().get(name)
        return hit if hit is not None else self.folders[0] / name

    def rel(self, video: Path) -> str:
        """The path of `video` relative to the corpus root, as stored in the shard."""
        try:
            return video.relative_to(self.root).as_posix()
        except ValueError:
            return video.as_posix()

    def _index(self) -> dict[str, Path]:
        if self._by_name is None:
            self._by_name = {}
            for p in sorted(self.root.rglob("*")):
                if p.suffix.lower() in VIDEO_EXTENSIONS and p.is_file():
                    self._by_name.setdefault(p.stem, p)
                    self._by_name.setdefault(p.name, p)
        return self._by_name


def read_records(path: Path) -> list[dict[str, Any]]:
    """The rows of a table file as dicts: `.parquet` (a Hugging Face release), `.jsonl` (one object a line) or
    `.json` (a list of objects). A file that cannot be read raises `RowError` naming it; rows that are not
    objects stay in the list for the builder to report."""
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            return pq.read_table(path).to_pylist()
        if path.suffix == ".jsonl":
            with path.open(encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as e:
        raise RowError(f"{path.name} cannot be read: {e}") from None
    data = load_json(path)
    if not isinstance(data, list):
        raise RowError(f"{path.name}: expected a JSON list of questions, got {type(data).__name__}")
    return data


def load_mapping(path: Path, what: str = "an object keyed by video id") -> dict[str, Any]:
    """The parsed JSON object of `path`; `RowError` when it is not valid JSON or not an object."""
    data = load_json(path)
    if not isinstance(data, dict):
        raise RowError(f"{path.name}: expected {what}, got {type(data).__name__}")
    return data


def sentence_pairs(video_key: str, entry: Any) -> list[tuple[Any, str]]:
    """The `(timestamp, sentence)` pairs of an ActivityNet-style entry `{"timestamps": [...], "sentences": [...]}`
    (ActivityNet Captions, 2D-TAN's TACoS, Time-R1); `RowError` when either list is missing or their lengths differ.

    >>> sentence_pairs("v1", {"timestamps": [[0, 2]], "sentences": [" a dog runs"]})
    [([0, 2], ' a dog runs')]
    """
    if not isinstance(entry, dict) or not isinstance(entry.get("timestamps"), list) or not isinstance(
        entry.get("sentences"), list
    ):
        raise RowError(f"{video_key}: needs 'timestamps' and 'sentences' lists")
    if len(entry["timestamps"]) != len(entry["sentences"]):
        raise RowError(f"{video_key}: {len(entry['timestamps'])} timestamps but {len(entry['sentences'])} sentences")
    return list(zip(entry["timestamps"], entry["sentences"], strict=True))


def pair(times: Any, what: str) -> tuple[Any, Any]:
    """The two values of a `[start, end]` list; `RowError(bad_span)` when `times` is not a two-element list."""
    if not isinstance(times, (list, tuple)) or len(times) != 2:
        raise RowError(f"{what}: {times!r} is not [start, end]", "bad_span")
    return times[0], times[1]


def split_of(name: str, splits: Sequence[str], default: str) -> str:
    """The split a file name names: the first of `splits` that is the stem, or that the stem starts or ends with
    after `_`/`-` (`nlq_val.json` -> `val`); `default` when none does.

    >>> split_of("charades_test.json", ("train", "val", "test"), "train"), split_of("x.json", ("val",), "train")
    ('test', 'train')
    """
    stem = name.rsplit(".", 1)[0].lower()
    parts = stem.replace("-", "_").split("_")
    for split in splits:
        if stem == split or split in parts:
            return split
    return default


def read_xywh(path: Path) -> list[tuple[float, float, float, float]]:
    """The `x,y,w,h` boxes of a tracking ground-truth file, one a line (pixels, top-left corner; GOT-10k and
    LaSOT `groundtruth.txt`, commas or whitespace); `RowError(bad_box)` naming the first line that is not four
    numbers.

    >>> import tempfile; f = Path(tempfile.mkdtemp()) / "groundtruth.txt"; _ = f.write_text("1,2,30,40\\n5 6 7 8\\n")
    >>> read_xywh(f)
    [(1.0, 2.0, 30.0, 40.0), (5.0, 6.0, 7.0, 8.0)]
    """
    boxes = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.replace(",", " ").replace("\t", " ").split()
        try:
            x, y, w, h = (float(v) for v in parts)
        except ValueError:
            raise RowError(f"{path.name} line {lineno}: {line.strip()!r} is not x,y,w,h", "bad_box") from None
        boxes.append((x, y, w, h))
    return boxes


def read_flags(path: Path) -> list[int]:
    """Per-frame integer labels of a tracking sequence: one a line (GOT-10k `absence.label`, `cover.label`) or
    comma-separated on one line (LaSOT `full_occlusion.txt`, `out_of_view.txt`); `[]` when the file is absent;
    `RowError` on a value that is not an integer."""
    if not path.is_file():
        return []
    try:
        return [int(float(v)) for v in path.read_text(encoding="utf-8").replace(",", " ").split()]
    except ValueError:
        raise RowError(f"{path.name}: a per-frame label is not an integer") from None


def track_boxes(
    xywh: Sequence[tuple[float, float, float, float]], hidden: Sequence[bool], label: str | None
) -> tuple[list[Box], dict[str, int]]:
    """The boxes of a tracking sequence, box i on 0-based frame i (`Box` with `frame_index`, pixels x1,y1,x2,y2),
    without frames marked `hidden` (absent, fully occluded or out of view) and without boxes of no area (the
    trackers' benchmarks skip both); the counts of each kind left out, for `meta`.

    >>> boxes, left_out = track_boxes([(10, 20, 30, 40), (0, 0, 0, 0), (1, 1, 5, 5)], [False, False, True], "cat")
    >>> [(b.x1, b.y1, b.x2, b.y2, b.frame_index) for b in boxes], left_out
    ([(10.0, 20.0, 40.0, 60.0, 0)], {'frames_hidden': 1, 'boxes_without_area': 1})
    """
    boxes, left_out = [], {"frames_hidden": 0, "boxes_without_area": 0}
    for i, (x, y, w, h) in enumerate(xywh):
        if i < len(hidden) and hidden[i]:
            left_out["frames_hidden"] += 1
        elif not (w > 0 and h > 0):
            left_out["boxes_without_area"] += 1
        else:
            boxes.append(Box(float(x), float(y), float(x + w), float(y + h), frame_index=i, label=label))
    return boxes, left_out
