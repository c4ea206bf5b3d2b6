"""Labeling guidelines: a Markdown document per project, per-label definitions, labeled examples.

Clear guidelines with examples are the first lever on quality. Files in the project folder:

- ``guidelines.md``: the free text, written by the team (the UI shows it beside the label page);
- ``guidelines_examples.jsonl``: labeled examples, one JSON object per line
  (``label``, ``content``, optional ``value`` for spans/boxes, ``note``);
- the per-label definitions live in the config (``label_descriptions`` in ``activelabel.toml``),
  so they are validated with the labels and shown where a label is chosen.

Until ``guidelines.md`` is written, ``load_guidelines`` returns a starter text built from the
labels, with ``exists=False`` so the UI can say that nobody has written guidelines yet.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import InvalidLabelError

if TYPE_CHECKING:
    from activelabel.config import ProjectConfig
    from activelabel.workspace import Workspace

GUIDELINES_FILE = "guidelines.md"
EXAMPLES_FILE = "guidelines_examples.jsonl"


@dataclass(frozen=True)
class Example:
    label: str
    content: str  # the text, or a media path relative to the project folder
    note: str = ""  # why this example is labeled so (the useful part)
    value: dict[str, Any] | None = None  # the full answer for spans / boxes / transcripts


@dataclass
class Guidelines:
    text: str
    definitions: dict[str, str]
    examples: list[Example] = field(default_factory=list)
    exists: bool = True  # False: ``text`` is the starter, nobody wrote guidelines yet

    def definition(self, label: str) -> str:
        return self.definitions.get(label, "")

    def examples_for(self, label: str) -> list[Example]:
        return [e for e in self.examples if e.label == label]

    def to_markdown(self) -> str:
        """The whole document: the text, then each label's definition and examples."""
        parts = [self.text.rstrip(), "", "## Labels", ""]
        for label in self.definitions:
            parts.append(f"### {label}")
            parts.append(self.definitions[label] or "_No definition yet._")
            for ex in self.examples_for(label):
                parts.append(f"- `{ex.content[:200]}`" + (f": {ex.note}" if ex.note else ""))
            parts.append("")
        return "\n".join(parts)


def starter_text(config: ProjectConfig) -> str:
    labels = ", ".join(f"**{lab}**" for lab in config.labels) or "free text"
    return (f"# Labeling guidelines: {config.name}\n\n"
            f"_Nobody has written guidelines for this project yet; edit `{GUIDELINES_FILE}` in the project "
            f"folder._\n\nTask: {config.task}. Labels: {labels}.\n\n"
            "Say what each label means, where the boundaries are, and what to do when unsure (skip).\n")


def load_guidelines(project_dir: Path, config: ProjectConfig) -> Guidelines:
    path = Path(project_dir) / GUIDELINES_FILE
    exists = path.is_file()
    text = path.read_text(encoding="utf-8") if exists else starter_text(config)
    definitions = {lab: config.label_descriptions.get(lab, "") for lab in config.labels}
    return Guidelines(text=text, definitions=definitions, examples=load_examples(project_dir), exists=exists)


def save_guidelines(project_dir: Path, text: str) -> Path:
    """Write ``guidelines.md`` atomically."""
    path = Path(project_dir) / GUIDELINES_FILE
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def load_examples(project_dir: Path) -> list[Example]:
    path = Path(project_dir) / EXAMPLES_FILE
    if not path.is_file():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(Example(str(d["label"]), str(d["content"]), str(d.get("note", "")), d.get("value")))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InvalidLabelError(f"{path}:{n}: not a guideline example ({exc}); fix or delete the line") from exc
    return out


def add_example(project_dir: Path, config: ProjectConfig, example: Example) -> None:
    """Append a labeled example; its label must be one of the project's."""
    if config.labels and example.label not in config.labels:
        raise InvalidLabelError(f"example label {example.label!r} is not one of {config.labels}")
    with (Path(project_dir) / EXAMPLES_FILE).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(example), ensure_ascii=False) + "\n")


def save_definitions(project: Workspace, definitions: dict[str, str]) -> None:
    """Update per-label definitions in ``activelabel.toml`` (validated like the rest of the config)."""
    unknown = set(definitions) - set(project.config.labels)
    if unknown:
        raise InvalidLabelError(f"definitions for labels the project lacks: {sorted(unknown)}")
    cfg = project.config.model_copy(deep=True)
    cfg.label_descriptions = {**cfg.label_descriptions, **definitions}
    project.save_config(cfg)
