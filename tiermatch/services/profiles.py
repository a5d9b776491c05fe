"""Single profiles: read, add, replace, remove, list; one rule for each, whichever door asks."""

from __future__ import annotations

from ..errors import ConflictError, NotFoundError
from ..store import Store
from .results import Filters

__all__ = ["create_profile", "delete_profile", "get_profile", "list_profiles", "replace_profile"]

_KEYS = {"suppliers": "supplier_id", "buyers": "buyer_id"}


def get_profile(store: Store, kind: str, record_id: str):
    """One stored supplier (``kind="suppliers"``) or buyer.

    Raises
    ------
    NotFoundError
        If none has this id.
    """
    record = store.profiles.get(kind, record_id)
    if record is None:
        raise NotFoundError(kind[:-1], record_id, _KEYS[kind])
    return record


def create_profile(store: Store, kind: str, record):
    """Add a validated record; :class:`ConflictError` where its id is taken."""
    key = getattr(record, _KEYS[kind])
    if store.profiles.exists(kind, key):
        raise ConflictError(f"a {kind[:-1]} with id {key!r} exists; update it instead", _KEYS[kind])
    store.import_register(**{kind: [record]})
    return record


def replace_profile(store: Store, kind: str, record):
    """Replace the stored record with the validated one's id; :class:`NotFoundError` where none is stored."""
    get_profile(store, kind, getattr(record, _KEYS[kind]))
    store.import_register(**{kind: [record]})
    return record


def delete_profile(store: Store, kind: str, record_id: str) -> None:
    """Remove a record; its history is kept. :class:`NotFoundError` where none has this id."""
    if not store.profiles.delete(kind, record_id):
        raise NotFoundError(kind[:-1], record_id, _KEYS[kind])


def list_profiles(store: Store, kind: str, filters: Filters = Filters(), limit: int = 50, offset: int = 0):
    """A page of records in id order, filtered: ``(total, records)``."""
    return store.profiles.page(kind, sector=filters.sector, provinces=filters.provinces,
                               certification=filters.certification, limit=limit, offset=offset)
