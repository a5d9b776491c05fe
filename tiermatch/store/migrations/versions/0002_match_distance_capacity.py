"""Results keep each pair's distance and the SME's capacity, so that a shortlist is read in one query.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("run_matches") as batch:
        batch.add_column(sa.Column("distance_km", sa.Float, nullable=True))
        batch.add_column(sa.Column("supplier_capacity_thb_per_month", sa.Float, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run_matches") as batch:
        batch.drop_column("supplier_capacity_thb_per_month")
        batch.drop_column("distance_km")
