"""Who may use the pages: usernames mapped to API keys, the sessions opened with them, and the cookies' secret.

A page session is a row in the store, found by the hash of an id that only the browser's cookie holds; it
ends on signing out, on a password change, when its user is deleted or its key revoked, and after
:data:`SESSION_SECONDS`. The cookie is signed with a secret kept outside the store (a setting, or a private
file), so a copy of the store opens no session. A username and password maps to one key; the password is
kept as a salted scrypt hash, slow to guess, and failed sign-ins are throttled (:class:`SignInThrottle`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

from ..errors import InvalidInputError, NotFoundError
from ..settings import Settings
from ..store import Store
from .keys import create_key, hash_key
from .rates import RateLimit

__all__ = ["SESSION_SECONDS", "SignInThrottle", "add_web_user", "change_password", "check_password",
           "delete_web_user", "end_session", "find_session_key", "list_web_users", "open_session",
           "session_principal", "session_secret"]

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
SESSION_SECONDS = 12 * 3600
MIN_PASSWORD = 8


def session_secret(settings: Settings) -> str:
    """The secret that signs the pages' cookies: ``settings.session_secret``, else the file
    ``settings.secret_file``, made once (readable by its owner only) and shared by every worker and restart.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "secret"
    >>> settings = Settings(secret_file=path)
    >>> session_secret(settings) == session_secret(settings), oct(path.stat().st_mode & 0o777)
    (True, '0o600')
    """
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value()
    path = Path(settings.secret_file).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made before, or by another worker just now
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(32))
    for _ in range(50):  # another worker may be writing it this moment
        secret = path.read_text().strip()
        if secret:
            return secret
        time.sleep(0.01)
    raise InvalidInputError(f"the session secret file {path} is empty; delete it to make a new one", "secret_file")


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
    _check_password_length(password)
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


def _check_password_length(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(f"a password needs at least {MIN_PASSWORD} characters, found {len(password)}",
                                "password")


def change_password(store: Store, username: str, password: str) -> None:
    """Give ``username`` a new password; every session they had open ends.

    Raises
    ------
    InvalidInputError
        If the password is too short.
    NotFoundError
        If there is no such user.
    """
    _check_password_length(password)
    if not store.web.set_password(username, _hash_password(password, secrets.token_bytes(16))):
        raise NotFoundError("web user", username, "username")


def delete_web_user(store: Store, username: str) -> None:
    """Delete ``username``: its key is revoked and its sessions end.

    Raises
    ------
    NotFoundError
        If there is no such user.
    """
    row = store.web.delete_user(username)
    if row is None:
        raise NotFoundError("web user", username, "username")
    key = store.keys.find(row["key_hash"])
    if key is not None:
        store.keys.revoke(key["key_id"])


def list_web_users(store: Store) -> list[dict]:
    """Every web user: ``username``, ``role``, ``buyer_id`` (None where the key was revoked), ``created_at``."""
    users = []
    for row in store.web.users():
        key = store.keys.find(row["key_hash"]) or {}
        users.append({"username": row["username"], "role": key.get("role"), "buyer_id": key.get("buyer_id"),
                      "created_at": row["created_at"]})
    return users


def find_session_key(store: Store, key_hash: str | None) -> dict | None:
    """The unrevoked key with this hash, or None."""
    return None if not key_hash else store.keys.find(key_hash)


def open_session(store: Store, key_hash: str, username: str | None = None) -> str:
    """A new page session for the key ``key_hash`` (signed in as ``username``, if so); its id, for the cookie."""
    return store.web.open_session(key_hash, username, SESSION_SECONDS)


def session_principal(store: Store, session_id: str | None) -> dict | None:
    """The unrevoked key of a live session, or None where the session ended, expired or its key was revoked."""
    return None if not session_id else find_session_key(store, store.web.session_key(session_id))


def end_session(store: Store, session_id: str | None) -> None:
    """End a session (signing out); nothing where there is none."""
    if session_id:
        store.web.end_session(session_id)


class SignInThrottle:
    """Failed sign-ins counted per account and per address over ``window`` seconds; past the limit, further
    tries are refused (without holding a thread) until the oldest failure leaves the window.

    Examples
    --------
    >>> clock = iter(range(100)).__next__
    >>> throttle = SignInThrottle(per_account=2, per_address=10, window=60, clock=clock)
    >>> throttle.failed("somchai", "10.0.0.1"); throttle.failed("somchai", "10.0.0.1")
    >>> throttle.wait("somchai", "10.0.0.1") > 0, throttle.wait("malee", "10.0.0.1")
    (True, 0)
    """

    def __init__(self, per_account: int = 5, per_address: int = 30, window: float = 900, clock=time.monotonic):
        self.limits = {"account": per_account, "address": per_address}
        self.failures = RateLimit(window, clock)

    def _keys(self, account: str | None, address: str | None):
        if account:
            yield "account", account.strip().casefold()
        if address:
            yield "address", address

    def wait(self, account: str | None, address: str | None) -> int:
        """Seconds before ``account`` may try again from ``address``; 0 if it may now."""
        return max((self.failures.wait(key, self.limits[key[0]]) for key in self._keys(account, address)),
                   default=0)

    def failed(self, account: str | None, address: str | None) -> None:
        for key in self._keys(account, address):
            self.failures.add(key)

    def succeeded(self, account: str | None) -> None:
        for key in self._keys(account, None):
            self.failures.forget(key)
