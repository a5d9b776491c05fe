"""Outcomes in the log: each event may carry its outcome's own date, and every stored partnership that the log
does not hold yet becomes an event (actor ``import``), so that the log holds every outcome.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import datetime as dt
from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("outcome_date", sa.Date, nullable=True))
    conn = op.get_bind()
    meta = sa.MetaData()
    partnerships = sa.Table("partnerships", meta, autoload_with=conn)
    events = sa.Table("events", meta, autoload_with=conn)
    logged = Counter(tuple(r) for r in conn.execute(sa.select(events.c.supplier_id, events.c.buyer_id, events.c.kind)
                                             .where(events.c.kind.in_(("accepted", "rejected", "deal")))))
    stamp = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    rows = []
    for supplier_id, buyer_id, outcome, profile in conn.execute(
            sa.select(partnerships.c.supplier_id, partnerships.c.buyer_id, partnerships.c.outcome,
                      partnerships.c.profile).order_by(partnerships.c.key)):
        if logged[supplier_id, buyer_id, outcome] > 0:  # recorded through the log already
            logged[supplier_id, buyer_id, outcome] -= 1
            continue
        date = (profile or {}).get("date")
        rows.append({"at": stamp, "kind": outcome, "buyer_id": buyer_id, "supplier_id": supplier_id,
                     "actor": "import", "value_thb": (profile or {}).get("value_thb"),
                     "outcome_date": dt.date.fromisoformat(date) if date else None})
    if rows:
        conn.execute(events.insert(), rows)


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("outcome_date")
