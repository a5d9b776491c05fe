"""API keys: made, listed and revoked, for the CLI, the service and the pages alike.

A key is ``secrets.token_urlsafe(32)``: 256 random bits. The store keeps only
its sha256. A slow password hash (bcrypt, argon2) protects low-entropy
passwords against guessing; a 256-bit random key cannot be guessed whatever
the hash, so sha256 is enough, needs no salt, and lets a request's key be
found by an indexed lookup of its hash.
"""

from __future__ import annotations

import hashlib
import secrets

from ..errors import ConflictError, InvalidInputError, NotFoundError
from ..store import Store

__all__ = ["ADMIN", "BUYER", "MATCHMAKER", "ROLES", "create_key", "generate_key", "hash_key", "revoke_key"]

ADMIN, MATCHMAKER, BUYER = "admin", "matchmaker", "buyer"
ROLES = (ADMIN, MATCHMAKER, BUYER)


def hash_key(key: str) -> str:
    """The sha256 hex digest under which a key is stored.

    Examples
    --------
    >>> len(hash_key("abc"))
    64
    """
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def generate_key() -> tuple[str, str, str]:
    """A new key: ``(key_id, key, key_hash)``. Show ``key`` once; store ``key_hash``.

    Examples
    --------
    >>> key_id, key, key_hash = generate_key()
    >>> hash_key(key) == key_hash and len(key) >= 43
    True
    """
    key = secrets.token_urlsafe(32)
    return secrets.token_hex(6), key, hash_key(key)


def create_key(store: Store, role: str, buyer_id: str | None = None, name: str = "") -> dict:
    """Create and store a key; returns its record with the key itself, to show once.

    Raises
    ------
    InvalidInputError
        For an unknown role, or a buyer id given with another role than ``buyer`` (or missing with it).
    NotFoundError
        If ``role`` is ``buyer`` and ``buyer_id`` is not a stored buyer.
    """
    if role not in ROLES:
        raise InvalidInputError(f"role must be admin, matchmaker or buyer, not {role!r}", "role")
    if (role == BUYER) != (buyer_id is not None):
        raise InvalidInputError("buyer_id is required for role 'buyer' and not allowed for other roles", "buyer_id")
    if role == BUYER and not store.profiles.exists("buyers", buyer_id):
        raise NotFoundError("buyer", buyer_id, "buyer_id")
    key_id, key, key_hash = generate_key()
    return {**store.keys.add(key_id, key_hash, role, buyer_id, name), "key": key}


def revoke_key(store: Store, key_id: str) -> None:
    """Revoke a key: it stops working at once.

    Raises
    ------
    NotFoundError
        If no unrevoked key has this id.
    ConflictError
        If it is the last unrevoked admin key: nobody could manage keys after it.
    """
    active = [k for k in store.keys.all() if k["revoked_at"] is None]
    admins = [k["key_id"] for k in active if k["role"] == ADMIN]
    if admins == [key_id]:
        raise ConflictError("this is the last admin key: create another admin key before revoking it", "key_id")
    if not store.keys.revoke(key_id):
        raise NotFoundError("active key", key_id, "key_id")
