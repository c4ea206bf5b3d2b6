"""One editor per task kind. Each module offers the same three things:

- ``PLAIN_KEYS``: whether single-letter shortcuts are safe on its page (False when the editor has
  text inputs, where plain letters must type, not act);
- ``render(project, item, key, act)``: draw the item, the model's proposal and the widgets;
  ``act(action, value)`` submits at once (the classification buttons use it);
- ``value(project, item, key) -> Payload | None``: the value as edited so far (the correction).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from activelabel.types import TaskKind

_EDITORS = {
    TaskKind.CLASSIFICATION: "classification",
    TaskKind.AUDIO_CLASSIFICATION: "classification",
    TaskKind.NER: "ner",
    TaskKind.DETECTION: "detection",
    TaskKind.TRANSCRIPTION: "transcription",
}


def editor_for(task: TaskKind) -> ModuleType:
    return importlib.import_module(f"activelabel.ui.editors.{_EDITORS[task]}")
