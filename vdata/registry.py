"""One registry type for every kind of plugin keyed by name (builders, rewards, engines, selection strategies).

    formats = Registry[type[Builder]]("source format")

    @formats.register("charades-sta")
    class CharadesSTA(Builder): ...

    formats.get("charades-sta")   # the class; an unknown name raises ConfigError listing the known ones
    formats.names()               # sorted

Registering sets the class's `name` attribute, so a plugin knows the name it is used by.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from vdata.errors import ConfigError

T = TypeVar("T", bound=type)


class Registry(Generic[T]):
    """Classes of one kind by name; `kind` names the kind in error messages (`unknown reward 'x'; known: ...`)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Class decorator: add the class as `name` (twice is a programming error) and set its `name`."""

        def add(cls: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            cls.name = name
            self._entries[name] = cls
            return cls

        return add

    def get(self, name: str) -> T:
        """The class registered as `name`; an unknown name raises `ConfigError` listing the known ones."""
        try:
            return self._entries[name]
        except KeyError:
            raise ConfigError(f"unknown {self.kind} {name!r}; known: {', '.join(self.names())}") from None

    def names(self) -> list[str]:
        """Every registered name, sorted."""
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries
