"""The store's tables, as the newest migration leaves them (``migrations/versions``).

Changing a table here means adding a migration beside it: a store written by
an earlier version is brought up to date by Alembic when it is opened.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = [
    "api_keys_table",
    "embeddings_table",
    "events_table",
    "buyers_table",
    "metadata",
    "models_table",
    "partnerships_table",
    "run_matches_table",
    "run_unmatched_table",
    "runs_table",
    "suppliers_table",
    "text_spaces_table",
    "web_sessions_table",
    "web_users_table",
]

metadata = MetaData()

suppliers_table = Table(
    "suppliers", metadata,
    Column("supplier_id", String(200), primary_key=True),
    Column("sector", String(40), nullable=False, index=True),
    Column("province", String(80), nullable=False, index=True),
    Column("profile", JSON, nullable=False),
)
buyers_table = Table(
    "buyers", metadata,
    Column("buyer_id", String(200), primary_key=True),
    Column("sector", String(40), nullable=False, index=True),
    Column("province", String(80), nullable=False, index=True),
    Column("profile", JSON, nullable=False),
)
partnerships_table = Table(
    "partnerships", metadata,
    Column("key", String(500), primary_key=True),
    Column("supplier_id", String(200), nullable=False, index=True),
    Column("buyer_id", String(200), nullable=False, index=True),
    Column("outcome", String(20), nullable=False),
    Column("profile", JSON, nullable=False),
)
api_keys_table = Table(
    "api_keys", metadata,
    Column("key_id", String(40), primary_key=True),
    # sha256 of the key; keys are 256-bit random, so a fast hash cannot be brute-forced.
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("buyer_id", String(200), nullable=True),
    Column("name", String(200), nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
)
runs_table = Table(
    "runs", metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("status", String(20), nullable=False, index=True),  # queued, running, completed, failed
    Column("stage", String(40), nullable=False, default=""),
    Column("stage_done", Integer, nullable=False, default=0),
    Column("stage_total", Integer, nullable=False, default=0),
    Column("options", JSON, nullable=False),
    Column("summary", JSON, nullable=True),
    Column("error", Text, nullable=True),
    Column("worker", String(200), nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Column("started_at", DateTime, nullable=True),
    Column("finished_at", DateTime, nullable=True),
)
run_matches_table = Table(
    "run_matches", metadata,
    Column("run_id", Integer, primary_key=True),
    Column("kind", String(20), primary_key=True),  # shortlist, recommendation, assignment
    Column("buyer_id", String(200), primary_key=True),
    Column("supplier_id", String(200), primary_key=True),
    Column("rank", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("reasons", Text, nullable=False),
    Column("group_id", String(200), nullable=False, default=""),
    Column("reasons_th", Text, nullable=False, default="", server_default=""),
    Column("features", JSON, nullable=True),  # the pair's feature values by name
    Column("volume_thb_per_month", Float, nullable=True),  # a group member's share of the buyer's demand
    Column("slot", Integer, nullable=True),  # meeting slot on a matchmaking day's agenda, 1 first
    Column("buyer_demand_thb_per_month", Float, nullable=True),
    Column("supplier_name", Text, nullable=False),
    Column("supplier_sector", String(40), nullable=False),
    Column("supplier_province", String(80), nullable=False),
    Column("supplier_region", String(40), nullable=False),
    Column("supplier_certifications", Text, nullable=False),  # ";A;B;" so that ";A;" finds A exactly
    Column("buyer_name", Text, nullable=False),
    Column("buyer_type", String(20), nullable=False),
    Column("buyer_sector", String(40), nullable=False),
    Column("buyer_province", String(80), nullable=False),
    Column("distance_km", Float, nullable=True),  # the distance the run measured between the two
    Column("supplier_capacity_thb_per_month", Float, nullable=True),
    Index("ix_run_matches_supplier", "run_id", "kind", "supplier_id", "rank"),
)
run_unmatched_table = Table(
    "run_unmatched", metadata,
    Column("run_id", Integer, primary_key=True),
    Column("kind", String(20), primary_key=True),  # buyer, supplier
    Column("id", String(200), primary_key=True),
    Column("reason", Text, nullable=False),
)
models_table = Table(
    "models", metadata,
    Column("model_id", Integer, primary_key=True, autoincrement=True),
    Column("version", String(64), nullable=False, index=True),
    Column("adopted", Boolean, nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("report", JSON, nullable=False),
    Column("blob", LargeBinary, nullable=False),
    Column("trained_at", DateTime, nullable=False),
    Column("created_at", DateTime, nullable=False),
)
web_sessions_table = Table(
    "web_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),  # sha256 of the session id, which only the cookie holds
    Column("key_hash", String(64), nullable=False, index=True),
    Column("username", String(100), nullable=True, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)
web_users_table = Table(
    "web_users", metadata,
    Column("username", String(100), primary_key=True),
    Column("password_hash", String(300), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
)
embeddings_table = Table(
    "embeddings", metadata,
    Column("model", String(64), primary_key=True),  # the encoder's version
    Column("text_key", String(32), primary_key=True),  # a hash of the text (features.encoder.text_key)
    Column("vector", LargeBinary, nullable=False),  # int8 values and a float32 scale (features.encoder.quantize)
)
text_spaces_table = Table(
    "text_spaces", metadata,
    Column("run_id", Integer, primary_key=True),  # the run that fitted it; only the newest is kept
    Column("created_at", DateTime, nullable=False),
    Column("blob", LargeBinary, nullable=False),  # the fitted ProfileVectorizer, pickled without its encoder
)
events_table = Table(
    "events", metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("kind", String(30), nullable=False, index=True),  # services.outcomes.EVENT_KINDS
    Column("buyer_id", String(200), nullable=False),
    Column("supplier_id", String(200), nullable=False),
    Column("run_id", Integer, nullable=True),  # the run whose shortlist was shown or acted on
    Column("rank", Integer, nullable=True),
    Column("score", Float, nullable=True),
    Column("propensity", Float, nullable=True),  # a shown row's chance to be on the first page (exploration)
    Column("model_version", String(64), nullable=True),  # what scored it: "prior" or a model version
    Column("actor", String(200), nullable=True),  # who saw it or acted: a key's role and id, a user
    Column("value_thb", Float, nullable=True),
    Column("outcome_date", Date, nullable=True),  # an outcome's own date (a partnership's ``date``), where known
    Column("supersedes", Integer, nullable=True),  # a correction names the event it replaces; nothing is overwritten
    Column("note", String(2000), nullable=True),
    Index("ix_events_pair", "buyer_id", "supplier_id"),
)
