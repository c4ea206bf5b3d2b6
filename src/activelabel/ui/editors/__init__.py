"""One editor per task kind, registered under ``activelabel.editors``; the task spec names its own.

Each editor module offers the same three things:

- ``PLAIN_KEYS``: whether single-letter shortcuts are safe on its page (False when the editor has
  text inputs, where plain letters must type, not act);
- ``render(project, item, key, act)``: draw the item, the model's proposal and the widgets;
  ``act(action, value)`` submits at once (the classification buttons use it);
- ``value(project, item, key) -> Payload | None``: the value as edited so far (the correction).

and may set ``FAST_LANE`` to the media (``("text",)``, ``("image",)``) whose items the label page's
browser-side fast lane (``ui/fastlane.py``) draws instead of ``render`` (classification and NER of
texts, detection of images; the others are drawn by the server). Such an editor also offers ``fast_view(project, item) -> dict`` (what the browser needs
beyond the queued item) and ``fast_value(project, item_id, raw) -> Payload`` (the browser's answer
as a payload).
"""

from __future__ import annotations

from types import ModuleType

from activelabel.registry import registry
from activelabel.tasks import TaskSpec


def editor_for(spec: TaskSpec) -> ModuleType:
    return registry("editors").load(spec.editor)  # type: ignore[no-any-return]
