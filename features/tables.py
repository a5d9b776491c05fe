"""Profiles as column arrays: what the feature and matching stages work on.

Rows of a :class:`SupplierTable` are supplier positions, rows of a
:class:`BuyerTable` buyer positions; ids are mapped to positions once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from .profiles import Buyer, Supplier
from .reference import BUYER_TYPES, SECTORS, find_province

__all__ = ["BuyerTable", "SupplierTable", "build_buyer_table", "build_supplier_table", "build_tables"]

REGIONS = ("Central", "East", "North", "Northeast", "South", "West")


@dataclass(frozen=True)
class SupplierTable:
    """Suppliers as arrays, one row per supplier position."""

    ids: np.ndarray  # (n_suppliers,) object
    names: np.ndarray
    texts: list[str]
    sector: np.ndarray  # int codes into SECTORS
    region: np.ndarray  # int codes into REGIONS
    province: np.ndarray  # object, English names
    latitude: np.ndarray
    longitude: np.ndarray
    capacity: np.ndarray  # baht a month; NaN where unknown
    max_buyers: np.ndarray  # int
    export_ready: np.ndarray  # bool
    otop: np.ndarray  # bool
    cluster: np.ndarray  # object, "" where none
    certifications: sp.csr_matrix  # (n_suppliers, n_certifications) 0/1

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class BuyerTable:
    """Buyers as arrays, one row per buyer position."""

    ids: np.ndarray
    names: np.ndarray
    texts: list[str]
    sector: np.ndarray
    region: np.ndarray
    province: np.ndarray
    buyer_type: np.ndarray  # int codes into BUYER_TYPES
    latitude: np.ndarray
    longitude: np.ndarray
    demand: np.ndarray  # baht a month; NaN where unknown
    max_suppliers: np.ndarray
    max_distance_km: np.ndarray  # inf where unlimited
    required_certifications: sp.csr_matrix  # (n_buyers, n_certifications) 0/1
    road_factor: float = 1.0  # distances are the straight line times this (a site's detour factor)

    def __len__(self) -> int:
        return len(self.ids)


def _certification_matrix(lists: Sequence[Sequence[str]], names: list[str]) -> sp.csr_matrix:
    """0/1 rows over ``names``; a certification not among them is left out: no buyer requires it and no
    sector looks for it, so it changes no match (it stays in the profile)."""
    index = {name: k for k, name in enumerate(names)}
    indptr = np.zeros(len(lists) + 1, dtype=np.int64)
    indices = []
    for i, certs in enumerate(lists):
        indices.extend(index[c] for c in certs if c in index)
        indptr[i + 1] = len(indices)
    data = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix((data, np.asarray(indices, dtype=np.int64), indptr), shape=(len(lists), len(names)))


def _optional(values, default=np.nan) -> np.ndarray:
    return np.array([default if v is None else v for v in values], dtype=float)


def build_supplier_table(suppliers: Sequence[Supplier], certification_names: list[str]) -> SupplierTable:
    """Turn validated suppliers into a :class:`SupplierTable` (positions = list order)."""
    provinces = [find_province(s.province) for s in suppliers]
    return SupplierTable(
        ids=np.array([s.supplier_id for s in suppliers], dtype=object),
        names=np.array([s.name for s in suppliers], dtype=object),
        texts=[s.products for s in suppliers],
        sector=np.array([SECTORS.index(s.sector) for s in suppliers], dtype=np.int8),
        region=np.array([REGIONS.index(p.region) for p in provinces], dtype=np.int8),
        province=np.array([p.name_en for p in provinces], dtype=object),
        latitude=np.array([s.latitude for s in suppliers], dtype=float),
        longitude=np.array([s.longitude for s in suppliers], dtype=float),
        capacity=_optional(s.capacity_thb_per_month for s in suppliers),
        max_buyers=np.array([s.max_buyers for s in suppliers], dtype=np.int64),
        export_ready=np.array([s.export_ready for s in suppliers], dtype=bool),
        otop=np.array([s.otop for s in suppliers], dtype=bool),
        cluster=np.array([s.cluster or "" for s in suppliers], dtype=object),
        certifications=_certification_matrix([s.certifications for s in suppliers], certification_names),
    )


def build_buyer_table(buyers: Sequence[Buyer], certification_names: list[str], road_factor: float = 1.0) -> BuyerTable:
    """Turn validated buyers into a :class:`BuyerTable` (positions = list order); distances to them are the
    straight line times ``road_factor``."""
    provinces = [find_province(b.province) for b in buyers]
    return BuyerTable(
        ids=np.array([b.buyer_id for b in buyers], dtype=object),
        names=np.array([b.name for b in buyers], dtype=object),
        texts=[b.needs for b in buyers],
        sector=np.array([SECTORS.index(b.sector) for b in buyers], dtype=np.int8),
        region=np.array([REGIONS.index(p.region) for p in provinces], dtype=np.int8),
        province=np.array([p.name_en for p in provinces], dtype=object),
        buyer_type=np.array([BUYER_TYPES.index(b.buyer_type) for b in buyers], dtype=np.int8),
        latitude=np.array([b.latitude for b in buyers], dtype=float),
        longitude=np.array([b.longitude for b in buyers], dtype=float),
        demand=_optional(b.demand_thb_per_month for b in buyers),
        max_suppliers=np.array([b.max_suppliers for b in buyers], dtype=np.int64),
        max_distance_km=_optional((b.max_distance_km for b in buyers), default=np.inf),
        required_certifications=_certification_matrix([b.required_certifications for b in buyers], certification_names),
        road_factor=float(road_factor),
    )


def build_tables(suppliers: Sequence[Supplier], buyers: Sequence[Buyer]) -> tuple[SupplierTable, BuyerTable]:
    """Build both tables over one shared certification index.

    Examples
    --------
    >>> s = Supplier(supplier_id="S1", name="A", sector="automotive", products="x",
    ...              province="Rayong", certifications="IATF16949")
    >>> b = Buyer(buyer_id="B1", name="B", buyer_type="first_tier", sector="automotive",
    ...           needs="x", province="Rayong", required_certifications="IATF 16949")
    >>> S, B = build_tables([s], [b])
    >>> S.certifications.toarray().tolist(), B.required_certifications.toarray().tolist()
    ([[1.0]], [[1.0]])
    """
    names = sorted({c for s in suppliers for c in s.certifications} | {c for b in buyers for c in b.required_certifications})
    return build_supplier_table(suppliers, names), build_buyer_table(buyers, names)
