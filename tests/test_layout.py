"""The house's layout holds: imports run api/cli -> services -> matcher -> features, with no cycle and no
private name borrowed from another module.

Every import is read from the source with ``ast``: ``import`` and ``from ... import`` at any depth
(inside functions too), and ``importlib.import_module`` / ``__import__`` calls. A test plants each kind of
violation in a small tree of its own and checks that the checker reports it, so this test can fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
# Source folders and the package each installs as (pyproject.toml's package-dir).
SOURCES = {"tiermatch": ROOT / "tiermatch", "tiermatch.features": ROOT / "features",
           "tiermatch.matcher": ROOT / "matcher", "tiermatch.api": ROOT / "api"}

# What each part of the house may import (besides itself). The core knows nothing of the edges,
# the edges nothing of the doors, and no door reaches past the services into the core's matching.
ALLOWED = {
    "errors": set(),
    "settings": set(),
    "features": {"errors"},
    "matcher": {"features", "errors"},
    "datasets": {"features", "io", "errors"},
    "io": {"features", "matcher", "errors"},
    "store": {"features", "errors"},
    "services": {"features", "matcher", "io", "store", "datasets", "errors", "settings"},
    "api": {"services", "features", "store", "errors", "settings"},
    "cli": {"services", "io", "datasets", "store", "errors", "settings"},
}
# Modules that import a module named at run time, and why: a plugin a user names in a setting.
PLUGIN_LOADERS = {"tiermatch.features.encoder": "the sentence encoder a setting names as module:factory"}


def module_sources() -> dict[str, str]:
    """Every module of the package, by its installed name, with its source."""
    found = {}
    for package, folder in SOURCES.items():
        for path in folder.rglob("*.py"):
            relative = path.relative_to(folder).with_suffix("")
            parts = [p for p in relative.parts if p != "__init__"]
            if package == "tiermatch" and parts and parts[0] in ("features", "matcher", "api"):
                continue
            if "migrations" in parts:  # Alembic's scripts, loaded by path, not imported
                continue
            name = ".".join([package, *parts])
            found[name] = path.read_text(encoding="utf-8")
    return found


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    if not level:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def imports(module: str, source: str, is_package: bool) -> list[tuple[str, str | None, int]]:
    """``(module imported, name imported or None, line)`` for every import in a module's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package, node.level, node.module)
            found += [(base, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in ("import_module", "__import__") and node.args:
                argument = node.args[0]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    package = node.args[1].value if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) else None
                    level = len(argument.value) - len(argument.value.lstrip("."))
                    target = argument.value.lstrip(".") or None
                    resolved = _resolve(package + ".x", False, level, target) if level and package else argument.value
                    found.append((resolved, None, node.lineno))
                else:
                    found.append(("<dynamic>", None, node.lineno))
    return found


def part(module: str) -> str:
    """The part of the house a module belongs to: ``features``, ``services``, ``errors``..."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "tiermatch"


def violations(sources: dict[str, str]) -> list[str]:
    """Every layout rule a tree of modules breaks, as readable lines."""
    problems, graph = [], nx.DiGraph()
    packages = {name for name in sources if any(other.startswith(name + ".") for other in sources)}
    for module, source in sources.items():
        graph.add_node(module)
        for target, name, line in imports(module, source, module in packages):
            where = f"{module} line {line}"
            if target == "<dynamic>":
                if module in PLUGIN_LOADERS:
                    continue
                problems.append(f"{where}: an import whose module is not a literal string")
                continue
            if not target.startswith("tiermatch"):
                if part(module) in ("features", "matcher", "services", "store", "io") and \
                        target.split(".")[0] in ("fastapi", "starlette", "typer", "uvicorn"):
                    problems.append(f"{where}: the core imports the door library {target}")
                continue
            # `from package import module` imports the module.
            full = f"{target}.{name}" if name and f"{target}.{name}" in sources else target
            if full not in sources and target not in sources:
                continue
            graph.add_edge(module, full if full in sources else target)
            mine, theirs = part(module), part(full)
            if theirs != mine and mine in ALLOWED and theirs not in ALLOWED[mine]:
                problems.append(f"{where}: {mine} may not import {theirs} ({full})")
            if name and name.startswith("_") and not name.startswith("__") and full == target:
                problems.append(f"{where}: imports the private name {name} from {target}")
            private_module = next((p for p in full.split(".") if p.startswith("_") and not p.startswith("__")), None)
            if private_module:
                owner = full.split("." + private_module)[0]
                if not module.startswith(owner + ".") and module != owner:
                    problems.append(f"{where}: imports the private module {full} from outside {owner}")
    for cycle in nx.simple_cycles(graph):
        if len(cycle) > 1:
            problems.append("import cycle: " + " -> ".join(cycle + cycle[:1]))
    return problems


def test_the_house_keeps_its_layout():
    assert violations(module_sources()) == []


def test_every_module_of_the_package_is_read():
    names = set(module_sources())
    assert {"tiermatch.services.runs", "tiermatch.features.mapper", "tiermatch.matcher.assignment.flow",
            "tiermatch.api.web.pages", "tiermatch.cli.run", "tiermatch.store.runs"} <= names


@pytest.mark.parametrize("planted, expected", [
    ({"tiermatch.features.a": "from ..matcher import engine\n"}, "features may not import matcher"),
    ({"tiermatch.matcher.a": "def f():\n    from ..store import Store\n"}, "matcher may not import store"),
    ({"tiermatch.matcher.a": "import importlib\nimportlib.import_module('tiermatch.api')\n"},
     "matcher may not import api"),
    ({"tiermatch.api.a": "from ..matcher import engine\n"}, "api may not import matcher"),
    ({"tiermatch.matcher.a": "from .b import x\n", "tiermatch.matcher.b": "from .a import y\n"}, "import cycle"),
    ({"tiermatch.matcher.a": "from .b import _helper\n", "tiermatch.matcher.b": ""}, "private name _helper"),
    ({"tiermatch.services.a": "from ..matcher._checks import check\n", "tiermatch.matcher._checks": ""},
     "private module tiermatch.matcher._checks"),
    ({"tiermatch.features.a": "import fastapi\n"}, "door library fastapi"),
    ({"tiermatch.features.a": "import importlib\nimportlib.import_module(name)\n"}, "not a literal string"),
])
def test_a_planted_violation_is_caught(planted, expected):
    sources = {"tiermatch": "", "tiermatch.features": "", "tiermatch.matcher": "", "tiermatch.api": "",
               "tiermatch.store": "", "tiermatch.services": "", "tiermatch.matcher.engine": "", **planted}
    found = violations(sources)
    assert any(expected in problem for problem in found), found
