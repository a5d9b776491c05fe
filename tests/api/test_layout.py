"""Imports run api -> matcher -> features: features and matcher never import the service or FastAPI."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("package", ["features", "matcher"])
def test_core_packages_know_nothing_of_http(package):
    for path in (ROOT / package).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert not name.lstrip(".").startswith(("api", "fastapi", "starlette", "tiermatch.api")), (path, name)
