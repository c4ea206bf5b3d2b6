"""Indexes on items.is_gold and items.required_answers, which every claim filters on.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_items_is_gold", "items", ["is_gold"])
    op.create_index("ix_items_required_answers", "items", ["required_answers"])


def downgrade() -> None:
    op.drop_index("ix_items_required_answers", table_name="items")
    op.drop_index("ix_items_is_gold", table_name="items")
