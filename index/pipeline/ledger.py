"""Which input files the index already holds, so re-running ``byline index`` skips unchanged ones.

A file's fingerprint is its path, size, modification time and content hash, together with a key
of the options it was read with (field mapping, format, defaults, cleaning rules, schema version):
the same file read differently is not "unchanged". Fingerprints are written after the commit that
holds the file's articles, so a crash can only make a file be read again, never skipped wrongly.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path

LEDGER_FILE = "byline-inputs.sqlite"
_CHUNK = 1 << 20


def file_hash(path: Path) -> str:
    digest = hashlib.sha1()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class InputLedger:
    """Fingerprints of the inputs whose articles are committed, kept beside the index."""

    def __init__(self, index_path: Path, options_key: str) -> None:
        self.options_key = options_key
        self.db = sqlite3.connect(index_path / LEDGER_FILE)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS inputs (path TEXT PRIMARY KEY, size INTEGER, "
            "mtime_ns INTEGER, sha1 TEXT, options TEXT)"
        )

    def unchanged(self, path: Path) -> bool:
        """True when ``path`` was committed before, read the same way, and has not changed."""
        row = self.db.execute(
            "SELECT size, mtime_ns, sha1, options FROM inputs WHERE path = ?", (_key(path),)
        ).fetchone()
        if row is None or row[3] != self.options_key:
            return False
        stat = path.stat()
        if (stat.st_size, stat.st_mtime_ns) == (row[0], row[1]):
            return True
        return stat.st_size == row[0] and file_hash(path) == row[2]  # touched, not changed

    def remember(self, paths: Iterable[Path]) -> None:
        rows = []
        for path in paths:
            stat = path.stat()
            rows.append(
                (_key(path), stat.st_size, stat.st_mtime_ns, file_hash(path), self.options_key)
            )
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO inputs VALUES (?, ?, ?, ?, ?)", rows)

    def close(self) -> None:
        self.db.close()


def _key(path: Path) -> str:
    return str(path.resolve())
