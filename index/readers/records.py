"""What readers produce — ``Record`` and ``Failure`` — and how their bytes become text.

Kept apart from ``formats`` so reader modules (HTML, feeds, WARC, archives) can share them
without importing the registry that lists them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from charset_normalizer import from_bytes


@dataclass(frozen=True, slots=True)
class Record:
    """A raw article as read: field names and values, and where it came from."""

    data: Mapping[str, Any]
    origin: str


@dataclass(frozen=True, slots=True)
class Failure:
    """Something that could not be read, where it was, and why."""

    origin: str
    reason: str


@dataclass(frozen=True, slots=True)
class Skipped(Failure):
    """A part passed over on purpose (an image inside a zip): listed as skipped, not failed."""


Reader = Callable[[IO[bytes], str], Iterator[Record | Failure]]

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# Control characters that never occur in text files (tab, newlines and form feed do).
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Why a file that no text encoding explains is not read.
BINARY_DATA = "binary data, not text in any known encoding"
# In Western text most letters are ASCII; text in another script misread as Windows-1252
# ("Ïðèâåò") is mostly accented letters.
_MAX_NON_ASCII_LETTERS = 0.3


def guess_encoding(raw: bytes, *, partial: bool = False) -> str | None:
    """The encoding ``raw`` is most likely in, or None when no text encoding fits.

    ``partial`` says ``raw`` is the start of a longer file, so it may end inside a character.

    UTF-8 (and a BOM) first; then Windows-1252, the usual legacy encoding of English-language
    sites, when it decodes to Western-looking text; then charset-normalizer's best guess.
    Detectors are unreliable on short Western text (they pick Baltic or Arabic code pages for
    French), hence the order.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return encoding
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if partial and exc.start >= len(raw) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"  # a sample cut inside a character
    else:
        return "utf-8"
    text = raw.decode("utf-8", "replace")
    if not _BINARY.search(text) and any(not c.isascii() and c != "\ufffd" for c in text):
        return "utf-8"  # real UTF-8 sequences: the bad bytes are damage, not another encoding
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_western(text):
        return "cp1252"
    best = from_bytes(raw).best()
    if best is None or _BINARY.search(str(best)):
        return None
    return best.encoding


def _looks_western(text: str) -> bool:
    if _BINARY.search(text):
        return False
    letters = [char for char in text if char.isalpha()]
    accented = sum(1 for char in letters if not char.isascii())
    return bool(letters) and accented / len(letters) <= _MAX_NON_ASCII_LETTERS


class Undecodable(ValueError):
    """Bytes no text encoding explains; ``line`` is where the first bad byte is."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line


def decode(raw: bytes) -> str:
    """Text from bytes in whatever encoding they are in; ``Undecodable`` when none fits.

    Never guesses silently into garbage: bytes no text encoding explains (binary data) fail.
    """
    encoding = guess_encoding(raw)
    try:
        return raw.decode(encoding or "utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        what = "damaged UTF-8 text" if encoding else BINARY_DATA
        raise Undecodable(
            line, f"{what} (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None
