"""Audio segments: a recording cut into stretches (speaker turns, emotion or intent), one label each.

An answer is a list of ``(start_s, end_s, label)`` in time order, without overlaps; a segment past
the recording's length (``meta.duration`` from the import probe) or with ``end <= start`` is refused
with the item named. Two answers are the same when their segments match to the millisecond.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

from activelabel.quality.segment_agreement import SegmentAgreement, time_agreement
from activelabel.tasks.base import TaskSpec, Value, json_parts
from activelabel.types import Item, Payload, Segments


def check_segments(value: Payload, labels: Sequence[str], item: Item) -> Payload:
    duration = item.meta.get("duration")
    where = f"item {item.id or item.meta.get('original') or item.content}"
    return Segments.validate(value, labels, None if duration is None else float(duration),  # type: ignore[arg-type]
                             where=where)


def segments_canonical(value: Value | None) -> Hashable:
    """Segments rounded to milliseconds, in time order; confidences ignored."""
    if value is None:
        return None
    return tuple(sorted((round(float(s["start"]), 3), round(float(s["end"]), 3), str(s.get("label")))
                        for s in value.get("segments") or ()))


def segments_labels_in(value: Value) -> list[str]:
    return [str(s["label"]) for s in value.get("segments") or () if s.get("label") is not None]


def segments_summary(value: Value) -> str:
    labels = segments_labels_in(value)
    if not labels:
        return "(no segments)"
    counts = ", ".join(f"{lab} x{n}" if n > 1 else lab for lab, n in Counter(labels).most_common())
    return f"{len(labels)} segments: {counts}"


SPEC = TaskSpec(
    name="audio_segments", media="audio", description="labeled time segments of a recording (speaker turns)",
    payload_type=Segments, from_json=Segments.from_json, check=check_segments,
    canonical=segments_canonical, labels_in=segments_labels_in, gold_score=time_agreement,
    agreement=SegmentAgreement(), default_model="faster-whisper:tiny.en", default_adapter="whisper-segments",
    reader="audio_segments", package_writer="segments-rttm", editor="audio_segments",
    simulation_loader="activelabel.simulation.tasks.audio_segments:load", metric_name="time-weighted accuracy",
    min_labels=2, cli_value=json_parts("audio_segments", "segments", Segments.from_json),
    summary=segments_summary, package_human_only=True,
    example={"segments": [{"start": 0.0, "end": 0.5, "label": "george"}]},
    export_formats={"rttm": "segments-rttm-export", "labelstudio": "segments-labelstudio"},
)
