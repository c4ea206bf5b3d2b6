"""Object detection with Ultralytics YOLO: box pre-labels, image-level uncertainty, fine-tuning.

The model is named in ``config.model.name``:

- weights, ``yolo11n.pt`` / ``yolov8n.pt`` (Ultralytics downloads them when online) or a path to a
  ``.pt`` (a user's ``best.pt``, relative to the project folder): pretrained, ``ready`` at once;
  ``config.model.label_map`` maps the model's class names (the 80 COCO names) to project labels, and
  boxes of unmapped classes are dropped;
- a model yaml, ``yolov8n.yaml`` (the default): built untrained with the project's labels as classes,
  and ``ready`` only after it has been trained on the human labels. Nothing is downloaded.

``config.model.params``: ``epochs`` (``"auto"``: scaled with the answers to ``min_steps`` (300)
optimiser steps, see ``epochs_for``; or a number), ``imgsz`` (640), ``batch`` (16), ``device`` (``auto``: CUDA
when present, else CPU), ``conf`` (0.25, the proposal threshold), ``iou`` (0.7, NMS), ``max_det``,
``uncertainty`` (reduction: see ``yolo_uncertainty``), ``flip`` (true), ``band``, ``floor``, and
``train_args`` passed to Ultralytics as they are. Retraining continues from the current version
(``warm_start``) with no learning-rate warm-up. A version folder holds ``best.pt``, ``args.yaml``, ``results.csv`` and
``detector.json``; ``load`` reads only that folder. torch and ultralytics are imported lazily.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from activelabel.errors import ConfigError, MissingDependencyError, NotFittedError
from activelabel.models.base import Capabilities, Prediction, ProgressFn, check_auto_or_count
from activelabel.models.yolo_uncertainty import (
    UncertaintySettings,
    flip_disagreement,
    image_uncertainty,
    parse_settings,
    reduce_uncertainty,
)
from activelabel.types import Box, Boxes, Item, Payload

DEFAULT_MODEL = "yolov8n.yaml"
DEFAULT_PARAMS: dict[str, Any] = {"epochs": "auto", "min_steps": 300, "imgsz": 640, "batch": 16, "device": "auto", "iou": 0.7,
                                  "max_det": 100, "predict_batch": 16, "patience": 100}
EVAL_CONF = 0.001  # candidate threshold for mAP: the whole precision-recall curve
STATE_FILE = "detector.json"
WEIGHTS_FILE = "best.pt"


AUTO_MIN_EPOCHS, AUTO_MAX_EPOCHS = 15, 300


def train_batch(params: dict[str, Any], n_images: int) -> int:
    """The batch a round trains with: ``batch``, but no more than the images (and at least 2)."""
    return int(max(2, min(int(params["batch"]), n_images)))


def epochs_for(params: dict[str, Any], n_images: int) -> int:
    """Epochs a round. A number is used as it is; ``"auto"`` scales them with the answers: enough
    epochs for ``min_steps`` optimiser steps (one per batch), at least 15 and at most 300. A round
    on 20 images otherwise makes 2 steps an epoch, too few to learn anything from random weights."""
    epochs = params["epochs"]
    if epochs != "auto":
        return int(epochs)
    steps_per_epoch = max(1, -(-n_images // train_batch(params, n_images)))
    wanted = -(-int(params.get("min_steps", 300)) // steps_per_epoch)
    return int(min(AUTO_MAX_EPOCHS, max(AUTO_MIN_EPOCHS, wanted)))


def _yolo_class() -> Any:
    try:
        from ultralytics import YOLO
    except ImportError as exc:
        raise MissingDependencyError("ultralytics", "image") from exc
    return YOLO


INTEGRATIONS = ("clearml", "comet", "dvc", "mlflow", "raytune", "tensorboard", "wandb", "sync")


def quiet_ultralytics() -> None:
    """Turn Ultralytics' logging integrations and analytics off for this process, in memory only.

    They import heavy libraries (Ray Tune alone takes seconds) and try the network on every training
    run. The user's settings file is left unchanged; ``model.params.integrations = true`` keeps them.
    """
    from ultralytics.utils import SETTINGS

    for key in INTEGRATIONS:
        if key in SETTINGS:
            dict.__setitem__(SETTINGS, key, False)  # bypass JSONDict's save-to-file


def resolve_device(device: str | int | None) -> str:
    """``auto``: the first CUDA device when torch sees one, else the CPU."""
    if device in (None, "", "auto"):
        import torch

        return "0" if torch.cuda.is_available() else "cpu"
    if device == "cuda":
        return "0"
    return str(device)


def is_weights(spec: str) -> bool:
    return spec.endswith((".pt", ".pth"))


class YoloDetector:
    """Detection adapter; learned state: ``weights_`` (bytes of best.pt), ``class_names_``, ``train_info_``."""

    task = "detection"
    # warm start: retraining continues from the current version; embed gives appearance features
    capabilities: ClassVar[Capabilities] = Capabilities(proba=False, draws=False, embeddings=True, warm_start=True)
    rehearses: ClassVar[bool] = False

    def __init__(self, labels: Sequence[str], model: str = DEFAULT_MODEL, params: dict[str, Any] | None = None,
                 label_map: dict[str, str] | None = None, project_dir: Path | None = None, seed: int = 0) -> None:
        self.labels = list(labels)
        self.model = model or DEFAULT_MODEL
        self.params = {**DEFAULT_PARAMS, **(params or {})}
        self.label_map = dict(label_map or {})
        self.project_dir = Path(project_dir) if project_dir is not None else None
        self.seed = seed
        check_auto_or_count("epochs", self.params["epochs"])
        self.uncertainty = self._parse_uncertainty(self.params)  # validates the settings now, not mid-round
        if not (is_weights(self.model) or self.model.endswith((".yaml", ".yml"))):
            raise ConfigError(f"model name {self.model!r}: use weights (yolo11n.pt, a path to best.pt) or a model "
                             f"yaml (yolov8n.yaml)")
        self._net: Any = None  # the loaded Ultralytics model, a cache

    def _parse_uncertainty(self, params: dict[str, Any]) -> UncertaintySettings:
        return parse_settings(params)

    @classmethod
    def from_config(cls, config: Any, project_dir: Path | None = None) -> YoloDetector:
        name = config.model_name
        if is_weights(name) and project_dir is not None and (Path(project_dir) / name).is_file():
            name = str((Path(project_dir) / name).resolve())
        return cls(config.labels, name, config.model.params, config.model.label_map, project_dir, config.loop.seed)

    # ---- state ------------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return hasattr(self, "weights_") or is_weights(self.model)

    def _yolo(self, source: str) -> Any:
        """An Ultralytics model, with its integrations and analytics off unless ``integrations`` is set."""
        YOLO = _yolo_class()
        if not self.params.get("integrations", False):
            quiet_ultralytics()
        return YOLO(source)

    def _network(self) -> Any:
        if self._net is None:
            if not self.ready:
                raise NotFittedError(f"{self.model} has no weights yet: label a few images and train first")
            try:
                self._net = self._yolo(self.model)  # pretrained weights: a path, or a name Ultralytics downloads
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

    def _class_to_label(self) -> dict[int, str]:
        """Model class index -> project label; classes with no project label are left out."""
        out = {}
        for i, name in enumerate(self._class_names()):
            label = self.label_map.get(name, name if name in self.labels else None)
            if label is not None:
                out[i] = label
        return out

    def _path(self, item: Item) -> Path:
        p = Path(item.content)
        if p.is_absolute():
            return p
        return (self.project_dir / p) if self.project_dir is not None else p

    # ---- training ---------------------------------------------------------------------------

    def _training_set(self, folder: Path, items: Sequence[Item], values: Sequence[Payload]) -> tuple[Path, dict[str, int]]:
        """Write the training folder; returns its data.yaml and what it holds (n_images, n_boxes)."""
        from activelabel.models.yolo_dataset import to_export_images, write_training_set

        images = to_export_images(items, values, [self._path(i) for i in items])
        data_yaml = write_training_set(folder, images, self.labels)
        return data_yaml, {"n_images": len(images), "n_boxes": sum(len(im.boxes) for im in images)}

    def fit(self, items: Sequence[Item], values: Sequence[Payload], *, progress: ProgressFn | None = None) -> YoloDetector:
        work = Path(tempfile.mkdtemp(prefix="activelabel-yolo-", dir=self.params.get("work_dir")))
        try:
            data_yaml, counts = self._training_set(work / "data", items, values)
            start = self._start_weights(work)
            net = self._yolo(start)
            epochs = epochs_for(self.params, counts["n_images"])
            if progress:
                progress(0.0, f"training {Path(start).name} on {counts['n_images']} images, {epochs} epochs")
                net.add_callback("on_train_epoch_end", lambda tr: progress(
                    (tr.epoch + 1) / max(epochs, 1), f"epoch {tr.epoch + 1}/{epochs}"))
            args = self._train_args(data_yaml, work, counts["n_images"], warm=hasattr(self, "weights_"))
            net.train(**args)
            run = work / "train"
            best = run / "weights" / "best.pt"
            if not best.exists():
                best = run / "weights" / "last.pt"
            self.weights_ = best.read_bytes()
            self.class_names_ = list(self.labels)
            self.train_info_ = {
                "start": Path(start).name if start != str(work / "start.pt") else "previous version",
                **counts,
                "args": (run / "args.yaml").read_text(encoding="utf-8") if (run / "args.yaml").exists() else "",
                "results_csv": (run / "results.csv").read_text(encoding="utf-8") if (run / "results.csv").exists() else "",
            }
            self._net = self._yolo(str(self._weights_file(work)))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if progress:
            progress(1.0, "trained")
        return self

    def _weights_file(self, folder: Path) -> Path:
        """Write ``weights_`` to a file (Ultralytics loads from paths) and return it."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "loaded.pt"
        path.write_bytes(self.weights_)
        return path

    def _start_weights(self, work: Path) -> str:
        if hasattr(self, "weights_"):  # warm start from this version
            path = work / "start.pt"
            path.write_bytes(self.weights_)
            return str(path)
        if is_weights(self.model):
            self._network()  # resolves (and downloads, when online) the named weights
            return str(getattr(self._net, "ckpt_path", None) or self.model)
        return self.model

    def _train_args(self, data_yaml: Path, work: Path, n_images: int, warm: bool = False) -> dict[str, Any]:
        """Ultralytics' train arguments. A warm start (from the previous version's weights) skips the
        learning-rate warm-up, which is for random weights: Ultralytics ramps the rate up from zero
        over its first 3 epochs (``warmup_epochs``), a fifth of a 15-epoch round. The nominal batch size is the batch itself: Ultralytics' default (64)
        accumulates 4 batches of 16 per optimiser step, a quarter of the steps a small labeled set
        can give (on 300 shapes at 128 px, 15 epochs: mAP50 0.975 with a step per batch against 0.33).
        ``train_args`` overrides all of these."""
        p = self.params
        batch = train_batch(p, n_images)
        args: dict[str, Any] = {
            "data": str(data_yaml), "epochs": epochs_for(p, n_images), "imgsz": int(p["imgsz"]),
            "batch": batch, "nbs": batch, "device": resolve_device(p.get("device")),
            "workers": 0, "plots": False, "project": str(work), "name": "train", "exist_ok": True,
            "val": False, "seed": self.seed, "deterministic": bool(p.get("deterministic", False)), "verbose": False,
            "patience": int(p["patience"]), "save": True,
        }
        if warm:
            args.update(warmup_epochs=0.0, warmup_bias_lr=0.0)
        args.update(p.get("train_args") or {})
        return args

    # ---- prediction -------------------------------------------------------------------------

    def _raw(self, sources: Sequence[Any], conf: float) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(xyxy, conf, class) per source, classes already limited to the mapped ones."""
        net = self._network()
        p = self.params
        mapped = self._class_to_label()
        out = []
        step = int(p["predict_batch"])
        for start in range(0, len(sources), step):
            results = net.predict(list(sources[start:start + step]), imgsz=int(p["imgsz"]), conf=conf,
                                  iou=float(p["iou"]), max_det=int(p["max_det"]), device=resolve_device(p.get("device")),
                                  verbose=False, save=False, batch=step)
            for r in results:
                b = r.boxes
                xyxy = b.xyxy.cpu().numpy().astype(float)
                c = b.conf.cpu().numpy().astype(float)
                k = b.cls.cpu().numpy().astype(int)
                keep = np.array([int(x) in mapped for x in k], dtype=bool)
                out.append((xyxy[keep].reshape(-1, 4), c[keep], k[keep]))
        return out

    def _boxes(self, xyxy: np.ndarray, conf: np.ndarray, cls: np.ndarray, width: int, height: int) -> tuple[Box, ...]:
        mapped = self._class_to_label()
        out = []
        for (x0, y0, x1, y1), c, k in zip(xyxy.tolist(), conf.tolist(), cls.tolist()):
            x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1)
            if x1 > x0 and y1 > y0:
                out.append(Box(round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2), mapped[int(k)], round(float(c), 4)))
        return tuple(out)

    def _pictures(self, items: Sequence[Item]) -> list[Any]:
        """The items' images, upright (EXIF orientation applied) and RGB, as the model sees them."""
        from PIL import Image, ImageOps

        pictures = []
        for item in items:
            with Image.open(self._path(item)) as img:
                pictures.append(ImageOps.exif_transpose(img).convert("RGB"))
        return pictures

    def predict(self, items: Sequence[Item]) -> list[Prediction]:
        if not self.ready:
            raise NotFittedError(f"{self.model} has no weights yet: label a few images and train first")
        step = int(self.params["predict_batch"])
        out: list[Prediction] = []
        for start in range(0, len(items), step):  # only one chunk of decoded images in memory at a time
            out.extend(self._predict_chunk(items[start:start + step]))
        return out

    def _predict_chunk(self, items: Sequence[Item]) -> list[Prediction]:
        from PIL import Image

        s = self.uncertainty
        pictures = self._pictures(items)
        raw = self._raw(pictures, s.floor)
        flipped = self._raw([im.transpose(Image.Transpose.FLIP_LEFT_RIGHT) for im in pictures], s.conf) if s.flip else None
        out = []
        for n, (im, (xyxy, conf, cls)) in enumerate(zip(pictures, raw)):
            w, h = im.size
            keep = conf >= s.conf
            flip = None
            if flipped is not None:
                fx, _fc, fk = flipped[n]
                mirrored = np.stack([w - fx[:, 2], fx[:, 1], w - fx[:, 0], fx[:, 3]], axis=1) if len(fx) else fx
                flip = flip_disagreement(xyxy[keep], cls[keep], mirrored, fk, s.flip_iou)
            components = image_uncertainty(conf, s, flip)
            u = reduce_uncertainty(components, s)
            boxes = self._boxes(xyxy[keep], conf[keep], cls[keep], w, h)
            out.append(Prediction(Boxes(boxes), float(np.clip(1.0 - u, 0.0, 1.0)), None,
                                tuple(float(b.confidence or 0.0) for b in boxes),
                                {"uncertainty": {k: round(v, 4) for k, v in components.items()},
                                 "n_candidates": int((conf >= s.floor).sum())}))
        return out

    def embed(self, items: Sequence[Item]) -> np.ndarray:
        """Cheap appearance features (16x16 grey thumbnail + colour histogram), for diversity cold starts."""
        from activelabel.models.image_features import appearance_features

        return appearance_features([self._path(i) for i in items])

    def evaluate(self, items: Sequence[Item], values: Sequence[Payload]) -> dict[str, float]:
        """mAP50 (the curve's metric) and mAP50-95 on held-out labeled images."""
        from PIL import Image

        from activelabel.models.yolo_metrics import detection_map

        truths = [v.boxes if isinstance(v, Boxes) else () for v in values]
        paths = [self._path(i) for i in items]
        raw = self._raw([str(p) for p in paths], EVAL_CONF)
        preds = []
        for path, (xyxy, conf, cls) in zip(paths, raw):
            with Image.open(path) as img:
                w, h = img.size
            preds.append(self._boxes(xyxy, conf, cls, w, h))
        m = detection_map(preds, truths, self.labels)
        return {"metric": m["map50"], "map50": m["map50"], "map50_95": m["map50_95"], "n_images": float(len(items))}

    # ---- persistence ------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if hasattr(self, "weights_"):
            (path / WEIGHTS_FILE).write_bytes(self.weights_)
            info: dict[str, Any] = dict(self.train_info_)
            if info.get("args"):
                (path / "args.yaml").write_text(str(info["args"]), encoding="utf-8")
            if info.get("results_csv"):
                (path / "results.csv").write_text(str(info["results_csv"]), encoding="utf-8")
        elif is_weights(self.model):  # pretrained: copy the weights into the model store
            net = self._network()
            src = Path(getattr(net, "ckpt_path", None) or self.model)
            shutil.copyfile(src, path / WEIGHTS_FILE)
        else:
            raise NotFittedError("nothing to save: the detector is not trained")
        state = {"labels": self.labels, "model": self.model, "params": self.params, "label_map": self.label_map,
                 "seed": self.seed, "class_names": self._class_names(), "fitted": hasattr(self, "weights_"),
                 "train_info": {k: v for k, v in getattr(self, "train_info_", {}).items()
                                if k not in ("args", "results_csv")}, **self._extra_state()}
        (path / STATE_FILE).write_text(json.dumps(state, indent=1), encoding="utf-8")

    def _extra_state(self) -> dict[str, Any]:
        """Settings a subclass keeps in the state file beside the detector's own."""
        return {}

    @classmethod
    def _from_state(cls, state: dict[str, Any], project_dir: Path | None) -> YoloDetector:
        return cls(state["labels"], state["model"], state["params"], state["label_map"], project_dir, state["seed"])

    @classmethod
    def load(cls, path: Path) -> YoloDetector:
        """Read a version folder of the project's model store (and nothing outside it)."""
        path = Path(path)
        state = json.loads((path / STATE_FILE).read_text(encoding="utf-8"))
        project_dir = path.parent.parent if (path.parent.parent / "activelabel.toml").exists() else None
        model = cls._from_state(state, project_dir)
        model.weights_ = (path / WEIGHTS_FILE).read_bytes()
        model.class_names_ = list(state["class_names"])
        model.train_info_ = dict(state.get("train_info") or {})
        for name, key in (("args.yaml", "args"), ("results.csv", "results_csv")):
            if (path / name).exists():
                model.train_info_[key] = (path / name).read_text(encoding="utf-8")
        model._net = model._yolo(str(path / WEIGHTS_FILE))
        return model
