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


def test_partnerships_stored_before_the_outcome_log_enter_it(database_url_or_engine):
    from tiermatch.features.profiles import Partnership
    from tiermatch.services import outcomes_from_log
    from tiermatch.store.engine import migrate

    engine = database_url_or_engine if isinstance(database_url_or_engine, sa.Engine) else \
        sa.create_engine(database_url_or_engine)
    migrate(engine, "0004")
    stored = [Partnership(supplier_id="S1", buyer_id="B1", outcome="accepted", date="2025-01-15", value_thb=9),
              Partnership(supplier_id="S2", buyer_id="B1", outcome="rejected")]
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO partnerships (key, supplier_id, buyer_id, outcome, profile) "
                             "VALUES (:k, :s, :b, :o, :p)"),
                     [{"k": f"{p.supplier_id}-{p.outcome}", "s": p.supplier_id, "b": p.buyer_id, "o": p.outcome,
                       "p": p.model_dump_json()} for p in stored])
    store = Store(engine)
    assert sorted(outcomes_from_log(store), key=lambda p: p.supplier_id) == stored
    assert {e["actor"] for e in store.events.all()} == {"import"}
    Store(engine)  # opening it again logs nothing twice
    assert len(store.events.all()) == 2
