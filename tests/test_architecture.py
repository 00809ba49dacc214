"""The layout of ``geo`` as a rule: imports point one way and never form a cycle.

The base modules (``geo.config``, ``geo.report``, ``geo.schema``, ...) import no
sub-package; ``geo.places`` and ``geo.store`` import only the base;
``geo.ingest`` may use both; ``geo.views`` reads the store and the places but
never runs the ingest. Only the CLI (``geo.__main__``) sees everything.
Imports inside functions count too: a lazy import is still a dependency. Imports
under ``if TYPE_CHECKING:`` do not: they never run.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

GEO = Path(__file__).resolve().parents[1] / "geo"
PACKAGES = ("ingest", "places", "store", "views")

# which layer each layer may import (its own layer always allowed)
ALLOWED: dict[str, set[str]] = {
    "base": set(),
    "places": {"base"},
    "store": {"base"},
    "ingest": {"base", "places", "store"},
    "views": {"base", "places", "store"},
    "cli": {"base", "places", "store", "ingest", "views"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(GEO.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in GEO.rglob("*.py") if "__pycache__" not in p.parts}


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in PACKAGES:
        return parts[1]
    return "cli" if module == "geo.__main__" else "base"


def _resolve(name: str) -> str | None:
    """The module of ``geo`` that an imported dotted name lands in (longest match)."""
    known = _modules()
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


@cache
def _imports(module: str) -> frozenset[str]:
    """Every module of ``geo`` that *module* imports, at any depth of its code."""
    tree = ast.parse(_modules()[module].read_text(encoding="utf-8"))
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        for name in names:
            if name.split(".")[0] == "geo" and (target := _resolve(name)):
                found.add(target)
    found.discard(module)
    # importing geo.x.y runs geo/__init__ and geo/x/__init__ too; those are lazy
    # by design (tested below), so they are not edges of the graph
    return frozenset(m for m in found if not _is_package(m))


def _is_package(module: str) -> bool:
    return _modules()[module].name == "__init__.py"


def test_every_module_is_in_a_known_layer() -> None:
    layers = {m: _layer(m) for m in _modules()}
    assert set(layers.values()) <= set(ALLOWED)
    assert {"ingest", "places", "store", "views"} <= set(layers.values())


@pytest.mark.parametrize("module", sorted(_modules()))
def test_imports_point_one_way(module: str) -> None:
    layer = _layer(module)
    wrong = sorted(
        f"{target} ({_layer(target)})"
        for target in _imports(module)
        if _layer(target) != layer and _layer(target) not in ALLOWED[layer]
    )
    assert not wrong, f"{module} ({layer}) may not import {', '.join(wrong)}"


def _cycle() -> list[str] | None:
    graph = {m: sorted(_imports(m)) for m in _modules()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in graph[m]:
            if state.get(n) == 1:
                return [*stack[stack.index(n) :], n]
            if n not in state and (found := visit(n)):
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in graph:
        if m not in state and (found := visit(m)):
            return found
    return None


def test_no_import_cycle() -> None:
    assert _cycle() is None, " -> ".join(_cycle() or [])


@pytest.mark.parametrize("package", ["geo", *(f"geo.{p}" for p in PACKAGES)])
def test_package_init_is_lazy_and_documented(package: str) -> None:
    """A package's ``__init__`` loads none of its modules (nor, for ``geo``, a sub-package)
    at import time, and says what it owns."""
    path = _modules()[package]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree) or ""
    assert len(doc) > 80, f"{package} needs a docstring saying what it owns"
    if package != "geo":
        assert "May import" in doc
    inner = tuple(f"geo.{p}" for p in PACKAGES) if package == "geo" else (f"{package}.",)
    eager = [
        node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(inner)
    ]
    assert not eager, f"{package}/__init__.py imports {eager} at import time"


def test_cycle_finder_finds_a_planted_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk above can fail: a planted a -> b -> a is reported."""
    fake = {"geo.a": frozenset({"geo.b"}), "geo.b": frozenset({"geo.a"})}
    monkeypatch.setitem(globals(), "_modules", lambda: dict.fromkeys(fake, Path()))
    monkeypatch.setitem(globals(), "_imports", lambda m: fake[m])
    assert _cycle() == ["geo.a", "geo.b", "geo.a"]
