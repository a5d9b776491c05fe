"""Routes for suppliers and buyers: create, read, update, delete, list, bulk import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Request, Response, UploadFile

from ..features.io import drop_unknown_partners, read_records
from ..features.profiles import Buyer, Partnership, Supplier
from ..store import Store
from .auth import MATCHMAKER, Principal, require
from .deps import Filters, Page, get_store, page, profile_filters
from .errors import ApiError, error_responses
from .schemas import BuyerIn, BuyerOut, BuyerPage, ImportOut, RowErrorOut, SupplierIn, SupplierOut, SupplierPage

__all__ = ["router"]

router = APIRouter()
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

StoreDep = Annotated[Store, Depends(get_store)]
Matchmaker = Annotated[Principal, Depends(require(MATCHMAKER))]
SupplierId = Annotated[str, Path(min_length=1, max_length=200)]
BuyerId = Annotated[str, Path(min_length=1, max_length=200)]

_KINDS = {
    "suppliers": ("supplier_id", Supplier, SupplierOut),
    "buyers": ("buyer_id", Buyer, BuyerOut),
}


def _get(store: Store, kind: str, key: str):
    profile = store.get_profile(kind, key)
    if profile is None:
        raise ApiError(404, f"no {kind[:-1]} with id {key!r}", f"path.{_KINDS[kind][0]}")
    return profile


def _create(store: Store, kind: str, body):
    key_field, model, _ = _KINDS[kind]
    key = getattr(body, key_field)
    if store.get_profile(kind, key) is not None:
        raise ApiError(409, f"a {kind[:-1]} with id {key!r} exists; update it with PUT /{kind}/{key}",
                       f"body.{key_field}")
    record = model.model_validate(body.model_dump())
    store.import_register(**{kind: [record]})
    return record


def _replace(store: Store, kind: str, key: str, body):
    key_field, model, _ = _KINDS[kind]
    if getattr(body, key_field) != key:
        raise ApiError(422, f"{key_field} in the body ({getattr(body, key_field)!r}) differs from the path ({key!r})",
                       f"body.{key_field}")
    _get(store, kind, key)
    record = model.model_validate(body.model_dump())
    store.import_register(**{kind: [record]})
    return record


async def _import(store: Store, kind: str, upload: UploadFile) -> ImportOut:
    """Read an uploaded CSV like the CLI does and store its valid rows in one transaction."""
    raw = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ApiError(413, f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB; split it", "file")
    name = upload.filename or f"{kind}.csv"
    model = {"suppliers": Supplier, "buyers": Buyer, "partnerships": Partnership}[kind]
    result = read_records(raw, model, name=name)
    checked = result
    if kind == "partnerships":
        checked = drop_unknown_partners(result, store.known_ids("suppliers"), store.known_ids("buyers"))
    records, errors = checked.records, checked.errors
    counts = store.import_register(**{kind: records})
    return ImportOut(
        file=name, encoding=result.encoding, rows_read=len(result.records) + result.n_rejected_rows,
        added=counts.added[kind], updated=counts.updated[kind],
        rejected_rows=len({e.line for e in errors}),
        errors=[RowErrorOut(**vars(e)) for e in errors],
    )


def _list(store: Store, kind: str, filters: Filters, paging: Page):
    total, found = store.list_profiles(kind, sector=filters.sector, provinces=filters.provinces,
                                       certification=filters.certification, limit=paging.limit, offset=paging.offset)
    out = _KINDS[kind][2]
    return {"total": total, "limit": paging.limit, "offset": paging.offset, "items": [out.of(p) for p in found]}


# -- suppliers ---------------------------------------------------------------

@router.post("/suppliers", status_code=201, response_model=SupplierOut, tags=["suppliers"],
             responses=error_responses(401, 403, 409, 422))
def create_supplier(body: SupplierIn, store: StoreDep, _: Matchmaker):
    """Add an SME to the register."""
    return SupplierOut.of(_create(store, "suppliers", body))


@router.get("/suppliers", response_model=SupplierPage, tags=["suppliers"], responses=error_responses(401, 403, 422))
def list_suppliers(store: StoreDep, _: Matchmaker, filters: Annotated[Filters, Depends(profile_filters)],
                   paging: Annotated[Page, Depends(page)]):
    """SMEs in id order, filtered by sector, province or region, and a certification held."""
    return _list(store, "suppliers", filters, paging)


@router.post("/suppliers/import", response_model=ImportOut, tags=["suppliers"],
             responses=error_responses(401, 403, 413, 422))
async def import_suppliers(store: StoreDep, _: Matchmaker,
                           file: Annotated[UploadFile, File(description="suppliers.csv in the interchange format")]):
    """Import ``suppliers.csv``: valid rows are stored (known ids updated) in one transaction; the rest reported."""
    return await _import(store, "suppliers", file)


@router.get("/suppliers/{supplier_id}", response_model=SupplierOut, tags=["suppliers"],
            responses=error_responses(401, 403, 404, 422))
def read_supplier(supplier_id: SupplierId, store: StoreDep, _: Matchmaker):
    """One SME's full profile."""
    return SupplierOut.of(_get(store, "suppliers", supplier_id))


@router.put("/suppliers/{supplier_id}", response_model=SupplierOut, tags=["suppliers"],
            responses=error_responses(401, 403, 404, 422))
def update_supplier(supplier_id: SupplierId, body: SupplierIn, store: StoreDep, _: Matchmaker):
    """Replace an SME's profile."""
    return SupplierOut.of(_replace(store, "suppliers", supplier_id, body))


@router.delete("/suppliers/{supplier_id}", status_code=204, tags=["suppliers"],
               responses=error_responses(401, 403, 404, 422))
def delete_supplier(supplier_id: SupplierId, store: StoreDep, _: Matchmaker):
    """Remove an SME from the register; its history is kept."""
    if not store.delete_profile("suppliers", supplier_id):
        raise ApiError(404, f"no supplier with id {supplier_id!r}", "path.supplier_id")
    return Response(status_code=204)


# -- buyers ------------------------------------------------------------------

@router.post("/buyers", status_code=201, response_model=BuyerOut, tags=["buyers"],
             responses=error_responses(401, 403, 409, 422))
def create_buyer(body: BuyerIn, store: StoreDep, _: Matchmaker):
    """Add a buyer."""
    return BuyerOut.of(_create(store, "buyers", body))


@router.get("/buyers", response_model=BuyerPage, tags=["buyers"], responses=error_responses(401, 403, 422))
def list_buyers(store: StoreDep, _: Matchmaker, filters: Annotated[Filters, Depends(profile_filters)],
                paging: Annotated[Page, Depends(page)]):
    """Buyers in id order, filtered by sector, province or region, and a certification required."""
    return _list(store, "buyers", filters, paging)


@router.post("/buyers/import", response_model=ImportOut, tags=["buyers"],
             responses=error_responses(401, 403, 413, 422))
async def import_buyers(store: StoreDep, _: Matchmaker,
                        file: Annotated[UploadFile, File(description="buyers.csv in the interchange format")]):
    """Import ``buyers.csv``: valid rows are stored (known ids updated) in one transaction; the rest reported."""
    return await _import(store, "buyers", file)


@router.get("/buyers/{buyer_id}", response_model=BuyerOut, tags=["buyers"],
            responses=error_responses(401, 403, 404, 422))
def read_buyer(buyer_id: BuyerId, store: StoreDep, _: Matchmaker):
    """One buyer's full profile."""
    return BuyerOut.of(_get(store, "buyers", buyer_id))


@router.put("/buyers/{buyer_id}", response_model=BuyerOut, tags=["buyers"],
            responses=error_responses(401, 403, 404, 422))
def update_buyer(buyer_id: BuyerId, body: BuyerIn, store: StoreDep, _: Matchmaker):
    """Replace a buyer's profile."""
    return BuyerOut.of(_replace(store, "buyers", buyer_id, body))


@router.delete("/buyers/{buyer_id}", status_code=204, tags=["buyers"], responses=error_responses(401, 403, 404, 422))
def delete_buyer(buyer_id: BuyerId, request: Request, store: StoreDep, _: Matchmaker):
    """Remove a buyer; its history is kept."""
    if not store.delete_profile("buyers", buyer_id):
        raise ApiError(404, f"no buyer with id {buyer_id!r}", "path.buyer_id")
    request.app.state.shortlists.forget(buyer_id)  # its shortlist is no longer served
    return Response(status_code=204)


# -- history -----------------------------------------------------------------

@router.post("/partnerships/import", response_model=ImportOut, tags=["feedback"],
             responses=error_responses(401, 403, 413, 422))
async def import_partnerships(store: StoreDep, _: Matchmaker,
                              file: Annotated[UploadFile, File(description="partnerships.csv")]):
    """Import past proposals and outcomes; rows naming an unknown supplier or buyer are reported and left out."""
    return await _import(store, "partnerships", file)
