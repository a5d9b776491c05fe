"""A fast start: the command line's help and its commands' parsing import none of the heavy libraries."""

import subprocess
import sys

import pytest

HEAVY = ("sklearn", "faiss", "dask", "distributed", "scipy", "pyarrow", "sqlalchemy", "pythainlp", "fastapi")


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["import", "--help"], ["users", "--help"]])
def test_help_imports_no_heavy_library(args):
    code = ("import sys\nfrom tiermatch.cli import app\n"
            f"try:\n    app({args!r})\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"
