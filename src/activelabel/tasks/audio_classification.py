"""Audio classification: one label per clip (a head on Whisper's encoder embeddings)."""

from __future__ import annotations

from activelabel.quality.agreement_metrics import ClassAgreement
from activelabel.tasks.base import TaskSpec
from activelabel.tasks.classification import check_class, class_canonical, class_gold_score, class_labels_in
from activelabel.types import ClassLabel

SPEC = TaskSpec(
    name="audio_classification", media="audio", description="one label per audio clip",
    payload_type=ClassLabel, from_json=ClassLabel.from_json, check=check_class,
    canonical=class_canonical, labels_in=class_labels_in, gold_score=class_gold_score,
    agreement=ClassAgreement(), default_model="faster-whisper:tiny.en",
    default_adapter="whisper-embedding-classifier", reader="audio_classification",
    package_writer="classes-csv", editor="classification",
    simulation_loader="activelabel.simulation.tasks.audio_classification:load", metric_name="accuracy",
    min_labels=2, single_label=True, cli_value=ClassLabel,
    example={"label": "yes"},
)
