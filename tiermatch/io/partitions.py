"""Supplier files read in partitions: parsed once to scan, once more to match, wherever a partition runs.

The scan (:meth:`SupplierSource.scan`) reads every row's id and the product
text of a sample, counting the rows as it goes; the partitions are read once
more, each where it is matched. A Parquet partition is a file and a row range,
read on the worker that runs it; a CSV partition carries its rows, since a
CSV file cannot be entered in the middle. Every partition validates its rows
(:func:`tiermatch.features.validation.validate_rows`) and reports bad ones by
file, line (Parquet: row) and field.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidFileError
from ..features.profiles import Supplier
from ..features.sources import Partition, SupplierSource
from ..features.validation import ReadResult, RowError, check_columns, validate_rows
from .records import parquet_cells
from .sheets import open_sheet

__all__ = ["CsvPartition", "ParquetPartition", "open_suppliers"]


def _validate_partition(name, columns, rows, line_of, duplicates, only) -> ReadResult[Supplier]:
    """Validate a partition's raw rows (``only`` those positions, if given); the duplicates found by the
    scan are rejected. ``result.lines`` holds positions within the partition, not file lines."""
    result: ReadResult[Supplier] = ReadResult(file=name)
    position_of = {}
    kept = []
    for position in range(len(rows)) if only is None else only:
        line = line_of(position)
        if line in duplicates:
            found_id = rows[position][columns.index("supplier_id")]
            result.errors.append(RowError(name, line, "supplier_id", found_id,
                                          f"duplicate supplier_id, first seen on line {duplicates[line]}"))
        else:
            position_of[line] = position
            kept.append((line, rows[position]))
    validate_rows(kept, columns, Supplier, name, result)
    result.lines = [position_of[line] for line in result.lines]
    result.errors.sort(key=lambda error: error.line)  # in file order, as a whole file reports them
    return result


@dataclass(frozen=True)
class CsvPartition(Partition):
    """Rows of a CSV file, with the line each came from (for messages)."""

    index: int
    name: str
    columns: list[str]
    rows: list[list[str]]
    lines: list[int]
    duplicates: dict[int, int] = field(default_factory=dict)

    def read(self, only=None) -> ReadResult[Supplier]:
        return _validate_partition(self.name, self.columns, self.rows, self.lines.__getitem__, self.duplicates, only)


@dataclass(frozen=True)
class ParquetPartition(Partition):
    """Rows ``[start, stop)`` of a Parquet file, read where the partition runs. Row numbers count from 1."""

    index: int
    path: str
    start: int
    stop: int
    duplicates: dict[int, int] = field(default_factory=dict)

    def read(self, only=None) -> ReadResult[Supplier]:
        table = _read_parquet_rows(self.path, self.start, self.stop)
        columns = check_columns(self.path, Supplier, table.column_names)
        rows = list(zip(*(parquet_cells(table.column(i)) for i in range(table.num_columns))))
        return _validate_partition(self.path, columns, rows, lambda position: self.start + 1 + position,
                                   self.duplicates, only)


def _read_parquet_rows(path: str, start: int, stop: int):
    """Rows ``[start, stop)`` of a Parquet file, reading only the row groups that hold them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    file = pq.ParquetFile(path)
    groups, offset, first = [], 0, None
    for g in range(file.metadata.num_row_groups):
        n = file.metadata.row_group(g).num_rows
        if offset < stop and offset + n > start:
            groups.append(g)
            first = offset if first is None else first
        offset += n
    if not groups:
        return pa.table({name: pa.array([], pa.string()) for name in file.schema_arrow.names})
    table = file.read_row_groups(groups)
    return table.slice(start - first, stop - start)


class _CsvSource(SupplierSource):
    """A CSV file or a workbook (:func:`~tiermatch.io.sheets.open_sheet`); its rows are counted by the scan, the first time the file is parsed."""

    def __init__(self, path: Path, partition_size: int):
        self.path = path
        self.encoding = None
        with self._sheet():  # the header is checked at once: a file that cannot be used stops here
            pass
        super().__init__(str(path), None, partition_size)

    @contextmanager
    def _sheet(self):
        """The file's records, ``(first line, cells)``, and the header's columns; the encoding is found the
        first time only (the scan and the partitions read the file again)."""
        with open_sheet(self.path, str(self.path), self.encoding) as sheet:
            self.encoding = sheet.encoding
            yield sheet.rows, check_columns(str(self.path), Supplier, sheet.header)

    def _rows(self):
        with self._sheet() as (rows, columns):
            i, p = columns.index("supplier_id"), columns.index("products")
            for line, row in rows:
                yield line, row[i] if len(row) > i else "", row[p] if len(row) > p else ""

    def partitions(self, duplicates) -> Iterator[Partition]:
        with self._sheet() as (records, columns):
            rows, lines, k = [], [], 0
            for line, row in records:
                rows.append(row)
                lines.append(line)
                if len(rows) == self.partition_size:
                    yield CsvPartition(k, str(self.path), columns, rows, lines, _within(duplicates, lines))
                    rows, lines, k = [], [], k + 1
            if rows or k == 0:
                yield CsvPartition(k, str(self.path), columns, rows, lines, _within(duplicates, lines))


class _ParquetSource(SupplierSource):
    def __init__(self, path: Path, partition_size: int):
        import pyarrow.parquet as pq

        self.path = path
        try:
            schema = pq.read_schema(path)
            n_rows = pq.ParquetFile(path).metadata.num_rows
        except Exception as exc:  # pyarrow raises several kinds for a file that is not Parquet
            raise InvalidFileError(f"{path}: cannot read it as Parquet: {exc}") from exc
        self.columns = dict(zip(check_columns(str(path), Supplier, schema.names), schema.names))
        super().__init__(str(path), n_rows, partition_size)

    def _rows(self):
        import pyarrow.parquet as pq

        columns = [self.columns["supplier_id"], self.columns["products"]]
        line = 1
        for batch in pq.ParquetFile(self.path).iter_batches(batch_size=65_536, columns=columns):
            for supplier_id, products in zip(parquet_cells(batch.column(0)), parquet_cells(batch.column(1))):
                yield line, supplier_id, products
                line += 1

    def partitions(self, duplicates) -> Iterator[Partition]:
        for k, start in enumerate(range(0, max(self.n_rows, 1), self.partition_size)):
            stop = min(start + self.partition_size, self.n_rows)
            yield ParquetPartition(k, str(self.path), start, stop,
                                   {line: first for line, first in duplicates.items() if start < line <= stop})


def _within(duplicates: dict[int, int], lines: list[int]) -> dict[int, int]:
    if not duplicates or not lines:
        return {}
    return {line: duplicates[line] for line in lines if line in duplicates}


def open_suppliers(path: str | Path, partition_size: int = 100_000) -> SupplierSource:
    """A supplier file (CSV, a workbook or ``.parquet``, the interchange columns) to be read in partitions.

    Raises
    ------
    InvalidFileError
        If the file cannot be read or lacks a required column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "suppliers.csv"
    >>> _ = path.write_text("supplier_id,name,sector,products,province\\n"
    ...                     "S1,A,automotive,stamped parts,Rayong\\nS2,B,automotive,seat fabric,Chon Buri\\n"
    ...                     "S1,C,automotive,bolts,Rayong\\n", encoding="utf-8")
    >>> source = open_suppliers(path, partition_size=2)
    >>> scan = source.scan()
    >>> scan.ids, scan.duplicates, source.n_rows
    (['S1', 'S2', 'S1'], {4: 2}, 3)
    >>> parts = [part.read() for part in source.partitions(scan.duplicates)]
    >>> [[s.supplier_id for s in part.records] for part in parts]
    [['S1', 'S2'], []]
    >>> parts[1].errors[0].message
    'duplicate supplier_id, first seen on line 2'
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidFileError(f"{path}: no such file")
    kind = _ParquetSource if path.suffix.lower() in (".parquet", ".pq") else _CsvSource
    return kind(path, partition_size)
