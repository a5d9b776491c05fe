"""Who may use the pages: the session secret and usernames mapped to API keys, kept in the store.

A page session holds the hash of the API key it was opened with (never the key itself: the session
cookie is signed, not encrypted). Every page checks that hash against the store, so revoking the
key ends its sessions. A username and password maps to one key; the password is kept as a salted
scrypt hash, slow to guess.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import Column, DateTime, MetaData, String, Table, select
from sqlalchemy.exc import IntegrityError

from ...store import Store
from ..auth import hash_key
from ..keys import create_key

__all__ = ["add_web_user", "check_password", "find_session_key", "load_session_secret"]

metadata = MetaData()

web_secrets_table = Table(
    "web_secrets", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
)
web_users_table = Table(
    "web_users", metadata,
    Column("username", String(100), primary_key=True),
    Column("password_hash", String(300), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def load_session_secret(store: Store) -> str:
    """The secret that signs session cookies: made once, kept in the store, shared by every worker.

    Examples
    --------
    >>> store = Store("sqlite://")
    >>> load_session_secret(store) == load_session_secret(store)
    True
    """
    metadata.create_all(store.engine)
    query = select(web_secrets_table.c.value).where(web_secrets_table.c.name == "session_secret")
    with store.engine.connect() as conn:
        value = conn.scalar(query)
    if value is not None:
        return value
    try:
        with store.engine.begin() as conn:
            conn.execute(web_secrets_table.insert(), [{"name": "session_secret", "value": secrets.token_urlsafe(32),
                                                       "created_at": _now()}])
    except IntegrityError:
        pass  # another worker made it first: use theirs
    with store.engine.connect() as conn:
        return conn.scalar(query)


def _hash_password(password: str, salt: bytes) -> str:
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def add_web_user(store: Store, username: str, password: str, role: str, buyer_id: str | None = None) -> dict:
    """Create an API key for ``role`` and a username and password that sign in with it.

    Parameters
    ----------
    store : Store
    username, password : str
        The password must have at least 8 characters.
    role : {"admin", "matchmaker", "buyer"}
    buyer_id : str, optional
        The buyer a ``buyer`` user acts for.

    Returns
    -------
    dict
        The new key's record (``key_id``, ``role``, ``buyer_id``, ``key``) and ``username``.

    Raises
    ------
    ValueError
        If the username is taken or empty, or the password too short.
    LookupError
        If ``role`` is ``buyer`` and ``buyer_id`` is not a stored buyer.

    Examples
    --------
    >>> store = Store("sqlite://")
    >>> add_web_user(store, "somchai", "correct horse", "matchmaker")["role"]
    'matchmaker'
    >>> check_password(store, "somchai", "correct horse") is not None
    True
    """
    username = username.strip()
    if not username or len(username) > 100:
        raise ValueError("a username needs 1 to 100 characters")
    if len(password) < 8:
        raise ValueError(f"a password needs at least 8 characters, found {len(password)}")
    metadata.create_all(store.engine)
    with store.engine.connect() as conn:
        if conn.scalar(select(web_users_table.c.username).where(web_users_table.c.username == username)):
            raise ValueError(f"the username {username!r} is taken")
    record = create_key(store, role, buyer_id, name=f"web user {username}")
    row = {"username": username, "password_hash": _hash_password(password, secrets.token_bytes(16)),
           "key_hash": hash_key(record["key"]), "created_at": _now()}
    try:
        with store.engine.begin() as conn:
            conn.execute(web_users_table.insert(), [row])
    except IntegrityError as exc:
        store.revoke_api_key(record["key_id"])
        raise ValueError(f"the username {username!r} is taken") from exc
    return {**record, "username": username}


def check_password(store: Store, username: str, password: str) -> str | None:
    """The key hash ``username`` signs in with, if ``password`` is right; else None."""
    metadata.create_all(store.engine)
    with store.engine.connect() as conn:
        row = conn.execute(select(web_users_table).where(web_users_table.c.username == username.strip())).mappings().first()
    if row is None:
        # Spend the same time as a real check, so a wrong name is not told apart from a wrong password.
        _hash_password(password, b"\0" * 16)
        return None
    _, salt, _ = row["password_hash"].split("$")
    if not hmac.compare_digest(_hash_password(password, bytes.fromhex(salt)), row["password_hash"]):
        return None
    return row["key_hash"]


def find_session_key(store: Store, key_hash: str | None) -> dict | None:
    """The unrevoked key a session was opened with, or None."""
    return None if not key_hash else store.find_api_key(key_hash)
