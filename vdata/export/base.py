"""The export protocol and its registry: one module per target trainer or evaluator (`vdata export --to NAME`).

An exporter turns a built dataset's rows into the layout one external project reads (verl's RL Parquet,
LLaMA-Factory's JSON and `dataset_info.json`, a TRL `datasets` dataset, an lmms-eval task...). It writes into
`out`, and says for every row it cannot express why (`Skip`), so `export` counts and reports those rows instead
of dropping them.

    @register("my-trainer")
    @dataclass(frozen=True)
    class MyTrainer(Exporter):
        '''What the target reads, which version of its loader this follows, what it loses.'''
        def open(self, out, options): ...          # optional: create folders, files
        def write(self, row, options) -> None: ... # one row, or raise Skip("why")
        def close(self, options) -> dict: ...      # optional: finish files, return extra report fields
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from vdata.errors import ConfigError
from vdata.registry import Registry

#: How frames leave vdata: image files next to the export (`files`) or JPEG bytes inside it (`bytes`).
FRAMES_AS = ("files", "bytes")


class Skip(Exception):
    """This row cannot be expressed in the target; the message says why (it is counted in the report)."""


@dataclass(frozen=True)
class ExportOptions:
    """What `export` reads and how: `split` (None = every split), `limit` (first N rows; None = all),
    `frames_as` (`files` or `bytes`, where the target allows both; None = the target's default)."""

    split: str | None = None
    limit: int | None = None
    frames_as: str | None = None

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"--limit must be >= 1, got {self.limit}")
        if self.frames_as is not None and self.frames_as not in FRAMES_AS:
            raise ConfigError(f"--frames-as must be one of {', '.join(FRAMES_AS)}, got {self.frames_as!r}")


@dataclass
class ExportReport:
    """What an export did: rows `written` per split, rows `skipped` per reason, the `out` folder, and the
    target's own `extra` fields (files written, the reward entry to point the trainer at...)."""

    target: str
    out: Path
    written: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Exporter:
    """Base of every target. `frames_as` lists what the target allows (the first is its default)."""

    name: ClassVar[str] = ""
    frames_as: ClassVar[tuple[str, ...]] = ("files",)

    def open(self, out: Path, options: ExportOptions) -> None:
        """Prepare `out` (already created and empty)."""

    def write(self, row: dict[str, Any], options: ExportOptions) -> None:
        """Write one schema-v1 row (frames included); raise `Skip` when the target cannot express it."""
        raise NotImplementedError

    def close(self, options: ExportOptions) -> dict[str, Any]:
        """Finish the files; the returned fields go into the report's `extra`."""
        return {}


_EXPORTERS: Registry[type[Exporter]] = Registry("export target")
#: Class decorator: make a target available as `vdata export --to name`.
register = _EXPORTERS.register
#: Every export target, sorted.
names = _EXPORTERS.names
#: The class registered as a target name; an unknown name raises `ConfigError` listing the known ones.
exporter_class = _EXPORTERS.get


@dataclass(frozen=True)
class SingleFpsExporter(Exporter):
    """Base of targets whose trainer gives every video of a run ONE fps (LLaMA-Factory's `video_fps`, ms-swift's
    `FPS`): `video_fps` is that rate (None: the first evenly spaced row's rate), and `_state` holds one export's
    open files and the rate chosen (`vdata.export.timing.global_rate_plan`)."""

    video_fps: float | None = None
    _state: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.video_fps is not None and self.video_fps <= 0:
            raise ConfigError(f"video_fps must be > 0, got {self.video_fps}")

    def open(self, out: Path, options: ExportOptions) -> None:
        self._state.update(out=out, files={}, video_fps=self.video_fps, shown_as=Counter())
