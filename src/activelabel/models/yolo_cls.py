"""Image classification with Ultralytics YOLO classifiers: class probabilities, fine-tuning.

The model is named in ``config.model.name``:

- a model yaml, ``yolov8n-cls.yaml`` (the default; also ``yolo11n-cls.yaml``): built untrained with
  the project's labels as classes, ``ready`` only after training on the human labels. Nothing is
  downloaded, so it works offline;
- weights, ``yolo11n-cls.pt`` / ``yolov8n-cls.pt`` (Ultralytics downloads them when online; ImageNet
  classes) or a path to a ``.pt`` (a user's ``best.pt``, relative to the project folder): pretrained,
  ``ready`` at once. ``config.model.label_map`` maps the model's class names to project labels; the
  probabilities of the mapped classes are summed per label and renormalised, unmapped ones dropped.

``predict`` reads ``results[i].probs`` as a distribution over the project's labels, so margin,
entropy and least confidence work as for text; the item confidence is the top probability.
``fit`` writes an ImageNet-style folder (``train/<label>/``, and ``val/<label>/`` with a few training
images so Ultralytics' classify trainer finishes its loop; the version's real metrics come from
``evaluate`` on the project's held-out split) and trains; retraining continues from the current
version (``warm_start``). ``config.model.params``: ``epochs`` (20), ``imgsz`` (224), ``batch`` (32),
``device`` (``auto``), ``predict_batch`` (64), ``patience``, ``deterministic``, and ``train_args``
passed to Ultralytics as they are (e.g. ``fliplr = 0.0`` for digits). torch and ultralytics are
imported lazily.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from activelabel.errors import ConfigError, NotEnoughAnswersError, NotFittedError
from activelabel.models.base import Capabilities, Prediction, ProgressFn
from activelabel.models.yolo import _yolo_class, is_weights, quiet_ultralytics, resolve_device
from activelabel.types import ClassLabel, Item, Payload

DEFAULT_MODEL = "yolov8n-cls.yaml"
DEFAULT_PARAMS: dict[str, Any] = {"epochs": 20, "imgsz": 224, "batch": 32, "device": "auto", "predict_batch": 64,
                                  "patience": 100}
STATE_FILE = "classifier.json"
WEIGHTS_FILE = "best.pt"
VAL_PER_CLASS = 4  # training images linked into val/ per class, for the trainer's loop only


def write_training_folders(root: Path, paths: Sequence[Path], labels: Sequence[str],
                           classes: Sequence[str]) -> Path:
    """``root/train/<class>/`` (links to the images) and ``root/val/<class>/`` (a few of them); every
    project class gets a folder, so the trained model's classes are the project's labels."""
    from activelabel.formats.media_names import label_folder

    for cls in classes:
        for split in ("train", "val"):
            (root / split / label_folder(cls)).mkdir(parents=True, exist_ok=True)
    in_val: dict[str, int] = {}
    for k, (src, label) in enumerate(zip(paths, labels, strict=True)):
        name = f"{k:06d}{Path(src).suffix.lower() or '.png'}"
        targets = [root / "train" / label / name]
        if in_val.get(label, 0) < VAL_PER_CLASS:
            in_val[label] = in_val.get(label, 0) + 1
            targets.append(root / "val" / label / name)
        for dest in targets:
            try:
                dest.symlink_to(Path(src).resolve())
            except OSError:  # file systems without symlinks
                shutil.copyfile(src, dest)
    return root


class YoloClassifier:
    """Adapter for ``image_classification``; learned state: ``weights_`` (bytes of best.pt), ``class_names_``,
    ``train_info_``."""

    task = "image_classification"
    capabilities: ClassVar[Capabilities] = Capabilities(proba=True, draws=False, embeddings=True, warm_start=True)
    rehearses: ClassVar[bool] = False

    def __init__(self, labels: Sequence[str], model: str = DEFAULT_MODEL, params: dict[str, Any] | None = None,
                 label_map: dict[str, str] | None = None, project_dir: Path | None = None, seed: int = 0) -> None:
        self.labels = list(labels)
        self.model = model or DEFAULT_MODEL
        self.params = {**DEFAULT_PARAMS, **(params or {})}
        self.label_map = dict(label_map or {})
        self.project_dir = Path(project_dir) if project_dir is not None else None
        self.seed = seed
        if self.model.endswith((".yaml", ".yml")):
            if "-cls" not in Path(self.model).stem:
                raise ConfigError(f"model name {self.model!r} is not a classifier yaml; use one ending in -cls, "
                                  f"such as {DEFAULT_MODEL} or yolo11n-cls.yaml")
        elif not is_weights(self.model):
            raise ConfigError(f"model name {self.model!r}: use classifier weights (yolo11n-cls.pt, a path to "
                              f"best.pt) or a classifier yaml ({DEFAULT_MODEL})")
        self._net: Any = None  # the loaded Ultralytics model, a cache

    @classmethod
    def from_config(cls, config: Any, project_dir: Path | None = None) -> YoloClassifier:
        name = config.model_name
        if is_weights(name) and project_dir is not None and (Path(project_dir) / name).is_file():
            name = str((Path(project_dir) / name).resolve())
        return cls(config.labels, name, config.model.params, config.model.label_map, project_dir, config.loop.seed)

    # ---- state ------------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return hasattr(self, "weights_") or is_weights(self.model)

    def _yolo(self, source: str) -> Any:
        if not self.params.get("integrations", False):
            quiet_ultralytics()
        net = _yolo_class()(source)
        if getattr(net, "task", "classify") != "classify":
            raise ConfigError(f"{Path(source).name} is a {net.task} model, not a classifier; use -cls weights "
                              f"or a -cls yaml such as {DEFAULT_MODEL}")
        return net

    def _network(self) -> Any:
        if self._net is None:
            if not self.ready:
                raise NotFittedError(f"{self.model} has no weights yet: label a few images and train first")
            try:
                self._net = self._yolo(self.model)  # a path, or a name Ultralytics downloads when online
            except ConfigError:
                raise
            except Exception as exc:
                raise NotFittedError(f"cannot load weights {self.model!r} ({type(exc).__name__}: {exc}); offline, "
                                     f"put the .pt file in the project folder or use a model yaml such as "
                                     f"{DEFAULT_MODEL} and train on your labels") from exc
        return self._net

    def _class_names(self) -> list[str]:
        if hasattr(self, "class_names_"):
            return list(self.class_names_)
        names = self._network().names
        return [str(names[i]) for i in range(len(names))]

    def _columns(self, names: dict[int, str]) -> dict[int, int]:
        """Model class index -> project label column; classes with no project label are left out."""
        out = {}
        for i, name in names.items():
            label = self.label_map.get(str(name), str(name) if str(name) in self.labels else None)
            if label is not None and label in self.labels:
                out[int(i)] = self.labels.index(label)
        if not out:
            raise ConfigError(f"none of the model's classes ({', '.join(list(map(str, names.values()))[:8])}, ...) "
                              f"is a project label; map them with [model] label_map")
        return out

    def _path(self, item: Item) -> Path:
        p = Path(item.content)
        if p.is_absolute():
            return p
        return (self.project_dir / p) if self.project_dir is not None else p

    # ---- training ---------------------------------------------------------------------------

    def fit(self, items: Sequence[Item], values: Sequence[Payload], *,
            progress: ProgressFn | None = None) -> YoloClassifier:
        y = [v.label for v in values if isinstance(v, ClassLabel)]
        if len(y) != len(items):
            raise TypeError("image classification values must all be ClassLabel, one per item")
        if len(set(y)) < 2:
            raise NotEnoughAnswersError(f"need answers of at least two labels to train; have {sorted(set(y))}")
        work = Path(tempfile.mkdtemp(prefix="activelabel-yolo-cls-", dir=self.params.get("work_dir")))
        try:
            data = write_training_folders(work / "data", [self._path(i) for i in items], y, self.labels)
            start = self._start_weights(work)
            net = self._yolo(start)
            epochs = int(self.params["epochs"])
            if progress:
                progress(0.0, f"training {Path(start).name} on {len(y)} images, {epochs} epochs")
                net.add_callback("on_train_epoch_end", lambda tr: progress(
                    (tr.epoch + 1) / max(epochs, 1), f"epoch {tr.epoch + 1}/{epochs}"))
            net.train(**self._train_args(data, work, len(y)))
            run = work / "train"
            best = run / "weights" / "best.pt"
            if not best.exists():
                best = run / "weights" / "last.pt"
            self.weights_ = best.read_bytes()
            self.class_names_ = sorted(self.labels)  # Ultralytics orders classes by folder name
            self.train_info_ = {
                "start": Path(start).name if start != str(work / "start.pt") else "previous version",
                "n_images": len(y),
                "args": (run / "args.yaml").read_text(encoding="utf-8") if (run / "args.yaml").exists() else "",
                "results_csv": (run / "results.csv").read_text(encoding="utf-8") if (run / "results.csv").exists() else "",
            }
            loaded = work / "loaded.pt"
            loaded.write_bytes(self.weights_)
            self._net = self._yolo(str(loaded))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if progress:
            progress(1.0, "trained")
        return self

    def _start_weights(self, work: Path) -> str:
        if hasattr(self, "weights_"):  # warm start from this version
            path = work / "start.pt"
            path.write_bytes(self.weights_)
            return str(path)
        if is_weights(self.model):
            self._network()  # resolves (and downloads, when online) the named weights
            return str(getattr(self._net, "ckpt_path", None) or self.model)
        return self.model

    def _train_args(self, data: Path, work: Path, n_images: int) -> dict[str, Any]:
        p = self.params
        args: dict[str, Any] = {
            "data": str(data), "epochs": int(p["epochs"]), "imgsz": int(p["imgsz"]),
            "batch": int(max(2, min(int(p["batch"]), n_images))), "device": resolve_device(p.get("device")),
            "workers": 0, "plots": False, "project": str(work), "name": "train", "exist_ok": True, "val": False,
            "seed": self.seed, "deterministic": bool(p.get("deterministic", False)), "verbose": False,
            "patience": int(p["patience"]), "save": True,
        }
        args.update(p.get("train_args") or {})
        return args

    # ---- prediction -------------------------------------------------------------------------

    def predict_proba(self, items: Sequence[Item]) -> np.ndarray:
        """(n, n_labels) class probabilities, columns in ``self.labels`` order."""
        net = self._network()
        names = {int(k): str(v) for k, v in dict(net.names).items()}
        columns = self._columns(names)
        p = self.params
        step = int(p["predict_batch"])
        out = np.zeros((len(items), len(self.labels)))
        for start in range(0, len(items), step):
            chunk = [str(self._path(i)) for i in items[start:start + step]]
            results = net.predict(chunk, imgsz=int(p["imgsz"]), device=resolve_device(p.get("device")),
                                  verbose=False, save=False, batch=step)
            for row, r in enumerate(results, start):
                probs = r.probs.data.cpu().numpy().astype(float)
                for i, j in columns.items():
                    out[row, j] += probs[i]
        mass = out.sum(axis=1, keepdims=True)
        return np.where(mass > 0, out / np.where(mass > 0, mass, 1.0), 1.0 / len(self.labels))

    def predict(self, items: Sequence[Item]) -> list[Prediction]:
        if not self.ready:
            raise NotFittedError(f"{self.model} has no weights yet: label a few images and train first")
        proba = self.predict_proba(items)
        best = proba.argmax(axis=1)
        return [Prediction(ClassLabel(self.labels[b]), float(row[b]), row) for b, row in zip(best, proba)]

    def embed(self, items: Sequence[Item]) -> np.ndarray:
        """Cheap appearance features (thumbnail + colour histogram), so diversity works before training."""
        from activelabel.models.image_features import appearance_features

        return appearance_features([self._path(i) for i in items])

    def evaluate(self, items: Sequence[Item], values: Sequence[Payload]) -> dict[str, float]:
        from sklearn.metrics import accuracy_score, f1_score

        y = [v.label for v in values if isinstance(v, ClassLabel)]
        pred = [self.labels[i] for i in self.predict_proba(items).argmax(axis=1)]
        acc = float(accuracy_score(y, pred))
        return {"metric": acc, "accuracy": acc, "macro_f1": float(f1_score(y, pred, average="macro")),
                "n_images": float(len(items))}

    # ---- persistence ------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if hasattr(self, "weights_"):
            (path / WEIGHTS_FILE).write_bytes(self.weights_)
            info: dict[str, Any] = dict(self.train_info_)
            for name, key in (("args.yaml", "args"), ("results.csv", "results_csv")):
                if info.get(key):
                    (path / name).write_text(str(info[key]), encoding="utf-8")
        elif is_weights(self.model):  # pretrained: copy the weights into the model store
            net = self._network()
            shutil.copyfile(Path(getattr(net, "ckpt_path", None) or self.model), path / WEIGHTS_FILE)
        else:
            raise NotFittedError("nothing to save: the classifier is not trained")
        state = {"labels": self.labels, "model": self.model, "params": self.params, "label_map": self.label_map,
                 "seed": self.seed, "class_names": self._class_names(), "fitted": hasattr(self, "weights_"),
                 "train_info": {k: v for k, v in getattr(self, "train_info_", {}).items()
                                if k not in ("args", "results_csv")}}
        (path / STATE_FILE).write_text(json.dumps(state, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> YoloClassifier:
        """Read a version folder of the project's model store (and nothing outside it)."""
        path = Path(path)
        state = json.loads((path / STATE_FILE).read_text(encoding="utf-8"))
        project_dir = path.parent.parent if (path.parent.parent / "activelabel.toml").exists() else None
        model = cls(state["labels"], state["model"], state["params"], state["label_map"], project_dir, state["seed"])
        model.weights_ = (path / WEIGHTS_FILE).read_bytes()
        model.class_names_ = list(state["class_names"])
        model.train_info_ = dict(state.get("train_info") or {})
        for name, key in (("args.yaml", "args"), ("results.csv", "results_csv")):
            if (path / name).exists():
                model.train_info_[key] = (path / name).read_text(encoding="utf-8")
        model._net = model._yolo(str(path / WEIGHTS_FILE))
        return model
