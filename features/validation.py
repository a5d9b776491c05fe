"""Rows of cells into validated records: the one place every file and upload is checked.

CSV, Parquet and Excel rows arrive here as ``(line, cells)`` with the header's
columns; JSON bodies go through the same models (:mod:`.profiles`), so a row
is accepted or refused alike whichever door it came through. An invalid row
becomes one :class:`RowError` per problem (file, line, field, value found,
what was expected) and is left out; the valid rows are kept. A valid row with
a field a person should look at (a certification that looks like a slip of a
known one, coordinates far outside the province named) is kept, with a
warning: a :class:`RowError` marked ``kept``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import InvalidFileError
from .profiles import Buyer, Partnership, Supplier
from .reference import find_province, haversine_km, near_certification

__all__ = [
    "ReadResult",
    "RowError",
    "check_columns",
    "drop_unknown_partners",
    "rejected_lines",
    "require_records",
    "validate_rows",
]

RecordT = TypeVar("RecordT", bound=BaseModel)

_ID_FIELD = {Supplier: "supplier_id", Buyer: "buyer_id"}


@dataclass(frozen=True)
class RowError:
    """One problem with one row: where it is, which field, what was found; the row left out unless ``kept``."""

    file: str
    line: int
    field: str
    value: str
    message: str
    kept: bool = False  # a warning: the row was kept as written, but a person should look at this field

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
        return rejected_lines(self.errors)


def rejected_lines(errors: list[RowError]) -> int:
    """How many rows ``errors`` left out (warnings about rows kept are not counted)."""
    return len({(error.file, error.line) for error in errors if not error.kept})


def _certification_warnings(record, name: str, line: int) -> list[RowError]:
    """A warning for each certification of ``record`` that looks like a slip of a known one."""
    field_name = "certifications" if hasattr(record, "certifications") else "required_certifications"
    warnings = []
    for certification in getattr(record, field_name, ()):
        near = near_certification(certification)
        if near is not None:
            warnings.append(RowError(name, line, field_name, certification,
                                     f"not a certification tiermatch knows; did you mean {near!r}? kept as written",
                                     kept=True))
    return warnings


# Farther than this from its province's centre, a location is more likely a typo than a corner of the province
# (the largest provinces, Tak and Kanchanaburi, reach about 150 km from their centres).
FAR_FROM_PROVINCE_KM = 200


def _location_warnings(record, name: str, line: int) -> list[RowError]:
    """A warning where the coordinates given lie far outside the province named."""
    province = find_province(record.province)
    if province is None or record.latitude is None:
        return []
    # A degree is at least ~100 km here: most rows (the centre itself, or nearby) need no distance at all.
    if abs(record.latitude - province.latitude) + abs(record.longitude - province.longitude) < 1.5:
        return []
    km = float(haversine_km(record.latitude, record.longitude, province.latitude, province.longitude))
    if km <= FAR_FROM_PROVINCE_KM:
        return []
    return [RowError(name, line, "latitude", f"{record.latitude}, {record.longitude}",
                     f"{km:,.0f} km from the centre of {province.name_en}: check the coordinates or the province; "
                     "kept as written", kept=True)]


def _required_fields(model: type[BaseModel]) -> list[str]:
    return [name for name, info in model.model_fields.items() if info.is_required()]


def check_columns(name: str, model: type[BaseModel], header) -> list[str]:
    """The header's columns, case-folded; :class:`InvalidFileError` if one that ``model`` requires is missing.

    Examples
    --------
    >>> check_columns("p.csv", Partnership, ["Supplier_ID", "buyer_id", "outcome"])
    ['supplier_id', 'buyer_id', 'outcome']
    """
    columns = [column.strip().casefold() for column in header]
    missing = [column for column in _required_fields(model) if column not in columns]
    if missing:
        raise InvalidFileError(f"{name}: missing required column(s) {', '.join(missing)}; found {', '.join(header)}")
    return columns


def require_records(result: ReadResult) -> ReadResult:
    """``result`` itself, or :class:`InvalidFileError` with its first problem where no row was valid."""
    if not result.records:
        detail = f"; first problem: {result.errors[0]}" if result.errors else ""
        raise InvalidFileError(f"{result.file}: no valid row{detail}")
    return result


def validate_rows(rows, columns: list[str], model: type[RecordT], name: str, result: ReadResult[RecordT],
                  seen_ids: dict[str, int] | None = None) -> ReadResult[RecordT]:
    """Validate ``(line, cells)`` rows into ``result``: valid records kept, every problem a :class:`RowError`.

    ``seen_ids`` maps ids already read to their line, to reject duplicates;
    None checks nothing (a partition whose duplicates were found beforehand).

    Examples
    --------
    >>> rows = [(2, ["S1", "B1", "deal"]), (3, ["S2", "B1", "maybe"])]
    >>> result = validate_rows(rows, ["supplier_id", "buyer_id", "outcome"], Partnership, "p.csv", ReadResult())
    >>> [p.supplier_id for p in result.records], result.errors[0].field
    (['S1'], 'outcome')
    """
    id_field = _ID_FIELD.get(model) if seen_ids is not None else None
    for line, row in rows:
        if (message := getattr(row, "message", None)) is not None:  # a record the reader could not split
            result.errors.append(RowError(name, line, "(row)", ",".join(row)[:200], message))
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(columns):
            result.errors.append(RowError(name, line, "(row)", ",".join(row[len(columns):])[:200],
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
                result.errors.append(RowError(name, line, field_name, found[:200], message))
            continue
        if id_field is not None:
            key = getattr(record, id_field)
            if key in seen_ids:
                result.errors.append(RowError(name, line, id_field, key,
                                              f"duplicate {id_field}, first seen on line {seen_ids[key]}"))
                continue
            seen_ids[key] = line
        if model is not Partnership:
            result.errors.extend(_certification_warnings(record, name, line))
            result.errors.extend(_location_warnings(record, name, line))
        result.records.append(record)
        result.lines.append(line)
    return result


def drop_unknown_partners(
    result: ReadResult[Partnership], supplier_ids: set[str], buyer_ids: set[str]
) -> ReadResult[Partnership]:
    """Keep the partnerships whose supplier and buyer are known; the others become row errors.

    Examples
    --------
    >>> rows = [(2, ["S1", "B1", "deal"]), (3, ["S9", "B1", "accepted"])]
    >>> read = validate_rows(rows, ["supplier_id", "buyer_id", "outcome"], Partnership, "p.csv", ReadResult(file="p.csv"))
    >>> checked = drop_unknown_partners(read, {"S1"}, {"B1"})
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
