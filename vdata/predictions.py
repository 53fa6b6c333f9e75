"""The predictions file: one reader for every command that reads model answers (`vdata eval`, `vdata rewards
score`).

A predictions file is JSONL, one object per line: `id` (a string, the dataset row's id) and the model's text
under the first of `TEXT_KEYS` the line has: `response` (what `vdata infer` writes), else `completion`,
`prediction`, `output` or `text`. Other keys are ignored, so `vdata infer`'s output reads as it is. Blank lines
are skipped. Anything else is a `ConfigError` on one line, `path:line: problem`: a line that is not a JSON
object, no `id` or an `id` that is not a string, no text key or a text that is not a string, and an id written
twice (both lines are named; a repeated id is never silently resolved).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "preds.jsonl"
>>> _ = path.write_text('{"id": "a", "response": "<answer>B</answer>"}\\n\\n{"id": "b", "completion": "3"}\\n')
>>> read_predictions(path)
{'a': '<answer>B</answer>', 'b': '3'}
"""

from __future__ import annotations

import json
from pathlib import Path

from vdata.errors import ConfigError

#: Where a line's text is looked for, in this order; the first key present is the one read.
TEXT_KEYS = ("response", "completion", "prediction", "output", "text")


def read_predictions(path: str | Path) -> dict[str, str]:
    """`id -> text` of a predictions file, in file order; see the module docstring for the format and errors."""
    path = Path(path)
    try:
        f = open(path, encoding="utf-8")  # noqa: SIM115  (closed below; the OSError is reported as a ConfigError)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the predictions file ({e.strerror})") from None
    out: dict[str, str] = {}
    first_line: dict[str, int] = {}
    with f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            sample_id, text = parse_line(line, f"{path}:{n}")
            if sample_id in first_line:
                raise ConfigError(f"{path}:{n}: id {sample_id!r} is already on line {first_line[sample_id]}")
            first_line[sample_id] = n
            out[sample_id] = text
    return out


def parse_line(line: str, where: str) -> tuple[str, str]:
    """`(id, text)` of one predictions line; `where` (`path:line`) starts the `ConfigError` message.

    >>> parse_line('{"id": "a", "text": "B", "response": "A"}', "p.jsonl:1")
    ('a', 'A')
    """
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise ConfigError(f"{where}: not JSON ({e.msg})") from None
    if not isinstance(obj, dict):
        raise ConfigError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    sample_id = obj.get("id")
    if not isinstance(sample_id, str):
        got = "no 'id'" if sample_id is None else f"id {sample_id!r} ({type(sample_id).__name__})"
        raise ConfigError(f"{where}: 'id' must be a string (the dataset row's id), got {got}")
    key = next((k for k in TEXT_KEYS if k in obj), None)
    if key is None:
        raise ConfigError(f"{where}: no text; put the model's answer under one of {', '.join(TEXT_KEYS)}")
    if not isinstance(obj[key], str):
        raise ConfigError(f"{where}: {key!r} must be a string, got {type(obj[key]).__name__}")
    return sample_id, obj[key]
