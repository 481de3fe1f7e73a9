"""The term dictionary's file written with a small memory: what a large merge holds per term.

Whoosh's term dictionary is an ordered hash file: each term's entry is written as it comes, and
the 256 hash tables that find them are written at the end, from a list per table of
``(hash, position)`` tuples kept in memory meanwhile: about a hundred bytes a term. A segment of
a million articles has several million terms (every id, address and story key is one), so
merging into it held hundreds of megabytes for this alone. Here those pairs are kept in two
arrays per table, twelve bytes a term; the bytes written are Whoosh's.
"""

from __future__ import annotations

from array import array
from typing import Any

from whoosh.filedb.filetables import OrderedHashWriter, _lengths, _pointer

_HASHES, _POSITIONS = "I", "q"  # as the file keeps them: 32-bit hashes, 64-bit positions


class CompactTermsWriter(OrderedHashWriter):
    """Whoosh's ordered hash writer, keeping each hash table's entries in arrays."""

    @classmethod
    def taking_over(cls, writer: OrderedHashWriter) -> CompactTermsWriter:
        """This writer in place of ``writer``, which has written its header and nothing else
        (Whoosh's field writer makes its own, and hands its extras to others)."""
        if len(writer.index):
            raise ValueError("a terms writer is taken over before it has written a term")
        compact = cls.__new__(cls)
        compact.__dict__.update(writer.__dict__)
        compact.buckets = [(array(_HASHES), array(_POSITIONS)) for _ in range(256)]
        return compact

    def add(self, key: bytes, value: bytes) -> None:
        if key <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{key!r}")
        dbfile = self.dbfile
        position = dbfile.tell()
        self.index.append(position)
        dbfile.write(_lengths.pack(len(key), len(value)))
        dbfile.write(key)
        dbfile.write(value)
        hashed = self.hashfn(key)
        hashes, positions = self.buckets[hashed & 255]
        hashes.append(hashed)
        positions.append(position)
        self.lastkey = key

    def _write_hashes(self) -> None:
        """Each table as Whoosh writes it: twice as many slots as entries, an entry in the slot
        its hash names or the next free one after it, (0, 0) in an empty slot."""
        dbfile = self.dbfile
        for hashes, positions in self.buckets:
            numslots = 2 * len(hashes)
            self.directory.append((dbfile.tell(), numslots))
            table: list[Any] = [None] * numslots
            for hashed, position in zip(hashes, positions, strict=True):
                slot = (hashed >> 8) % numslots
                while table[slot] is not None:
                    slot = (slot + 1) % numslots
                table[slot] = _pointer.pack(hashed, position)
            empty = _pointer.pack(0, 0)
            dbfile.write(b"".join(empty if entry is None else entry for entry in table))
