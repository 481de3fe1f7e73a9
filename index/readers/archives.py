"""Compressed files and zip archives, read transparently.

``.gz``, ``.bz2`` and ``.xz`` wrap one file whose own name (without the suffix) chooses its
reader; a ``.zip`` holds many, each read by its own extension, with origins such as
``archive.zip!2015/wire.jsonl:3``. Truncated or corrupt data is a failure of that file; the
records read before the damage are kept.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import PurePosixPath
from typing import IO

from index.errors import MissingExtra
from index.readers.naming import format_for_name, sniff_format
from index.readers.records import Failure, Reader, Record, Skipped

# Each wraps an open stream; closing the file underneath closes them too.
_OPENERS: dict[str, Callable[[IO[bytes]], IO[bytes]]] = {
    ".gz": lambda stream: gzip.GzipFile(fileobj=stream, mode="rb"),
    ".bz2": lambda stream: bz2.BZ2File(stream, mode="rb"),
    ".xz": lambda stream: lzma.LZMAFile(stream, mode="rb"),  # noqa: SIM115
}
# What damaged compressed data raises while being read.
_DAMAGED = (EOFError, OSError, zlib.error, lzma.LZMAError, zipfile.BadZipFile)
# Folders that archivers add beside the real content.
_ARCHIVER_LEFTOVERS = ("__MACOSX/", ".")
_SNIFF_BYTES = 1024


def compression_of(name: str) -> str | None:
    """The compression suffix of a file name, unless the whole name is a format (``.warc.gz``)."""
    suffix = PurePosixPath(name.lower()).suffix
    if suffix not in _OPENERS or format_for_name(name) is not None:
        return None
    return suffix


def decompressed(stream: IO[bytes], suffix: str) -> IO[bytes]:
    return _OPENERS[suffix](stream)


def read_compressed(
    reader: Reader, stream: IO[bytes], origin: str, suffix: str
) -> Iterator[Record | Failure]:
    """The records of a compressed file, and a failure naming it if its data is damaged."""
    try:
        yield from reader(decompressed(stream, suffix), origin)
    except _DAMAGED as exc:
        yield Failure(origin, f"truncated or corrupt {suffix} data: {exc}")


def read_zip(
    stream: IO[bytes], origin: str, readers: Mapping[str, Reader]
) -> Iterator[Record | Failure]:
    """Every member of a zip archive that has one of ``readers``; others are listed as skipped."""
    try:
        archive = zipfile.ZipFile(stream)
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        yield Failure(origin, f"not a readable zip archive: {exc}")
        return
    with archive:
        for member in members:
            name = member.filename
            if name.startswith(_ARCHIVER_LEFTOVERS) or "/." in name:
                continue
            where = f"{origin}!{name}"
            try:
                yield from _read_member(archive, member, where, readers)
            except MissingExtra as exc:
                yield Failure(where, str(exc))
            except _DAMAGED as exc:
                yield Failure(where, f"corrupt zip member: {exc}")


def _read_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, where: str, readers: Mapping[str, Reader]
) -> Iterator[Record | Failure]:
    suffix = compression_of(member.filename)
    inner = member.filename[: -len(suffix)] if suffix else member.filename
    fmt = format_for_name(inner)
    if fmt is None:
        with archive.open(member) as stream:
            head = (decompressed(stream, suffix) if suffix else stream).read(_SNIFF_BYTES)
        fmt = sniff_format(head)
    if fmt is None or fmt == "zip":
        kind = "a zip inside a zip" if fmt == "zip" else "unsupported file type"
        yield Skipped(where, f"{kind}, not read")
        return
    with archive.open(member) as stream:
        if suffix:
            yield from read_compressed(readers[fmt], stream, where, suffix)
        else:
            yield from readers[fmt](stream, where)
