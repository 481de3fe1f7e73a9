"""Every error Byline raises on purpose, in one place.

    BylineError            base: a message a person can act on, and the exit code it deserves
     ├── IndexNotFound     no index at the path, or an index with no articles
     ├── IndexVersionError the index was built by another schema version
     ├── IndexLocked       another process is writing to the index
     ├── IndexUnsafe       index files other users could have written (pickle runs code)
     ├── IndexNotWritable  the index cannot be written (permissions, a full disk); it is intact
     ├── Interrupted       the user stopped a run (Ctrl-C); says what was kept; exit code 130
     ├── QuerySyntaxError  a query, field name or filter that cannot be understood
     ├── QueryTimeout      a query that ran past its time limit
     ├── InvalidDate       a date that is malformed or impossible
     ├── InvalidOption     an option value that cannot be used (--field, --format, --limit)
     ├── IngestError       an input that cannot be read at all (missing path, unknown format)
     │    └── MissingExtra a format whose optional dependency is not installed
     └── ArticleError      one record that cannot become an article (reported and skipped)

The CLI catches ``BylineError``, prints ``<label>: <message>`` on one line (``Error: …``) and
exits with ``exit_code``. Anything else escaping is a bug.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path


class BylineError(Exception):
    """Base of all errors Byline expects and explains."""

    exit_code = 1
    label = "Error"


class IndexNotFound(BylineError):
    """There is no index where we looked, or it holds no articles."""


class IndexVersionError(BylineError):
    """The index was written with a schema this version cannot read."""


class IndexLocked(BylineError):
    """Another process holds the writer lock and did not release it in time."""


class IndexUnsafe(BylineError):
    """Index files are writable by other users; opening them could run their code."""


class IndexNotWritable(BylineError):
    """Writing to the index failed (no permission, a full disk); the last commit is intact."""


class Interrupted(BylineError):
    """The user interrupted a run; the message says what it had committed. Exit code 130, as a
    shell gives a program ended by SIGINT."""

    exit_code = 130
    label = "Interrupted"


class QuerySyntaxError(BylineError):
    """The query text, a field name or a filter cannot be understood."""

    exit_code = 2


class QueryTimeout(BylineError):
    """A query ran longer than its time limit (``--timeout``)."""


class InvalidDate(BylineError):
    """A date that cannot be parsed, or that cannot exist (2015-02-30)."""

    exit_code = 2


class InvalidOption(BylineError):
    """An option value that cannot be used; a usage mistake, so exit code 2."""

    exit_code = 2


class IngestError(BylineError):
    """An input that cannot be read at all: a missing path or an unknown format."""


class ArticleError(BylineError):
    """One record that cannot become an article; the run reports it and goes on."""


class MissingExtra(IngestError):
    """A format needs an optional dependency that is not installed; the message names the extra."""


@contextlib.contextmanager
def reported_write_errors(location: str | Path, aftermath: Callable[[], str]) -> Iterator[None]:
    """Turn a failure to write the index at ``location`` (no permission, a full disk) into one
    line: ``IndexNotWritable``, its message ending with ``aftermath()``, what became of the work."""
    try:
        yield
    except Exception as exc:
        import sqlite3  # (loaded already by whatever wrote the tables)

        if not isinstance(exc, OSError | sqlite3.Error):
            raise
        reason = getattr(exc, "strerror", None) or str(exc)
        raise IndexNotWritable(
            f"cannot write to the index at {location}: {reason}; {aftermath()}"
        ) from exc
