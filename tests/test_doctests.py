"""Every docstring example in the package runs (the folders install as tiermatch.*, so
pytest's --doctest-modules cannot import them from the source tree)."""

import doctest
import importlib
import pkgutil

import pytest

import tiermatch

MODULES = sorted(m.name for m in pkgutil.walk_packages(tiermatch.__path__ + [], prefix="tiermatch."))
for package in ("features", "matcher", "api"):
    module = importlib.import_module(f"tiermatch.{package}")
    MODULES += sorted(m.name for m in pkgutil.walk_packages(module.__path__, prefix=f"tiermatch.{package}."))
MODULES = sorted(set(MODULES))


def test_every_package_is_found():
    assert {"tiermatch.features.reference", "tiermatch.matcher.assignment", "tiermatch.api.app"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
