"""The engine registry: each engine module adds its class by name (`@register("vllm")`); `EngineConfig` checks
names against it and `create_engine` builds from it. Kept apart from `base` so the config can read it without
importing the engine protocol."""

from __future__ import annotations

from vdata.registry import Registry

_ENGINES: Registry[type] = Registry("engine")
#: Class decorator: make an engine available as `--engine name`.
register = _ENGINES.register
#: Every registered engine name, sorted.
engine_names = _ENGINES.names
#: The class registered as a name; an unknown name raises `ConfigError` listing the known ones.
engine_class = _ENGINES.get
