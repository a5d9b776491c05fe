"""The register a piece of work runs on: read from files or from the store, one way for every door."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidInputError
from ..features.profiles import Buyer, Partnership, Supplier
from ..features.sources import SupplierSource
from ..features.validation import ReadResult, RowError, drop_unknown_partners
from ..io import open_suppliers, read_buyers, read_partnerships, read_suppliers
from ..matcher import FIT_SAMPLE
from ..store import Store
from .outcomes import outcomes_from_log

__all__ = ["Register", "check_history", "load_register", "read_history"]


@dataclass
class Register:
    """Suppliers (in memory, or a file read in partitions), buyers, history, and the rows left out reading them.

    ``history`` holds the past proposals a run learns from. From the store:
    every stored row, those of buyers deleted since included (a supplier's
    track record counts every one of its rows, see
    :func:`~tiermatch.features.pairs.count_track_records`); from a file: the
    rows whose supplier and buyer the register holds.
    """

    source: SupplierSource
    buyers: list[Buyer]
    history: list[Partnership] = field(default_factory=list)
    rejected: list[RowError] = field(default_factory=list)
    suppliers: list[Supplier] | None = None  # the records, where they were read whole
    store: Store | None = None  # where it came from, if from the store

    @property
    def n_suppliers(self) -> int:
        return len(self.source.scan(fit_sample=FIT_SAMPLE).ids) if self.source.n_rows is None else self.source.n_rows


def read_history(path: Path | None) -> ReadResult[Partnership] | None:
    """A history file, read and validated (None where no file is given)."""
    return None if path is None else read_partnerships(path)


def check_history(history: ReadResult[Partnership] | None, supplier_ids: set[str], buyer_ids: set[str]):
    """The rows of a history file whose supplier and buyer are in the register, and the problems of the rest."""
    if history is None:
        return [], []
    checked = drop_unknown_partners(history, supplier_ids, buyer_ids)
    return checked.records, checked.errors


def load_register(store: Store | None = None, *, suppliers: Path | None = None, buyers: Path | None = None,
                  history: Path | None = None, partition_size: int | None = None,
                  whole: bool = False) -> Register:
    """The register to work on: from the files given, else from the store.

    With files, the suppliers are opened to be read a partition at a time
    (``whole``: read at once, for work that needs them all in memory); with
    neither file, the stored register and its history. A history file is
    checked against the register (its rows naming an SME or buyer the
    register lacks are reported, not used) and, with a store, added to the
    stored history.

    Raises
    ------
    InvalidInputError
        If only one of ``suppliers`` and ``buyers`` is given.
    InvalidFileError
        If a file cannot be used (unreadable, a required column missing, no valid row).
    """
    if (suppliers is None) != (buyers is None):
        raise InvalidInputError("give both suppliers and buyers files, or neither to use the stored register",
                                "suppliers")
    extra = read_history(history)
    if suppliers is None:
        if store is None:
            raise InvalidInputError("no register: give suppliers and buyers files, or a store", "suppliers")
        records, buyer_records = store.profiles.all("suppliers"), store.profiles.all("buyers")
        supplier_ids, buyer_ids = {s.supplier_id for s in records}, {b.buyer_id for b in buyer_records}
        kept, problems = check_history(extra, supplier_ids, buyer_ids)
        return Register(SupplierSource.from_records(records, partition_size), buyer_records,
                        outcomes_from_log(store) + kept, list(extra.errors if extra else []) + problems,
                        suppliers=records, store=store)
    buyers_read = read_buyers(buyers)
    rejected = list(buyers_read.errors)
    if whole:
        suppliers_read = read_suppliers(suppliers)
        records = suppliers_read.records
        source = SupplierSource.from_records(records, partition_size)
        rejected = list(suppliers_read.errors) + rejected
        supplier_ids = {s.supplier_id for s in records}
    else:
        records = None
        source = open_suppliers(suppliers, partition_size or 100_000)
        # One parse of the file: ids for the history check, the sample's texts for the fit (kept by the source).
        scan = source.scan({p.supplier_id for p in (extra.records if extra else [])}, FIT_SAMPLE)
        supplier_ids = set(scan.ids)
    kept, problems = check_history(extra, supplier_ids, {b.buyer_id for b in buyers_read.records})
    return Register(source, buyers_read.records, kept, rejected + problems, suppliers=records)
