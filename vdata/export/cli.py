"""`vdata export` (mounted by `vdata.cli`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from vdata.console import console, friendly, print_json, print_table
from vdata.errors import ConfigError
from vdata.export import names  # the package: every target registered


def parse_target_options(specs: list[str]) -> dict[str, Any]:
    """`KEY=VALUE` pairs into target options; a VALUE that parses as JSON (`false`, `2`, `"x"`) is that value,
    else the text.

    >>> parse_target_options(["media=video", "completion=false"])
    {'media': 'video', 'completion': False}
    """
    out: dict[str, Any] = {}
    for spec in specs:
        key, sep, value = spec.partition("=")
        if not sep or not key:
            raise ConfigError(f"--option {spec!r}: expected KEY=VALUE, e.g. media=video")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


@friendly
def export(
    data: Annotated[Path, typer.Argument(help="Built dataset folder.")],
    to: Annotated[str, typer.Option("--to", help=f"Target: {', '.join(names())}.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="New or empty folder for the export.")],
    split: Annotated[str | None, typer.Option(help="Export only this split (default: every split).")] = None,
    limit: Annotated[int | None, typer.Option(help="Export only the first N rows (default: all).")] = None,
    frames_as: Annotated[str | None, typer.Option(help="files or bytes, where the target takes both "
                                                       "(default: the target's).")] = None,
    option: Annotated[list[str] | None, typer.Option("--option", help="A target option KEY=VALUE, e.g. "
                                                     "media=video (easyr1), completion=false (trl); repeat (default: the target's).")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Write a built dataset in the layout a trainer or evaluator reads (docs/trainers.md)."""
    from vdata.export import ExportOptions
    from vdata.export import export as run_export

    options = ExportOptions(split=split, limit=limit, frames_as=frames_as)
    report = run_export(data, to, out, options, **parse_target_options(option or []))
    summary = {
        "target": report.target, "out": str(report.out), "written": dict(report.written),
        "skipped": dict(report.skipped), **report.extra,
    }
    if as_json:
        print_json(summary)
        return
    print_table(f"{to} export {out}", ["split", "rows written"], [[s, n] for s, n in sorted(report.written.items())])
    if report.skipped:
        print_table("rows not exported", ["reason", "rows"], [[r, n] for r, n in report.skipped.most_common()])
    for key, value in report.extra.items():
        lines = value.items() if isinstance(value, dict) else [("", value)]
        for name, item in lines:
            console.print(f"{key}: {name}={item}" if name else f"{key}: {item}", highlight=False, soft_wrap=True)
