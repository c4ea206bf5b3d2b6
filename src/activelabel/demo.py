"""``activelabel demo``: one small project per task kind that has a sample, pre-labeled, with a demo user.

Each ``activelabel.samples.<task>`` module that exists gives a project (text classification is
bundled; NER, detection and transcription join as their samples land). Tasks whose model ships
pretrained (spaCy, Whisper) are pre-labeled by it; the others start cold (a strategy picks the
first items, nothing is auto-accepted). There are no default credentials: the demo user's
password is generated, printed once and kept in ``demo-credentials.txt`` (mode 0600). It builds
projects through the ``Project`` facade as the CLI does, so it is a composition root (allowed to
import ``activelabel.project``).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from activelabel.auth import add_user, generate_password, write_secret

DEMO_USER = "demo"
CREDENTIALS = "demo-credentials.txt"
DEMO_TASKS = ("classification", "ner", "detection", "transcription")
# built by ``demo --task KIND`` only, not in the default set
ON_REQUEST_TASKS = ("ranking", "multilabel", "image_classification", "audio_segments", "keypoints", "segmentation",
                    "tracking")
Say = Callable[[str], None]


@dataclass(frozen=True)
class DemoProject:
    task: str
    directory: Path
    created: bool


def sample_module(task: str) -> ModuleType | None:
    """``activelabel.samples.<task>`` if it exists (None when that task's sample has not landed)."""
    name = f"activelabel.samples.{task}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def _make_sample(module: ModuleType, folder: Path, n: int | None) -> Path:
    params = inspect.signature(module.make_sample).parameters
    kwargs: dict[str, object] = {"seed": 0}
    if n is not None:
        kwargs["n"] = n
    if "with_labels" in params:
        kwargs["with_labels"] = False  # the demo labels them: that is the point
    return Path(module.make_sample(folder, **kwargs))


def build_project(task: str, directory: Path, *, n: int | None = None, say: Say = print) -> DemoProject:
    """Create, import and pre-label one demo project; an existing one is kept as it is."""
    from activelabel.config import parse_config
    from activelabel.project import Project

    if (directory / "activelabel.toml").exists():
        return DemoProject(task, directory, created=False)
    module = sample_module(task)
    if module is None:
        raise ModuleNotFoundError(f"activelabel.samples.{task}")
    cfg = parse_config({"name": f"demo-{task}", "task": task, "labels": list(getattr(module, "LABELS", [])),
                        # a pretrained model's label names -> the sample's labels (spaCy's PERSON -> person)
                        "model": {"label_map": dict(getattr(module, "LABEL_MAP", {})),
                                  # settings that fit the sample (32 px digits train at 32 px)
                                  "params": dict(getattr(module, "MODEL_PARAMS", {}))},
                        "extra": dict(getattr(module, "EXTRA", {})),  # a kind's own settings (keypoint names)
                        "loop": {"human_budget_per_round": 50, "retrain_every": 20}}, source=f"demo {task}")
    with Project.init(directory, cfg) as project:
        say(f"[{task}] writing the sample")
        path = _make_sample(module, directory / "sample", n)
        report = project.import_file(path)
        say(f"[{task}] imported {report.imported} items ({report.rejected} rejected)")
        result = project.prelabel()
        mode = f"pre-labeled by {result.get('model_version')}" if result.get("model_version") else "cold start"
        say(f"[{task}] {mode}: {result.get('n_queued', 0)} queued, {result.get('n_auto', 0)} auto-accepted")
    return DemoProject(task, directory, created=True)


def demo_password(root: Path) -> tuple[str, bool]:
    """The demo password kept under ``root``, or a new one (written 0600); True when it is new."""
    path = root / CREDENTIALS
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("password:"):
                return line.split(":", 1)[1].strip(), False
    password = generate_password()
    write_secret(path, f"user: {DEMO_USER}\npassword: {password}\n")
    return password, True


def build_demo(root: Path, tasks: tuple[str, ...] = DEMO_TASKS, *, n: int | None = None,
               say: Say = print) -> list[DemoProject]:
    """Every demo project whose sample exists, each with the demo user as admin."""
    from activelabel.project import Project

    root.mkdir(parents=True, exist_ok=True)
    password, _new = demo_password(root)
    out = []
    for task in tasks:
        if sample_module(task) is None:
            say(f"[{task}] skipped: no activelabel.samples.{task} yet")
            continue
        made = build_project(task, root / task, n=n, say=say)
        with Project.open(made.directory) as project:
            if project.store.get_user(DEMO_USER) is None:
                add_user(project.store, DEMO_USER, password, "admin")
        out.append(made)
    return out
