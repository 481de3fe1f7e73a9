"""The module names that indexes written before the engine had its own folder pickled.

Whoosh pickles an index's schema (its analyzers and column types) and codec into the table of
contents under the names their modules had when it was written, and unpickles them by those names.
Indexes written while these modules sat directly in ``index/`` name ``index.analysis`` and the
like; each old name leads to the module's new home, so those indexes open as before.
"""

from __future__ import annotations

import importlib
import sys

_MOVED = {
    "index.analysis": "index.embedded.analysis",
    "index.codec": "index.embedded.codec",
    "index.fast_analysis": "index.embedded.fast_analysis",
    "index.schema": "index.embedded.schema",
}


def alias_moved_modules() -> None:
    """Make the old names importable (as the same module objects), for unpickling."""
    for old, new in _MOVED.items():
        if old not in sys.modules:
            sys.modules[old] = importlib.import_module(new)
