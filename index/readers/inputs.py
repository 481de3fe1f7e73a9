"""Finding what to read: paths and folders walked recursively, ``-`` for stdin, and each file's
reader chosen by ``--format``, by extension, or by sniffing its first bytes. A ``.gz``, ``.bz2`` or
``.xz`` file is read through its decompressor, by the reader its inner name asks for."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import InvalidOption, MissingExtra
from index.readers.archives import compression_of, decompressed, read_compressed
from index.readers.formats import READERS, REQUIREMENTS, stdin_stream
from index.readers.naming import format_for_name, sniff_format
from index.readers.records import Failure, Record

STDIN = "-"
# Files that travel with data dumps to describe them; a folder walk passes them over (and says so).
_DOCUMENTATION = re.compile(r"^(readme|license|licence|changelog|notice)(\.\w+)?$", re.IGNORECASE)
_SNIFF_BYTES = 1024


@dataclass(frozen=True, slots=True)
class Input:
    """One thing to read: a file (or stdin when ``path`` is None) and the reader's name."""

    label: str
    format: str
    path: Path | None = None
    compression: str | None = None  # the suffix of its compression, if any


@dataclass(slots=True)
class Discovery:
    """What a walk found: inputs to read, files passed over, and paths that are unusable."""

    inputs: list[Input] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)


def discover(paths: list[str], forced_format: str | None = None) -> Discovery:
    """Expand the command line's paths into inputs, in a stable (sorted) order."""
    if forced_format is not None and forced_format not in READERS:
        raise InvalidOption(
            f"unknown format {forced_format!r} (one of: {', '.join(sorted(READERS))})"
        )
    found = Discovery()
    for name in paths:
        if name == STDIN:
            found.inputs.append(Input("<stdin>", forced_format or "jsonl"))
            continue
        path = Path(name)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if child.is_file() and not any(p.startswith(".") for p in relative.parts):
                    _add_file(found, child, forced_format, explicit=False)
        elif path.is_file():
            _add_file(found, path, forced_format, explicit=True)
        else:
            found.failed.append(Failure(name, "no such file or folder"))
    _set_aside_unreadable(found)
    return found


def _set_aside_unreadable(found: Discovery) -> None:
    """Inputs of a format whose optional dependency is missing fail, each with the message
    saying how to install it; the others are read as usual."""
    missing: dict[str, str] = {}
    for needed in sorted({item.format for item in found.inputs} & REQUIREMENTS.keys()):
        try:
            REQUIREMENTS[needed]()
        except MissingExtra as exc:
            missing[needed] = str(exc)
    if missing:
        found.failed += [
            Failure(i.label, missing[i.format]) for i in found.inputs if i.format in missing
        ]
        found.inputs = [item for item in found.inputs if item.format not in missing]


def _add_file(found: Discovery, path: Path, forced: str | None, *, explicit: bool) -> None:
    if not explicit and _DOCUMENTATION.match(path.name):
        found.skipped.append(Failure(str(path), "documentation file, not an article"))
        return
    compression = compression_of(path.name)
    inner = path.name[: -len(compression)] if compression else path.name
    reader = forced or format_for_name(inner) or _sniff(path, compression)
    if reader:
        found.inputs.append(Input(str(path), reader, path, compression))
    elif explicit:
        found.failed.append(
            Failure(str(path), f"unknown file type {path.suffix or '(none)'}; use --format NAME")
        )
    else:
        found.skipped.append(Failure(str(path), f"unsupported file type {path.suffix or '(none)'}"))


def _sniff(path: Path, compression: str | None) -> str | None:
    try:
        with path.open("rb") as handle:
            stream = decompressed(handle, compression) if compression else handle
            return sniff_format(stream.read(_SNIFF_BYTES))
    except (OSError, EOFError, ValueError):
        return None


def read_input(item: Input) -> Iterator[Record | Failure]:
    """The records of one input, with any I/O error reported as a failure of that input."""
    if item.path is None:
        yield from READERS[item.format](stdin_stream(), item.label)
        return
    try:
        with item.path.open("rb") as stream:
            reader = READERS[item.format]
            if item.compression:
                yield from read_compressed(reader, stream, item.label, item.compression)
            else:
                yield from reader(stream, item.label)
    except OSError as exc:
        yield Failure(item.label, f"cannot read: {exc.strerror or exc}")
