"""The core loop's commands: init, import, prelabel, queue, annotate, train, status, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from activelabel.cli.app import app, console, friendly_errors
from activelabel.errors import ImportFormatError

if TYPE_CHECKING:
    from activelabel.project import Project

DirArg = Annotated[Path, typer.Argument(help="The project folder (holds activelabel.toml).")]
DbOpt = Annotated[str | None, typer.Option("--db", help="SQLAlchemy URL overriding the project's database.")]


def _open(directory: Path, db: str | None = None) -> Project:
    """The project (imported here, so that ``activelabel --help`` stays fast)."""
    from activelabel.project import Project

    return Project.open(directory, db)


def parse_reader_options(option: list[str] | None) -> dict[str, str]:
    """``--option KEY=VALUE`` (repeatable) as the reader's keyword options; dashes in keys become underscores."""
    extra: dict[str, str] = {}
    for raw in option or []:
        key, sep, val = raw.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"--option expects KEY=VALUE, got {raw!r}")
        extra[key.strip().replace("-", "_")] = val
    return extra


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=False)


@app.command()
@friendly_errors
def init(
    directory: DirArg,
    task: Annotated[str, typer.Option(help="A registered task kind: classification, ner, detection, transcription, audio_classification, or one a plug-in adds (`activelabel tasks` lists them).")],
    labels: Annotated[str, typer.Option(help="Comma-separated label names, e.g. ham,spam.")] = "",
    model: Annotated[str, typer.Option(help="Model name; default depends on the task (tfidf-logreg for text).")] = "",
    db: DbOpt = None,
    strategy: Annotated[str, typer.Option(help="Sampling strategy (see `activelabel strategies`).")] = "margin",
    name: Annotated[str, typer.Option(help="A display name for the project.")] = "",
) -> None:
    """Create a project folder with its config and database."""
    from activelabel.config import parse_config
    from activelabel.project import Project

    cfg = parse_config({"name": name or directory.name, "task": task,
                        "labels": [x.strip() for x in labels.split(",") if x.strip()],
                        "db": db or "", "model": {"name": model}, "loop": {"strategy": strategy}},
                       source="init options")
    with Project.init(directory, cfg) as project:
        console.print(f"created {project.task} project in {project.dir} "
                      f"(labels: {', '.join(cfg.labels) or '-'}; database: {cfg.db_url(project.dir)})")


@app.command("import")
@friendly_errors
def import_(
    directory: DirArg,
    path: Annotated[Path, typer.Argument(help="File or folder to import.")],
    format: Annotated[str, typer.Option("--format", help="auto | jsonl | csv | tsv | txt | labelstudio, or the task's formats (a .json array is read whole).")] = "auto",
    text_field: Annotated[str | None, typer.Option(help="Column/key with the text (guessed if absent).")] = None,
    label_field: Annotated[str | None, typer.Option(help="Column/key with the label, if labeled.")] = None,
    as_gold: Annotated[bool, typer.Option("--as-gold", help="Import as gold items with known answers.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Import nothing if any record is rejected.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    label_from_filename: Annotated[str | None, typer.Option(
        help="Audio: the label or transcript from the file name, e.g. '{label}_{speaker}_{take}.wav'.")] = None,
    option: Annotated[list[str] | None, typer.Option(
        "--option", "-o", help="A reader option KEY=VALUE, repeatable (e.g. scheme=bilou, offsets=utf16).")] = None,
    labels_as: Annotated[str, typer.Option(
        "--labels-as", help="answers: labels in the file are human answers (model predictions in it stay "
        "predictions); predictions: every label is a prediction (auto label); ignore: import the items only.")
    ] = "answers",
    allow_overlaps: Annotated[bool, typer.Option(
        "--allow-overlaps", help="Keep overlapping spans, for task kinds whose answers may overlap (not ner: "
        "there overlapping spans are rejected per record).")] = False,
    db: DbOpt = None,
) -> None:
    """Import items (and optional labels); every rejected record is reported with its line and reason."""
    extra = parse_reader_options(option)
    with _open(directory, db) as project:
        opts = {k: v for k, v in {"text_field": text_field, "label_field": label_field,
                                  "label_from_filename": label_from_filename}.items() if v is not None}
        opts.update(extra)
        report = project.import_file(path, fmt=format, as_gold=as_gold, strict=strict, labels_as=labels_as,
                                     allow_overlaps=allow_overlaps, **opts)
    if json_out:
        console.print_json(json.dumps(report.to_json()))
        return
    for r in report.rejections:
        console.print(f"[yellow]rejected[/] {r}", highlight=False, soft_wrap=True)
    for w in report.warnings:
        console.print(f"[cyan]fixed[/] {w}", highlight=False, soft_wrap=True)
    console.print(f"imported {report.imported}, rejected {report.rejected}, total {report.total}")


@app.command()
@friendly_errors
def prelabel(
    directory: DirArg,
    db: DbOpt = None,
    engine: Annotated[str, typer.Option(help="local (this process) or ray (a Ray cluster; needs the scale extra).")] = "local",
    address: Annotated[str | None, typer.Option(help="Ray cluster: auto, or ray://host:port; none starts Ray here.")] = None,
    gpus_per_worker: Annotated[float, typer.Option(help="GPUs per Ray model worker (0: CPU workers).")] = 0.0,
    workers: Annotated[int | None, typer.Option(help="Ray model workers (default: as many as the cluster holds).")] = None,
) -> None:
    """Run the current model over the pool, score it, auto-accept the confident and rank the rest.

    Stopped with Ctrl-C, it resumes: items this model version already scored are skipped."""
    from activelabel.engines import bar_progress, get_engine, throughput_column

    chosen = get_engine(engine, address=address, gpus_per_worker=gpus_per_worker, workers=workers)
    with _open(directory, db) as project, _progress() as bar:
        bar.columns = (*bar.columns, throughput_column())
        task = bar.add_task(f"pre-labeling ({chosen.name})", total=None)
        result = project.prelabel(progress=bar_progress(bar, task), engine=chosen)
    if result.get("round") is None:
        console.print(result.get("message", "nothing to do"))
        return
    mode = f"model {result['model_version']}" if result["model_version"] else "cold start (no model yet)"
    console.print(f"round {result['round']}: {mode}, strategy {result['strategy']}; scored {result['n_scored']} "
                  f"of {result['pool']}, auto-accepted {result['n_auto']} ({result['n_audit']} sent to audit), "
                  f"queued {result['n_queued']}")


@app.command()
@friendly_errors
def queue(
    directory: DirArg,
    n: Annotated[int, typer.Option("-n", help="How many items.")] = 10,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    claim: Annotated[str | None, typer.Option("--claim", help="Lease the items to this annotator.")] = None,
    db: DbOpt = None,
) -> None:
    """The next items for humans, most informative first, with the proposal and why each was picked."""
    with _open(directory, db) as project:
        rows = project.claim(claim, n) if claim else project.queue(n)
        data = [r.to_json() for r in rows]
    if json_out:
        for d in data:
            typer.echo(json.dumps(d, ensure_ascii=False))
        return
    table = Table()
    # the whole id, never cut or wrapped: it is what `annotate` takes (a unique start of it works too)
    table.add_column("id", no_wrap=True, min_width=max((len(d["id"]) for d in data), default=2))
    # one line per item, the rest of the row kept whole (--json has the whole text)
    table.add_column("content", no_wrap=True, overflow="ellipsis", max_width=max(12, min(60, console.width - 74)))
    for header in ("proposed", "conf.", "score", "why"):
        table.add_column(header, no_wrap=True, overflow="ellipsis")
    summarize = project.spec.summarize
    for d in data:
        shown = summarize(d["proposed"]) if d["proposed"] else "-"
        conf = "-" if d["confidence"] is None else f"{d['confidence']:.2f}"
        table.add_row(d["id"], d["content"][:60], str(shown), conf, f"{d['score']:.3f}",
                      f"{d['reason']} #{d['rank']}")
    console.print(table)
    if not data:
        console.print("the queue is empty: run `activelabel prelabel` after importing or training")


@app.command()
@friendly_errors
def annotate(
    directory: DirArg,
    item_id: Annotated[str | None, typer.Argument(
        help="The item's id as `queue` prints it, or any unique start of it.")] = None,
    value: Annotated[str | None, typer.Argument(help="A label, a transcript, or JSON spans/boxes; or reject/skip.")] = None,
    annotator: Annotated[str, typer.Option(help="Who answers.")] = "cli",
    submission_id: Annotated[str | None, typer.Option(help="Idempotency key: a retried submit stores once.")] = None,
    answers: Annotated[Path | None, typer.Option("--file", help="JSONL of answers: {\"id\", \"value\"} per line.")] = None,
    db: DbOpt = None,
) -> None:
    """Record answers at once, each in its own transaction: one ITEM_ID VALUE, or a --file of them."""
    if answers is None and (item_id is None or value is None):
        raise typer.BadParameter("give ITEM_ID and VALUE, or --file answers.jsonl")
    pairs: list[tuple[str, str, str | None]] = []
    if answers is not None:
        if not answers.is_file():
            raise ImportFormatError("no such file", source=str(answers))
        for n, line in enumerate(answers.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                raw = rec["value"]
                pairs.append((str(rec["id"]), raw if isinstance(raw, str) else json.dumps(raw), rec.get("submission_id")))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ImportFormatError(f"expected {{\"id\": ..., \"value\": ...}}: {exc}", source=str(answers),
                                        line=n) from exc
    else:
        pairs.append((str(item_id), str(value), submission_id))
    from activelabel.training import maybe_trigger_retrain, pending_answers

    with _open(directory, db) as project:
        saved = 0
        for iid, val, sid in pairs:
            result = _annotate_one(project, project.store.resolve_item_id(iid), val, annotator, sid)
            saved += result.created
        console.print(f"saved {saved} answer(s)" + (f", {len(pairs) - saved} already saved" if saved < len(pairs) else ""))
        version = maybe_trigger_retrain(project) if saved else None
        if version is not None:
            console.print(f"{pending_answers(project)} new answers: retraining in the background as {version} "
                          f"(activelabel status {directory} shows progress)", highlight=False, soft_wrap=True)


def _annotate_one(project, item_id: str, value: str, annotator: str, submission_id: str | None):  # noqa: ANN001,ANN202
    """One answer; the retrain check runs once after the whole batch, where it can be reported."""
    from activelabel.types import AnnotationStatus

    if value in ("reject", "skip"):
        status = AnnotationStatus.REJECTED if value == "reject" else AnnotationStatus.SKIPPED
        return project.submit(item_id, None, annotator=annotator, status=status, submission_id=submission_id,
                              trigger_retrain=False)
    return project.submit(item_id, project.spec.parse_value(value), annotator=annotator,
                          submission_id=submission_id, trigger_retrain=False)


@app.command()
@friendly_errors
def train(
    directory: DirArg,
    wait: Annotated[bool, typer.Option("--wait", help="Train in the foreground with a progress bar; if a training "
                                       "is already running, wait for it (and train again after it when answers "
                                       "arrived after its snapshot).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Promote the new version even if it scores worse than "
                                        "the current one on the held-out items.")] = False,
    db: DbOpt = None,
) -> None:
    """Retrain on the human answers; promote the new version if it is no worse than the current one."""
    from activelabel.promotion import gate_of
    from activelabel.training import train_or_join

    with _open(directory, db) as project:
        if not wait:
            version = project.train(wait=False, force=force)
            console.print(f"training {version} in the background (activelabel status {directory} shows progress)",
                          highlight=False, soft_wrap=True)
            return
        with _progress() as bar:
            task = bar.add_task("training", total=100)
            version = train_or_join(project, force=force,
                                    note=lambda m: bar.console.print(m, highlight=False, soft_wrap=True),
                                    progress=lambda f, m: bar.update(
                                        task, completed=int(100 * f), description=f"training: {m[:50]}"))
        info = project.store.get_version(version)
    metrics, decision = info.metrics, gate_of(info)
    shown = ", ".join(f"{k}={v:.3f}" for k, v in metrics.items() if isinstance(v, float))
    if info.status != "promoted":
        console.print(decision.message if decision else f"{version} is {info.status}, not promoted",
                      style="yellow", markup=False, highlight=False, soft_wrap=True)
        return
    console.print(f"promoted {version}" + (f" ({shown})" if shown else " (too few answers for a held-out metric)"))
    if decision is not None:
        console.print(decision.message, markup=False, highlight=False, soft_wrap=True)


@app.command()
@friendly_errors
def status(directory: DirArg, json_out: Annotated[bool, typer.Option("--json")] = False, db: DbOpt = None) -> None:
    """Counts, the promotion gate's last decision, stopping advice, model versions with their held-out metrics, rounds."""
    with _open(directory, db) as project:
        st = project.status()
    if json_out:
        typer.echo(json.dumps(st, default=str))
        return
    c = st["counts"]
    console.print(f"[bold]{st['project']}[/] ({st['task']}): {c['items']} items, {c['human_labeled']} labeled by "
                  f"people, {c['auto_accepted']} auto-accepted, {c['queued']} queued, {c['gold']} gold"
                  + ("; training now" if st["training"] else ""))
    if st.get("promotion"):
        gate = st["promotion"]
        console.print(f"promotion: {gate['message']}", style="yellow" if gate["outcome"] == "refused" else None,
                      markup=False, highlight=False, soft_wrap=True)
    if st.get("stopping"):
        console.print(f"stopping: {st['stopping']['summary']}", markup=False, highlight=False, soft_wrap=True)
    table = Table("version", "status", "train", "val.", "metric", "message")
    for v in st["versions"]:
        metric = v["metrics"].get("metric") if v["metrics"] else None
        table.add_row(v["id"], v["status"], str(v["n_train"]), str(v["n_validation"]),
                      "-" if metric is None else f"{metric:.3f}", (v["message"] or "")[:40])
    console.print(table)
    rounds = Table("round", "version", "strategy", "scored", "auto", "audit", "queued")
    for r in st["rounds"]:
        rounds.add_row(str(r["id"]), r["model_version"] or "-", r["strategy"], str(r["n_scored"]), str(r["n_auto"]),
                       str(r["n_audit"]), str(r["n_queued"]))
    console.print(rounds)


@app.command()
@friendly_errors
def export(
    directory: DirArg,
    out: Annotated[Path, typer.Argument(help="Output file.")],
    format: Annotated[str, typer.Option("--format", help="jsonl | csv | labelstudio; detection also yolo | coco | voc (OUT is a folder); ner also conll | spacy")] = "jsonl",
    include_predictions: Annotated[bool, typer.Option("--include-predictions",
                                                      help="Also write unlabeled items with the model's label.")] = False,
    package: Annotated[bool, typer.Option("--package", help="Write a training-ready folder OUT: seeded stratified "
                                          "train/validation/test splits in the task's native format, REPORT.md "
                                          "and report.json (see `activelabel package --help`).")] = False,
    ls_config: Annotated[Path | None, typer.Option(
        "--ls-config", help="labelstudio: the project's labeling config (XML); results take from_name/to_name "
        "from it. Without it a default config is written to label_config.xml beside the export.")] = None,
    db: DbOpt = None,
) -> None:
    """Write the labeled data set: id, content, label, source (human/auto/model), annotator, confidence."""
    from activelabel.exporting import export_project

    if package:
        from activelabel.cli.quality import package as package_cmd

        package_cmd(directory, out, db=db)
        return
    with _open(directory, db) as project:
        n = export_project(project, out, fmt=format, include_predictions=include_predictions, ls_config=ls_config)
    console.print(f"wrote {n} records to {out}")


@app.command()
@friendly_errors
def strategies() -> None:
    """List the registered sampling strategies: name, description, what they need of the model."""
    from activelabel.strategies import available_strategies

    for info in available_strategies().values():
        typer.echo(f"{info.name}\t{info.description}\t{','.join(info.needs) or '-'}")


@app.command()
@friendly_errors
def tasks() -> None:
    """List the registered task kinds: name, media, what an answer is, default model, export formats."""
    from activelabel.tasks import get_task, task_names

    for name in task_names():
        spec = get_task(name)
        formats = ",".join(dict.fromkeys(["jsonl", "csv", *spec.export_formats]))
        typer.echo(f"{name}\t{spec.media}\t{spec.description}\t{spec.default_model}\t{formats}")
