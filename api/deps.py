"""Shared pieces of the routes: the store, pagination and the profile filters.

The cheap dependencies are ``async``: FastAPI would run each sync one in the thread pool,
a hop per dependency per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Query, Request

from ..features.reference import SECTORS, find_province, normalize_certification, provinces
from ..features.tables import REGIONS
from ..services import Filters
from ..store import Store
from .errors import ApiError

__all__ = ["Filters", "Page", "REGIONS", "get_store", "profile_filters", "reject_unknown_query"]
MAX_OFFSET = 1_000_000_000


def _query_params(dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_params(sub)
    return names


_QUERY_NAMES: dict[int, frozenset[str]] = {}


def _query_names(route) -> frozenset[str]:
    """The query parameters a route takes, its dependencies' included (cached per route)."""
    names = _QUERY_NAMES.get(id(route))
    if names is None:
        names = _QUERY_NAMES[id(route)] = frozenset(_query_params(route.dependant))
    return names


async def reject_unknown_query(request: Request) -> None:
    """422 for a query parameter the endpoint does not take (a misspelt filter must not pass silently)
    or one given twice."""
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return
    unknown = sorted(set(request.query_params) - _query_names(route))
    if unknown:
        known = ", ".join(sorted(_query_names(route))) or "none"
        raise ApiError(422, f"unknown query parameter(s) {', '.join(map(repr, unknown))}; this endpoint takes: {known}",
                       f"query.{unknown[0]}")
    # No endpoint takes a list in its query: a parameter given twice is ambiguous, so refuse it.
    repeated = sorted({key for key, _ in request.query_params.multi_items()
                       if len(request.query_params.getlist(key)) > 1})
    if repeated:
        raise ApiError(422, f"query parameter(s) {', '.join(map(repr, repeated))} given more than once; give each once",
                       f"query.{repeated[0]}")


async def get_store(request: Request) -> Store:
    """The store of the app handling this request."""
    return request.app.state.store


@dataclass(frozen=True)
class Page:
    """``limit`` and ``offset`` of a paginated list."""

    limit: int = 50
    offset: int = 0


async def page(
    limit: Annotated[int, Query(ge=1, le=500, description="page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")] = 0,
) -> Page:
    """Pagination parameters."""
    return Page(limit, offset)


async def profile_filters(
    sector: Annotated[Literal[SECTORS] | None, Query(description="sector of the SME")] = None,
    province: Annotated[str | None, Query(max_length=100, description="province, Thai or English name")] = None,
    region: Annotated[Literal[REGIONS] | None, Query(description="region of the province")] = None,
    certification: Annotated[str | None, Query(min_length=1, max_length=100,
                                               description="a certification held, e.g. 'GMP' or 'อย.'")] = None,
) -> Filters:
    """Sector, province or region, and certification filters; an unknown province is a 422."""
    names = None
    if province is not None:
        found = find_province(province)
        if found is None:
            raise ApiError(422, f"unknown Thai province {province!r}", "query.province")
        names = {found.name_en}
    if region is not None:
        in_region = {p.name_en for p in provinces() if p.region == region}
        names = in_region if names is None else names & in_region
    if certification is not None:
        certification = certification.strip()
        if not certification or "\x00" in certification:
            raise ApiError(422, "certification must be a name such as 'GMP'", "query.certification")
        certification = normalize_certification(certification)
    return Filters(sector, None if names is None else tuple(sorted(names)), certification)
