"""How indexed words are written: each word of the indexed text that analysis makes into
something else, kept beside the index in ``forms.sqlite`` ("Elections" and "elected" after
"elect").

A snippet finds the query's words in an article's text. Analysing every word of the text to find
them (a lookup each, and the filters for a word the process has not met) was half the time of a
query showing ten hits; with the forms of the query's words, the text is searched for those
instead (``search/embedded/snippets.py``).

The table is made with the index, and each segment's forms are added before the commit that
makes its documents visible: it holds every form of every committed document, and forms left by
deleted ones do no harm (a snippet checks what it finds). An index made before the table never
gets one, and its snippets analyse every word.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

from index.errors import IngestError

FORMS_TABLE = "forms.sqlite"
_TABLE = (
    "CREATE TABLE IF NOT EXISTS forms (text TEXT NOT NULL, form TEXT NOT NULL, "
    "PRIMARY KEY (text, form)) WITHOUT ROWID"
)
_WAIT_SECONDS = 60.0  # for searches reading it (only the process that commits writes it)


def create_forms_table(index_path: Path) -> None:
    """Make the table of a new index (one with no documents yet)."""
    with closing(sqlite3.connect(index_path / FORMS_TABLE)) as db, db:
        db.execute(_TABLE)


def add_forms(index_path: Path, forms: Iterable[tuple[str, str]]) -> None:
    """Add forms (what analysis makes of a word, and the word) to the index's table, if it has
    one."""
    try:
        db = sqlite3.connect(_uri(index_path, "rw"), uri=True, timeout=_WAIT_SECONDS)
    except sqlite3.OperationalError:
        return  # no table: an index made before there was one
    with closing(db), db:
        try:
            db.executemany("INSERT OR IGNORE INTO forms VALUES (?, ?)", forms)
        except sqlite3.OperationalError:
            raise  # (locked too long, a full disk: the run's error says so)
        except sqlite3.DatabaseError as exc:
            raise IngestError(
                f"the table of written forms {index_path / FORMS_TABLE} is damaged ({exc}); "
                "delete it to index again (snippets then analyse every word of a hit)"
            ) from exc


class WrittenForms:
    """The forms of an index, read: kept open by a process that searches it."""

    def __init__(self, index_path: Path) -> None:
        try:
            self._db: sqlite3.Connection | None = sqlite3.connect(_uri(index_path, "ro"), uri=True)
        except sqlite3.Error:
            self._db = None

    def of(self, texts: Iterable[str]) -> list[str] | None:
        """Every written form of ``texts`` (what analysis makes of words), or None where the
        index has no table (or it cannot be read)."""
        if self._db is None:
            return None
        texts = list(texts)
        marks = ", ".join("?" * len(texts))
        try:
            rows = self._db.execute(
                f"SELECT form FROM forms WHERE text IN ({marks})", texts
            ).fetchall()
        except sqlite3.Error:
            return None
        return [form for (form,) in rows]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


def _uri(index_path: Path, mode: str) -> str:
    return f"{(index_path / FORMS_TABLE).absolute().as_uri()}?mode={mode}"
