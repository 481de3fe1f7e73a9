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
ALLOWED = {
    ("search/engine.py", "search.embedded.engine"),
    ("search/engine.py", "search.opensearch.engine"),
}


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


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Which of our modules each of our modules imports (the factory's import left out: it is
    made when an engine is opened, and the engine's module imports the interface it fulfils)."""
    modules = {_module_name(path): path for path in _modules()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        where, package = path.relative_to(ROOT).as_posix(), path.relative_to(ROOT).parts[:-1]
        graph[name] = set()
        for imported in _imports(path.read_text(encoding="utf-8"), package):
            if any(where == place and _within(imported, what) for place, what in ALLOWED):
                continue
            while imported and imported not in modules:  # (a name imported from a module)
                imported = imported.rpartition(".")[0]
            if imported and imported != name and not name.startswith(imported + "."):
                graph[name].add(imported)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """A path back to its start for each module that imports itself through others."""
    found = []
    for start in sorted(graph):
        paths, seen = [[start]], {start}
        while paths:
            path = paths.pop()
            for following in sorted(graph[path[-1]]):
                if following == start:
                    found.append([*path, start])
                elif following not in seen:
                    seen.add(following)
                    paths.append([*path, following])
    return found


def test_the_modules_are_found() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in _modules()}
    assert {"search/engine.py", "search/cli/app.py", "index/pipeline/ingest.py"} <= names


def test_only_the_embedded_folders_know_whoosh_and_the_embedded_engine() -> None:
    assert _violations() == []


def test_no_module_imports_itself_through_others() -> None:
    """One direction of flow: no two modules import each other, directly or through others."""
    assert _cycles(_import_graph()) == []


def test_a_cycle_is_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c", "a"], ["b", "c", "a", "b"], ["c", "a", "b", "c"]]


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
