"""How an indexing run reads and writes: ``IngestOptions`` and the defaults of its settings.

Kept apart from the writer so that the command line can show these defaults without loading the
writer and its readers, which would slow every ``byline search`` process.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from index.enrich.fields import FieldMapping

DEFAULT_BATCH_SIZE = 20_000
DEFAULT_COMMIT_SECONDS = 60.0
DEFAULT_WAIT_SECONDS = 10.0
# What one indexing run may hold in memory, all its processes together (about; in MiB).
MEMORY_ENV_VAR = "BYLINE_INDEX_MEMORY_MB"
DEFAULT_MEMORY_MB = 1024
# Indexing processes: one per core, at most this many (each writes a segment of its own).
MAX_PROCS = 2


def _default_memory_mb() -> int:
    return int(os.environ.get(MEMORY_ENV_VAR) or DEFAULT_MEMORY_MB)


def _default_procs() -> int:
    return max(1, min(MAX_PROCS, os.cpu_count() or 1))


@dataclass(slots=True)
class IngestOptions:
    """How to read and write: field mapping, forced format, extra cleaning rules, batching."""

    mapping: FieldMapping = field(default_factory=FieldMapping)
    format: str | None = None
    clean_rules: list[Path] = field(default_factory=list)
    batch_size: int = DEFAULT_BATCH_SIZE
    commit_seconds: float = DEFAULT_COMMIT_SECONDS  # commit at least this often, too
    wait: float = DEFAULT_WAIT_SECONDS
    force: bool = False  # re-read files even when the index already holds them unchanged
    drop_copies: bool = False  # leave out exact copies of other articles (opt-in: kept by default)
    memory_mb: int = field(default_factory=_default_memory_mb)
    procs: int = field(default_factory=_default_procs)
    # How a cluster index the run creates is laid out (None: the template's default).
    shards: int | None = None
    replicas: int | None = None

    def key(self, version: int) -> str:
        """What decides how a file's articles come out, in an index storing them the way
        ``version`` says: a changed key means read files again."""
        rules = [Path(p).read_bytes().hex() for p in self.clean_rules if Path(p).is_file()]
        text = repr(
            (
                version,
                self.format,
                sorted(self.mapping.names.items()),
                sorted(self.mapping.defaults.items()),
                rules,
                self.drop_copies,
            )
        )
        return hashlib.sha1(text.encode()).hexdigest()
