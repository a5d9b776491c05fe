"""Who is calling and what their role may do (keys themselves: :mod:`tiermatch.services.keys`).

Roles: ``admin`` may do everything, keys included; ``matchmaker`` all
profiles, runs, shortlists and feedback; ``buyer`` is bound to one buyer id
and sees only its own shortlist, its own pairs' explanations and its own
feedback.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from ..errors import ForbiddenError
from ..services import ADMIN, BUYER, MATCHMAKER, hash_key
from .errors import ApiError

__all__ = ["ADMIN", "BUYER", "MATCHMAKER", "Principal", "check_buyer_access", "require"]

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                               description="An API key from `tiermatch keys create` or `POST /keys`.")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, its role and, for a buyer key, its buyer id."""

    key_id: str
    role: str
    buyer_id: str | None = None

    @property
    def is_buyer(self) -> bool:
        return self.role == BUYER

    @property
    def actor(self) -> str:
        """Who acted, as the outcome log records it: ``role:key id``."""
        return f"{self.role}:{self.key_id}"


AUTH_CACHE_SECONDS = 5.0


def _lookup(request: Request, key_hash: str) -> dict | None:
    """The key's record, remembered for ``AUTH_CACHE_SECONDS`` so most requests skip the store.

    A key revoked through this process stops at once (the cache is cleared); one revoked by
    another worker or the CLI stops within ``AUTH_CACHE_SECONDS``.
    """
    cache = request.app.state.auth_cache
    now = time.monotonic()
    hit = cache.get(key_hash)
    if hit is not None and hit[1] > now:
        return hit[0]
    row = request.app.state.store.keys.find(key_hash)
    if len(cache) > 10_000:
        cache.clear()
    cache[key_hash] = (row, now + AUTH_CACHE_SECONDS)
    return row


async def _principal(request: Request, api_key: str | None = Depends(_api_key_header)) -> Principal:
    """The caller of this request, or 401."""
    if not api_key:
        authorization = request.headers.get("authorization", "")
        scheme, _, credentials = authorization.partition(" ")
        api_key = credentials.strip() if scheme.lower() == "bearer" else None
    if not api_key:
        raise ApiError(401, "an API key is required: send it in the X-API-Key header", "header.X-API-Key",
                       headers={"WWW-Authenticate": "X-API-Key"})
    # One indexed lookup, usually cached: cheaper than a hop to the thread pool.
    row = _lookup(request, hash_key(api_key))
    if row is None:
        raise ApiError(401, "the API key is not valid or has been revoked", "header.X-API-Key",
                       headers={"WWW-Authenticate": "X-API-Key"})
    return Principal(row["key_id"], row["role"], row["buyer_id"])


def require(*roles: str):
    """A dependency that admits callers whose role is one of ``roles`` (admin always), else 403.

    Examples
    --------
    >>> callable(require(MATCHMAKER, BUYER))
    True
    """
    allowed = {ADMIN, *roles}

    async def dependency(principal: Principal = Depends(_principal)) -> Principal:
        if principal.role not in allowed:
            raise ApiError(403, f"a {principal.role} key may not do this; it needs one of: "
                                f"{', '.join(sorted(allowed))}")
        return principal

    return dependency


def check_buyer_access(principal: Principal, buyer_id: str) -> None:
    """:class:`ForbiddenError` where a buyer key asks about another buyer (the pages use this rule too)."""
    if principal.role == BUYER and principal.buyer_id != buyer_id:
        raise ForbiddenError("a buyer key may only see and act on its own buyer", "buyer_id")
