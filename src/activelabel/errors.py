"""Named errors, so that callers (CLI, UI, importers) can say what went wrong and what to do."""

from __future__ import annotations


class ActiveLabelError(Exception):
    """Root of every error activelabel raises on purpose."""


class ConfigError(ActiveLabelError):
    """The project file is invalid; the message names the bad key."""


class ProjectNotFoundError(ActiveLabelError):
    """A folder has no activelabel.toml."""


class NotFittedError(ActiveLabelError):
    """A model was asked to predict before it was fitted or loaded."""


class EmptyPoolError(ActiveLabelError):
    """There is nothing left to score or select."""


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


class ItemNotFoundError(ActiveLabelError):
    """An item id that the store does not hold."""


class PermissionDeniedError(ActiveLabelError):
    """The signed-in user's role does not allow the action."""


class LeaseConflictError(ActiveLabelError):
    """The item is leased to somebody else."""


class UnknownPluginError(ActiveLabelError):
    """A task kind, adapter, reader, writer or editor name that no installed package registers."""


class UnknownFormatError(ActiveLabelError, ValueError):
    """An import or export format that the project's task kind does not offer."""


class UnsafeModelError(ActiveLabelError, ValueError):
    """A model folder outside the project's model store, or one naming an unregistered adapter."""
