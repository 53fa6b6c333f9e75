"""The grammar of plugin specs on the command line, `NAME[:VALUE][,KEY=VALUE...][,FLAG...]`, parsed into the
frozen dataclass registered as NAME (a `--frames` policy, a `--scenes` detector).

The dataclass's fields are its options, with their defaults; `:VALUE` sets the field the class names in its
`positional` class attribute; values are converted to the field's type (`int` or `float`) and validated by the
class's `__post_init__`. `canonical` writes any instance back as a spec naming the options that differ from
their defaults, so two specs that mean the same thing read the same in a manifest (the defaults are those of
the vdata version the manifest also names).

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Every:
...     name = "every"
...     positional = "n"
...     n: int = 4
...     min_s: float = 0.5
>>> spec = parse("--demo", "every:8,min_s=2")
>>> make("--demo", spec, Every)
Every(n=8, min_s=2.0)
>>> canonical(Every(n=4, min_s=2.0)), canonical(Every())
('every,min_s=2.0', 'every')
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

from vdata.errors import ConfigError

T = TypeVar("T")


@dataclass(frozen=True)
class Spec:
    """A spec split into its parts: `name`, the `:VALUE` (`""` when absent), `KEY=VALUE` options in order, and
    bare words (`flags`, e.g. `boxes`). `flag` and `text` (the option name and what was given) go into errors."""

    flag: str
    text: str
    name: str
    value: str
    options: tuple[tuple[str, str], ...]
    flags: tuple[str, ...]


def parse(flag: str, text: str, allowed_flags: frozenset[str] = frozenset()) -> Spec:
    """Split `text`; anything but `KEY=VALUE` or one of `allowed_flags` after the name is a `ConfigError`."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise ConfigError(f"{flag} is empty")
    name, _, value = parts[0].partition(":")
    options, flags = [], []
    for part in parts[1:]:
        if part in allowed_flags:
            flags.append(part)
            continue
        key, eq, val = part.partition("=")
        if not eq:
            expected = " or ".join(["KEY=VALUE", *(repr(f) for f in sorted(allowed_flags))])
            raise ConfigError(f"{flag} {text!r}: expected {expected}, got {part!r}")
        options.append((key.strip(), val.strip()))
    return Spec(flag, text, name.strip(), value.strip(), tuple(options), tuple(flags))


def make(flag: str, spec: Spec, cls: type[T]) -> T:
    """An instance of the dataclass `cls` from `spec`'s value and options (unknown or malformed ones raise
    `ConfigError` naming the option)."""
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    given: dict[str, str] = {}
    if spec.value:
        positional = getattr(cls, "positional", None)
        if positional is None:
            raise ConfigError(f"{flag} {spec.text!r}: {spec.name!r} takes no ':VALUE'")
        given[positional] = spec.value
    given.update(spec.options)
    unknown = sorted(set(given) - set(fields))
    if unknown:
        raise ConfigError(f"{flag} {spec.text!r}: unknown option(s) {unknown}; {spec.name} takes {sorted(fields)}")
    kwargs = {key: _convert(flag, spec.text, key, text, fields[key].type) for key, text in given.items()}
    return cls(**kwargs)


def canonical(options: Any) -> str:
    """`NAME[,KEY=VALUE...]` of the dataclass instance `options`: the options that differ from their defaults,
    in field order."""
    values = [f"{f.name}={getattr(options, f.name)!r}" for f in dataclasses.fields(options)
              if getattr(options, f.name) != f.default]
    return ",".join([options.name, *values])


def _convert(flag: str, text: str, key: str, value: str, kind: Any) -> int | float:
    """`value` as the field's type (`int` or `float`, also when annotations are strings)."""
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{flag} {text!r}: {key} must be a number, got {value!r}") from None
    if kind in (int, "int"):
        if not number.is_integer():
            raise ConfigError(f"{flag} {text!r}: {key} must be a whole number, got {value!r}")
        return int(number)
    return number


def check_positive(flag: str, options: Any) -> None:
    """Every option of the dataclass instance `options` must be > 0 (for `__post_init__`)."""
    for f in dataclasses.fields(options):
        value = getattr(options, f.name)
        if value <= 0:
            raise ConfigError(f"{flag} {options.name}: {f.name} must be > 0, got {value:g}")
