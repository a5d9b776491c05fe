"""Who may use the pages: the session secret and usernames mapped to API keys, kept in the store.

A page session holds the hash of the API key it was opened with (never the key itself: the session
cookie is signed, not encrypted). Every page checks that hash against the store, so revoking the
key ends its sessions. A username and password maps to one key; the password is kept as a salted
scrypt hash, slow to guess.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from ..errors import InvalidInputError
from ..store import Store
from .keys import create_key, hash_key

__all__ = ["add_web_user", "check_password", "find_session_key", "load_session_secret"]

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def load_session_secret(store: Store) -> str:
    """The secret that signs session cookies: made once, kept in the store, shared by every worker.

    Examples
    --------
    >>> store = Store("sqlite://")
    >>> load_session_secret(store) == load_session_secret(store)
    True
    """
    return store.web.secret("session_secret")


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
    InvalidInputError
        If the username is taken or empty, the password too short, or the role unknown.
    NotFoundError
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
        raise InvalidInputError("a username needs 1 to 100 characters", "username")
    if len(password) < 8:
        raise InvalidInputError(f"a password needs at least 8 characters, found {len(password)}", "password")
    if store.web.user(username) is not None:
        raise InvalidInputError(f"the username {username!r} is taken", "username")
    record = create_key(store, role, buyer_id, name=f"web user {username}")
    if not store.web.add_user(username, _hash_password(password, secrets.token_bytes(16)), hash_key(record["key"])):
        store.keys.revoke(record["key_id"])
        raise InvalidInputError(f"the username {username!r} is taken", "username")
    return {**record, "username": username}


def check_password(store: Store, username: str, password: str) -> str | None:
    """The key hash ``username`` signs in with, if ``password`` is right; else None."""
    row = store.web.user(username.strip())
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
    return None if not key_hash else store.keys.find(key_hash)
