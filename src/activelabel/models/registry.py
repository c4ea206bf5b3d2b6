"""Which adapter serves which task, resolved lazily so that no heavy library loads at import."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from activelabel.config import ProjectConfig
from activelabel.models.base import Model
from activelabel.types import TaskKind

# task -> "module:Class"; modules are imported only when a model of that task is built
ADAPTERS: dict[TaskKind, str] = {
    TaskKind.CLASSIFICATION: "activelabel.models.sklearn_text:SklearnTextClassifier",
    TaskKind.NER: "activelabel.models.spacy_ner:SpacyNER",
    TaskKind.DETECTION: "activelabel.models.yolo:YoloDetector",
    TaskKind.TRANSCRIPTION: "activelabel.models.whisper:WhisperTranscriber",
    TaskKind.AUDIO_CLASSIFICATION: "activelabel.models.whisper_classifier:WhisperEmbeddingClassifier",
}

# model names that pick another adapter for the same task (feature-vector items, ...)
NAMED_ADAPTERS: dict[str, str] = {
    "vectors-logreg": "activelabel.models.sklearn_vectors:SklearnVectorClassifier",
}

MANIFEST = "adapter.json"


def _adapter_class(spec: str) -> Any:
    module_name, _, cls_name = spec.partition(":")
    return getattr(importlib.import_module(module_name), cls_name)


def create_model(config: ProjectConfig, project_dir: Path | None = None) -> Model:
    """A fresh (unfitted or pretrained) model for the project's task, from its config."""
    cls = _adapter_class(NAMED_ADAPTERS.get(config.model_name, ADAPTERS[config.task]))
    return cls.from_config(config, project_dir)  # type: ignore[no-any-return]


def save_model(model: Model, path: Path) -> None:
    """Write the adapter's files plus a manifest naming the adapter, so load needs no config."""
    path.mkdir(parents=True, exist_ok=True)
    model.save(path)
    spec = f"{type(model).__module__}:{type(model).__name__}"
    (path / MANIFEST).write_text(json.dumps({"adapter": spec, "task": model.task.value}), encoding="utf-8")


def load_model(path: Path, store_root: Path | None = None) -> Model:
    """Load a saved version; the adapter must be one of ours (no arbitrary import from a file).

    With ``store_root`` (a project's model store), a path outside it is refused: model files
    may hold pickles, so only folders this project wrote are ever loaded.
    """
    if store_root is not None and not Path(path).resolve().is_relative_to(Path(store_root).resolve()):
        raise ValueError(f"{path} is outside the project's model store {store_root}; refusing to load it")
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    spec = manifest["adapter"]
    if spec not in ADAPTERS.values() and spec not in NAMED_ADAPTERS.values():
        raise ValueError(f"{path}: unknown adapter {spec!r}; refusing to load it")
    return _adapter_class(spec).load(path)  # type: ignore[no-any-return]
