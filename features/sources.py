"""Suppliers in partitions: a register too large to hold, read a slice at a time, wherever a slice is matched.

A :class:`SupplierSource` is scanned once on the machine that starts a run
(ids, for duplicates and history, and the product texts of a sample, for
fitting the text space), then yields its partitions one by one. Each
partition validates its rows where it runs (:mod:`.validation`) and reports
bad ones by file, line and field. This module holds the interface and the
in-memory source (records already validated: the store, an upload); files
(CSV, Parquet) are read by :mod:`tiermatch.io.partitions`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .profiles import Supplier
from .validation import ReadResult

__all__ = ["Partition", "RecordsPartition", "Scan", "SupplierSource", "scan_rows"]


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


class Partition:
    """A slice of a register, small to ship; :meth:`read` validates it where it runs."""

    index: int

    def read(self, only: Sequence[int] | None = None) -> ReadResult[Supplier]:
        """Valid suppliers of this partition (or of its rows ``only``, positions within it), and every problem.

        ``result.lines`` holds each record's position within the partition, so
        that a record can be read again alone.
        """
        raise NotImplementedError


@dataclass(frozen=True)
class RecordsPartition(Partition):
    """Suppliers already validated, in memory."""

    index: int
    records: list[Supplier]

    def read(self, only=None) -> ReadResult[Supplier]:
        positions = range(len(self.records)) if only is None else only
        return ReadResult(records=[self.records[i] for i in positions], lines=list(positions))


class SupplierSource:
    """A register of suppliers to be read in partitions of ``partition_size`` rows.

    ``SupplierSource.from_records`` holds suppliers in memory;
    :func:`tiermatch.io.open_suppliers` opens a file.
    """

    def __init__(self, name: str, n_rows: int | None, partition_size: int):
        if partition_size < 1:
            raise ValueError(f"Expected partition_size >= 1, got {partition_size}")
        self.name, self.n_rows, self.partition_size = name, n_rows, partition_size
        self._scanned: tuple | None = None

    @property
    def n_partitions(self) -> int:
        """How many partitions :meth:`partitions` yields (known once the rows are counted: after :meth:`scan`)."""
        if self.n_rows is None:
            raise ValueError(f"{self.name}: scan the source before asking how many partitions it has")
        return max(1, -(-self.n_rows // self.partition_size))

    @staticmethod
    def from_records(records: Sequence[Supplier], partition_size: int | None = None) -> SupplierSource:
        """Suppliers already validated, read ``partition_size`` at a time (all at once by default).

        Examples
        --------
        >>> s = Supplier(supplier_id="S1", name="A", sector="automotive", products="x", province="Rayong")
        >>> source = SupplierSource.from_records([s, s.model_copy(update={"supplier_id": "S2"})], 1)
        >>> source.n_partitions, source.scan(fit_sample=1).texts
        (2, {0: 'x'})
        """
        return _RecordsSource(list(records), partition_size or max(len(records), 1))

    def scan(self, keep=frozenset(), fit_sample: int | None = None) -> Scan:
        """Read the whole register once: every row's id, duplicates, and the texts a fit needs.

        Parameters
        ----------
        keep : set of str
            Ids whose product text is kept whatever the sample (the suppliers in the history).
        fit_sample : int, optional
            Keep the texts of at most this many rows besides, evenly spread (every
            ``stride``-th row, the stride a power of two); all rows where None.

        The scan is remembered: asked again with the same sample and ids it kept
        already (or fewer), the file is not read again. After it, ``n_rows``
        holds the number of rows.
        """
        keep = frozenset(keep)
        if self._scanned is None or self._scanned[0] != fit_sample or not keep <= self._scanned[1]:
            self._scanned = (fit_sample, keep, scan_rows(self._rows(), keep, fit_sample))
            self.n_rows = len(self._scanned[2].ids)
        return self._scanned[2]

    def _rows(self) -> Iterator[tuple[int, str, str]]:
        """Every row as (line, supplier id, products), in order."""
        raise NotImplementedError

    def partitions(self, duplicates: dict[int, int]) -> Iterator[Partition]:
        """The partitions in order, each made only when asked for."""
        raise NotImplementedError

    def read_rows(self, rows, duplicates: dict[int, int]) -> list[Supplier]:
        """The valid records among ``rows`` (positions in the scan's order), in that order; only the partitions
        holding one are validated."""
        wanted = sorted(set(int(r) for r in rows))
        found: list[Supplier] = []
        k = 0
        for partition in self.partitions(duplicates):
            start = partition.index * self.partition_size
            mine = []
            while k < len(wanted) and wanted[k] < start + self.partition_size:
                mine.append(wanted[k] - start)
                k += 1
            if mine:
                found += partition.read(only=mine).records
            if k == len(wanted):
                break
        return found


class _RecordsSource(SupplierSource):
    def __init__(self, records: list[Supplier], partition_size: int):
        super().__init__("suppliers", len(records), partition_size)
        self.records = records

    def _rows(self):
        return ((i, s.supplier_id, s.products) for i, s in enumerate(self.records))

    def partitions(self, duplicates) -> Iterator[Partition]:
        for k, start in enumerate(range(0, max(self.n_rows, 1), self.partition_size)):
            yield RecordsPartition(k, self.records[start:start + self.partition_size])


def scan_rows(rows: Iterator[tuple[int, str, str]], keep=frozenset(), fit_sample: int | None = None) -> Scan:
    """A :class:`Scan` of ``rows`` of (line, supplier id, products), in order; see :meth:`SupplierSource.scan`.

    Examples
    --------
    >>> rows = [(2, "S1", "a"), (3, "S2", "b"), (4, "S3", "c"), (5, "S1", "d"), (6, "S5", "e")]
    >>> scan = scan_rows(iter(rows), keep={"S2"}, fit_sample=2)
    >>> scan.ids, sorted(scan.texts.items()), scan.duplicates
    (['S1', 'S2', 'S3', 'S1', 'S5'], [(0, 'a'), (1, 'b'), (4, 'e')], {5: 2})
    """
    ids, kept, sample, duplicates, first_line = [], {}, {}, {}, {}
    stride = 1
    for position, (line, supplier_id, products) in enumerate(rows):
        supplier_id = supplier_id.strip()
        ids.append(supplier_id)
        if supplier_id in first_line:
            duplicates[line] = first_line[supplier_id]
        elif supplier_id:
            first_line[supplier_id] = line
        if supplier_id in keep:
            kept[position] = products
        elif position % stride == 0:
            sample[position] = products
            if fit_sample is not None and len(sample) > fit_sample:
                stride *= 2
                sample = {row: text for row, text in sample.items() if row % stride == 0}
    return Scan(ids, {**sample, **kept}, duplicates)
