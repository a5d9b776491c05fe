"""Suppliers in partitions: a register too large to hold, read a slice at a time, wherever a slice is matched.

A :class:`SupplierSource` is scanned once on the machine that starts a run
(ids, for duplicates and history, and the product texts of a sample, for
fitting the text space), then yields its partitions one by one. A partition
is small to ship: a Parquet partition is a file and a row range, read on the
worker that runs it; a CSV partition carries its rows, since a CSV file cannot
be entered in the middle; a partition of records already validated (the
store, an upload) carries them. Every partition validates its rows where it
runs and reports bad ones by file, line (Parquet: row) and field.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .io import InvalidFileError, ReadResult, RowError, check_columns, decode_csv, parquet_cells, validate_rows
from .profiles import Supplier

__all__ = ["CsvPartition", "ParquetPartition", "RecordsPartition", "Scan", "SupplierSource", "open_suppliers"]


@dataclass(frozen=True)
class Scan:
    """What a run needs of the whole register before matching any of it.

    ``ids``: every row's supplier id in order (rows that lack one hold "");
    ``texts``: product text of the rows in ``wanted`` (the fitting sample and
    the suppliers in the history), by row; ``duplicates``: each repeated id's
    later rows, mapped to the line of its first.
    """

    ids: list[str]
    texts: dict[int, str]
    duplicates: dict[int, int]


class _Partition:
    index: int

    def read(self, only: Sequence[int] | None = None) -> ReadResult[Supplier]:
        """Valid suppliers of this partition (or of its rows ``only``, positions within it), and every problem.

        ``result.lines`` holds each record's position within the partition, so
        that a record can be read again alone.
        """
        raise NotImplementedError


@dataclass(frozen=True)
class RecordsPartition(_Partition):
    """Suppliers already validated, in memory."""

    index: int
    records: list[Supplier]

    def read(self, only=None) -> ReadResult[Supplier]:
        positions = range(len(self.records)) if only is None else only
        return ReadResult(records=[self.records[i] for i in positions], lines=list(positions))


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
class CsvPartition(_Partition):
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
class ParquetPartition(_Partition):
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


class SupplierSource:
    """A register of suppliers to be read in partitions of ``partition_size`` rows.

    Use :func:`open_suppliers` for files; ``SupplierSource.from_records`` for
    suppliers in memory.
    """

    def __init__(self, name: str, n_rows: int, partition_size: int):
        if partition_size < 1:
            raise ValueError(f"Expected partition_size >= 1, got {partition_size}")
        self.name, self.n_rows, self.partition_size = name, n_rows, partition_size

    @property
    def n_partitions(self) -> int:
        return max(1, -(-self.n_rows // self.partition_size))

    @staticmethod
    def from_records(records: Sequence[Supplier], partition_size: int | None = None) -> SupplierSource:
        return _RecordsSource(list(records), partition_size or max(len(records), 1))

    def scan(self, wanted) -> Scan:
        """Read ids (and the texts of rows ``wanted(row, supplier_id)`` says to keep) of the whole register."""
        raise NotImplementedError

    def partitions(self, duplicates: dict[int, int]) -> Iterator[_Partition]:
        """The partitions in order, each made only when asked for."""
        raise NotImplementedError


class _RecordsSource(SupplierSource):
    def __init__(self, records: list[Supplier], partition_size: int):
        super().__init__("suppliers", len(records), partition_size)
        self.records = records

    def scan(self, wanted) -> Scan:
        ids = [s.supplier_id for s in self.records]
        return Scan(ids, {i: s.products for i, s in enumerate(self.records) if wanted(i, s.supplier_id)}, {})

    def partitions(self, duplicates) -> Iterator[_Partition]:
        for k, start in enumerate(range(0, max(self.n_rows, 1), self.partition_size)):
            yield RecordsPartition(k, self.records[start:start + self.partition_size])


def _scan_rows(rows: Iterator[tuple[int, str, str]], wanted) -> Scan:
    """``rows`` of (line, supplier id, products) in order."""
    ids, texts, duplicates, first_line = [], {}, {}, {}
    for position, (line, supplier_id, products) in enumerate(rows):
        supplier_id = supplier_id.strip()
        ids.append(supplier_id)
        if supplier_id in first_line:
            duplicates[line] = first_line[supplier_id]
        elif supplier_id:
            first_line[supplier_id] = line
        if wanted(position, supplier_id):
            texts[position] = products
    return Scan(ids, texts, duplicates)


class _CsvSource(SupplierSource):
    def __init__(self, path: Path, partition_size: int):
        self.path = path
        with self._reader() as (reader, columns):
            n_rows = sum(1 for _ in reader)
        super().__init__(str(path), n_rows, partition_size)

    @contextmanager
    def _reader(self):
        """A CSV reader past the header, and the header's columns; a file that cannot be used stops here."""
        encoding = _detect_encoding(self.path)
        with open(self.path, encoding=encoding, newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if not header:
                raise InvalidFileError(f"{self.path}: the file is empty; expected a header row")
            columns = check_columns(str(self.path), Supplier, header)
            try:
                yield reader, columns
            except UnicodeDecodeError as exc:
                raise InvalidFileError(f"{self.path}, line {reader.line_num + 1}: not {encoding} text: {exc.reason}") from exc

    def scan(self, wanted) -> Scan:
        with self._reader() as (reader, columns):
            i, p = columns.index("supplier_id"), columns.index("products")
            return _scan_rows(((reader.line_num, row[i] if len(row) > i else "", row[p] if len(row) > p else "")
                               for row in reader), wanted)

    def partitions(self, duplicates) -> Iterator[_Partition]:
        with self._reader() as (reader, columns):
            rows, lines, k = [], [], 0
            for row in reader:
                rows.append(row)
                lines.append(reader.line_num)
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

    def scan(self, wanted) -> Scan:
        import pyarrow.parquet as pq

        columns = [self.columns["supplier_id"], self.columns["products"]]
        batches = pq.ParquetFile(self.path).iter_batches(batch_size=65_536, columns=columns)

        def rows():
            line = 1
            for batch in batches:
                for supplier_id, products in zip(parquet_cells(batch.column(0)), parquet_cells(batch.column(1))):
                    yield line, supplier_id, products
                    line += 1

        return _scan_rows(rows(), wanted)

    def partitions(self, duplicates) -> Iterator[_Partition]:
        for k, start in enumerate(range(0, max(self.n_rows, 1), self.partition_size)):
            stop = min(start + self.partition_size, self.n_rows)
            yield ParquetPartition(k, str(self.path), start, stop,
                                   {line: first for line, first in duplicates.items() if start < line <= stop})


def _within(duplicates: dict[int, int], lines: list[int]) -> dict[int, int]:
    if not duplicates or not lines:
        return {}
    return {line: duplicates[line] for line in lines if line in duplicates}


def _detect_encoding(path: Path) -> str:
    """The encoding :func:`~tiermatch.features.io.decode_csv` finds in the first megabyte, cut after its last
    full line so that no character is split."""
    with open(path, "rb") as f:
        head = f.read(1 << 20)
    try:
        return decode_csv(head if len(head) < 1 << 20 else head[:head.rfind(b"\n") + 1])[1]
    except InvalidFileError as exc:
        raise InvalidFileError(f"{path}: {exc}") from exc


def open_suppliers(path: str | Path, partition_size: int = 100_000) -> SupplierSource:
    """A supplier file (``.csv`` or ``.parquet``, the interchange columns) to be read in partitions.

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
    >>> scan = source.scan(lambda row, supplier_id: True)
    >>> scan.ids, scan.duplicates
    (['S1', 'S2', 'S1'], {4: 2})
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
