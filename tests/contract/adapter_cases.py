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


CASES: list[AdapterCase] = [
    AdapterCase("sklearn_text", _sklearn_build, _sklearn_data),
]
