"""Initial schema: items, predictions, annotations, leases, model versions, rounds, queue, users.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "items",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False, unique=True),
        sa.Column("media", sa.String(16), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("is_gold", sa.Boolean, nullable=False),
        sa.Column("gold_value", sa.JSON, nullable=True),
        sa.Column("required_answers", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "model_versions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("finished_at", sa.Float, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("base_version", sa.String(32), nullable=True),
        sa.Column("trained_on_annotation_id", sa.Integer, nullable=False),
        sa.Column("n_train", sa.Integer, nullable=False),
        sa.Column("n_validation", sa.Integer, nullable=False),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("progress", sa.Float, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.create_table(
        "project_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "predictions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.String(40), sa.ForeignKey("items.id"), nullable=False),
        sa.Column("model_version", sa.String(32), sa.ForeignKey("model_versions.id"), nullable=False),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("parts", sa.JSON, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.UniqueConstraint("item_id", "model_version", name="uq_prediction_item_version"),
    )
    op.create_index("ix_predictions_version_score", "predictions", ["model_version", "score"])
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("model_version", sa.String(32), nullable=True),
        sa.Column("strategy", sa.String(200), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("n_scored", sa.Integer, nullable=False),
        sa.Column("n_auto", sa.Integer, nullable=False),
        sa.Column("n_audit", sa.Integer, nullable=False),
        sa.Column("n_queued", sa.Integer, nullable=False),
        sa.Column("budget", sa.Integer, nullable=False),
        sa.Column("stats", sa.JSON, nullable=False),
    )
    op.create_table(
        "queue_entries",
        sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), primary_key=True),
        sa.Column("item_id", sa.String(40), sa.ForeignKey("items.id"), primary_key=True),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("pool_rank", sa.Integer, nullable=False),
    )
    op.create_index("ix_queue_round_rank", "queue_entries", ["round_id", "rank"])
    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.String(40), sa.ForeignKey("items.id"), nullable=False),
        sa.Column("annotator", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("value", sa.JSON, nullable=True),
        sa.Column("submission_id", sa.String(64), nullable=False, unique=True),
        sa.Column("model_version", sa.String(32), nullable=True),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("round_id", sa.Integer, nullable=True),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("duration_s", sa.Float, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("revoked_at", sa.Float, nullable=True),
        sa.Column("revoked_by", sa.String(200), nullable=True),
    )
    op.create_index("ix_annotations_item", "annotations", ["item_id", "id"])
    op.create_index("ix_annotations_status", "annotations", ["status"])
    op.create_table(
        "leases",
        sa.Column("item_id", sa.String(40), sa.ForeignKey("items.id"), primary_key=True),
        sa.Column("annotator", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_leases_annotator", "leases", ["annotator"])
    op.create_table(
        "users",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in ("users", "leases", "annotations", "queue_entries", "rounds", "predictions",
                  "project_state", "model_versions", "items"):
        op.drop_table(table)
