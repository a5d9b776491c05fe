"""The store as tiermatch 0.1 kept it: profiles, history, keys, runs and their results, models, web users.

A store made before migrations existed (its tables created directly) is
brought to this point too: tables it lacks are created, and result columns
that earlier versions added one by one are added where missing.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _tables() -> dict[str, list]:
    return {
        "suppliers": [
            sa.Column("supplier_id", sa.String(200), primary_key=True),
            sa.Column("sector", sa.String(40), nullable=False, index=True),
            sa.Column("province", sa.String(80), nullable=False, index=True),
            sa.Column("profile", sa.JSON, nullable=False),
        ],
        "buyers": [
            sa.Column("buyer_id", sa.String(200), primary_key=True),
            sa.Column("sector", sa.String(40), nullable=False, index=True),
            sa.Column("province", sa.String(80), nullable=False, index=True),
            sa.Column("profile", sa.JSON, nullable=False),
        ],
        "partnerships": [
            sa.Column("key", sa.String(500), primary_key=True),
            sa.Column("supplier_id", sa.String(200), nullable=False, index=True),
            sa.Column("buyer_id", sa.String(200), nullable=False, index=True),
            sa.Column("outcome", sa.String(20), nullable=False),
            sa.Column("profile", sa.JSON, nullable=False),
        ],
        "api_keys": [
            sa.Column("key_id", sa.String(40), primary_key=True),
            sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
            sa.Column("role", sa.String(20), nullable=False),
            sa.Column("buyer_id", sa.String(200), nullable=True),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("created_at", sa.DateTime, nullable=False),
            sa.Column("revoked_at", sa.DateTime, nullable=True),
        ],
        "runs": [
            sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("status", sa.String(20), nullable=False, index=True),
            sa.Column("stage", sa.String(40), nullable=False),
            sa.Column("stage_done", sa.Integer, nullable=False),
            sa.Column("stage_total", sa.Integer, nullable=False),
            sa.Column("options", sa.JSON, nullable=False),
            sa.Column("summary", sa.JSON, nullable=True),
            sa.Column("error", sa.Text, nullable=True),
            sa.Column("worker", sa.String(200), nullable=False),
            sa.Column("created_at", sa.DateTime, nullable=False),
            sa.Column("started_at", sa.DateTime, nullable=True),
            sa.Column("finished_at", sa.DateTime, nullable=True),
        ],
        "run_matches": [
            sa.Column("run_id", sa.Integer, primary_key=True),
            sa.Column("kind", sa.String(20), primary_key=True),
            sa.Column("buyer_id", sa.String(200), primary_key=True),
            sa.Column("supplier_id", sa.String(200), primary_key=True),
            sa.Column("rank", sa.Integer, nullable=False),
            sa.Column("score", sa.Float, nullable=False),
            sa.Column("reasons", sa.Text, nullable=False),
            sa.Column("group_id", sa.String(200), nullable=False, server_default=""),
            sa.Column("reasons_th", sa.Text, nullable=False, server_default=""),
            sa.Column("features", sa.JSON, nullable=True),
            sa.Column("volume_thb_per_month", sa.Float, nullable=True),
            sa.Column("slot", sa.Integer, nullable=True),
            sa.Column("buyer_demand_thb_per_month", sa.Float, nullable=True),
            sa.Column("supplier_name", sa.Text, nullable=False, server_default=""),
            sa.Column("supplier_sector", sa.String(40), nullable=False, server_default=""),
            sa.Column("supplier_province", sa.String(80), nullable=False, server_default=""),
            sa.Column("supplier_region", sa.String(40), nullable=False, server_default=""),
            sa.Column("supplier_certifications", sa.Text, nullable=False, server_default=""),
            sa.Column("buyer_name", sa.Text, nullable=False, server_default=""),
            sa.Column("buyer_type", sa.String(20), nullable=False, server_default=""),
            sa.Column("buyer_sector", sa.String(40), nullable=False, server_default=""),
            sa.Column("buyer_province", sa.String(80), nullable=False, server_default=""),
            sa.Index("ix_run_matches_supplier", "run_id", "kind", "supplier_id", "rank"),
        ],
        "run_unmatched": [
            sa.Column("run_id", sa.Integer, primary_key=True),
            sa.Column("kind", sa.String(20), primary_key=True),
            sa.Column("id", sa.String(200), primary_key=True),
            sa.Column("reason", sa.Text, nullable=False),
        ],
        "models": [
            sa.Column("model_id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("version", sa.String(64), nullable=False, index=True),
            sa.Column("adopted", sa.Boolean, nullable=False),
            sa.Column("metrics", sa.JSON, nullable=False),
            sa.Column("report", sa.JSON, nullable=False),
            sa.Column("blob", sa.LargeBinary, nullable=False),
            sa.Column("trained_at", sa.DateTime, nullable=False),
            sa.Column("created_at", sa.DateTime, nullable=False),
        ],
        "web_secrets": [
            sa.Column("name", sa.String(64), primary_key=True),
            sa.Column("value", sa.String(200), nullable=False),
            sa.Column("created_at", sa.DateTime, nullable=False),
        ],
        "web_users": [
            sa.Column("username", sa.String(100), primary_key=True),
            sa.Column("password_hash", sa.String(300), nullable=False),
            sa.Column("key_hash", sa.String(64), nullable=False),
            sa.Column("created_at", sa.DateTime, nullable=False),
        ],
    }


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for name, items in _tables().items():
        if not inspector.has_table(name):
            op.create_table(name, *items)
            continue
        # A store from before migrations: add what its version did not have yet.
        present = {column["name"] for column in inspector.get_columns(name)}
        missing = [item for item in items if isinstance(item, sa.Column) and item.name not in present]
        if missing:
            with op.batch_alter_table(name) as batch:
                for column in missing:
                    batch.add_column(column)


def downgrade() -> None:
    for name in reversed(list(_tables())):
        op.drop_table(name)
