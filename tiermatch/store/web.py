"""What the pages keep: usernames mapped to API keys, and the sessions opened with them.

A session is stored by the hash of its id: the id itself lives only in the browser's cookie, so a copy of
the store opens no session. Ending a session deletes its row; so do a password change and a deleted user.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from .engine import now
from .schema import web_sessions_table, web_users_table

__all__ = ["WebRepository"]


def _id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class WebRepository:
    """Web users and their sessions."""

    def __init__(self, engine: Engine):
        self.engine = engine

    # -- users -------------------------------------------------------------------------------------

    def user(self, username: str) -> dict | None:
        """A web user's record (password hash, key hash), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(web_users_table).where(web_users_table.c.username == username)).mappings().first()
        return None if row is None else dict(row)

    def users(self) -> list[dict]:
        """Every web user (username, key hash, created_at), by name."""
        t = web_users_table
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.c.username, t.c.key_hash, t.c.created_at).order_by(t.c.username)).mappings()
            return [dict(r) for r in rows]

    def add_user(self, username: str, password_hash: str, key_hash: str) -> bool:
        """Store a new user; False where the name is taken."""
        row = {"username": username, "password_hash": password_hash, "key_hash": key_hash, "created_at": now()}
        try:
            with self.engine.begin() as conn:
                conn.execute(web_users_table.insert(), [row])
        except IntegrityError:
            return False
        return True

    def set_password(self, username: str, password_hash: str) -> bool:
        """Replace a user's password and end every session of theirs; False where there is no such user."""
        with self.engine.begin() as conn:
            changed = conn.execute(update(web_users_table).where(web_users_table.c.username == username)
                                   .values(password_hash=password_hash)).rowcount
            conn.execute(delete(web_sessions_table).where(web_sessions_table.c.username == username))
        return changed > 0

    def delete_user(self, username: str) -> dict | None:
        """Delete a user and end their sessions; the deleted record, or None where there was none."""
        with self.engine.begin() as conn:
            row = conn.execute(select(web_users_table).where(web_users_table.c.username == username)).mappings().first()
            if row is None:
                return None
            conn.execute(delete(web_users_table).where(web_users_table.c.username == username))
            conn.execute(delete(web_sessions_table).where(web_sessions_table.c.username == username))
        return dict(row)

    # -- sessions ----------------------------------------------------------------------------------

    def open_session(self, key_hash: str, username: str | None, seconds: int) -> str:
        """A new session's id (for the cookie only: the store keeps its hash), valid for ``seconds``."""
        session_id = secrets.token_urlsafe(32)
        opened = now()
        with self.engine.begin() as conn:
            conn.execute(delete(web_sessions_table).where(web_sessions_table.c.expires_at < opened))
            conn.execute(web_sessions_table.insert(), [{
                "id_hash": _id_hash(session_id), "key_hash": key_hash, "username": username, "created_at": opened,
                "expires_at": opened + dt.timedelta(seconds=seconds)}])
        return session_id

    def session_key(self, session_id: str) -> str | None:
        """The key hash of a live session, or None where it ended or expired."""
        t = web_sessions_table
        with self.engine.connect() as conn:
            return conn.scalar(select(t.c.key_hash).where(t.c.id_hash == _id_hash(session_id), t.c.expires_at > now()))

    def end_session(self, session_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(web_sessions_table).where(web_sessions_table.c.id_hash == _id_hash(session_id)))
