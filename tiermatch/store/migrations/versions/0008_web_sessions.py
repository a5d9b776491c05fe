"""Page sessions kept server-side (only hashes of their ids), so that signing out, a password change or a
deleted user ends them; the cookies' signing secret leaves the store (settings or a private file).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False, index=True),
        sa.Column("username", sa.String(100), nullable=True, index=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    # A secret that anyone who can read the store could sign cookies with: gone; every session signed with it
    # ends (its holders sign in again).
    op.drop_table("web_secrets")


def downgrade() -> None:
    op.create_table(
        "web_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.drop_table("web_sessions")
