"""Routes for API keys (admin only) and the unauthenticated health and version endpoints."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from ..services import create_key, revoke_key
from ..store import Store
from .auth import Principal, require
from .deps import get_store
from .errors import ApiError, error_responses
from .schemas import HealthOut, KeyCreatedOut, KeyIn, KeyOut, VersionOut

__all__ = ["router", "service_version"]

router = APIRouter()

StoreDep = Annotated[Store, Depends(get_store)]
Admin = Annotated[Principal, Depends(require())]


def service_version() -> str:
    """The installed version of tiermatch."""
    try:
        return version("tiermatch")
    except PackageNotFoundError:
        return "unknown"


@router.post("/keys", status_code=201, response_model=KeyCreatedOut, tags=["keys"],
             responses=error_responses(401, 403, 404, 422))
def create_api_key(body: KeyIn, store: StoreDep, _: Admin):
    """Create a key; the response holds the key, shown this once."""
    return create_key(store, body.role, body.buyer_id, body.name)


@router.get("/keys", response_model=list[KeyOut], tags=["keys"], responses=error_responses(401, 403))
def list_api_keys(store: StoreDep, _: Admin):
    """Every key, revoked ones included; never the keys themselves."""
    return store.keys.all()


@router.delete("/keys/{key_id}", status_code=204, tags=["keys"], responses=error_responses(401, 403, 404, 409, 422))
def revoke_api_key(key_id: Annotated[str, Path(min_length=1, max_length=40)], request: Request, store: StoreDep,
                   _: Admin):
    """Revoke a key: it stops working at once in this process, within seconds in other workers."""
    revoke_key(store, key_id)
    request.app.state.auth_cache.clear()
    return Response(status_code=204)


@router.get("/health", response_model=HealthOut, tags=["service"], responses=error_responses(503))
def health(store: StoreDep):
    """Whether the service and its store answer."""
    try:
        store.runs.latest_completed_id()
    except Exception as exc:  # any database failure means: not healthy
        raise ApiError(503, f"the store does not answer ({type(exc).__name__})", None) from exc
    return HealthOut(status="ok", database="ok")


@router.get("/version", response_model=VersionOut, tags=["service"])
def read_version(store: StoreDep):
    """The service's version and the run whose results it serves."""
    return VersionOut(name="tiermatch", version=service_version(), latest_run_id=store.runs.latest_completed_id())
