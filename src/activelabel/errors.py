"""Named errors, so that callers (CLI, UI, importers) can say what went wrong and what to do."""

from __future__ import annotations


class ActiveLabelError(Exception):
    """Root of every error activelabel raises on purpose."""


class ConfigError(ActiveLabelError, ValueError):
    """The project file (or a model's ``model.params``) is invalid; the message names the bad key.

    Also a ValueError, so callers that caught the bare ValueError of a bad setting keep working.
    """


class ProjectNotFoundError(ActiveLabelError):
    """A folder has no activelabel.toml."""


class NotFittedError(ActiveLabelError):
    """A model was asked to predict before it was fitted or loaded."""


class ImportFormatError(ActiveLabelError):
    """One record of an import could not be read; carries where it came from."""

    def __init__(self, reason: str, *, source: str = "", line: int | None = None) -> None:
        self.reason = reason
        self.source = source
        self.line = line
        where = source + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {reason}" if where else reason)


class InvalidLabelError(ActiveLabelError):
    """A label payload does not fit the project's schema (unknown label, bad span, bad box...)."""


class MissingDependencyError(ActiveLabelError):
    """An optional library is missing; the message names the pip extra that brings it."""

    def __init__(self, package: str, extra: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{package} is not installed. Install it with: pip install 'activelabel[{extra}]'"
        )


class UnknownStrategyError(ActiveLabelError):
    """A strategy name that is not registered."""


class StrategyNotApplicableError(ActiveLabelError, ValueError):
    """The strategy needs an input (probabilities, draws, embeddings) that the model does not give."""


class NotEnoughAnswersError(ActiveLabelError, ValueError):
    """Training was asked for before the answers can train a model (one class only, no boxes...)."""


class TrainingBusyError(ActiveLabelError, RuntimeError):
    """A training run is already going on for this project; wait for it or cancel it."""


class UsageError(ActiveLabelError, ValueError):
    """A command-line option or argument value that cannot work; the message names the option."""


class FormatError(ActiveLabelError, ValueError):
    """A file whose format cannot be told or read as a whole (unknown format, missing field)."""


class ItemNotFoundError(ActiveLabelError):
    """An item id that the store does not hold."""


class AmbiguousItemIdError(ActiveLabelError):
    """A shortened item id that starts more than one item's id; a longer prefix picks one."""


class PermissionDeniedError(ActiveLabelError):
    """The signed-in user's role does not allow the action."""


class LeaseConflictError(ActiveLabelError):
    """The item is leased to somebody else."""


class UnknownPluginError(ActiveLabelError):
    """A task kind, adapter, reader, writer or editor name that no installed package registers."""


class UnsafeModelError(ActiveLabelError, ValueError):
    """A model folder outside the project's model store, or one naming an unregistered adapter."""
