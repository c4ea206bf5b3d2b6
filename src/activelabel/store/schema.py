"""The relational schema, portable between SQLite and PostgreSQL (no dialect-only types).

Append-only where it matters: annotations are never updated in place except to mark them revoked,
so the history of every label is kept; predictions name the model version that made them.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

items = Table(
    "items",
    metadata,
    Column("id", String(40), primary_key=True),  # content hash
    Column("seq", Integer, nullable=False, unique=True),  # import order, for stable paging
    Column("media", String(16), nullable=False),
    Column("content", Text, nullable=False),
    Column("meta", JSON, nullable=False, default=dict),
    Column("source", Text, nullable=False, default=""),
    Column("is_gold", Boolean, nullable=False, default=False),
    Column("gold_value", JSON, nullable=True),
    Column("required_answers", Integer, nullable=False, default=1),  # > 1: overlap item for agreement
    Column("created_at", Float, nullable=False),
)

Index("ix_items_is_gold", items.c.is_gold)
Index("ix_items_required_answers", items.c.required_answers)

model_versions = Table(
    "model_versions",
    metadata,
    Column("id", String(32), primary_key=True),  # v0001, v0002, ...
    Column("created_at", Float, nullable=False),
    Column("finished_at", Float, nullable=True),
    Column("status", String(16), nullable=False),  # training | ready | failed | promoted | retired
    Column("path", Text, nullable=False, default=""),
    Column("base_version", String(32), nullable=True),
    Column("trained_on_annotation_id", Integer, nullable=False, default=0),
    Column("n_train", Integer, nullable=False, default=0),
    Column("n_validation", Integer, nullable=False, default=0),
    Column("metrics", JSON, nullable=False, default=dict),
    Column("progress", Float, nullable=False, default=0.0),
    Column("message", Text, nullable=False, default=""),
)

project_state = Table(
    "project_state",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

predictions = Table(
    "predictions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", String(40), ForeignKey("items.id"), nullable=False),
    Column("model_version", String(32), ForeignKey("model_versions.id"), nullable=False),
    Column("value", JSON, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("score", Float, nullable=False),
    Column("parts", JSON, nullable=False, default=list),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("item_id", "model_version", name="uq_prediction_item_version"),
)
Index("ix_predictions_version_score", predictions.c.model_version, predictions.c.score)

rounds = Table(
    "rounds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("model_version", String(32), nullable=True),  # null: cold start
    Column("strategy", String(200), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("n_scored", Integer, nullable=False, default=0),
    Column("n_auto", Integer, nullable=False, default=0),
    Column("n_audit", Integer, nullable=False, default=0),
    Column("n_queued", Integer, nullable=False, default=0),
    Column("budget", Integer, nullable=False, default=0),
    Column("stats", JSON, nullable=False, default=dict),
)

queue_entries = Table(
    "queue_entries",
    metadata,
    Column("round_id", Integer, ForeignKey("rounds.id"), primary_key=True),
    Column("item_id", String(40), ForeignKey("items.id"), primary_key=True),
    Column("rank", Integer, nullable=False),
    Column("reason", String(32), nullable=False),  # uncertain | audit | cold_start | gold | beyond_budget
    Column("score", Float, nullable=False),
    Column("pool_rank", Integer, nullable=False),
)
Index("ix_queue_round_rank", queue_entries.c.round_id, queue_entries.c.rank)

answers_table = Table(
    "annotations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", String(40), ForeignKey("items.id"), nullable=False),
    Column("annotator", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("value", JSON, nullable=True),
    Column("submission_id", String(64), nullable=False, unique=True),
    Column("model_version", String(32), nullable=True),  # the proposal's version, if any
    Column("confidence", Float, nullable=True),
    Column("round_id", Integer, nullable=True),
    Column("reason", String(32), nullable=True),  # why the item was shown (audit, uncertain, ...)
    Column("duration_s", Float, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float, nullable=True),
    Column("revoked_by", String(200), nullable=True),
)
Index("ix_annotations_item", answers_table.c.item_id, answers_table.c.id)
Index("ix_annotations_status", answers_table.c.status)

leases = Table(
    "leases",
    metadata,
    Column("item_id", String(40), ForeignKey("items.id"), primary_key=True),
    Column("annotator", String(200), nullable=False),
    Column("expires_at", Float, nullable=False),
)
Index("ix_leases_annotator", leases.c.annotator)

users = Table(
    "users",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),  # annotator | reviewer | admin
    Column("created_at", Float, nullable=False),
)
