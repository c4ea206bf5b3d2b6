"""The project file, ``activelabel.toml``: read once, validated once, errors name the bad key."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from activelabel.errors import ConfigError, StrategyNotApplicableError, UnknownPluginError
from activelabel.registry import registry
from activelabel.tasks import TaskSpec, get_task

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_NAME = "activelabel.toml"

class ModelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = ""  # empty: the task's default
    params: dict[str, Any] = Field(default_factory=dict)
    label_map: dict[str, str] = Field(default_factory=dict)  # model label -> project label


class LoopConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strategy: str = "margin"
    cold_start: str = "random"
    auto_accept_threshold: float = Field(0.97, ge=0.0, le=1.0)
    audit_rate: float = Field(0.05, ge=0.0, le=1.0)
    human_budget_per_round: int = Field(50, ge=1)
    retrain_every: int = Field(20, ge=0)  # 0: only on demand
    lease_seconds: int = Field(900, ge=10)
    validation_share: float = Field(0.2, ge=0.0, lt=1.0)
    # the promotion gate (promotion.py): a new version is refused only if its held-out metric is below
    # the current one's minus the tolerance AND the paired sign test on the same items says that loss
    # is unlikely to be noise (p <= promotion_significance; 1.0 refuses on the difference alone);
    # on fewer held-out items than promotion_min_items it promotes and says the set is too small
    promotion_tolerance: float = Field(0.01, ge=0.0, le=1.0)
    promotion_significance: float = Field(0.05, gt=0.0, le=1.0)
    promotion_min_items: int = Field(20, ge=1)
    seed: int = 0
    pool_subsample: int = Field(0, ge=0)  # score at most this many unlabeled items per round (0: all)

    @field_validator("strategy", "cold_start")
    @classmethod
    def _known_strategy(cls, value: str) -> str:
        from activelabel.strategies import get_strategy

        get_strategy(value)
        return value


class QualityConfig(BaseModel):
    """Quality review: overlap for agreement, gold items mixed into queues, the gold accuracy flag."""

    model_config = ConfigDict(extra="forbid")

    overlap_share: float = Field(0.0, ge=0.0, le=1.0)  # share of items answered by overlap_k annotators
    overlap_k: int = Field(2, ge=2)
    gold_rate: float = Field(0.0, ge=0.0, lt=1.0)  # chance that a handed-out item is a gold item
    gold_accuracy_threshold: float = Field(0.9, ge=0.0, le=1.0)
    gold_min_answers: int = Field(5, ge=1)  # no flag before an annotator answered this many gold items


class ProjectConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "project"
    task: str  # a registered task kind (``activelabel tasks`` lists them)
    labels: list[str] = Field(default_factory=list)
    label_descriptions: dict[str, str] = Field(default_factory=dict)
    db: str = ""  # SQLAlchemy URL; empty: the project's own SQLite file
    model: ModelConfig = Field(default_factory=lambda: ModelConfig())
    loop: LoopConfig = Field(default_factory=lambda: LoopConfig())
    quality: QualityConfig = Field(default_factory=lambda: QualityConfig())
    extra: dict[str, Any] = Field(default_factory=dict)  # task-specific settings (image size limit, ...)

    @field_validator("task")
    @classmethod
    def _known_task(cls, value: str) -> str:
        try:
            get_task(value)
        except UnknownPluginError as exc:
            raise ValueError(str(exc)) from exc
        return value

    @model_validator(mode="after")
    def _fits_task_and_model(self) -> ProjectConfig:
        self.spec.check_labels(self.labels)
        self.spec.check_settings(self.extra)
        self._check_strategy_fits_model()
        if len(set(self.labels)) != len(self.labels):
            raise ValueError(f"labels must be distinct: {self.labels}")
        unknown = set(self.model.label_map.values()) - set(self.labels)
        if unknown:
            raise ValueError(f"model.label_map points to labels the project lacks: {sorted(unknown)}")
        return self

    @property
    def spec(self) -> TaskSpec:
        """The task kind's plug-in (validated to exist when the config loaded)."""
        return get_task(self.task)

    @property
    def model_name(self) -> str:
        return self.model.name or self.spec.default_model

    @property
    def adapter(self) -> str:
        """The registered model adapter: the one ``[model] name`` names, else the task's default."""
        return self.model_name if self.model_name in registry("models") else self.spec.default_adapter

    def _check_strategy_fits_model(self) -> None:
        """A strategy that needs what the model cannot give (embeddings from Whisper, say) is refused here,
        with what to choose instead, rather than failing mid-round."""
        from activelabel.strategies import check_applicable, get_strategy

        capabilities = registry("models").load(self.adapter).capabilities
        check_applicable(get_strategy(self.loop.strategy), capabilities, model=self.model_name)
        if not self.strategy_fits_task(self.loop.strategy):
            raise StrategyNotApplicableError(f"{self.loop.strategy} balances classes, and a {self.task} answer is "
                                             "not one class; choose margin, entropy or least_confidence")
        if self.spec.media != "text":  # text cold starts embed with TF-IDF; other media need the model's embed
            check_applicable(get_strategy(self.loop.cold_start), capabilities, model=self.model_name)

    def strategy_fits_task(self, name: str) -> bool:
        from activelabel.strategies import get_strategy

        return "labeled_classes" not in get_strategy(name).needs or self.spec.single_label

    def fitting_strategies(self) -> list[str]:
        """The strategies this project's model and task kind can serve (for pickers)."""
        from activelabel.strategies import applicable_strategies

        capabilities = registry("models").load(self.adapter).capabilities
        return [n for n in applicable_strategies(capabilities) if self.strategy_fits_task(n)]

    def db_url(self, project_dir: Path) -> str:
        return self.db or f"sqlite:///{(project_dir / 'activelabel.db').resolve()}"


def _describe(error: ValidationError) -> str:
    lines = []
    for err in error.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"{key}: {err['msg']}")
    return "; ".join(lines)


def parse_config(data: dict[str, Any], source: str = CONFIG_NAME) -> ProjectConfig:
    try:
        return ProjectConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_describe(exc)}") from exc
    except Exception as exc:  # a validator's own error, e.g. an unknown strategy
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"{source}: {exc}") from exc


def load_config(project_dir: Path) -> ProjectConfig:
    path = project_dir / CONFIG_NAME
    if not path.exists():
        from activelabel.errors import ProjectNotFoundError

        raise ProjectNotFoundError(f"{project_dir} is not an activelabel project (no {CONFIG_NAME}); run `activelabel init` first")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_config(data, str(path))


def save_config(project_dir: Path, config: ProjectConfig) -> None:
    """Write atomically, so that a crash never leaves half a config."""
    import os

    import tomli_w

    data = config.model_dump(mode="json", exclude_defaults=False)
    data = {k: v for k, v in data.items() if v not in ("", {}, None)}
    path = project_dir / CONFIG_NAME
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    os.replace(tmp, path)
