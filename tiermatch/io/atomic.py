"""One way to write a file (or a folder of them): into a temporary one beside it, then moved into place whole."""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .sheets import safe_rows

__all__ = ["pid_alive", "staged_folder", "write_atomically", "write_csv"]

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


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (one we may not signal counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def staged_folder(folder: str | Path, names):
    """A new, empty folder beside ``folder`` to write results into; on success its contents replace ``names``
    in ``folder`` (the results an earlier run left there, those it did not write again removed), else it goes.

    A run killed while writing (even by ``kill -9``) leaves ``folder`` as the earlier run left it, and a
    hidden ``.NAME.partial-PID-...`` folder beside it that the next run into ``folder`` removes. What else
    ``folder`` holds is never touched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with staged_folder(out, ["a.csv", "b.csv"]) as new:
    ...     _ = (new / "a.csv").write_text("1"), (new / "b.csv").write_text("1")
    >>> with staged_folder(out, ["a.csv", "b.csv"]) as new:
    ...     _ = (new / "a.csv").write_text("2")
    >>> sorted(p.name for p in out.iterdir()), (out / "a.csv").read_text()
    (['a.csv'], '2')
    """
    folder = Path(folder).absolute()
    folder.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{folder.name}.partial-"
    for stale in folder.parent.glob(prefix + "*"):
        pid = stale.name.removeprefix(prefix).split("-")[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f"{prefix}{os.getpid()}-"))
    os.chmod(staging, 0o777 & ~_UMASK)
    try:
        yield staging
        folder.mkdir(exist_ok=True)
        for name in names:
            old, new = folder / name, staging / name
            if new.is_dir() and old.is_dir():
                aside = staging / f".old-{name}"
                os.replace(old, aside)  # a folder cannot replace one that holds files: move the old one aside first
            if new.exists():
                os.replace(new, old)
            elif old.is_dir():
                shutil.rmtree(old)
            else:
                old.unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
