"""Quality review commands: agreement, gold, review, resolve, history, flag, report, package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from activelabel.cli.app import app, console, friendly_errors
from activelabel.errors import UsageError

if TYPE_CHECKING:
    from activelabel.project import Project

DirArg = Annotated[Path, typer.Argument(help="The project folder (holds activelabel.toml).")]
DbOpt = Annotated[str | None, typer.Option("--db", help="SQLAlchemy URL overriding the project's database.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _open(directory: Path, db: str | None = None) -> Project:
    """The project (imported here, so that ``activelabel --help`` stays fast)."""
    from activelabel.project import Project

    return Project.open(directory, db)


def _num(x: Any) -> str:
    return "-" if x is None else f"{x:.3f}"


@app.command()
@friendly_errors
def agreement(
    directory: DirArg,
    window: Annotated[int, typer.Option(help="Items per point of the over-time series.")] = 50,
    json_out: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Inter-annotator agreement on overlap items: per pair, per annotator, per label and over time."""
    from activelabel.quality.agreement import agreement_report

    with _open(directory, db) as project:
        rep = agreement_report(project, window=window)
    if json_out:
        typer.echo(json.dumps(rep, default=str))
        return
    ov = rep["overall"]
    console.print(f"{rep['n_items_overlap']} items with 2+ annotators; metric {rep['metric']} "
                  f"({rep['better']} is better); overall {_num(ov.get('value'))}"
                  + (f", Fleiss' kappa {_num(ov.get('fleiss_kappa'))}" if "fleiss_kappa" in ov else ""))
    table = Table("pair", "items", rep["metric"], "disagreements")
    for p in rep["pairs"]:
        table.add_row(" / ".join(p["annotators"]), str(p["n_items"]), _num(p["value"]), str(len(p["disagreements"])))
    console.print(table)
    people = Table("annotator", "items", "mean pair value")
    for name, a in rep["per_annotator"].items():
        people.add_row(name, str(a["n_items"]), _num(a["mean_pair_value"]))
    console.print(people)
    if rep["per_label"]:
        labels = Table("label", "items", "agreement")
        for lab in rep["per_label"]:
            labels.add_row(lab["label"], str(lab["n_items"]), _num(lab["value"]))
        console.print(labels)


@app.command()
@friendly_errors
def gold(directory: DirArg, json_out: JsonOpt = False, db: DbOpt = None) -> None:
    """Each annotator's accuracy on gold items, and who is flagged (below quality.gold_accuracy_threshold)."""
    from activelabel.quality.gold import gold_report

    with _open(directory, db) as project:
        rep = gold_report(project)
    if json_out:
        typer.echo(json.dumps(rep, default=str))
        return
    console.print(f"{rep['n_gold_items']} gold items, mixed in at {rep['gold_rate']:.0%}; "
                  f"flag below {rep['threshold']:.0%}")
    table = Table("annotator", "gold answers", "accuracy", "recent", "flag")
    for name, a in rep["annotators"].items():
        table.add_row(name, str(a["n_gold"]), f"{a['accuracy']:.1%}", f"{a['recent_accuracy']:.1%}",
                      f"[red]FLAGGED[/]: {a['reason']}" if a["flagged"] else "ok")
    console.print(table)


@app.command()
@friendly_errors
def review(directory: DirArg, n: Annotated[int, typer.Option("-n", help="How many items.")] = 20,
           json_out: JsonOpt = False, db: DbOpt = None) -> None:
    """Items for a reviewer: disagreements, flagged items and answers by flagged annotators."""
    from activelabel.quality.adjudication import review_queue
    from activelabel.quality.gold import gold_report

    with _open(directory, db) as project:
        rows = review_queue(project, gold_report(project)["flagged"])[:n]
    if json_out:
        for r in rows:
            typer.echo(json.dumps(r, default=str, ensure_ascii=False))
        return
    table = Table()
    table.add_column("id", no_wrap=True, min_width=max((len(r["item_id"]) for r in rows), default=2))  # whole ids
    for name in ("content", "why", "answers"):
        table.add_column(name)
    for r in rows:
        table.add_row(r["item_id"], r["content"][:50], ", ".join(r["reasons"]),
                      "; ".join(f"{k}: {json.dumps(v)[:30]}" for k, v in r["answers"].items()))
    console.print(table)


@app.command()
@friendly_errors
def resolve(
    directory: DirArg,
    item_id: Annotated[str, typer.Argument(help="The item's id, or any unique start of it (as `review` shows).")],
    value: Annotated[str, typer.Argument(help="The resolved label, transcript, or JSON spans/boxes.")],
    reviewer: Annotated[str, typer.Option(help="Who resolves (a user with the reviewer role, if users exist).")],
    note: Annotated[str, typer.Option(help="Why; kept with the resolution.")] = "",
    db: DbOpt = None,
) -> None:
    """Resolve an item: the reviewer's label becomes the one exported, and the item is closed."""
    from activelabel.quality.adjudication import resolve as do_resolve

    with _open(directory, db) as project:
        item_id = project.store.resolve_item_id(item_id)
        aid = do_resolve(project, item_id, project.spec.parse_value(value), reviewer, note)
    console.print(f"resolved {item_id} (annotation {aid})")


@app.command()
@friendly_errors
def flag(directory: DirArg, item_id: Annotated[str, typer.Argument(help="The item's id, or any unique start of it (as `review` shows).")],
         by: Annotated[str, typer.Option(help="Who flags it.")] = "cli",
         note: Annotated[str, typer.Option(help="What looks wrong.")] = "", db: DbOpt = None) -> None:
    """Send an item to review."""
    from activelabel.quality.adjudication import flag as do_flag

    with _open(directory, db) as project:
        item_id = project.store.resolve_item_id(item_id)
        do_flag(project, item_id, by, note)
    console.print(f"flagged {item_id} for review")


@app.command()
@friendly_errors
def history(directory: DirArg, item_id: Annotated[str, typer.Argument(help="The item's id, or any unique start of it (as `review` shows).")],
            json_out: JsonOpt = False, db: DbOpt = None) -> None:
    """Every event of one item's label: who, when, what, and what changed."""
    import time

    from activelabel.quality.adjudication import history as item_history

    with _open(directory, db) as project:
        events = item_history(project, project.store.resolve_item_id(item_id))
    if json_out:
        typer.echo(json.dumps(events, default=str))
        return
    table = Table("when (UTC)", "who", "event", "value", "changed")
    for e in events:
        table.add_row(time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(e["at"])), str(e["who"]), e["event"],
                      json.dumps(e["value"])[:50], "yes" if e["changed"] else "")
    console.print(table)


@app.command()
@friendly_errors
def report(directory: DirArg, out: Annotated[Path | None, typer.Option(help="Write REPORT.md and report.json "
                                                                            "into this folder.")] = None,
           json_out: JsonOpt = False, db: DbOpt = None) -> None:
    """The QA report: counts by label and source, agreement, gold accuracy, audits, versions, cost."""
    from activelabel.quality.report import build_report, render_markdown

    with _open(directory, db) as project:
        rep = build_report(project)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "report.json").write_text(json.dumps(rep, indent=1, default=str), encoding="utf-8")
        (out / "REPORT.md").write_text(render_markdown(rep), encoding="utf-8")
        console.print(f"wrote {out / 'REPORT.md'} and {out / 'report.json'}")
    elif json_out:
        typer.echo(json.dumps(rep, default=str))
    else:
        typer.echo(render_markdown(rep))


@app.command()
@friendly_errors
def package(
    directory: DirArg,
    out: Annotated[Path, typer.Argument(help="A new (or empty) folder for the package.")],
    seed: Annotated[int | None, typer.Option(help="Split seed; default: the project's loop.seed.")] = None,
    shares: Annotated[str, typer.Option(help="train,validation,test shares.")] = "0.8,0.1,0.1",
    no_auto: Annotated[bool, typer.Option("--no-auto", help="Leave out auto-accepted labels.")] = False,
    db: DbOpt = None,
) -> None:
    """Training-ready folder (same as `export --package`): stratified seeded splits, native format, REPORT.md."""
    from activelabel.packaging import package_project

    try:
        parts = tuple(float(x) for x in shares.split(","))
    except ValueError as exc:
        raise UsageError(f"--shares must be three numbers like 0.8,0.1,0.1, got {shares!r}") from exc
    if len(parts) != 3:
        raise UsageError(f"--shares must be three numbers like 0.8,0.1,0.1, got {shares!r}")
    with _open(directory, db) as project:
        manifest = package_project(project, out, seed=seed, shares=(parts[0], parts[1], parts[2]),
                                   include_auto=not no_auto)
    sizes = ", ".join(f"{k} {v}" for k, v in manifest["splits"].items())
    console.print(f"wrote a {manifest['task']} package to {out}: {sizes} (seed {manifest['seed']}); see REPORT.md")
