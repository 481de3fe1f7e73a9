"""How a batch of documents becomes index segments: on every core, in a stable order.

A batch is cut into contiguous shares, one per process; each child process writes its share as a
segment of its own, and the parent commits them, in batch order, together with the deletions of
replaced articles. Documents therefore get the same numbers as a single process would give them,
so results (and the order of equal scores) do not depend on how many processes indexed.

Segments are merged only at the tail of the index (the newest ones), into a segment that takes
their place, so merging never reorders documents either: when the segments at the end hold
``MERGE_FACTOR`` of one size class (a power of ten), they become one, with any smaller ones among
them. Each document is rewritten about once per size class, and an index holds a few dozen
segments at most.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import pickle
from collections.abc import Callable, Container, Iterator, Sequence
from functools import cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from whoosh.codec.base import Segment
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import TranslatingColumnReader
from whoosh.formats import Existence
from whoosh.index import FileIndex
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length
from whoosh.writing import NO_MERGE, PostingPool, SegmentWriter

from index.embedded.codec import SplitCodec, add_stored_as_written, stored_as_written
from index.embedded.forms import add_forms
from index.embedded.merged_postings import MergedSegment, merged_chunks
from index.embedded.prose_postings import ProsePostings, takes_arrays, write_postings
from index.embedded.store import MappedStorage
from index.pipeline.processes import Launched, Launcher

MERGE_FACTOR = 16
# Postings in a block (Whoosh writes 128). A query reads all of a word's blocks, a few numpy calls
# each: at 100,000 articles, blocks of 1,024 made two required terms about 7% faster, a phrase up
# to 10%, the same results; the tests write Whoosh's 128, so that their small collections have
# words of many blocks.
BLOCK_POSTINGS = 1_024
PARALLEL_FROM = 1_000  # documents in a batch worth starting the other processes for
# Distinct words a writer keeps with their terms (as many as the analyzer's own cache), then
# records their forms and forgets them: the memory a segment of unusual text can take.
_WORDS_REMEMBERED = 500_000
_SIZE_UNIT = 1_000  # documents; segments under 10,000 are one size class, under 100,000 the next


class IndexWriter(SegmentWriter):
    """Whoosh's segment writer, writing postings with their positions apart (``codec.py``),
    gathering the postings of prose fields as arrays (``prose_postings.py``) and reading
    those of merged segments a term at a time (``merged_postings.py``), reading each
    field's document lengths once when it writes the postings (it otherwise looks one up in the
    column file for every posting), and spilling the other postings to disk in chunks. Every
    change to an index goes through one of these."""

    def __init__(
        self, ix: FileIndex, limitmb: int = 128, keep_forms: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(ix, limitmb=limitmb, codec=SplitCodec(blocklimit=BLOCK_POSTINGS), **kwargs)
        self.pool = _ChunkedPool(self._tempstorage, self.newsegment, limitmb=limitmb)
        # The words of each prose field in the documents added, and their terms: the forms are
        # recorded when the segment is written (``forms.py``).
        self.words: dict[str, dict[str, str | None]] = {
            name: {} for name, field in self.schema.items() if takes_arrays(field)
        }
        # With ``keep_forms``, the forms recorded are kept here for the process that commits to
        # add (``_write_share``) rather than added to the table.
        self.keep_forms = keep_forms
        self.kept_forms: list[tuple[str, str]] = []
        self.prose: dict[str, ProsePostings] | None = {
            name: ProsePostings(self.schema[name], words) for name, words in self.words.items()
        }
        # Segments merged in, whose prose postings are read a term at a time when this one is
        # written (``merged_postings.py``).
        self.merged: list[MergedSegment] = []

    def add_document(self, **fields: Any) -> None:
        """As Whoosh adds a document, but a prose field's words go to its arrays."""
        if self.merged:  # (Whoosh merges when it commits, after every document is added)
            raise RuntimeError("documents are added to an IndexWriter before other segments")
        if self.prose is None or any(name.startswith("_") for name in fields):
            for name, words in self.words.items():  # (as the prose fields' arrays would)
                if isinstance(fields.get(name), str):
                    self.schema[name].analyzer.positioned_terms(fields[name], "index", words)
            super().add_document(**fields)  # boosts and stored-value overrides
        else:
            self._add_with_arrays(self.prose, fields)
        if sum(map(len, self.words.values())) > _WORDS_REMEMBERED:
            self._record_forms()

    def _add_with_arrays(self, prose: dict[str, ProsePostings], fields: dict[str, Any]) -> None:
        self._check_state()
        names = sorted(fields)
        self._check_fields(self.schema, names)
        docnum, perdocwriter, add_post = self.docnum, self.perdocwriter, self.pool.add
        perdocwriter.start_doc(docnum)
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = self.schema[name]
            length = 0
            postings = prose.get(name)
            if postings is not None and isinstance(value, str):
                length = postings.add(docnum, value)
            elif field.indexed:
                for text, count, weight, encoded in field.index(value):
                    if field.scorable:
                        length += count
                    add_post((name, text, docnum, weight, encoded))
            perdocwriter.add_field(name, field, value if field.stored else None, length)
            if field.column_type:
                column_value = field.to_column_value(value)
                perdocwriter.add_column_value(name, field.column_type, column_value)
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def add_reader(self, reader: Any) -> None:
        if self.prose is not None and any(self.prose.values()):
            # Merging into a segment that has documents of its own: everything goes through
            # Whoosh's pool, this segment's postings too.
            for name, prose in self.prose.items():
                for posting in prose.pool_postings(name) if prose else ():
                    self.pool.add(posting)
            self.prose = None
        super().add_reader(reader)

    def write_per_doc(self, fieldnames: Any, reader: Any) -> dict[int, int] | None:
        """Copy a merged segment's documents (stored fields, lengths, column values) as Whoosh
        does, but with each field's lengths and column values read whole, once: Whoosh looks
        each up document by document, asking the file system every time whether the field has
        lengths at all (500,000 lookups and 260,000 such questions merging 20,000 articles).
        Stored fields are copied as the segment keeps them, pickled and compressed."""
        perdoc = getattr(reader, "_perdoc", None)
        if perdoc is None or any(self.schema[name].vector for name in fieldnames):
            return super().write_per_doc(fieldnames, reader)
        count = reader.doc_count_all()
        fields = []
        for name in fieldnames:
            field = self.schema[name]
            lengths = _column_lengths(perdoc, name, count)
            column = None
            if field.column_type and reader.has_column(name):
                column = reader.column_reader(name, field.column_type)
                if isinstance(column, TranslatingColumnReader):
                    column = column.raw_column()
                column = list(column)
            fields.append((name, field, lengths, column))
        docmap: dict[int, int] | None = {} if reader.has_deletions() else None
        writer = self.perdocwriter
        stored = stored_as_written(perdoc)
        for docnum in reader.all_doc_ids():
            if docmap is not None:
                docmap[docnum] = self.docnum
            writer.start_doc(self.docnum)
            for name, field, lengths, column in fields:
                writer.add_field(name, field, None, lengths[docnum])
                if column is not None:
                    writer.add_column_value(name, field.column_type, column[docnum])
            add_stored_as_written(writer, self.docnum, stored(docnum))
            writer.finish_doc()
            self.docnum += 1
        return docmap

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: Any) -> None:
        """The reader's postings of other fields go to the pool, as Whoosh's writer does; those
        of prose fields wait to be read a term at a time."""
        if self.prose is None:
            return super().add_postings_to_pool(reader, startdoc, docmap)
        self.merged.append(MergedSegment.of(reader, startdoc, docmap))
        for item in self._process_posts(_postings_except(reader, self.prose), startdoc, docmap):
            self.pool.add(item)

    def per_document_reader(self):  # type: ignore[no-untyped-def]
        return _LengthsOnce(super().per_document_reader())

    def _flush_segment(self) -> None:
        """Record the forms of the words added (before any commit can make their documents
        visible), then write the segment's postings."""
        self._record_forms()
        self._write_postings()

    def _record_forms(self) -> None:
        """Add the forms of the words met so far to the index's table, and forget the words."""
        forms = [
            form
            for name, words in self.words.items()
            for form in self.schema[name].analyzer.forms(words)
        ]
        if self.keep_forms:
            self.kept_forms.extend(forms)
        elif forms:
            add_forms(Path(self.storage.folder), forms)
        for words in self.words.values():
            words.clear()

    def _write_postings(self) -> None:
        """Write the postings: the pool's, field by field, with the prose fields' in their place
        among them (the term dictionary wants fields in order of name)."""
        prose = sorted(
            name for name, postings in (self.prose or {}).items() if postings or self.merged
        )
        if not prose:
            return super()._flush_segment()
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        fieldwriter = self.fieldwriter

        def write_prose(name: str) -> None:
            postings = self.prose[name]
            chunks = (
                postings.chunks()
                if postings
                else merged_chunks(self.storage, self.schema, name, self.merged)
            )
            field_lengths = lengths.field_lengths(name)
            field = self.schema[name]
            write_postings(fieldwriter, name, field, chunks, field_lengths, self.codec._blocklimit)

        for name, postings in groupby(self.pool.iter_postings(), key=itemgetter(0)):
            while prose and prose[0] < name:
                write_prose(prose.pop(0))
            fieldwriter.add_postings(self.schema, lengths, postings)
        for name in prose:
            write_prose(name)
        fieldwriter.close()
        lengths.close()


def _postings_except(reader: Any, fields: Container[str]) -> Iterator[tuple[Any, ...]]:
    """A reader's postings as Whoosh's ``iter_postings`` gives them, less those of ``fields``,
    whose terms are not even walked (most of a segment's terms are words of prose). Each term's
    postings come from the entry the walk reads, where Whoosh looks every term up again; a term
    of one posting without a value (every id, address and story key) is read from its entry alone,
    without a matcher (for 100,000 articles, 300,000 matchers: a fifth of a merge)."""
    terms = reader._terms
    deleted = frozenset(reader._perdoc.deleted_docs())
    names = sorted(
        set(reader.indexed_field_names()).intersection(reader.schema.names()) - set(fields)
    )
    for name in names:
        field_format = reader.schema[name].format
        valueless = type(field_format) is Existence
        for (fieldname, text), terminfo in terms.items_from(name, b""):
            if fieldname != name:
                break
            inlined = terminfo.inlined_postings()
            if inlined is not None:  # (a term with one posting keeps it in its entry)
                postings = zip(*inlined, strict=True)
            elif valueless and terminfo.doc_frequency() == 1:
                postings = ((terminfo.min_id(), terminfo.weight(), None),)
            else:
                matcher = terms._codec.postings_reader(terms._postfile, terminfo, field_format)
                postings = _matched(matcher)
            for docnum, weight, value in postings:
                if docnum not in deleted:
                    yield name, text, docnum, weight, value


def _matched(matcher: Any) -> Iterator[tuple[int, float, Any]]:
    while matcher.is_active():
        yield matcher.id(), matcher.weight(), matcher.value()
        matcher.next()


class _ChunkedPool(PostingPool):
    """Whoosh's posting pool, writing each sorted run to disk as pickled lists of postings rather
    than one pickle per posting (which took a fifth of the time of indexing)."""

    _CHUNK = 8192

    def _write_run(self, f, items):  # type: ignore[no-untyped-def]
        chunk: list[Any] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= self._CHUNK:
                pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
                chunk = []
        if chunk:
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path):  # type: ignore[no-untyped-def]
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


class _LengthsOnce:
    """A per-document reader whose field lengths are read a whole field at a time."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._lengths: dict[str, list[Any]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)

    def field_lengths(self, fieldname: str) -> list[int]:
        """Every document's length of the field, by document number."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            count = self._reader.doc_count_all()
            lengths = self._lengths[fieldname] = _column_lengths(self._reader, fieldname, count)
        return lengths

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> Any:
        if default != 0:
            return self._reader.doc_field_length(docnum, fieldname, default)
        return self.field_lengths(fieldname)[docnum]


def _column_lengths(perdoc: Any, fieldname: str, count: int) -> list[int | None]:
    """Every document's length of a field in a segment (``perdoc``, Whoosh's per-document
    reader), as its ``doc_field_length`` gives them one at a time (None for a document without
    the field, 0 for all when the field keeps no lengths), from one read of the column: one at
    a time, a field without lengths asks the file system for its column every time."""
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return [0] * count
    return [byte_to_length(length) if length else None for length in column]


def batch_writers(procs: int) -> Launcher | None:
    """The processes that write ``start_batch``'s shares, forked afresh for each share (None for
    one process). Close it when done."""
    return Launcher(procs, _write_share) if procs > 1 else None


def start_batch(
    ix: FileIndex, documents: Sequence[dict[str, Any]], writers: Launcher | None, limitmb: int
) -> BatchCommit:
    """Begin committing ``documents``, replacing committed ones with the same id. On one process
    they are written before this returns; with ``writers``, processes it forks write them
    while the caller goes on (reading the next batch). ``BatchCommit.finish`` commits them."""
    merge_tail(ix, limitmb)
    writer = IndexWriter(ix, limitmb=limitmb)
    try:
        replaced = _delete_replaced(writer, documents)
        procs = writers.procs if writers is not None else 1
        if procs < 2:
            for document in documents:
                writer.add_document(**document)
            return BatchCommit(replaced, writer)
        shares = _shares(documents, procs)
        segments = writers.start(  # type: ignore[union-attr]
            [(ix.storage.folder, share, limitmb) for share in shares]
        )
    except BaseException:
        writer.cancel()
        raise
    return BatchCommit(replaced, writer, segments)


class BatchCommit:
    """A batch on its way into the index: ``wait`` waits for the processes writing it,
    ``finish`` commits it (after waiting), ``cancel`` gives it up."""

    def __init__(
        self,
        replaced: int,
        writer: IndexWriter | None = None,
        segments: Launched | None = None,
    ) -> None:
        self.replaced = replaced  # committed articles the batch replaces
        self.writer, self.segments = writer, segments

    def wait(self) -> None:
        """Wait until the batch is written (and ready to commit)."""
        if self.segments is not None:
            self.segments.wait()

    def finish(self) -> int:
        """Commit the batch (once); return how many committed articles it replaced."""
        writer, self.writer = self.writer, None
        if writer is None:
            return self.replaced
        if self.segments is None:  # (written in this process)
            try:
                writer.commit(merge=False)
            except BaseException:
                writer.cancel()
                raise
            return self.replaced
        try:
            written = self.segments.get()
            add_forms(Path(writer.storage.folder), [form for _, forms in written for form in forms])
        except BaseException:
            writer.cancel()
            raise
        segments = [segment for segment, _ in written]
        # As Whoosh's own multi-process writer commits (multisegment): the parent's segments
        # with their deletions, then the children's, in order.
        kept = writer._merge_segments(NO_MERGE, False, False)
        writer._close_segment()
        writer._commit_toc(kept + [s for s in segments if s.doc_count_all()])
        writer._finish()
        return self.replaced

    def cancel(self) -> None:
        """Give the batch up: the index stays as it was (files the processes still write are
        left over, and removed by the next commit)."""
        writer, self.writer = self.writer, None
        if writer is not None:
            writer.cancel()


def _delete_replaced(writer: SegmentWriter, documents: Sequence[dict[str, Any]]) -> int:
    searcher = writer.searcher()
    try:
        return sum(
            writer.delete_by_term("id", document["id"], searcher=searcher) > 0
            for document in documents
        )
    finally:
        searcher.close()


def _shares(documents: Sequence[dict[str, Any]], parts: int) -> list[Sequence[dict[str, Any]]]:
    size = math.ceil(len(documents) / parts)
    return [documents[start : start + size] for start in range(0, len(documents), size)]


def _write_share(
    folder: str, documents: Sequence[dict[str, Any]], limitmb: int
) -> tuple[Segment, list[tuple[str, str]]]:
    """In a writing process: write documents into a new segment, not yet part of the index, and
    return it with the forms of its words for the process that commits to add to the table (one
    process fills it, as the table ends the same however many wrote; and a process forked while
    another thread of its parent was in SQLite once started with SQLite's lock held, and waited
    on it for ever)."""
    ix = FileIndex(MappedStorage(folder))
    # (The parent holds the index's lock.)
    writer = IndexWriter(ix, _lk=False, limitmb=limitmb, keep_forms=True)
    try:
        for document in documents:
            writer.add_document(**document)
        segment = writer._finalize_segment()
        return segment, writer.kept_forms
    except BaseException:
        writer.cancel()
        raise


def merge_tail(ix: FileIndex, limitmb: int) -> None:
    """Merge the newest segments into one when ``MERGE_FACTOR`` of them share a size class."""
    segments = ix._segments()
    count = tail_to_merge([segment.doc_count() for segment in segments])
    if count < 2:
        return
    writer = IndexWriter(ix, limitmb=limitmb)
    try:

        def policy(writer: SegmentWriter, segments: list[Segment]) -> list[Segment]:
            for segment in segments[-count:]:
                reader = SegmentReader(writer.storage, writer.schema, segment)
                writer.add_reader(reader)
                reader.close()
            return segments[:-count]

        writer.commit(mergetype=policy)
    except BaseException:
        writer.cancel()
        raise
    _give_back_freed_memory()


def _give_back_freed_memory() -> None:
    """Return the memory a merge freed to the system, where the C library can (glibc).

    glibc keeps freed memory for reuse, and a merge's, scattered among what the process goes
    on holding, stayed with it: late in a million-article run, this process held about 440 MB
    while the batch processes wrote, against 300 MB given back, and the run peaked at the
    memory budget (1,003 MB; 858 and 890 MB in two runs given back).
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (found once: finding the
    library runs ``ldconfig``)."""
    name = ctypes.util.find_library("c")
    return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None


def tail_to_merge(sizes: Sequence[int]) -> int:
    """How many of the last segments (live document counts, oldest first) to merge: the longest
    run at the end of segments of one size class or smaller that holds ``MERGE_FACTOR`` of that
    class, looking at the smallest classes first; else none.

    A large segment waits for ``MERGE_FACTOR`` of its class, so each document is rewritten about
    once per class. (Counting the smaller ones towards the factor, as this did, merged a large
    segment again each time fifteen small ones followed it: a million articles were rewritten
    2.4 times over, in merges of up to 870,000, and the work grew with the square of the index.)
    """
    classes = [_size_class(size) for size in sizes]
    for level in sorted(set(classes)):
        run = of_level = 0
        for size_class in reversed(classes):
            if size_class > level:
                break
            run += 1
            of_level += size_class == level
        if of_level >= MERGE_FACTOR:
            return run
    return 0


def _size_class(size: int) -> int:
    return 0 if size < 10 * _SIZE_UNIT else int(math.log10(size / _SIZE_UNIT))
