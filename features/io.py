"""Reading interchange CSV files: encodings detected, bad rows reported and skipped.

An invalid row is reported with file, line, field and the value found, and
left out; valid rows are kept. A missing required column, or a file with no
valid row, raises :class:`InvalidFileError` and yields nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from .profiles import Buyer, Partnership, Supplier

__all__ = [
    "InvalidFileError",
    "ReadResult",
    "RowError",
    "check_columns",
    "decode_csv",
    "parquet_cells",
    "drop_unknown_partners",
    "read_buyers",
    "read_partnerships",
    "read_records",
    "read_suppliers",
    "validate_rows",
]

RecordT = TypeVar("RecordT", bound=BaseModel)

_ID_FIELD = {Supplier: "supplier_id", Buyer: "buyer_id"}


class InvalidFileError(ValueError):
    """A whole file cannot be used: unreadable, a required column missing, or no valid row."""


@dataclass(frozen=True)
class RowError:
    """One problem with one row: where it is, which field, what was found."""

    file: str
    line: int
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}, field {self.field!r}: {self.message} (found {self.value!r})"


@dataclass
class ReadResult(Generic[RecordT]):
    """Valid records, the line each came from, and every rejected row's problems."""

    records: list[RecordT] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    encoding: str = "utf-8"
    file: str = ""

    @property
    def n_rejected_rows(self) -> int:
        return len({error.line for error in self.errors})


def decode_csv(raw: bytes) -> tuple[str, str]:
    """Decode a CSV file's bytes: UTF-8 with or without BOM, else Windows-874 (TIS-620).

    UTF-8 is tried strictly first: Thai text in Windows-874 is never valid
    UTF-8, so the order cannot mistake one for the other.

    Examples
    --------
    >>> decode_csv("ชลบุรี".encode("cp874"))
    ('ชลบุรี', 'cp874')
    >>> decode_csv(b"\\xef\\xbb\\xbfname")
    ('name', 'utf-8-sig')
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp874"), "cp874"
    except UnicodeDecodeError as exc:
        raise InvalidFileError(
            f"cannot decode the file: it is neither UTF-8 nor Windows-874/TIS-620 (byte {exc.start})"
        ) from exc


def _required_fields(model: type[BaseModel]) -> list[str]:
    return [name for name, info in model.model_fields.items() if info.is_required()]


def check_columns(name: str, model: type[BaseModel], header) -> list[str]:
    """The header's columns, case-folded; :class:`InvalidFileError` if one that ``model`` requires is missing."""
    columns = [column.strip().casefold() for column in header]
    missing = [column for column in _required_fields(model) if column not in columns]
    if missing:
        raise InvalidFileError(f"{name}: missing required column(s) {', '.join(missing)}; found {', '.join(header)}")
    return columns


def _require_records(result: ReadResult) -> ReadResult:
    if not result.records:
        detail = f"; first problem: {result.errors[0]}" if result.errors else ""
        raise InvalidFileError(f"{result.file}: no valid row{detail}")
    return result


def read_records(source: str | Path | bytes, model: type[RecordT], *, name: str | None = None) -> ReadResult[RecordT]:
    """Read a CSV of ``model`` records, keeping the valid rows and reporting the rest.

    Parameters
    ----------
    source : path or bytes
        The CSV file, or its raw bytes (an upload).
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
    if isinstance(source, (str, Path)):
        name = name or str(source)
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise InvalidFileError(f"{name}: cannot read the file: {exc.strerror}") from exc
    else:
        raw = source
        name = name or "upload"
    try:
        text, encoding = decode_csv(raw)
    except InvalidFileError as exc:
        raise InvalidFileError(f"{name}: {exc}") from exc

    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise InvalidFileError(f"{name}: the file is empty; expected a header row")
    columns = check_columns(name, model, header)
    rows = ((reader.line_num, row) for row in reader)
    return _require_records(validate_rows(rows, columns, model, name, ReadResult(encoding=encoding, file=name), seen_ids={}))


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
    return _require_records(validate_rows(enumerate(rows, 1), columns, model, name,
                                          ReadResult(file=name, encoding="parquet"), seen_ids={}))


def validate_rows(rows, columns: list[str], model: type[RecordT], name: str, result: ReadResult[RecordT],
                  seen_ids: dict[str, int] | None = None) -> ReadResult[RecordT]:
    """Validate ``(line, cells)`` rows into ``result``: valid records kept, every problem a :class:`RowError`.

    ``seen_ids`` maps ids already read to their line, to reject duplicates;
    None checks nothing (a partition whose duplicates were found beforehand).
    """
    id_field = _ID_FIELD.get(model) if seen_ids is not None else None
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(columns):
            result.errors.append(RowError(name, line, "(row)", ",".join(row[len(columns):]),
                                          f"{len(row)} cells but the header has {len(columns)} columns"))
            continue
        values = {column: cell for column, cell in zip(columns, row) if column}
        try:
            record = model.model_validate(values)
        except ValidationError as exc:
            for problem in exc.errors():
                field_name = ".".join(str(part) for part in problem["loc"]) or "(row)"
                found = values.get(field_name.split(".")[0], "")
                message = problem["msg"].removeprefix("Value error, ")
                result.errors.append(RowError(name, line, field_name, found, message))
            continue
        if id_field is not None:
            key = getattr(record, id_field)
            if key in seen_ids:
                result.errors.append(RowError(name, line, id_field, key,
                                              f"duplicate {id_field}, first seen on line {seen_ids[key]}"))
                continue
            seen_ids[key] = line
        result.records.append(record)
        result.lines.append(line)
    return result


def read_suppliers(source, *, name=None) -> ReadResult[Supplier]:
    """Read ``suppliers.csv``; see :func:`read_records`."""
    return read_records(source, Supplier, name=name)


def read_buyers(source, *, name=None) -> ReadResult[Buyer]:
    """Read ``buyers.csv``; see :func:`read_records`."""
    return read_records(source, Buyer, name=name)


def read_partnerships(source, *, name=None) -> ReadResult[Partnership]:
    """Read ``partnerships.csv``; see :func:`read_records`."""
    return read_records(source, Partnership, name=name)


def drop_unknown_partners(
    result: ReadResult[Partnership], supplier_ids: set[str], buyer_ids: set[str]
) -> ReadResult[Partnership]:
    """Keep the partnerships whose supplier and buyer are known; the others become row errors.

    Examples
    --------
    >>> raw = b"supplier_id,buyer_id,outcome\\nS1,B1,deal\\nS9,B1,accepted\\n"
    >>> checked = drop_unknown_partners(read_partnerships(raw, name="p.csv"), {"S1"}, {"B1"})
    >>> len(checked.records), str(checked.errors[0])
    (1, "p.csv, line 3, field 'supplier_id': unknown supplier_id (found 'S9')")
    """
    checked = ReadResult(errors=list(result.errors), encoding=result.encoding, file=result.file)
    for line, p in zip(result.lines, result.records):
        if p.supplier_id not in supplier_ids:
            checked.errors.append(RowError(result.file, line, "supplier_id", p.supplier_id, "unknown supplier_id"))
        elif p.buyer_id not in buyer_ids:
            checked.errors.append(RowError(result.file, line, "buyer_id", p.buyer_id, "unknown buyer_id"))
        else:
            checked.records.append(p)
            checked.lines.append(line)
    return checked
