"""`vdata card` and `vdata push` (mounted by `vdata.cli`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from vdata.console import console, err_console, friendly, print_table


@friendly
def card(
    root: Annotated[Path, typer.Argument(help="Dataset folder.")],
    repo: Annotated[str | None, typer.Option(help="USER/NAME the examples load from (default: a USER/NAME placeholder).")] = None,
    license: Annotated[str | None, typer.Option(help="License id for the YAML, e.g. cc-by-4.0 (default: the sources').")]
    = None,
) -> None:
    """(Re)write DIR/README.md: the dataset card (Hub YAML with configs per split; sections from vdata.json)."""
    from vdata.hub import write_card

    console.print(f"wrote {write_card(root, repo, license)}")


@friendly
def push(
    root: Annotated[Path, typer.Argument(help="Dataset folder.")],
    repo: Annotated[str, typer.Option(help="Dataset repo on the Hub, USER/NAME.")],
    private: Annotated[bool, typer.Option(help="Create the repo private (an existing repo keeps its visibility).")]
    = False,
    revision: Annotated[str | None, typer.Option(help="Branch to push to (created if missing). Default: main.")]
    = None,
    license: Annotated[str | None, typer.Option(help="License id for a generated card, e.g. cc-by-4.0 (default: the sources').")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the plan and limits locally; upload nothing.")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Upload a built dataset to the Hugging Face Hub in few commits; rerun to resume. Token: HF_TOKEN or login."""
    from vdata import hub

    if not dry_run:
        report = hub.push(root, repo, private=private, revision=revision, license=license)
        if as_json:
            console.print_json(json.dumps(vars(report)))
        else:
            console.print(f"{report.commits} commit(s), {len(report.uploaded)} file(s) uploaded, "
                          f"{len(report.skipped)} already there: {report.url}")
        return
    plan, card_text = hub.dry_run(root, repo, license)
    files = [[i, f.path_in_repo, round(f.bytes / 1e6, 3)] for i, batch in enumerate(plan.commits, 1) for f in batch]
    if as_json:
        console.print_json(json.dumps({"url": hub.dataset_url(repo, revision), "files": files, "errors": plan.errors,
                                       "warnings": plan.warnings, "card": card_text}))
    else:
        console.print(card_text, markup=False, highlight=False, soft_wrap=True)
        print_table(f"would upload {len(files)} file(s), {plan.bytes / 1e6:.1f} MB, in {len(plan.commits)} commit(s)"
                    f" to {hub.dataset_url(repo, revision)}", ["commit", "file", "MB"], files)
        for level, messages in (("[yellow]warning", plan.warnings), ("[red]error", plan.errors)):
            for message in messages:
                err_console.print(f"{level}:[/] {escape(message)}", highlight=False)
    if plan.errors:
        raise typer.Exit(1)
