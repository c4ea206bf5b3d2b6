"""The task-kind plug-in contract: everything that differs between task kinds, in one value.

A task kind (text classification, NER, detection, ...) is one ``TaskSpec``, registered once under
the entry-point group ``activelabel.tasks``. Code outside the spec modules never branches on the
task kind: it asks the spec. Plug-ins the spec names (model adapter, reader, package writer,
editor, simulation loader) are registered names or ``module:attribute`` strings, loaded only when
used, so resolving a spec stays cheap.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from activelabel.errors import InvalidLabelError
from activelabel.quality.agreement_metrics import AgreementMetric
from activelabel.types import Item, Payload

Value = Mapping[str, Any]


@dataclass(frozen=True)
class TaskSpec:
    """One task kind. Fields are data or pure functions over stored JSON values and payloads."""

    name: str  # the config's ``task``, e.g. "ner"
    media: str  # what one item holds: "text", "image" or "audio"
    description: str
    payload_type: type  # the Payload class of an answer
    from_json: Callable[[Value], Payload]  # stored JSON -> payload; InvalidLabelError on a wrong shape
    check: Callable[[Payload, Sequence[str], Item], Payload]  # against the labels and the item
    canonical: Callable[[Value | None], Hashable]  # the one "same answer" form (confidences ignored)
    labels_in: Callable[[Value], list[str]]  # label occurrences in a value (a span or box counts once)
    gold_score: Callable[[Value, Value], float]  # 1 for a perfect answer, 0 for a wrong one
    agreement: AgreementMetric
    default_model: str  # ``[model] name`` when the config leaves it empty
    default_adapter: str  # name in the ``models`` registry
    reader: str  # name in the ``readers`` registry
    package_writer: str  # name in the ``writers`` registry: ``export --package`` in the native format
    editor: str  # name in the ``editors`` registry
    simulation_loader: str  # ``module:function`` for ``activelabel simulate``
    metric_name: str  # what the adapter's ``evaluate()["metric"]`` measures, for learning curves
    min_labels: int = 1  # labels a project of this kind needs
    single_label: bool = False  # an answer is exactly one of the labels (stratified splits, kappa)
    allows_overlaps: bool = False  # answers may hold overlapping spans (``import --allow-overlaps`` keeps them)
    cli_value: Callable[[str], Payload] | None = None  # a value typed on the command line; None: JSON
    summary: Callable[[Value], str] | None = None  # a short text of an answer for tables; None: its labels
    example: Mapping[str, Any] = field(default_factory=dict)  # one stored answer, for docs and the contract suite
    export_formats: Mapping[str, str] = field(default_factory=dict)  # ``export --format`` beyond jsonl/csv -> writer
    stratify_by_rarest: bool = False  # split stratum: the answer's rarest label in the data set (label sets)
    package_human_only: bool = False  # ``export --package`` ships people's answers only, never auto labels
    # the project's ``[extra]`` settings this kind needs (keypoint names): ValueError when they do not fit
    check_extra: Callable[[Mapping[str, Any]], None] | None = None
    # an answer against those settings (the keypoints the project names); None: nothing to check
    check_schema: Callable[[Payload, Mapping[str, Any]], Payload] | None = None

    def payload(self, data: Value) -> Payload:
        """Rebuild a payload from its stored JSON form, naming the task in the error."""
        try:
            return self.from_json(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidLabelError(f"malformed {self.name} value {dict(data)!r}: {exc}") from exc

    def parse_value(self, text: str) -> Payload:
        """A value typed on the command line: a label or transcript, or JSON for structured values."""
        if self.cli_value is not None:
            return self.cli_value(text)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidLabelError(f"expected JSON for a {self.name} value: {exc}") from exc
        if not isinstance(data, Mapping):
            raise InvalidLabelError(f"expected a JSON object for a {self.name} value, got {text[:60]!r}")
        return self.payload(data)

    def validate(self, value: Payload, labels: Sequence[str], item: Item,
                 extra: Mapping[str, Any] | None = None) -> Payload:
        """Check an answer against the project's labels and its item (text length, image size), and,
        given the project's ``extra`` settings, against the schema they set (keypoint names)."""
        if not isinstance(value, self.payload_type):
            raise InvalidLabelError(f"a {self.name} answer is a {self.payload_type.__name__}, not {value!r}")
        checked = self.check(value, labels, item)
        if extra is not None and self.check_schema is not None:
            checked = self.check_schema(checked, extra)
        return checked

    def same(self, a: Value | None, b: Value | None) -> bool:
        return self.canonical(a) == self.canonical(b)

    def summarize(self, value: Value | None) -> str:
        """A short text of an answer, for review tables."""
        if not value:
            return "-"
        if self.summary is not None:
            return self.summary(value)
        return ", ".join(self.labels_in(value)) or "(none)"

    def stratum(self, value: Value, frequency: Mapping[str, int] | None = None) -> str:
        """The split stratum of an answer: its most frequent label, or with ``stratify_by_rarest`` the
        label that is rarest in the whole data set (``frequency``), so that a rare label in a label set
        reaches every split instead of following its item's first label."""
        found = self.labels_in(value)
        if not found:
            return "(none)"
        if self.stratify_by_rarest and frequency is not None:
            return min(sorted(set(found)), key=lambda label: frequency.get(label, 0))
        return Counter(found).most_common(1)[0][0]

    def check_labels(self, labels: Sequence[str]) -> None:
        """Raise ValueError when a project's labels do not fit this task kind (config validation)."""
        if len(labels) < self.min_labels:
            need = {1: "at least one label", 2: "at least two labels"}.get(self.min_labels,
                                                                            f"at least {self.min_labels} labels")
            raise ValueError(f"a {self.name} project needs {need}")

    def check_settings(self, extra: Mapping[str, Any]) -> None:
        """Raise ValueError when a project's ``[extra]`` settings do not fit this task kind."""
        if self.check_extra is not None:
            self.check_extra(extra)


def json_parts(task: str, key: str, from_json: Callable[[Value], Payload]) -> Callable[[str], Payload]:
    """A command-line parser for structured values: a JSON object, or a bare JSON list of ``key``."""

    def parse(text: str) -> Payload:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidLabelError(f"expected JSON for a {task} value: {exc}") from exc
        if isinstance(data, list):
            data = {key: data}
        if not isinstance(data, Mapping):
            raise InvalidLabelError(f"expected a JSON object or list for a {task} value, got {text[:60]!r}")
        try:
            return from_json(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidLabelError(f"malformed {task} value {data!r}: {exc}") from exc

    return parse
