"""A star-rating task kind (1..5 stars for a text), registered through entry points only."""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from activelabel.errors import InvalidLabelError
from activelabel.formats.base import ImportRecord, RecordStream, Rejection
from activelabel.models.base import Capabilities, Prediction
from activelabel.tasks import TaskSpec
from activelabel.types import Item


@dataclass(frozen=True, slots=True)
class Rating:
    stars: int

    def to_json(self) -> dict[str, Any]:
        return {"stars": self.stars}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rating:
        return cls(int(data["stars"]))


def check(value: Any, labels: Sequence[str], item: Item) -> Any:
    if str(value.stars) not in labels:
        raise InvalidLabelError(f"{value.stars} stars is not one of {list(labels)}")
    return value


@dataclass(frozen=True)
class ExactAgreement:
    name: str = "exact_agreement"
    better: str = "higher"
    needs_text: bool = False
    per_label: bool = False

    def pair(self, rows: Sequence[Any], label: str | None, iou_threshold: float) -> dict[str, Any]:
        same = [r[1].get("stars") == r[2].get("stars") for r in rows]
        return {"value": sum(same) / len(same) if same else None}

    def overall(self, multi: Any, texts: Any, label: str | None, canonical: Any) -> dict[str, Any] | None:
        return None

    def pooled_extra(self, multi: Any, texts: Any, label: str | None) -> dict[str, Any]:
        return {}


def canonical(value: Mapping[str, Any] | None) -> Hashable:
    return (value or {}).get("stars")


SPEC = TaskSpec(
    name="rating", media="text", description="1 to 5 stars for a text", payload_type=Rating,
    from_json=Rating.from_json, check=check, canonical=canonical,
    labels_in=lambda v: [str(v.get("stars"))], gold_score=lambda a, g: float(canonical(a) == canonical(g)),
    agreement=ExactAgreement(), default_model="rating-logreg", default_adapter="rating-logreg",
    reader="rating", package_writer="rating-jsonl", editor="classification",
    simulation_loader="al_rating:no_simulation", metric_name="accuracy", min_labels=2,
    cli_value=lambda text: Rating(int(text)), example={"stars": 4},
)


def read_ratings(path: Path, fmt: str = "auto", *, labels: Sequence[str], project_dir: Path,
                 **options: Any) -> RecordStream:
    """JSONL lines ``{"text": ..., "stars": n}`` (stars optional)."""
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        try:
            row = json.loads(line)
            value = Rating(int(row["stars"])) if "stars" in row else None
            yield ImportRecord(str(row["text"]), "text", value, source=str(path), line=n)
        except (ValueError, KeyError, TypeError) as exc:
            yield Rejection(str(path), n, f"not a rating line: {exc}")


class RatingModel:
    """Logistic regression on word counts; learned state: ``vocab_``, ``coef_``."""

    task = "rating"
    capabilities = Capabilities(proba=True, draws=False, embeddings=False, warm_start=False)
    rehearses = False

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)

    @classmethod
    def from_config(cls, config: Any, project_dir: Path | None = None) -> RatingModel:
        return cls(config.labels)

    @property
    def ready(self) -> bool:
        return hasattr(self, "estimator_")

    def _pipeline(self) -> Any:
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        return make_pipeline(CountVectorizer(), LogisticRegression(max_iter=500))

    def fit(self, items: Sequence[Item], values: Sequence[Any], *, progress: Any = None) -> RatingModel:
        self.texts_ = [i.content for i in items]
        self.stars_ = [str(v.stars) for v in values]
        self.estimator_ = self._pipeline().fit(self.texts_, self.stars_)
        return self

    def _proba(self, texts: Sequence[str]) -> np.ndarray:
        raw = self.estimator_.predict_proba(list(texts))
        out = np.zeros((len(texts), len(self.labels)))
        for j, c in enumerate(self.estimator_.classes_):
            out[:, self.labels.index(c)] = raw[:, j]
        return out

    def predict(self, items: Sequence[Item]) -> list[Prediction]:
        proba = self._proba([i.content for i in items])
        return [Prediction(Rating(int(self.labels[int(p.argmax())])), float(p.max()), proba=p) for p in proba]

    def evaluate(self, items: Sequence[Item], values: Sequence[Any]) -> dict[str, float]:
        pred = self._proba([i.content for i in items]).argmax(axis=1)
        hits = [self.labels[int(p)] == str(v.stars) for p, v in zip(pred, values, strict=True)]
        return {"metric": sum(hits) / len(hits) if hits else float("nan")}

    def save(self, path: Path) -> None:
        (path / "rating.json").write_text(json.dumps({"labels": self.labels, "texts": self.texts_,
                                                      "stars": self.stars_}), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> RatingModel:
        data = json.loads((path / "rating.json").read_text(encoding="utf-8"))
        model = cls(data["labels"])
        model.texts_, model.stars_ = data["texts"], data["stars"]
        model.estimator_ = model._pipeline().fit(model.texts_, model.stars_)
        return model


def write_package(project: Any, out: Path, parts: dict[str, list[dict[str, Any]]]) -> list[str]:
    files = []
    for split, rows in parts.items():
        (out / f"{split}.jsonl").write_text("".join(json.dumps({"text": r["content"], **r["value"]}) + "\n"
                                                    for r in rows), encoding="utf-8")
        files.append(f"{split}.jsonl")
    return files


def _check_overlapping(value: Any, labels: Sequence[str], item: Item) -> Any:
    from activelabel.types import Spans

    return Spans.validate(value, labels, item.content, allow_overlaps=True)


def _overlap_spec() -> TaskSpec:
    """Entity spans that may overlap (as a span categorizer learns them): the NER spec with overlaps allowed."""
    from dataclasses import replace

    from activelabel.tasks.ner import SPEC as NER

    return replace(NER, name="overlapping_spans", description="entity spans that may overlap",
                   allows_overlaps=True, check=_check_overlapping)


OVERLAP_SPEC = _overlap_spec()
