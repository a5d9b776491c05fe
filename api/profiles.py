"""Routes for suppliers and buyers: create, read, update, delete, list, bulk import; and history import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from ..features.profiles import Buyer, Supplier
from ..features.validation import rejected_lines
from ..services import (
    Filters,
    create_profile,
    delete_profile,
    get_profile,
    import_upload,
    list_profiles,
    replace_profile,
)
from ..store import Store
from .auth import MATCHMAKER, Principal, require
from .deps import Page, get_store, page, profile_filters
from .errors import ApiError, error_responses
from .schemas import BuyerIn, BuyerOut, BuyerPage, ImportOut, RowErrorOut, SupplierIn, SupplierOut, SupplierPage

__all__ = ["router"]

router = APIRouter()
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

StoreDep = Annotated[Store, Depends(get_store)]
Matchmaker = Annotated[Principal, Depends(require(MATCHMAKER))]
SupplierId = Annotated[str, Path(min_length=1, max_length=200)]
BuyerId = Annotated[str, Path(min_length=1, max_length=200)]
Filtered = Annotated[Filters, Depends(profile_filters)]
Paged = Annotated[Page, Depends(page)]

_RECORDS = {"suppliers": (Supplier, SupplierOut), "buyers": (Buyer, BuyerOut)}


def _record(kind: str, body, path_id: str | None = None):
    """The body as the validated record the store keeps (the JSON schema is a view of it); on a PUT, the
    id in the body must be the one in the path."""
    key = "supplier_id" if kind == "suppliers" else "buyer_id"
    if path_id is not None and getattr(body, key) != path_id:
        raise ApiError(422, f"{key} in the body ({getattr(body, key)!r}) differs from the path ({path_id!r})",
                       f"body.{key}")
    return _RECORDS[kind][0].model_validate(body.model_dump())


async def _import(store: Store, kind: str, upload: UploadFile) -> ImportOut:
    """Read an uploaded CSV as the CLI reads a file and store its valid rows in one transaction."""
    raw = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ApiError(413, f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB; split it", "file")
    # Parsed and stored in the thread pool: a large file must not hold the event loop (and every other request).
    report = await run_in_threadpool(import_upload, store, kind, raw, upload.filename or f"{kind}.csv")
    read = report.reads[kind]
    return ImportOut(
        file=read.file, encoding=read.encoding, rows_read=report.rows_read(kind),
        added=report.counts.added[kind], updated=report.counts.updated[kind],
        rejected_rows=rejected_lines(report.rejected),
        errors=[RowErrorOut(**vars(e)) for e in report.rejected],
    )


def _page(store: Store, kind: str, filters: Filters, paging: Page) -> dict:
    total, found = list_profiles(store, kind, filters, paging.limit, paging.offset)
    out = _RECORDS[kind][1]
    return {"total": total, "limit": paging.limit, "offset": paging.offset, "items": [out.of(p) for p in found]}


# -- suppliers ---------------------------------------------------------------

@router.post("/suppliers", status_code=201, response_model=SupplierOut, tags=["suppliers"],
             responses=error_responses(401, 403, 409, 422))
def create_supplier(body: SupplierIn, store: StoreDep, _: Matchmaker):
    """Add an SME to the register."""
    return SupplierOut.of(create_profile(store, "suppliers", _record("suppliers", body)))


@router.get("/suppliers", response_model=SupplierPage, tags=["suppliers"], responses=error_responses(401, 403, 422))
def list_suppliers(store: StoreDep, _: Matchmaker, filters: Filtered, paging: Paged):
    """SMEs in id order, filtered by sector, province or region, and a certification held."""
    return _page(store, "suppliers", filters, paging)


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
    return SupplierOut.of(get_profile(store, "suppliers", supplier_id))


@router.put("/suppliers/{supplier_id}", response_model=SupplierOut, tags=["suppliers"],
            responses=error_responses(401, 403, 404, 422))
def update_supplier(supplier_id: SupplierId, body: SupplierIn, store: StoreDep, _: Matchmaker):
    """Replace an SME's profile."""
    return SupplierOut.of(replace_profile(store, "suppliers", _record("suppliers", body, supplier_id)))


@router.delete("/suppliers/{supplier_id}", status_code=204, tags=["suppliers"],
               responses=error_responses(401, 403, 404, 422))
def delete_supplier(supplier_id: SupplierId, store: StoreDep, _: Matchmaker):
    """Remove an SME from the register; its history is kept."""
    delete_profile(store, "suppliers", supplier_id)
    return Response(status_code=204)


# -- buyers ------------------------------------------------------------------

@router.post("/buyers", status_code=201, response_model=BuyerOut, tags=["buyers"],
             responses=error_responses(401, 403, 409, 422))
def create_buyer(body: BuyerIn, store: StoreDep, _: Matchmaker):
    """Add a buyer."""
    return BuyerOut.of(create_profile(store, "buyers", _record("buyers", body)))


@router.get("/buyers", response_model=BuyerPage, tags=["buyers"], responses=error_responses(401, 403, 422))
def list_buyers(store: StoreDep, _: Matchmaker, filters: Filtered, paging: Paged):
    """Buyers in id order, filtered by sector, province or region, and a certification required."""
    return _page(store, "buyers", filters, paging)


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
    return BuyerOut.of(get_profile(store, "buyers", buyer_id))


@router.put("/buyers/{buyer_id}", response_model=BuyerOut, tags=["buyers"],
            responses=error_responses(401, 403, 404, 422))
def update_buyer(buyer_id: BuyerId, body: BuyerIn, store: StoreDep, _: Matchmaker):
    """Replace a buyer's profile."""
    return BuyerOut.of(replace_profile(store, "buyers", _record("buyers", body, buyer_id)))


@router.delete("/buyers/{buyer_id}", status_code=204, tags=["buyers"], responses=error_responses(401, 403, 404, 422))
def delete_buyer(buyer_id: BuyerId, request: Request, store: StoreDep, _: Matchmaker):
    """Remove a buyer; its history is kept."""
    delete_profile(store, "buyers", buyer_id)
    request.app.state.shortlists.forget(buyer_id)  # its shortlist is no longer served
    return Response(status_code=204)


# -- history -----------------------------------------------------------------

@router.post("/partnerships/import", response_model=ImportOut, tags=["feedback"],
             responses=error_responses(401, 403, 413, 422))
async def import_partnerships(store: StoreDep, _: Matchmaker,
                              file: Annotated[UploadFile, File(description="partnerships.csv")]):
    """Import past proposals and outcomes; rows naming an unknown supplier or buyer are reported and left out."""
    return await _import(store, "partnerships", file)
