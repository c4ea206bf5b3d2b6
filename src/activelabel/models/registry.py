"""Which adapter serves a project, and the load whitelist of saved versions.

Adapters are registered under ``activelabel.models`` (ours in pyproject.toml, third-party ones in
their own package). A project uses the adapter registered under its ``[model] name`` when there is
one (``vectors-logreg``), else its task's default adapter, which reads the name itself
(``en_core_web_sm``, ``yolo11n.pt``, ``faster-whisper:tiny.en``). A saved version's manifest names
its adapter by registered name, and nothing else is ever imported from a manifest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from activelabel.config import ProjectConfig
from activelabel.errors import ActiveLabelError, UnsafeModelError
from activelabel.models.base import Model
from activelabel.registry import registry

MANIFEST = "adapter.json"


def create_model(config: ProjectConfig, project_dir: Path | None = None) -> Model:
    """A fresh (unfitted or pretrained) model for the project's task, from its config (``config.adapter``)."""
    return registry("models").load(config.adapter).from_config(config, project_dir)  # type: ignore[no-any-return]


def save_model(model: Model, path: Path) -> None:
    """Write the adapter's files plus a manifest naming the adapter, so load needs no config."""
    target = f"{type(model).__module__}:{type(model).__name__}"
    name = registry("models").name_of(target)
    if name is None:
        raise ActiveLabelError(f"adapter {target} is not registered under activelabel.models; register it in its "
                               "package's entry points so that saved versions can be loaded again")
    path.mkdir(parents=True, exist_ok=True)
    model.save(path)
    (path / MANIFEST).write_text(json.dumps({"adapter": name, "task": model.task}), encoding="utf-8")


def saved_adapter_class(path: Path) -> Any:
    """The registered adapter class a saved version names; anything unregistered is refused.

    Manifests written before adapters had registered names hold ``module:Class``; such a target
    is accepted only when it is what a registered name stands for.
    """
    named = json.loads((path / MANIFEST).read_text(encoding="utf-8"))["adapter"]
    models = registry("models")
    name = named if named in models else models.name_of(named)
    if name is None:
        raise UnsafeModelError(f"{path}: unknown adapter {named!r}; refusing to load it")
    return models.load(name)


def load_model(path: Path, store_root: Path | None = None) -> Model:
    """Load a saved version; the adapter must be registered (no arbitrary import from a file).

    With ``store_root`` (a project's model store), a path outside it is refused: model files
    may hold pickles, so only folders this project wrote are ever loaded.
    """
    if store_root is not None and not Path(path).resolve().is_relative_to(Path(store_root).resolve()):
        raise UnsafeModelError(f"{path} is outside the project's model store {store_root}; refusing to load it")
    return saved_adapter_class(path).load(path)  # type: ignore[no-any-return]
