"""The ``byline`` command's entry point: what the process does before Byline is imported.

Whoosh 2.7's ``whoosh.compat`` imports ``urllib.request`` (and with it ``http.client``, ``email``
and ``ssl``: 40–60 ms, a tenth of a search process) only to name a download helper that nothing
calls. Until something uses it, ``urllib.request`` is a stand-in that imports the real module
the first time any of its names is used.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_NAME = "urllib.request"


class _StandIn(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # (the import system asks for ``__path__`` and the like)
            raise AttributeError(name)
        return getattr(_real_module(), name)

    @staticmethod
    def urlretrieve(*args: Any, **kwargs: Any) -> Any:  # (the name whoosh.compat takes)
        return _real_module().urlretrieve(*args, **kwargs)


def _real_module() -> types.ModuleType:
    module = sys.modules.get(_NAME)
    if module is None or isinstance(module, _StandIn):
        sys.modules.pop(_NAME, None)
        module = importlib.import_module(_NAME)  # (and ``urllib.request`` is it again)
    return module


def defer_urllib_request() -> None:
    """Put the stand-in in place, unless ``urllib.request`` is imported already."""
    if _NAME not in sys.modules:
        import urllib

        urllib.request = sys.modules[_NAME] = _StandIn(_NAME)  # type: ignore[attr-defined]


def main() -> None:
    defer_urllib_request()
    from search.cli.app import main as run_command

    run_command()
