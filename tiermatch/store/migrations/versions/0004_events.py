"""The outcome log: every shortlist row shown and every action after it, appended, never overwritten.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("buyer_id", sa.String(200), nullable=False),
        sa.Column("supplier_id", sa.String(200), nullable=False),
        sa.Column("run_id", sa.Integer, nullable=True),
        sa.Column("rank", sa.Integer, nullable=True),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("model_version", sa.String(64), nullable=True),
        sa.Column("actor", sa.String(200), nullable=True),
        sa.Column("value_thb", sa.Float, nullable=True),
        sa.Column("supersedes", sa.Integer, nullable=True),
        sa.Column("note", sa.String(2000), nullable=True),
    )
    op.create_index("ix_events_kind", "events", ["kind"])
    op.create_index("ix_events_pair", "events", ["buyer_id", "supplier_id"])


def downgrade() -> None:
    op.drop_table("events")
