"""The bottom layer every service works on: a project folder, its config and its store.

Services (importing, loop, training, quality, packaging, ...) take a ``Workspace`` rather than the
``Project`` facade, so none of them depends on the facade and the facade can compose them all
without an import cycle. It imports config, store, tasks and errors only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from activelabel.config import ProjectConfig, load_config, save_config
from activelabel.errors import ActiveLabelError
from activelabel.store import Store
from activelabel.tasks import TaskSpec
from activelabel.types import Payload

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self from Python 3.11


class Workspace:
    """An opened project folder: what every service needs and nothing more."""

    def __init__(self, directory: Path, config: ProjectConfig, store: Store) -> None:
        self.dir = directory
        self.config = config
        self.store = store

    @classmethod
    def init(cls, directory: Path, config: ProjectConfig) -> Self:
        """Create the project folder (config and sub-folders) and open it; refuses an existing project."""
        directory.mkdir(parents=True, exist_ok=True)
        if (directory / "activelabel.toml").exists():
            raise ActiveLabelError(f"{directory} already holds a project; remove activelabel.toml to start over")
        save_config(directory, config)
        for sub in ("models", "media", "logs"):
            (directory / sub).mkdir(exist_ok=True)
        return cls.open(directory)

    @classmethod
    def open(cls, directory: Path, db_url: str | None = None) -> Self:
        """Open a project folder; ``db_url`` overrides the store named in its config."""
        directory = directory.resolve()
        config = load_config(directory)
        store = Store.open(db_url or config.db_url(directory))
        return cls(directory, config, store)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def save_config(self, config: ProjectConfig) -> None:
        """Write the config to the folder and use it from now on."""
        save_config(self.dir, config)
        self.config = config

    @property
    def task(self) -> str:
        return self.config.task

    @property
    def spec(self) -> TaskSpec:
        """The task kind's plug-in: everything that differs between task kinds."""
        return self.config.spec

    def validate_value(self, item_id: str, value: Payload) -> Payload:
        """Check an answer against the labels and its item (the task spec knows what to check)."""
        return self.spec.validate(value, self.config.labels, self.store.get_item(item_id), self.config.extra)

    @property
    def models_dir(self) -> Path:
        return self.dir / "models"
