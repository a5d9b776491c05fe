"""What the pages keep: the session-signing secret and usernames mapped to API keys."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from .engine import now
from .schema import web_secrets_table, web_users_table

__all__ = ["WebRepository"]


class WebRepository:
    """Web users and the pages' secrets."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def secret(self, name: str) -> str:
        """The secret called ``name``: made once, then the same for every worker and restart."""
        query = select(web_secrets_table.c.value).where(web_secrets_table.c.name == name)
        with self.engine.connect() as conn:
            value = conn.scalar(query)
        if value is not None:
            return value
        try:
            with self.engine.begin() as conn:
                conn.execute(web_secrets_table.insert(),
                             [{"name": name, "value": secrets.token_urlsafe(32), "created_at": now()}])
        except IntegrityError:
            pass  # another worker made it first: use theirs
        with self.engine.connect() as conn:
            return conn.scalar(query)

    def user(self, username: str) -> dict | None:
        """A web user's record (password hash, key hash), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(web_users_table).where(web_users_table.c.username == username)).mappings().first()
        return None if row is None else dict(row)

    def add_user(self, username: str, password_hash: str, key_hash: str) -> bool:
        """Store a new user; False where the name is taken."""
        row = {"username": username, "password_hash": password_hash, "key_hash": key_hash, "created_at": now()}
        try:
            with self.engine.begin() as conn:
                conn.execute(web_users_table.insert(), [row])
        except IntegrityError:
            return False
        return True
