"""Where the index lives on disk, opening it safely, and the lock that keeps writers apart."""

from __future__ import annotations

import contextlib
import fcntl
import json
import mmap
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import platformdirs
from whoosh import index as whoosh_index
from whoosh.filedb.compound import SubFile
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import FileIndex

from index.embedded.schema import SCHEMA_VERSION, build_schema
from index.errors import IndexLocked, IndexNotFound, IndexUnsafe, IndexVersionError

T = TypeVar("T")

ENV_VAR = "BYLINE_INDEX"
# Set to 1 to open an index even though other users can write to its files.
TRUST_ENV_VAR = "BYLINE_TRUST_INDEX"
META_FILE = "byline.json"
LOCK_FILE = "byline.lock"
_READ_ATTEMPTS = 5


def resolve_index_path(explicit: str | Path | None = None) -> Path:
    """``--index`` if given, else ``$BYLINE_INDEX``, else the per-user data directory."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    return Path(platformdirs.user_data_dir("byline")) / "index"


def open_index(path: Path) -> FileIndex:
    """Open an existing index for reading, checking that this version can read it."""
    if (path / META_FILE).exists():
        _check_version(path)  # (first: an older index may name modules that are gone)
    if not whoosh_index.exists_in(str(path)):
        raise IndexNotFound(f"no index at {path}; build one with: byline index PATH --index {path}")
    _check_version(path)
    _check_not_shared(path)
    try:
        return FileIndex(MappedStorage(str(path)))
    except FileNotFoundError:
        raise  # a commit replaced the generation we were opening: read_consistently retries
    except Exception as exc:  # a damaged table of contents surfaces as assorted types
        raise IndexVersionError(f"cannot open the index at {path}: {exc}") from exc


def _check_not_shared(path: Path) -> None:
    """Whoosh unpickles index files, so a file another user can write could run their code."""
    if os.environ.get(TRUST_ENV_VAR) == "1":
        return
    for item in (path, *path.iterdir()):
        if item.stat().st_mode & stat.S_IWOTH:
            raise IndexUnsafe(
                f"{item} is writable by other users, and opening an index can run code stored "
                f"in it; fix with: chmod -R o-w {path} (or set {TRUST_ENV_VAR}=1)"
            )


class MappedStorage(FileStorage):
    """Index files read through memory maps.

    Whoosh's own storage either reads each file with a system call per access or, for compound
    segments, copies every part into memory when the index is opened (seconds and gigabytes for a
    large index). A map costs neither: pages are read when first touched, and a searcher opens
    in milliseconds whatever the index size.
    """

    def open_file(self, name: str, **kwargs: object) -> StructFile:
        with open(self._fpath(name), "rb") as handle:
            try:
                mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # an empty file cannot be mapped
                return super().open_file(name, **kwargs)
        return MappedFile(mapped, 0, len(mapped), name=name, **kwargs)


class MappedFile(StructFile):
    """A mapped file, or one part of a mapped segment file. A read at a position is one slice
    of the map; Whoosh's goes through a seek and a read of a file object for each part, four
    Python calls, and looking a word up in a segment makes about five such reads. Reading in
    order is Whoosh's own."""

    def __init__(
        self, mapped: mmap.mmap, start: int, length: int, name: str | None = None, **kwargs: Any
    ) -> None:
        whole = start == 0 and length == len(mapped)
        super().__init__(mapped if whole else SubFile(mapped, start, length), name=name, **kwargs)
        self._mapped, self._start, self._end = mapped, start, start + length

    def get(self, position: int, length: int) -> bytes:
        start = self._start + position
        return self._mapped[start : min(start + length, self._end)]

    def subset(self, offset: int, length: int, name: str | None = None) -> MappedFile:
        return MappedFile(self._mapped, self._start + offset, length, name=name or self._name)


def open_or_create_index(path: Path) -> FileIndex:
    """Open the index at ``path`` for writing, creating it (and its folder) if needed."""
    if whoosh_index.exists_in(str(path)):
        return open_index(path)
    path.mkdir(parents=True, exist_ok=True)
    # The version mark goes first: a crash between the two steps leaves no index to misread.
    (path / META_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION}) + "\n")
    from index.embedded.forms import create_forms_table  # (sqlite3: only when writing or searching)

    create_forms_table(path)  # (before any document)
    whoosh_index.create_in(str(path), build_schema())
    return open_index(path)  # through the mapped storage, as every later opening is


def _check_version(path: Path) -> None:
    try:
        version = json.loads((path / META_FILE).read_text())["schema_version"]
    except (OSError, ValueError, KeyError, TypeError):
        version = None
    if version != SCHEMA_VERSION:
        found = "no Byline version mark" if version is None else f"schema version {version}"
        raise IndexVersionError(
            f"the index at {path} has {found}, this Byline reads schema version "
            f"{SCHEMA_VERSION}; rebuild it with: byline index PATH --index NEW_PATH"
        )


def read_consistently(read: Callable[[], T]) -> T:
    """Run a read of the index, again if a writer's commit removed files from under it.

    A commit replaces the table of contents and deletes files of merged segments; a reader that
    opened the old generation can then miss a file it opens lazily. The next attempt opens the
    new generation, which is complete.
    """
    for attempt in range(1, _READ_ATTEMPTS):
        try:
            return read()
        except FileNotFoundError:
            time.sleep(0.01 * attempt)
    return read()


@contextlib.contextmanager
def writer_lock(path: Path, wait: float) -> Iterator[None]:
    """Hold the index's writer lock for a whole run, waiting up to ``wait`` seconds for it.

    The lock is an ``flock`` on a file in the index folder: the kernel releases it when its owner
    exits or is killed, so a crashed indexer never leaves a stale lock behind.
    """
    path.mkdir(parents=True, exist_ok=True)
    with open(path / LOCK_FILE, "a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexLocked(
                        f"another process is writing to the index at {path} "
                        f"(waited {wait:g}s; use --wait to wait longer)"
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
