"""Frame sampling policies: which moments of a clip window become keyframes.

A policy spec is `NAME[:VALUE][,KEY=VALUE...][,boxes]`:
- `uniform:16` (default): the centres of 16 equal segments of the window.
- `fps:1,max=64`: one frame every 1/fps seconds from the window start; over `max`, uniform `max` instead.
- `scenes,min=8,max=32`: the middle of each detected scene; topped up with uniform times to `min`; over `max`,
  `max` scenes spread evenly.
- `,boxes` (any policy): also the frames nearest to each box annotation (spatial tasks).

Policies return times in seconds; the build maps each to the nearest frame inside the window and drops
duplicates, so a window with fewer frames than asked yields every frame once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from vdata.errors import ConfigError

PolicyFn = Callable[..., list[float]]
_POLICIES: dict[str, tuple[PolicyFn, str | None]] = {}


def register(name: str, positional: str | None = None) -> Callable[[PolicyFn], PolicyFn]:
    """Register a policy `fn(start_s, end_s, scenes, **params) -> times`; `positional` names the `:VALUE`."""

    def add(fn: PolicyFn) -> PolicyFn:
        _POLICIES[name] = (fn, positional)
        return fn

    return add


@register("uniform", positional="n")
def uniform(start_s: float, end_s: float, scenes: Sequence[tuple[float, float]], n: int = 16) -> list[float]:
    """Centres of `n` equal segments of [start_s, end_s].

    >>> uniform(0.0, 4.0, [], n=4)
    [0.5, 1.5, 2.5, 3.5]
    """
    step = (end_s - start_s) / n
    return [start_s + (i + 0.5) * step for i in range(n)]


@register("fps", positional="fps")
def every(
    start_s: float, end_s: float, scenes: Sequence[tuple[float, float]], fps: float = 1.0, max: int = 64
) -> list[float]:
    """One time every `1/fps` seconds from `start_s`; if that exceeds `max` times, `uniform` with `max`.

    >>> every(0.0, 3.0, [], fps=1.0)
    [0.0, 1.0, 2.0]
    """
    count = int(np.floor((end_s - start_s) * fps - 1e-9)) + 1
    if count > max:
        return uniform(start_s, end_s, scenes, n=max)
    return [start_s + k / fps for k in range(count)]


@register("scenes")
def scene_middles(
    start_s: float, end_s: float, scenes: Sequence[tuple[float, float]], min: int = 8, max: int = 32
) -> list[float]:
    """The middle of each scene; fewer than `min` -> add uniform times for the rest; over `max` -> `max` evenly.

    >>> scene_middles(0.0, 4.0, [(0.0, 2.0), (2.0, 4.0)], min=2)
    [1.0, 3.0]
    """
    middles = [(s + e) / 2 for s, e in scenes]
    if len(middles) > max:
        picks = np.linspace(0, len(middles) - 1, max).round().astype(int)
        middles = [middles[i] for i in picks]
    if len(middles) < min:
        middles += uniform(start_s, end_s, scenes, n=min - len(middles))
    return sorted(middles)


@dataclass(frozen=True)
class FramePolicy:
    """A parsed `--frames` spec. `params` are the policy's keyword arguments."""

    name: str
    params: dict[str, float] = field(default_factory=dict)
    include_boxes: bool = False

    @classmethod
    def parse(cls, spec: str) -> FramePolicy:
        """Parse `NAME[:VALUE][,KEY=VALUE...][,boxes]`; bad specs raise `ConfigError` naming the rule."""
        parts = [p.strip() for p in spec.split(",") if p.strip()]
        if not parts:
            raise ConfigError("--frames is empty; e.g. uniform:16, fps:1,max=64 or scenes")
        name, _, value = parts[0].partition(":")
        if name not in _POLICIES:
            raise ConfigError(f"unknown frame policy {name!r} in --frames {spec!r}; known: {', '.join(_POLICIES)}")
        fn, positional = _POLICIES[name]
        params: dict[str, float] = {}
        include_boxes = False
        if value:
            if positional is None:
                raise ConfigError(f"--frames {spec!r}: policy {name!r} takes no ':VALUE'")
            params[positional] = _number(spec, positional, value)
        for part in parts[1:]:
            if part == "boxes":
                include_boxes = True
                continue
            key, eq, val = part.partition("=")
            if not eq:
                raise ConfigError(f"--frames {spec!r}: expected KEY=VALUE or 'boxes', got {part!r}")
            params[key] = _number(spec, key, val)
        known = set(fn.__code__.co_varnames[3 : fn.__code__.co_argcount])
        unknown = set(params) - known
        if unknown:
            raise ConfigError(f"--frames {spec!r}: unknown option(s) {sorted(unknown)}; {name} takes {sorted(known)}")
        for key, val in params.items():
            if val <= 0:
                raise ConfigError(f"--frames {spec!r}: {key} must be > 0, got {val:g}")
        return cls(name, params, include_boxes)

    @property
    def needs_scenes(self) -> bool:
        """True when the policy picks frames from scene cuts (scenes are then detected in a first pass)."""
        return self.name == "scenes"

    def times(
        self,
        start_s: float,
        end_s: float,
        scenes: Sequence[tuple[float, float]] = (),
        box_times_s: Sequence[float] = (),
    ) -> list[float]:
        """Requested times (seconds from video start) inside [start_s, end_s], ascending."""
        fn, _ = _POLICIES[self.name]
        times = fn(start_s, end_s, scenes, **self.params)
        if self.include_boxes:
            times = [*times, *(t for t in box_times_s if start_s <= t <= end_s)]
        return sorted(times)


def _number(spec: str, key: str, value: str) -> float | int:
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"--frames {spec!r}: {key} must be a number, got {value!r}") from None
    return int(number) if number.is_integer() and key != "fps" else number
