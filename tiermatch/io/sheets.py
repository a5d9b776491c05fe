"""Tabular files as rows of text cells, however Thai offices save them.

CSV in UTF-8 (with or without a byte-order mark), UTF-16 (Excel's "Unicode
text") or Windows-874/TIS-620, the encoding checked over the whole file;
separated by commas, semicolons, tabs or bars (found from the header); and
Excel or OpenDocument workbooks (``.xlsx``, ``.xls``, ``.ods``, read with
python-calamine), whatever the file's name says. Each record comes with the
line it starts on, so that a message names the line a person sees first. A
record that cannot be split into cells (a quote never closed, a cell beyond
any size a profile holds) becomes an :class:`UnreadableRow`, which validation
reports like any other bad row; the rows after it are still read.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidFileError

__all__ = ["Sheet", "UnreadableRow", "detect_encoding", "open_sheet", "safe_rows", "spreadsheet_safe"]

# A cell larger than this stops being read (``csv`` refuses it); smaller ones still meet the profiles' own
# bounds. Above any real cell, below what would let one file exhaust memory.
MAX_CELL_CHARS = 1 << 22
csv.field_size_limit(MAX_CELL_CHARS)

_DELIMITERS = (",", ";", "\t", "|")
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # xlsx and ods are zip files; xls is OLE2
# What a spreadsheet runs when a cell starts with it (OWASP's CSV injection list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CHUNK = 1 << 20


class UnreadableRow(list):
    """A record the reader could not split into cells, with why; validation reports it and goes on."""

    def __init__(self, cells, message: str):
        super().__init__(cells)
        self.message = message


@dataclass
class Sheet:
    """A file's header and its records, each ``(first line, cells)``; ``encoding`` names what was read."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str


def spreadsheet_safe(value):
    """A cell a spreadsheet shows as text, never runs: text starting as a formula gets a leading ``'``.

    Numbers, and text that reads as one (``-12.5``), are left as they are.

    Examples
    --------
    >>> spreadsheet_safe('=HYPERLINK("http://x")'), spreadsheet_safe("@SUM(A1)"), spreadsheet_safe("-3.5")
    ('\\'=HYPERLINK("http://x")', "'@SUM(A1)", '-3.5')
    >>> spreadsheet_safe("Siam Parts"), spreadsheet_safe(-2)
    ('Siam Parts', -2)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def safe_rows(rows):
    """Rows (sequences of cells) with every cell :func:`spreadsheet_safe`; what every CSV written goes through."""
    for row in rows:
        if any(cell.__class__ is str and cell.startswith(_FORMULA_START) for cell in row):
            row = [spreadsheet_safe(cell) for cell in row]
        yield row


def _unescape(cell: str) -> str:
    """A cell :func:`spreadsheet_safe` wrote, as it was."""
    return cell[1:] if cell.startswith("'") and cell[1:2] in _FORMULA_START and cell[1:2] else cell


def _utf16(head: bytes) -> str | None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # Without a byte-order mark, ASCII header letters leave every other byte zero.
    sample = head[:512]
    if len(sample) >= 4 and sample[1::2].count(0) > 0.4 * len(sample) // 2:
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > 0.4 * len(sample) // 2:
        return "utf-16-be"
    return None


def _first_bad(chunks, encoding: str) -> tuple[int, int, str] | None:
    """Where ``chunks`` (bytes) stop being ``encoding``: (line, byte offset, reason), or None if they never do."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = lines = 0
    for chunk in chunks:
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            return lines + chunk.count(b"\n", 0, max(exc.start, 0)) + 1, offset + max(exc.start, 0), exc.reason
        offset += len(chunk)
        lines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return lines + 1, offset, exc.reason
    return None


def detect_encoding(source: Path | bytes) -> str:
    """The encoding of a CSV file, checked over every byte of it: UTF-8 (``utf-8-sig`` with a byte-order
    mark), UTF-16, else Windows-874 (``cp874``). Thai text in Windows-874 is never valid UTF-8, so trying
    UTF-8 first cannot mistake one for the other.

    Raises
    ------
    InvalidFileError
        Naming the line of the first byte that no candidate reads.

    Examples
    --------
    >>> detect_encoding("ชลบุรี".encode("cp874")), detect_encoding("ชลบุรี".encode("utf-16"))
    ('cp874', 'utf-16')
    >>> detect_encoding(b"\\xef\\xbb\\xbfname"), detect_encoding(b"name")
    ('utf-8-sig', 'utf-8')
    """
    def chunks():
        if isinstance(source, bytes):
            yield from (source[i:i + _CHUNK] for i in range(0, len(source), _CHUNK))
        else:
            with open(source, "rb") as f:
                yield from iter(lambda: f.read(_CHUNK), b"")

    head = next(chunks(), b"")
    if head.startswith(codecs.BOM_UTF8):
        candidates = ("utf-8-sig",)
    elif (utf16 := _utf16(head)) is not None:
        candidates = (utf16,)
    else:
        candidates = ("utf-8", "cp874")
    failures = []
    for encoding in candidates:
        bad = _first_bad(chunks(), encoding)
        if bad is None:
            return encoding
        failures.append(bad)
    line, offset, reason = max(failures, key=lambda bad: bad[1])  # where the likeliest encoding stopped
    names = " nor ".join({"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "cp874": "Windows-874/TIS-620"}.get(e, "UTF-16")
                         for e in candidates)
    raise InvalidFileError(f"line {line}: cannot decode the file: it is neither {names} "
                           f"(byte {offset}: {reason}); save it from Excel as CSV UTF-8 or as a workbook")


def _delimiter(first_line: str) -> str:
    """The separator the header uses most (a comma where none appears)."""
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=counts.__getitem__)
    return best if counts[best] else ","


def _csv_records(reader, width: int) -> Iterator[tuple[int, list[str]]]:
    """``(first line, cells)`` of each record; an unclosed quote or an oversized cell as an :class:`UnreadableRow`."""
    start = reader.line_num + 1
    held = None  # the latest record, held back: only the last one can be a quote never closed
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row = UnreadableRow([], f"cannot split the record into cells: {exc}")
        if held is not None:
            yield held
        if row and not isinstance(row, UnreadableRow) and any(c.startswith("'") for c in row):
            row = [_unescape(c) for c in row]
        held = start, row
        start = reader.line_num + 1
    if held is not None:
        line, row = held
        last = reader.line_num
        if last > line and len(row) < width and any("\n" in cell for cell in row):
            row = UnreadableRow(row, f"a quote opened on line {line} is never closed: lines {line} to {last} "
                                     "were read as one record")
        yield line, row


def _text(value) -> str:
    """A workbook cell as the text a CSV export would hold."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _workbook_sheet(source: Path | bytes, name: str) -> Sheet:
    from python_calamine import CalamineWorkbook

    try:
        book = (CalamineWorkbook.from_filelike(io.BytesIO(source)) if isinstance(source, bytes)
                else CalamineWorkbook.from_path(str(source)))
        rows = book.get_sheet_by_index(0).iter_rows()
    except Exception as exc:  # calamine raises its own kinds for a damaged or protected workbook
        raise InvalidFileError(f"{name}: cannot read it as a workbook: {exc}") from exc
    numbered = ((i, [_text(v) for v in row]) for i, row in enumerate(rows, 1))
    for line, header in numbered:
        if any(cell.strip() for cell in header):
            break
    else:
        raise InvalidFileError(f"{name}: the workbook's first sheet is empty; expected a header row")
    return Sheet(header, numbered, "workbook")


def _is_workbook(source: Path | bytes) -> bool:
    if isinstance(source, Path):
        if source.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
            return True
        with open(source, "rb") as f:
            source = f.read(8)
    return source.startswith(_WORKBOOK_MAGIC)


@contextmanager
def open_sheet(source: str | Path | bytes, name: str, encoding: str | None = None) -> Iterator[Sheet]:
    """The header and records of a CSV file or a workbook (a path, or an upload's bytes).

    ``encoding``: what an earlier opening of the same file found (``Sheet.encoding``), so that a file read
    several times is checked once; detected over the whole file when not given.

    Raises
    ------
    InvalidFileError
        If the file cannot be read or decoded, or has no header row.

    Examples
    --------
    >>> raw = "supplier_id;name\\nS1;'=Siam\\n".encode("utf-16")
    >>> with open_sheet(raw, "s.csv") as sheet:
    ...     sheet.header, list(sheet.rows), sheet.encoding
    (['supplier_id', 'name'], [(2, ['S1', '=Siam'])], 'utf-16')
    """
    if isinstance(source, str):
        source = Path(source)
    try:
        if isinstance(source, Path) and not source.is_file():
            raise InvalidFileError(f"{name}: cannot read the file: no such file")
        workbook = _is_workbook(source)
        if not workbook:
            encoding = encoding or detect_encoding(source)
            raw = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
    except OSError as exc:
        raise InvalidFileError(f"{name}: cannot read the file: {exc.strerror}") from exc
    except InvalidFileError as exc:
        raise InvalidFileError(f"{name}, {exc}" if str(exc).startswith("line ") else str(exc)) from exc
    if workbook:
        yield _workbook_sheet(source, name)
        return
    with io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        first = text.readline()
        text.seek(0)
        reader = csv.reader(text, delimiter=_delimiter(first))
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise InvalidFileError(f"{name}, line 1: cannot read the header row: {exc}") from exc
        if not header:
            raise InvalidFileError(f"{name}: the file is empty; expected a header row")
        yield Sheet(header, _csv_records(reader, len(header)), encoding)
