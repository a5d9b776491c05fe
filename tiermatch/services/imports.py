"""Importing profiles and history into the store, from files or uploads: valid rows kept, the rest reported."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidInputError
from ..features.items import item_texts
from ..features.profiles import Buyer, Partnership, Supplier
from ..features.validation import ReadResult, RowError, drop_unknown_partners, rejected_lines
from ..io import read_records
from ..store import ImportCounts, Store
from .encoders import text_encoder

__all__ = ["ImportReport", "MODELS", "embed_profiles", "import_files", "import_records", "import_upload",
           "rejected_lines"]

MODELS = {"suppliers": Supplier, "buyers": Buyer, "partnerships": Partnership}


@dataclass
class ImportReport:
    """What an import stored, per kind, and every problem of the rows it left out."""

    counts: ImportCounts
    rejected: list[RowError]
    reads: dict[str, ReadResult]  # the file of each kind, as read
    embedded: dict | None = None  # the profiles' items read by the encoder: how many, how many new

    def rows_read(self, kind: str) -> int:
        read = self.reads[kind]
        return len(read.records) + read.n_rejected_rows


def _store_checked(store: Store, reads: dict[str, ReadResult]) -> ImportReport:
    """Check history rows against the register (stored and being imported), then store every kind in one transaction."""
    records = {kind: reads[kind].records if kind in reads else [] for kind in MODELS}
    rejected = [e for kind in ("suppliers", "buyers") if kind in reads for e in reads[kind].errors]
    if "partnerships" in reads:
        checked = drop_unknown_partners(
            reads["partnerships"],
            store.profiles.ids("suppliers") | {s.supplier_id for s in records["suppliers"]},
            store.profiles.ids("buyers") | {b.buyer_id for b in records["buyers"]},
        )
        records["partnerships"] = checked.records
        rejected += checked.errors
    counts = store.import_register(records["suppliers"], records["buyers"], records["partnerships"])
    return ImportReport(counts, rejected, reads, embed_profiles(store, records["suppliers"], records["buyers"]))


def embed_profiles(store: Store, suppliers, buyers) -> dict | None:
    """Read the profiles' items with the configured encoder now, so that runs find them in the store's cache:
    only items it has not read before are computed. None without an encoder."""
    encoder = text_encoder(store)
    if encoder is None:
        return None
    items = item_texts([s.products for s in suppliers] + [b.needs for b in buyers])
    encoder.encode(items)
    return {"items": len(items), "computed": encoder.n_computed}


def import_files(store: Store, *, suppliers: Path | None = None, buyers: Path | None = None,
                 history: Path | None = None) -> ImportReport:
    """Load files into the store in one transaction; rows with a known id are updated, never duplicated.

    Raises
    ------
    InvalidInputError
        If no file is given.
    InvalidFileError
        If a file cannot be used; then nothing is stored.
    """
    paths = {"suppliers": suppliers, "buyers": buyers, "partnerships": history}
    if all(path is None for path in paths.values()):
        raise InvalidInputError("nothing to import: give suppliers, buyers and/or history files", "file")
    reads = {kind: read_records(path, MODELS[kind]) for kind, path in paths.items() if path is not None}
    return _store_checked(store, reads)


def import_upload(store: Store, kind: str, raw: bytes, name: str) -> ImportReport:
    """One uploaded file of ``kind`` (``suppliers``, ``buyers`` or ``partnerships``), read as a file is."""
    return _store_checked(store, {kind: read_records(raw, MODELS[kind], name=name)})


def import_records(store: Store, kind: str, records: list) -> ImportCounts:
    """Records already validated (a JSON body): stored, known ids updated, their items read by the encoder."""
    counts = store.import_register(**{kind: records})
    embed_profiles(store, records if kind == "suppliers" else [], records if kind == "buyers" else [])
    return counts
