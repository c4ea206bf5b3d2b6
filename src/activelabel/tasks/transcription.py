"""Transcription: the words spoken in an audio clip; no label set."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from activelabel.quality import metrics as m
from activelabel.quality.agreement_metrics import TranscriptAgreement
from activelabel.tasks.base import TaskSpec, Value
from activelabel.types import Item, Payload, Transcript


def check_transcript(value: Payload, labels: Sequence[str], item: Item) -> Payload:
    return value


def transcript_canonical(value: Value | None) -> Hashable:
    return " ".join(str((value or {}).get("text", "")).lower().split())


def transcript_labels_in(value: Value) -> list[str]:
    return ["(transcript)"]


def transcript_summary(value: Value) -> str:
    text = " ".join(str(value.get("text", "")).split())
    return text if len(text) <= 60 else text[:59] + "…"


def transcript_gold_score(answer: Value, gold: Value) -> float:
    if transcript_canonical(answer) == transcript_canonical(gold):
        return 1.0
    wer = m.word_error_rate([str(gold.get("text", ""))], [str(answer.get("text", ""))])
    return max(0.0, 1.0 - wer) if wer is not None else 0.0


SPEC = TaskSpec(
    name="transcription", media="audio", description="the words spoken in an audio clip",
    payload_type=Transcript, from_json=Transcript.from_json, check=check_transcript,
    canonical=transcript_canonical, labels_in=transcript_labels_in, gold_score=transcript_gold_score,
    agreement=TranscriptAgreement(), default_model="faster-whisper:tiny.en", default_adapter="whisper",
    reader="transcription", package_writer="transcripts-jsonl", editor="transcription",
    simulation_loader="activelabel.simulation.tasks.transcription:load", metric_name="exact match",
    min_labels=0, cli_value=Transcript, summary=transcript_summary,
    example={"text": "seven"},
    export_formats={"labelstudio": "transcription-labelstudio"},
)
