"""The UI's commands: ``ui`` serves a project, ``demo`` builds and serves demo projects, ``user`` manages accounts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from activelabel.cli.app import app, console, friendly_errors
from activelabel.errors import ActiveLabelError, UsageError

user_app = typer.Typer(help="Annotator accounts of a project (name + password, role annotator|reviewer|admin).",
                       no_args_is_help=True)
app.add_typer(user_app, name="user")

DirArg = Annotated[Path, typer.Argument(help="The project folder (holds activelabel.toml).")]
PortOpt = Annotated[int, typer.Option("--port", help="Port to serve on (localhost).")]
NoBrowserOpt = Annotated[bool, typer.Option("--no-browser", help="Do not open a browser tab.")]


def _serve(env_name: str, value: Path, port: int, open_browser: bool) -> None:
    """Serve the UI (headless, no terminal needed) until it stops; exit with the server's code."""
    try:
        import streamlit  # noqa: F401
    except ImportError as exc:
        from activelabel.errors import MissingDependencyError

        raise MissingDependencyError("streamlit", "ui") from exc
    from activelabel.ui.launch import serve

    code = serve(port, {env_name: str(value.resolve())}, open_browser=open_browser,
                 say=lambda m: console.print(m, highlight=False, markup=False))
    if code:
        raise typer.Exit(code)


@app.command()
@friendly_errors
def ui(directory: DirArg, port: PortOpt = 8501, no_browser: NoBrowserOpt = False) -> None:
    """Serve the labeling UI for a project (label, dashboard, review, settings pages)."""
    from activelabel.project import Project

    with Project.open(directory) as project:
        if not project.store.list_users():
            console.print(f"[yellow]no annotator accounts yet[/]: add one with "
                          f"`activelabel user add {directory} NAME --role admin`")
    _serve("ACTIVELABEL_PROJECT", directory, port, not no_browser)


@app.command()
@friendly_errors
def demo(
    root: Annotated[Path, typer.Option("--root", help="Folder for the demo projects.")] = Path("demo-projects"),
    port: PortOpt = 8501,
    no_browser: NoBrowserOpt = False,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build the projects, do not start the UI.")] = False,
    n: Annotated[int | None, typer.Option("-n", help="Items per sample (default: each sample's own).")] = None,
    task: Annotated[list[str] | None, typer.Option(
        "--task", help="Build only this task kind's demo project (repeatable; default: every kind with a sample).")
    ] = None,
) -> None:
    """Build a pre-labeled demo project per task kind that has a sample, then open the UI with a project picker."""
    from activelabel.demo import (
        CREDENTIALS,
        DEMO_TASKS,
        DEMO_USER,
        ON_REQUEST_TASKS,
        build_demo,
        demo_password,
    )

    unknown = sorted(set(task or ()) - set(DEMO_TASKS + ON_REQUEST_TASKS))
    if unknown:
        raise UsageError(f"no demo for task {', '.join(unknown)}: choose from "
                         f"{', '.join(DEMO_TASKS + ON_REQUEST_TASKS)}")
    if not no_serve:  # before the minutes of building, not after
        from activelabel.ui.launch import check_port_free

        check_port_free("localhost", port)
    made = build_demo(root, tuple(task) if task else DEMO_TASKS, n=n,
                      say=lambda m: console.print(m, highlight=False, markup=False))
    if not made:
        raise ActiveLabelError("no demo sample is available")
    password, _ = demo_password(root)
    console.print(f"\n[bold]demo projects[/] in {root.resolve()}: {', '.join(p.task for p in made)}")
    console.print(f"sign in as [bold]{DEMO_USER}[/] with password [bold]{password}[/] "
                  f"(kept in {root / CREDENTIALS}, mode 0600)")
    if not no_serve:
        _serve("ACTIVELABEL_PROJECTS", root, port, not no_browser)


def _read_password(confirm: bool = True) -> str:
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise UsageError("no password on stdin")
        return line
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=confirm))


@user_app.command("add")
@friendly_errors
def user_add(
    directory: DirArg,
    name: Annotated[str, typer.Argument(help="The sign-in name (for OIDC: the email the provider gives).")],
    role: Annotated[str, typer.Option("--role", help="annotator | reviewer | admin")] = "annotator",
    oidc: Annotated[bool, typer.Option("--oidc", help="Signs in only through OIDC (st.login); no password.")] = False,
) -> None:
    """Add (or replace) an account; the password is asked for, or read from stdin when piped."""
    from activelabel.auth import add_user
    from activelabel.project import Project

    password = None if oidc else _read_password()
    with Project.open(directory) as project:
        user = add_user(project.store, name, password, role)
    console.print(f"added {user.name} ({user.role})")


@user_app.command("list")
@friendly_errors
def user_list(directory: DirArg) -> None:
    """List the accounts and their roles."""
    from activelabel.project import Project

    with Project.open(directory) as project:
        for u in project.store.list_users():
            console.print(f"{u['name']}\t{u['role']}", highlight=False)


@user_app.command("revoke")
@friendly_errors
def user_revoke(directory: DirArg, name: Annotated[str, typer.Argument(help="The sign-in name.")]) -> None:
    """Sign a user out of every browser: their session cookies stop working; the account stays."""
    from activelabel.project import Project
    from activelabel.sessions import revoke_user

    with Project.open(directory) as project:
        if project.store.get_user(name) is None:
            raise UsageError(f"no account {name!r} in {directory}: `activelabel user list {directory}` shows them")
        revoke_user(project.store, name)
    console.print(f"signed {name} out of every session")


@user_app.command("unlock")
@friendly_errors
def user_unlock(directory: DirArg, name: Annotated[str, typer.Argument(help="The sign-in name.")]) -> None:
    """Lift the pause after too many failed sign-ins: for the name, and for every address."""
    from activelabel.project import Project
    from activelabel.signin_limits import unlock

    with Project.open(directory) as project:
        unlock(project.store, name)
    console.print(f"{name} may sign in again")
