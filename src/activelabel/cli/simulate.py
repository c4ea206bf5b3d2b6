"""``activelabel simulate``: replay a labeled data set through the real loop, one oracle annotator,
and compare sampling strategies by their learning curves."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from activelabel.cli.app import app, console, friendly_errors
from activelabel.errors import UsageError


@app.command("simulate")
@friendly_errors
def simulate(
    dataset: Annotated[str, typer.Option("--dataset", help="A labeled file or folder in one of the task's import formats "
                                         "(CSV/TSV/JSONL text, CoNLL, YOLO/COCO/VOC, an audio folder or manifest), "
                                         "or a built-in name: digits.")],
    task: Annotated[str, typer.Option("--task", help="Task kind: classification, ner, detection, transcription, audio_classification, or one a plug-in registers.")] = "classification",
    strategies: Annotated[str, typer.Option("--strategies", help="Comma-separated names (see `activelabel strategies`) or module:function.")] = "random,margin",
    eval_path: Annotated[str | None, typer.Option("--eval", help="Held-out data set, read like --dataset; default: a seeded 30% split (stratified where the task has classes).")] = None,
    seeds: Annotated[int, typer.Option(help="Runs per strategy, seeds 0..N-1.")] = 5,
    init: Annotated[int, typer.Option(help="Labels of the cold-start round.")] = 20,
    batch: Annotated[int, typer.Option(help="Labels per later round (one retrain each).")] = 10,
    budget: Annotated[int, typer.Option(help="Total labels per run; more than the pool labels all of it.")] = 400,
    out: Annotated[Path, typer.Option("--out", help="Folder for curves.csv, stopping.csv, summary.json, curves.png.")] = Path("simulation"),
    pool_subsample: Annotated[int, typer.Option("--pool-subsample", help="Score at most N unlabeled items per round (0: all).")] = 0,
    cold_start: Annotated[str, typer.Option("--cold-start", help="Strategy of round 0, e.g. random or kmeans_cold_start.")] = "random",
    committee: Annotated[int, typer.Option(help="Bagged committee size for draw-based strategies (bald, vote_entropy, ...).")] = 5,
    split_seed: Annotated[int, typer.Option("--split-seed", help="Seed of the held-out split.")] = 0,
    format: Annotated[str, typer.Option("--format", help="The data set's format, as `import --format` takes it "
                                        "(auto: from the suffix or folder).")] = "auto",
    option: Annotated[list[str] | None, typer.Option(
        "--option", "-o", help="A reader option KEY=VALUE, repeatable, as `import` takes it (e.g. scheme=bilou, "
        "label_from_filename='{label}_{speaker}_{take}.wav').")] = None,
    text_field: Annotated[str | None, typer.Option(help="Column/key with the text (guessed if absent).")] = None,
    label_field: Annotated[str | None, typer.Option(help="Column/key with the label (guessed if absent).")] = None,
    model: Annotated[str, typer.Option(help="Model name for the projects (default: the task's; for digits vectors-logreg on the raw pixels).")] = "",
    jobs: Annotated[int, typer.Option(help="Runs at once, in worker processes (each run is its own project).")] = 1,
    keep_projects: Annotated[Path | None, typer.Option("--keep-projects", help="Keep every run's project folder here.")] = None,
    engine: Annotated[str, typer.Option(help="local (this machine, --jobs processes) or ray (one Ray task per run; the scale extra).")] = "local",
    address: Annotated[str | None, typer.Option(help="Ray cluster for --engine ray: auto, or ray://host:port; none starts Ray here.")] = None,
) -> None:
    """Compare strategies on a labeled data set through the real pipeline (import, rounds, retrains).

    Every (strategy, seed) run is a project of its own: the oracle answers the queue, each round retrains and re-scores, and the metric is measured on the held-out set.

    Writes curves.csv (strategy,seed,round,labels,metric), stopping.csv (stopping advice per round), summary.json (labels to 95%/99% of the full-pool metric, AUC, final) and curves.png.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from activelabel.cli.core import parse_reader_options
    from activelabel.simulation.lab import simulate as run_simulation
    from activelabel.simulation.report import table
    from activelabel.simulation.runner import RoundResult, Settings, check_settings
    from activelabel.simulation.tasks import load_dataset

    settings = Settings(strategies=tuple(s.strip() for s in strategies.split(",") if s.strip()), seeds=seeds,
                        init=init, batch=batch, budget=budget, pool_subsample=pool_subsample, cold_start=cold_start,
                        committee=committee)
    data = load_dataset(task, dataset, eval_path=eval_path, seed=split_seed,
                        options={"text_field": text_field, "label_field": label_field, "model": model,
                                 "format": format, "reader_options": parse_reader_options(option)})
    notes = list(data.notes)
    if settings.budget > data.n_pool:
        notes.insert(0, f"--budget {settings.budget} is more than the pool ({data.n_pool} items after holding out "
                        f"{data.n_eval}): each run labels all {data.n_pool}")
        settings = dataclasses.replace(settings, budget=data.n_pool)
    check_settings(settings, data)  # every bad input fails here, before any work
    if engine not in ("local", "ray") or (address and engine != "ray"):
        raise UsageError(f"--engine {engine!r}: use local or ray (--address needs --engine ray)")
    if engine == "ray":
        from activelabel.engines.ray_engine import import_ray

        import_ray()  # a missing scale extra is named now, before any work
    console.print(f"{data.name}: {data.n_pool} pool items, {data.n_eval} held out; "
                  f"{len(settings.strategies)} strategies x {seeds} seeds x {settings.rounds} rounds")
    for note in notes:
        console.print(f"  note: {note}", highlight=False, soft_wrap=True)
    total = len(settings.strategies) * seeds * settings.rounds
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[last]}"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=console) as bar:
        job = bar.add_task("preparing", total=total, last="")

        def progress(result: RoundResult | None, message: str) -> None:
            if result is None:
                bar.update(job, description=message)
                return
            metric = "-" if result.metric != result.metric else f"{result.metric:.3f}"
            bar.update(job, advance=1, last=f"{result.labels} labels: {data.metric_name} {metric}")

        summary = run_simulation(data, settings, out, progress=progress, workdir=keep_projects,
                                 keep_projects=keep_projects is not None, jobs=jobs, engine=engine, address=address)
    console.print(f"full-pool {summary['metric']}: {summary['full_metric']:.4f}")
    for line in table(summary):
        console.print(line, highlight=False)
    console.print(f"wrote {out / 'curves.csv'}, {out / 'stopping.csv'}, {out / 'summary.json'}, {out / 'curves.png'}")
