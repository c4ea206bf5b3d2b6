"""Operations commands: backup, restore and the integrity check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from activelabel.cli.app import app, console, err_console, friendly_errors

DirArg = Annotated[Path, typer.Argument(help="The project folder (holds activelabel.toml).")]
DbOpt = Annotated[str | None, typer.Option("--db", help="SQLAlchemy URL overriding the project's database.")]


@app.command()
@friendly_errors
def backup(
    directory: DirArg,
    out: Annotated[Path, typer.Argument(help="The archive to write, e.g. backups/project-2024-06-01.tar.gz.")],
    db: DbOpt = None,
) -> None:
    """Back up a project (database, config, model versions, media) while people keep labeling.

    SQLite is copied with its online backup API and PostgreSQL with pg_dump; both take one
    consistent snapshot without stopping writers.
    """
    from activelabel.backup import backup_project

    info = backup_project(directory, out, db)
    console.print(f"backed up {info.backend} project {directory} to {info.archive}: {info.files} files, "
                  f"{info.annotations} annotations, {info.seconds:.1f} s")


@app.command()
@friendly_errors
def restore(
    archive: Annotated[Path, typer.Argument(help="An archive written by `activelabel backup`.")],
    directory: Annotated[Path, typer.Argument(help="A new folder for the restored project.")],
    db: Annotated[str | None, typer.Option("--db", help="PostgreSQL backups: an EMPTY database to restore "
                                                            "into (default: the URL in the backed-up config).")] = None,
) -> None:
    """Restore a backup into a new project folder, then run the integrity check on it."""
    from activelabel.backup import restore_project

    info = restore_project(archive, directory, db)
    console.print(f"restored {info.backend} project into {directory}: {info.annotations} annotations")
    if info.problems:
        for p in info.problems:
            err_console.print(f"[bold red]integrity:[/] {p}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    console.print("integrity check: ok")


@app.command()
@friendly_errors
def check(
    directory: DirArg,
    db: DbOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check the project's integrity: answers name real items, one live lease per item, predictions
    and rounds name real model versions, model files exist, and (SQLite) PRAGMA integrity_check.

    Exits 1 when a problem is found.
    """
    from activelabel.project import Project
    from activelabel.store.integrity import check_project

    with Project.open(directory, db) as project:
        report = check_project(project)
    if json_out:
        console.print_json(json.dumps(report.to_json()))
    else:
        for name, bad in report.checks.items():
            console.print(f"{'[green]ok[/]  ' if not bad else '[red]FAIL[/]'} {name}" + (f" ({bad})" if bad else ""))
        for p in report.problems:
            err_console.print(f"[bold red]problem:[/] {p}", highlight=False, soft_wrap=True)
        console.print(f"rows: {', '.join(f'{k} {v}' for k, v in report.counts.items())}")
    if not report.ok:
        raise typer.Exit(1)
