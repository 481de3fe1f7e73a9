"""The folders keep to their concerns: only the embedded engine's folders know Whoosh and the
embedded engine's internals, and ``index/`` never reaches up into ``search/``.

Every module of ``index/`` and ``search/`` is read (not imported) and each of its imports, at the
top or inside a function, is checked; an import only for type checking counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("index", "search")
EMBEDDED_FOLDERS = ("index/embedded/", "search/embedded/")
EMBEDDED_MODULES = ("whoosh", "index.embedded", "search.embedded")
# The one place above the engines that names one: the factory that opens the engine a location
# calls for (loaded only when an engine is opened).
ALLOWED = {("search/engine.py", "search.embedded.engine")}


def _modules() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def _imports(source: str, package: tuple[str, ...]) -> list[str]:
    """The absolute names of every module ``source``, a module of ``package``, imports
    (relative imports resolved)."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.append(module)
            # ``from search import embedded`` imports a module too.
            names.extend(f"{module}.{alias.name}" for alias in node.names)
    return names


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _violations() -> list[str]:
    found = []
    for path in _modules():
        where = path.relative_to(ROOT).as_posix()
        embedded = where.startswith(EMBEDDED_FOLDERS)
        package = path.relative_to(ROOT).parts[:-1]
        flagged: set[str] = set()
        for name in _imports(path.read_text(encoding="utf-8"), package):
            if name.rpartition(".")[0] in flagged:
                continue  # (a name imported from a module already named)
            if where.startswith("index/") and _within(name, "search"):
                found.append(f"{where} imports {name}: index/ never imports search/")
                flagged.add(name)
            allowed = any(where == place and _within(name, what) for place, what in ALLOWED)
            if embedded or allowed:
                continue
            if any(_within(name, prefix) for prefix in EMBEDDED_MODULES):
                found.append(f"{where} imports {name}: only the embedded engine's folders may")
                flagged.add(name)
    return found


def test_the_modules_are_found() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in _modules()}
    assert {"search/engine.py", "search/cli/app.py", "index/pipeline/ingest.py"} <= names


def test_only_the_embedded_folders_know_whoosh_and_the_embedded_engine() -> None:
    assert _violations() == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from whoosh import query\n", ["whoosh", "whoosh.query"]),
        ("import index.embedded.store as store\n", ["index.embedded.store"]),
        (
            "def f():\n    from ..embedded import engine\n",
            ["search.embedded", "search.embedded.engine"],
        ),
    ],
)
def test_imports_are_read_wherever_they_are(source: str, expected: list[str]) -> None:
    """(The reading itself: inside functions, with aliases and relative to the package.)"""
    assert _imports(source, ("search", "cli")) == expected
