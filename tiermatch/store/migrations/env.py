"""Alembic's environment for the store: migrations run on the connection the store hands over.

Run by :func:`tiermatch.store.engine.migrate` whenever a store is opened; no
``alembic.ini`` is needed. ``alembic revision`` can still be used by
developers with ``-x url=...`` and this folder as the script location.
"""

from alembic import context
from sqlalchemy import create_engine

from tiermatch.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the command line, for writing new migrations
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///tiermatch.sqlite")
    connection = create_engine(url).connect()
# SQLite cannot alter a column in place: batch mode copies the table where it must.
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
