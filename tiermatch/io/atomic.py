"""One way to write a file: into a temporary file beside it, then moved into place whole."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from .sheets import safe_rows

__all__ = ["write_atomically", "write_csv"]

_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once, at import: os.umask can only be read by setting it


def write_atomically(path: str | Path, write, *, encoding: str = "utf-8") -> None:
    """Call ``write(f)`` on a temporary text file beside ``path``, then replace ``path`` with it.

    A reader sees the old file or the new one, never half of one; a failure
    leaves the old file as it was and no temporary file behind.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> write_atomically(path, lambda f: f.write("ok"))
    >>> path.read_text(), [p.name for p in path.parent.iterdir()], oct(path.stat().st_mode & 0o777) != "0o600"
    ('ok', ['a.txt'], True)
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); the result gets the mode an ordinary new file would.
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_UMASK)
        with os.fdopen(fd, "w", encoding=encoding, newline="") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_csv(path: str | Path, header, rows) -> None:
    """Write a header and rows as CSV (UTF-8), atomically; a cell a spreadsheet would run is written as text
    (:func:`~tiermatch.io.sheets.spreadsheet_safe`)."""
    def write(f):
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(safe_rows(rows))

    write_atomically(path, write)
