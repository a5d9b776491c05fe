"""Reading interchange files (CSV, workbooks, Parquet): bad rows reported and skipped.

An invalid row is reported with file, line, field and the value found, and
left out; valid rows are kept. A missing required column, or a file with no
valid row, raises :class:`InvalidFileError` and yields nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from ..errors import InvalidFileError
from ..features.profiles import Buyer, Partnership, Supplier
from ..features.validation import ReadResult, check_columns, require_records, validate_rows
from .sheets import open_sheet

__all__ = ["parquet_cells", "read_buyers", "read_partnerships", "read_records", "read_suppliers"]

RecordT = TypeVar("RecordT", bound=BaseModel)


def read_records(source: str | Path | bytes, model: type[RecordT], *, name: str | None = None) -> ReadResult[RecordT]:
    """Read a CSV of ``model`` records, keeping the valid rows and reporting the rest.

    Parameters
    ----------
    source : path or bytes
        The CSV file or workbook (:func:`~tiermatch.io.sheets.open_sheet`), a Parquet file, or an upload's
        raw bytes.
    model : type
        :class:`Supplier`, :class:`Buyer` or :class:`Partnership`.
    name : str, optional
        The file name to use in messages (defaults to the path).

    Returns
    -------
    ReadResult
        ``records`` in file order, ``errors`` for every field of every rejected row.

    Raises
    ------
    InvalidFileError
        If the file cannot be decoded, lacks a required column, or has no valid row.

    Examples
    --------
    >>> raw = ("supplier_id,name,sector,products,province\\n"
    ...        "S1,Siam Parts,automotive,stamped metal parts,Chon Buri\\n"
    ...        "S2,Bad Row,spaceships,rockets,Rayong\\n").encode()
    >>> result = read_records(raw, Supplier, name="suppliers.csv")
    >>> [s.supplier_id for s in result.records]
    ['S1']
    >>> print(result.errors[0])  # doctest: +ELLIPSIS
    suppliers.csv, line 3, field 'sector': ... (found 'spaceships')
    """
    if isinstance(source, (str, Path)) and Path(source).suffix.lower() in (".parquet", ".pq"):
        return _read_parquet_records(Path(source), model, name or str(source))
    name = name or (str(source) if isinstance(source, (str, Path)) else "upload")
    with open_sheet(source, name) as sheet:
        columns = check_columns(name, model, sheet.header)
        return require_records(validate_rows(sheet.rows, columns, model, name,
                                             ReadResult(encoding=sheet.encoding, file=name), seen_ids={}))


def parquet_cells(column) -> list[str]:
    """A Parquet column as CSV cells: text, "" for null, so that both formats validate alike."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_boolean(column.type):
        column = pc.if_else(column, "true", "false")
    elif not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        column = pc.cast(column, pa.string())
    return ["" if cell is None else cell for cell in column.to_pylist()]


def _read_parquet_records(path: Path, model: type[RecordT], name: str) -> ReadResult[RecordT]:
    """:func:`read_records` for a Parquet file with the interchange columns; row numbers stand for lines."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several kinds for a file that is not Parquet
        raise InvalidFileError(f"{name}: cannot read it as Parquet: {exc}") from exc
    columns = check_columns(name, model, table.column_names)
    rows = zip(*(parquet_cells(table.column(i)) for i in range(table.num_columns)))
    return require_records(validate_rows(enumerate(rows, 1), columns, model, name,
                                          ReadResult(file=name, encoding="parquet"), seen_ids={}))


def read_suppliers(source, *, name=None) -> ReadResult[Supplier]:
    """Read ``suppliers.csv``; see :func:`read_records`."""
    return read_records(source, Supplier, name=name)


def read_buyers(source, *, name=None) -> ReadResult[Buyer]:
    """Read ``buyers.csv``; see :func:`read_records`."""
    return read_records(source, Buyer, name=name)


def read_partnerships(source, *, name=None) -> ReadResult[Partnership]:
    """Read ``partnerships.csv``; see :func:`read_records`."""
    return read_records(source, Partnership, name=name)
