"""A store written by an earlier version opens: Alembic brings its tables up to date and keeps its data."""

from __future__ import annotations

import sqlalchemy as sa

from tiermatch.store import Store
from tiermatch.store.engine import head_revision


def _old_store(engine) -> None:
    """Tables as tiermatch made them before migrations: no ``alembic_version``, results without the later
    columns (reasons in Thai, features, slots, distances), one supplier and one result row stored."""
    old = sa.MetaData()
    sa.Table("suppliers", old, sa.Column("supplier_id", sa.String(200), primary_key=True),
             sa.Column("sector", sa.String(40), nullable=False), sa.Column("province", sa.String(80), nullable=False),
             sa.Column("profile", sa.JSON, nullable=False))
    sa.Table("run_matches", old, sa.Column("run_id", sa.Integer, primary_key=True),
             sa.Column("kind", sa.String(20), primary_key=True), sa.Column("buyer_id", sa.String(200), primary_key=True),
             sa.Column("supplier_id", sa.String(200), primary_key=True), sa.Column("rank", sa.Integer, nullable=False),
             sa.Column("score", sa.Float, nullable=False), sa.Column("reasons", sa.Text, nullable=False),
             sa.Column("group_id", sa.String(200), nullable=False))
    old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(old.tables["suppliers"].insert(), [{
            "supplier_id": "S1", "sector": "automotive", "province": "Rayong",
            "profile": {"supplier_id": "S1", "name": "A", "sector": "automotive", "products": "bolts",
                        "province": "Rayong"}}])
        conn.execute(old.tables["run_matches"].insert(), [{
            "run_id": 1, "kind": "shortlist", "buyer_id": "B1", "supplier_id": "S1", "rank": 1, "score": 0.5,
            "reasons": "makes bolts", "group_id": ""}])


def test_a_store_from_before_migrations_is_brought_up_to_date(database_url_or_engine):
    engine = database_url_or_engine if isinstance(database_url_or_engine, sa.Engine) else \
        sa.create_engine(database_url_or_engine)
    _old_store(engine)
    store = Store(engine)
    columns = {c["name"] for c in sa.inspect(engine).get_columns("run_matches")}
    assert {"reasons_th", "features", "slot", "distance_km", "supplier_capacity_thb_per_month",
            "supplier_name"} <= columns
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == head_revision()
    # The old rows are kept, readable through the repositories, and new rows can be written beside them.
    assert store.profiles.get("suppliers", "S1").products == "bolts"
    assert store.runs.matches(1, "shortlist")[1][0]["reasons_th"] == ""
    assert {"buyers", "api_keys", "runs", "models", "web_users"} <= set(sa.inspect(engine).get_table_names())
    Store(engine)  # opening it again changes nothing
    assert store.counts()["suppliers"] == 1


def test_a_new_store_is_at_the_newest_revision(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'new.sqlite'}")
    with store.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == head_revision()
