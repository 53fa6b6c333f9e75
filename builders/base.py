"""The builder protocol and its registry.

A builder knows one on-disk annotation format and nothing about decoding. It yields `Item`s (one per sample,
labels already in schema units) and `BadRow`s (an annotation row it could not read); `vdata.build` does the rest.

    @register("my-format")
    class MyFormat(Builder):
        '''Layout: ...'''
        def items(self): ...

`vdata build --source my-format:PATH` then finds it. Names are lower-case with dashes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from vdata.errors import ConfigError
from vdata.registry import Registry
from vdata.urls import corpus_path, is_url


@dataclass(frozen=True)
class Span:
    """A time span in seconds from the start of the video file; `start_s <= end_s` is checked at build time."""

    start_s: float
    end_s: float


@dataclass(frozen=True)
class Box:
    """One box on one frame, `x1 < x2`, `y1 < y2`.

    Coordinates are in the units of the item's `box_space`: pixels of a `(width, height)` frame, or normalised 0-1
    when `box_space == (1.0, 1.0)`. The build scales them to pixels of the probed video. At least one of
    `timestamp_s` (seconds from video start) and `frame_index` (0-based decoded frame) must be set; the build
    fills the other from the video's frame table.
    """

    x1: float
    y1: float
    x2: float
    y2: float
    timestamp_s: float | None = None
    frame_index: int | None = None
    label: str | None = None


@dataclass(frozen=True)
class Item:
    """One sample to build: a video (or a window of it) and its labels in schema units.

    `video` is the absolute path (a `upath.UPath` when the corpus is at a URL); `video_rel` the path relative
    to the corpus root, as stored in the shard.
    `clip_start_s`/`clip_end_s` (seconds from video start; None = start/end of the video) bound where keyframes
    are sampled; spans and boxes stay in video time. `key` identifies the annotation inside the corpus; the
    sample id is derived from it, so the same corpus and annotation always give the same id.
    """

    source: str
    key: str
    video: Path
    video_rel: str
    video_id: str
    task: str
    split: str = "train"
    clip_start_s: float | None = None
    clip_end_s: float | None = None
    question: str | None = None
    options: tuple[str, ...] | None = None
    answer: str | None = None
    spans: tuple[Span, ...] | None = None
    boxes: tuple[Box, ...] | None = None
    #: Frame size `(width, height)` the box coordinates refer to; `(1.0, 1.0)` = normalised; None = the video's.
    box_space: tuple[float, float] | None = None
    cot: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    #: Where the annotation came from (`file:line` or `file#key`), named in label errors.
    origin: str = ""
    #: An image sample (schema v2 `media` "image"): the absolute paths of its image(s), in order; `video` is the
    #: first and `video_rel` its path relative to the corpus root. None = a video sample.
    images: tuple[Path, ...] | None = None
    #: Subtitle file (`.srt`, `.vtt`, LongVideoBench `.json`) of the video; its cues within the clip window fill
    #: `subtitles` (`vdata.video.subtitles`). None = the `.srt`/`.vtt` beside the video with its stem, if any.
    subtitles: Path | None = None
    #: Seconds subtracted from the subtitle file's times to get video time (LongVideoBench's
    #: `starting_timestamp_for_subtitles`); 0 = the file's clock is the video's.
    subtitles_offset_s: float = 0.0

    @property
    def id(self) -> str:
        """Deterministic sample id: 16 hex digits of sha1 over source, split and key."""
        return sample_id(self.source, self.split, self.key)


def sample_id(source: str, split: str, key: str) -> str:
    """The id of a sample: a stable hash of where it comes from (`source`, `split`, annotation `key`)."""
    return hashlib.sha1(json.dumps([source, split, key]).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class BadRow:
    """An annotation row a builder could not turn into an item; recorded in `errors.parquet` and skipped.

    `code` is one of `vdata.errors.ERROR_CODES` (usually `bad_annotation`, `bad_span` or `bad_box`).
    """

    source: str
    key: str
    source_file: str
    code: str
    message: str
    video: str = ""


class Builder:
    """Base of every builder: construct with the path after `FORMAT:`; `items()` yields in a stable order.

    Subclasses document the on-disk layout they expect in their class docstring (`vdata formats` prints it).
    `path` is a `Path`, or a `upath.UPath` for a URL (`s3://...`): use only the pathlib API both share.
    `split` is the split to assign when the format does not name one.
    """

    name: str = ""
    #: BibTeX of the corpus's paper, shown on the dataset card ("" = none to cite).
    citation: str = ""
    #: The corpus's license as an SPDX-like id (`cc-by-4.0`) or `see <url>`; "" = unknown (the card says so).
    license: str = ""

    def __init__(self, path: str | Path, split: str = "train") -> None:
        self.path = corpus_path(str(path)) if is_url(str(path)) else Path(path).expanduser().resolve()
        self.split = split
        if not self.path.exists():
            raise ConfigError(f"{self.name}: {self.path} does not exist")

    @cached_property
    def root(self) -> Path:
        """The corpus root that `Item.video_rel` is relative to (the folder, or the annotation file's folder);
        looked up once (at a URL, each look is a request)."""
        return self.path if self.path.is_dir() else self.path.parent

    def items(self) -> Iterator[Item | BadRow]:
        raise NotImplementedError


_FORMATS: Registry[type[Builder]] = Registry("source format")
#: Class decorator: make a builder available as `--source NAME:PATH`.
register = _FORMATS.register
#: The builder class registered as a name; unknown names raise `ConfigError` listing the known ones.
get = _FORMATS.get
#: Every registered format name, sorted.
names = _FORMATS.names


def parse_source(spec: str) -> tuple[str, str, dict[str, str]]:
    """Split `FORMAT[,KEY=VALUE...]:PATH` into the format, the path and the builder's options (as text); a bare
    existing path is not guessed at.

    >>> parse_source("lasot,fps=25:/data/LaSOT")
    ('lasot', '/data/LaSOT', {'fps': '25'})
    """
    head, sep, path = spec.partition(":")
    name, *pairs = head.split(",")
    if not sep or not name or not path:
        raise ConfigError(f"--source {spec!r}: expected FORMAT:PATH, e.g. folder:videos/ (formats: {', '.join(names())})")
    options = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key.strip():
            raise ConfigError(f"--source {spec!r}: options go as FORMAT,KEY=VALUE:PATH, got {pair!r}")
        options[key.strip()] = value.strip()
    return name, path, options


def create(name: str, path: Any, split: str, options: dict[str, str] | None = None) -> Builder:
    """The builder `name` on `path` with its `options` (`builder_kwargs`)."""
    return get(name)(path, split=split, **builder_kwargs(name, options or {}))


def builder_kwargs(name: str, options: dict[str, str]) -> dict[str, Any]:
    """The builder `name`'s keyword options from text, converted to the type its constructor declares (`fps:
    float | None` takes `"25"` as 25.0, which must be > 0); an option it does not take is a `ConfigError`
    naming the ones it does.

    >>> builder_kwargs("lasot", {"fps": "25"})
    {'fps': 25.0}
    """
    import inspect

    params = inspect.signature(get(name).__init__).parameters
    accepted = {n: str(p.annotation) for n, p in params.items()
                if n not in ("self", "path", "split") and p.default is not p.empty}
    kwargs: dict[str, Any] = {}
    for key, text in options.items():
        if key not in accepted:
            raise ConfigError(f"--source {name},{key}=...: {name} has no option {key!r} "
                              f"(its options: {', '.join(accepted) or 'none'})")
        kind = float if "float" in accepted[key] else int if "int" in accepted[key] else str
        try:
            kwargs[key] = kind(text)
        except ValueError:
            raise ConfigError(f"--source {name},{key}={text}: expected a {kind.__name__}") from None
        if kind is not str and not kwargs[key] > 0:
            raise ConfigError(f"--source {name},{key}={text}: must be > 0")
    return kwargs
