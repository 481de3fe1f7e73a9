"""The speed-ups change no answer: the same hits, scores, snippets, totals and facets.

Each fast path is checked against the plain one it replaces: cached analysis against the
analyzer itself, indexing on two processes against one, many small commits (with tail merges)
against one big one, set-based totals against Whoosh's own walk, and facet counts read from whole
columns against counts read document by document.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import random
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from conftest import write_jsonl
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.codec.whoosh3 import W3Codec
from whoosh.columns import VarBytesColumn
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter
from whoosh.highlight import BasicFragmentScorer, ContextFragmenter, set_matched_filter
from whoosh.index import TOC, FileIndex

from index.embedded import codec, merged_postings, prose_postings, segments
from index.embedded.analysis import text_analyzer
from index.embedded.codec import _ARRAYS, _NARROW, SplitCodec, stored_blocks
from index.embedded.fast_analysis import CachedAnalyzer
from index.embedded.forms import FORMS_TABLE
from index.embedded.schema import (
    SCHEMA_VERSION,
    build_schema,
    column_name,
    from_stored,
    split_values,
    to_document,
)
from index.embedded.segments import (
    MERGE_FACTOR,
    PARALLEL_FROM,
    IndexWriter,
    _column_lengths,
    tail_to_merge,
)
from index.embedded.store import META_FILE, MappedStorage, open_index, open_or_create_index
from index.embedded.term_table import CompactTermsWriter
from index.enrich.dates import parse_bound, to_naive_utc
from index.enrich.fields import FieldMapping, record_to_article
from index.errors import IngestError
from index.pipeline.options import IngestOptions
from search.embedded import array_scoring
from search.embedded.facets import FACETS
from search.embedded.matches import query_docs
from search.embedded.parsing import build_filter, parse_query
from search.embedded.ranking import sort_facet, weighting
from search.embedded.searching import search
from search.embedded.snippets import (
    _MAX_SCANNED_CHARS,
    SNIPPET_CHARS,
    _spans,
    make_snippet,
    searched_forms,
)
from search.engine import open_engine
from search.json_contract import search_json
from search.query import Filters
from search.results import SearchRequest

FIXTURES = Path(__file__).parent / "fixtures"
# Indexes whose blocks are in forms Byline's codec wrote before.
OLD_FORMS = ("index-split-codec-pickled-counts.tar.xz", "index-split-codec-zlib-arrays.tar.xz")
WORDS = (
    "the of and to in syria russia talks oil prices market court vote senate storm harbor "
    "festival pentagon airspace election minister police health city week report deal plan "
    "strike jets officials ceasefire geneva traders analysts crowds summer record Über café "
    "naïve U.S. 3.14 it's co-operate"
).split()
SOURCES = ("The Hill", "the hill", "Daily Meridian", "Harbor City Ledger", "Globe")


def _records(count: int, repeats: int = 0, seed: int = 7) -> list[dict]:
    """Articles; the last ``repeats`` of them reuse earlier ids, replacing those articles."""
    rng = random.Random(seed)
    records = []
    for number in range(count):
        records.append(
            {
                "id": f"a{number % (count - repeats)}",
                "title": " ".join(rng.choices(WORDS, k=rng.randint(3, 8))),
                "body": " ".join(rng.choices(WORDS, k=rng.randint(20, 60))),
                "source": rng.choice(SOURCES),
                "authors": rng.sample(["Ana Ruiz", "Tom Becker", "Priya N"], rng.randint(0, 2)),
                "published": f"{rng.randint(2013, 2016)}-{rng.randint(1, 12):02d}-"
                f"{rng.randint(1, 28):02d}"
                if rng.random() < 0.9
                else None,
                "section": rng.choice(["World", "Business", None]),
                "tags": rng.sample(["Russia", "Syria", "Oil"], rng.randint(0, 2)),
            }
        )
    return records


REQUESTS = [
    SearchRequest(query="syria"),
    SearchRequest(query="oil prices"),
    SearchRequest(query="oil prices", match_any=True, limit=25),
    SearchRequest(query='"oil prices"'),
    SearchRequest(query="market OR court NOT storm", limit=50),
    SearchRequest(query="harbor", filters=Filters(sources=["the hill"])),
    SearchRequest(query="talks", facets=("source", "author", "tag", "section", "year")),
    SearchRequest(query="vote", filters=Filters(since="2014", until="2015-06")),
    SearchRequest(query="police", sort="newest", limit=20),
    SearchRequest(query="police", sort="oldest", page=2),
    SearchRequest(query="", facets=("source", "year"), limit=30),
    SearchRequest(query="mark*", limit=15),
    SearchRequest(query="published:[2014 TO 2015] senat~", limit=15),
    SearchRequest(query="the", limit=5),
]


def _answers(index: Path, requests: list[SearchRequest] = REQUESTS) -> list[dict]:
    """Each request's JSON answer; hits' origins left out (each index is built from its own
    file)."""
    answers = [search_json(search(index, request)) for request in requests]
    for answer in answers:
        for hit in answer["hits"]:
            del hit["origin"]
    return answers


def _build(tmp_path: Path, name: str, records: list[dict], **options: object) -> Path:
    source = write_jsonl(tmp_path / f"{name}.jsonl", records)
    index = tmp_path / name
    report = open_engine(index).ingest([str(source)], IngestOptions(**options))  # type: ignore[arg-type]
    assert not report.failed
    return index


def test_two_processes_give_the_results_of_one(tmp_path: Path) -> None:
    records = _records(PARALLEL_FROM + 200, repeats=40)
    single = _build(tmp_path, "single", records, procs=1, batch_size=100_000)
    double = _build(tmp_path, "double", records, procs=2, batch_size=100_000)
    assert len(open_index(double)._segments()) == 2  # the batch really was split
    expected = _answers(single)
    assert any(answer["total"] > 100 for answer in expected)
    assert json.dumps(_answers(double)) == json.dumps(expected)


@pytest.mark.parametrize("remembered", [segments._WORDS_REMEMBERED, 20])
def test_snippets_from_the_table_of_forms_are_those_of_every_word_analysed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, remembered: int
) -> None:
    """Snippets search an article for the written forms of the query's words (``forms.sqlite``,
    made with the index); without the table they analyse every word, and find the same. (A
    writer that has met too many words records their forms and forgets them as it goes.)"""
    monkeypatch.setattr(segments, "_WORDS_REMEMBERED", remembered)
    records = _records(300)
    searched = _build(tmp_path, "searched", records)
    analysed = _build(tmp_path, "analysed", records)
    (analysed / FORMS_TABLE).unlink()
    with closing(sqlite3.connect(searched / FORMS_TABLE)) as db:
        rows = set(db.execute("SELECT text, form FROM forms"))
    assert {("price", "prices"), ("uber", "Über"), ("us", "U.S")} <= rows  # (as analysed)
    requests = [*REQUESTS, SearchRequest(query="uber naive"), SearchRequest(query="U.S. prices")]
    expected = _answers(analysed, requests)
    assert "<mark>Über</mark>" in json.dumps(expected, ensure_ascii=False)
    assert _answers(searched, requests) == expected


def test_an_index_made_before_the_table_of_forms_is_not_given_one(tmp_path: Path) -> None:
    """The table would lack the forms of the articles written before it: their snippets would
    miss words. Such an index goes on analysing every word."""
    records = _records(300)
    index = _build(tmp_path, "older", records[:150])
    (index / FORMS_TABLE).unlink()
    open_engine(index).ingest(
        [str(write_jsonl(tmp_path / "more.jsonl", records[150:]))], IngestOptions()
    )
    assert not (index / FORMS_TABLE).exists()
    assert _answers(index) == _answers(_build(tmp_path, "newer", records))


def test_a_damaged_table_of_forms_costs_speed_not_snippets(tmp_path: Path) -> None:
    """Searches analyse every word; indexing stops with an error that names the table, and
    goes on once it is deleted."""
    records = _records(200)
    expected = _answers(_build(tmp_path, "whole", records))
    index = _build(tmp_path, "damaged", records[:100])
    (index / FORMS_TABLE).write_bytes(b"not a database")
    rest = write_jsonl(tmp_path / "rest.jsonl", records[100:])
    with pytest.raises(IngestError, match=r"forms\.sqlite is damaged .*delete it"):
        open_engine(index).ingest([str(rest)], IngestOptions())
    (index / FORMS_TABLE).unlink()
    open_engine(index).ingest([str(rest)], IngestOptions())
    assert _answers(index) == expected


@pytest.fixture(params=["fork", "forkserver"])
def start_method(request: pytest.FixtureRequest) -> Iterator[str]:
    """The program's choice of how processes start: indexing forks its own processes whatever
    it is."""
    if request.param not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {request.param} here")
    previous = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method(request.param, force=True)
    yield request.param
    multiprocessing.set_start_method(previous, force=True)


def test_a_process_that_wrote_its_share_of_a_batch_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start_method: str
) -> None:
    """A writing process gives its memory back between batches (kept, each held what it had
    used while the next batch was read and the tail merged, over the memory budget): each share
    of each batch is written by a new process, which ends."""
    records = _records(3 * PARALLEL_FROM, seed=3)
    parts = [records[start : start + 250] for start in range(0, len(records), 250)]
    paths = [write_jsonl(tmp_path / f"part{n:02}.jsonl", part) for n, part in enumerate(parts)]
    writers, write_share = tmp_path / "writers", segments._write_share

    def noting_the_writer(*arguments: object) -> object:
        with writers.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return write_share(*arguments)

    monkeypatch.setattr(segments, "_write_share", noting_the_writer)
    options = IngestOptions(procs=2, batch_size=PARALLEL_FROM)
    report = open_engine(tmp_path / "index").ingest([str(path) for path in paths], options)
    assert report.committed == len(records) and len(open_index(tmp_path / "index")._segments()) == 6
    pids = writers.read_text().split()
    assert len(set(pids)) == len(pids) == 3 * 2 and str(os.getpid()) not in pids
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists()]


def test_a_script_without_a_main_guard_indexes_in_parallel_once(tmp_path: Path) -> None:
    """Processes started by a server run the main script again: this one would index again in
    each (and they would wait on the index's lock), batch after batch, never ending. And no
    process is forked while another thread runs, which may start it with a lock that thread
    held: from Python 3.12 on, that warns (``DeprecationWarning: This process ... is
    multi-threaded, use of fork() may lead to deadlocks in the child``)."""
    records = _records(2 * PARALLEL_FROM, seed=4)
    corpus, index = write_jsonl(tmp_path / "corpus.jsonl", records), tmp_path / "index"
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from pathlib import Path\n"
        "from index.pipeline.options import IngestOptions\n"
        "from search.engine import open_engine\n"
        f"options = IngestOptions(procs=2, batch_size={PARALLEL_FROM})\n"
        f"report = open_engine(Path({str(index)!r})).ingest([{str(corpus)!r}], options)\n"
        "print('committed', report.committed)\n"
    )
    run = subprocess.run(
        [sys.executable, "-W", "always::DeprecationWarning", str(script)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2_000:]
    assert run.stdout.splitlines() == [f"committed {len(records)}"]
    assert len(open_index(index)._segments()) >= 2  # (written by two processes)
    assert "fork()" not in run.stderr, run.stderr[-2_000:]


def test_the_process_that_commits_adds_the_forms_each_process_met(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start_method: str
) -> None:
    """The processes writing a batch never open the table of forms: one forked by the pool's
    thread while the main thread was in SQLite would start with SQLite's lock held, and wait on
    it for ever (the script above hung so, now and then). The table ends as one process fills it.
    (Processes forked from a server do not run the patched function, so only "fork" tests who
    calls it.)"""
    parent, add_forms = os.getpid(), segments.add_forms

    def add_forms_in_parent(index_path: Path, forms: list[tuple[str, str]]) -> None:
        assert os.getpid() == parent, "a writing process opened the table of forms"
        add_forms(index_path, forms)

    monkeypatch.setattr(segments, "add_forms", add_forms_in_parent)
    records = _records(PARALLEL_FROM + 200, repeats=40)
    single = _build(tmp_path, "single", records, procs=1, batch_size=100_000)
    double = _build(tmp_path, "double", records, procs=2, batch_size=100_000)
    assert len(open_index(double)._segments()) == 2  # (written by two processes)
    tables = []
    for index in (single, double):
        with closing(sqlite3.connect(index / FORMS_TABLE)) as db:
            tables.append(set(db.execute("SELECT text, form FROM forms")))
    assert tables[0] and tables[1] == tables[0]


def test_postings_keep_the_counts_and_positions_of_the_words(tmp_path: Path) -> None:
    index = _build(tmp_path, "blocks", _records(400), procs=1, batch_size=100_000)
    ix = open_index(index)
    with ix.searcher() as searcher:
        (reader,) = [leaf for leaf, _ in searcher.reader().leaf_readers()]
        assert type(reader.segment().codec()) is SplitCodec
        longest = {}
        for field in ("title", "body"):
            expected: dict[str, dict[int, list[int]]] = {}
            for docnum in reader.all_doc_ids():
                text = reader.stored_fields(docnum)[field]
                for token in ix.schema[field].analyzer(text, positions=True):
                    expected.setdefault(token.text, {}).setdefault(docnum, []).append(token.pos)
            found: dict[str, dict[int, list[int]]] = {}
            for term in reader.lexicon(field):
                postings = reader.postings(field, term)
                while postings.is_active():
                    positions = postings.value_as("positions")
                    assert postings.weight() == len(positions)
                    found.setdefault(term.decode(), {})[postings.id()] = positions
                    postings.next()
            assert found == expected
            longest[field] = max(len(docs) for docs in found.values())
        assert longest["body"] > 128  # words whose postings take more than one block


@pytest.mark.parametrize("size", [128, 1_024])
def test_postings_are_written_in_blocks_of_the_chosen_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    monkeypatch.setattr(segments, "BLOCK_POSTINGS", size)
    index = _build(tmp_path, "blocks", _records(400), procs=1, batch_size=100_000)
    with open_index(index).searcher() as searcher:
        (reader,) = [leaf for leaf, _ in searcher.reader().leaf_readers()]
        term = max(reader.lexicon("body"), key=lambda t: reader.doc_frequency("body", t))
        count = reader.doc_frequency("body", term)
        assert 128 < count < 1_024
        blocks = stored_blocks(reader._terms._postfile, reader.term_info("body", term))
        assert [block.size for block in blocks] == [
            min(size, count - start) for start in range(0, count, size)
        ]


def _documents(records: list[dict]) -> list[dict]:
    documents = []
    for record in records:
        article = record_to_article(record, FieldMapping())
        documents.append(to_document(article) | {"story": article.id})
    return documents


def _segment_files(
    index: Path, documents: list[dict], arrays: bool, optimize: bool = False
) -> dict[str, bytes]:
    """Add ``documents`` to the index (created if need be) in one commit, with the prose
    fields' postings gathered as arrays or (``arrays`` false) each through Whoosh's posting
    pool, as Byline indexed before; return the files of the segment it writes, by name (less
    the segment's). ``optimize`` merges the index's other segments into it too."""
    ix = open_or_create_index(index)
    before = {segment.segment_id() for segment in ix._segments()}
    writer = IndexWriter(ix)
    if not arrays:
        writer.prose = None
    for document in documents:
        writer.add_document(**document)
    writer.commit(merge=False, optimize=optimize)
    (segment,) = [s for s in open_index(index)._segments() if s.segment_id() not in before]
    files = segment.open_compound_file(ix.storage)
    parts = {}
    for name in files.list():
        with files.open_file(name) as part:
            parts[name.removeprefix(segment.make_filename(""))] = part.read()
    return parts


def test_postings_gathered_as_arrays_are_the_bytes_whooshs_pool_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prose_postings, "CHUNK_WORDS", 2_000)  # (written in several chunks)
    records = [
        *_records(400),
        {"id": "empty", "title": "The", "body": ""},
        {"id": "stops", "title": "Of the", "body": "the of and to it"},
        {"id": "late", "title": "To the court", "body": "And then the Senate voted."},
    ]
    documents = _documents(records)
    expected = _segment_files(tmp_path / "pool", documents, arrays=False)
    assert expected.keys() >= {".pst", ".trm", "._body_len.col"}
    assert _segment_files(tmp_path / "arrays", documents, arrays=True) == expected
    # Adding to an index, then merging its segment in: the arrays go to Whoosh's pool.
    more = _documents([r | {"id": f"more-{n}"} for n, r in enumerate(_records(150, seed=5))])
    expected = _segment_files(tmp_path / "pool", more, arrays=False, optimize=True)
    assert _segment_files(tmp_path / "arrays", more, arrays=True, optimize=True) == expected


@pytest.mark.parametrize(("chunk", "fixture"), [(500, OLD_FORMS[0]), (1, OLD_FORMS[1])])
def test_merging_a_term_at_a_time_writes_the_bytes_of_whooshs_merge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, fixture: str
) -> None:
    # Segments of every form Byline has written: blocks of pickled counts or of compressed
    # four-byte arrays (the fixtures), Whoosh's own codec, and narrow arrays; with deleted
    # articles among them, one the only article with its words. (Small chunks, so that terms
    # are handed on in several; with chunks of one term, the deleted article's words make
    # chunks left with no postings.)
    monkeypatch.setattr(merged_postings, "CHUNK_POSTINGS", chunk)
    monkeypatch.setattr(merged_postings, "CHUNK_BLOCKS", 40)  # (and by blocks, in the first)
    for name in ("pool", "arrays"):
        index = _extract(FIXTURES / fixture, tmp_path / name)
        writer = open_index(index).writer()  # Whoosh's own writer and codec
        for document in _documents([r | {"id": f"w{n}"} for n, r in enumerate(_records(90))]):
            writer.add_document(**document)
        writer.commit(merge=False)
        for batch in range(2):
            records = _records(150, seed=batch)
            if batch:
                records.append({"id": "", "title": "Zanzibar quokkas", "body": ""})
            _segment_files(
                index,
                _documents([r | {"id": f"b{batch}-{n}"} for n, r in enumerate(records)]),
                arrays=True,
            )
        writer = IndexWriter(open_index(index))
        for article_id in ("a3", "a150", "w0", "w89", "b0-7", "b1-149", "b1-150"):
            assert writer.delete_by_term("id", article_id) == 1
        writer.commit(merge=False)
    stored = _stored_fields(tmp_path / "pool")
    ids = [fields["id"] for fields in stored]
    assert "w0" not in ids and ids.index("w1") < ids.index("b0-0") and "body" in stored[0]
    expected = _segment_files(tmp_path / "pool", [], arrays=False, optimize=True)
    assert _segment_files(tmp_path / "arrays", [], arrays=True, optimize=True) == expected
    # Stored fields, copied as the segments keep them, are every live article's, in order.
    assert _stored_fields(tmp_path / "arrays") == stored


def _stored_fields(index: Path) -> list[dict]:
    with open_index(index).searcher() as searcher:
        return list(searcher.reader().all_stored_fields())


@settings(max_examples=60, deadline=None)
@given(
    entries=st.dictionaries(
        st.binary(min_size=1, max_size=12), st.binary(max_size=20), max_size=600
    )
)
def test_the_compact_terms_writer_writes_whooshs_bytes(entries: dict[bytes, bytes]) -> None:
    written = []
    for compact in (False, True):
        folder = RamStorage()
        writer = OrderedHashWriter(folder.create_file("terms"))
        if compact:
            writer = CompactTermsWriter.taking_over(writer)
        writer.extras["fieldmap"] = {"body": 0}
        for key in sorted(entries):
            writer.add(key, entries[key])
        writer.close()
        written.append(folder.open_file("terms").read())
        reader = OrderedHashReader.open(folder, "terms")
        assert list(reader.items()) == sorted(entries.items())
        assert all(reader[key] == value for key, value in entries.items())
    assert written[1] == written[0]


def test_lengths_read_a_column_at_a_time_are_whooshs_one_by_one(tmp_path: Path) -> None:
    # (What merges and segment writing read: every field, those without lengths too, and an
    # article without a body, whose length Whoosh gives as None.)
    records = [*_records(60), {"id": "bodiless", "title": "Zanzibar quokkas", "body": ""}]
    index = tmp_path / "lengths"
    _segment_files(index, _documents(records), arrays=True)
    reader = open_index(index).reader()
    try:
        (leaf, _), *_ = reader.leaf_readers()
        count = leaf.doc_count_all()
        for name in leaf.schema.names():
            expected = [leaf._perdoc.doc_field_length(d, name) for d in range(count)]
            assert _column_lengths(leaf._perdoc, name, count) == expected, name
        body = _column_lengths(leaf._perdoc, "body", count)
        assert None in body and max(length or 0 for length in body) > 10
    finally:
        reader.close()


def test_segments_written_before_the_codec_are_read_alongside_new_ones(tmp_path: Path) -> None:
    index = _build(tmp_path, "mixed", _records(300), procs=1)
    ix = open_index(index)
    writer = (
        ix.writer()
    )  # Whoosh's own writer and codec, as Byline wrote before index/embedded/codec.py
    for number, record in enumerate(_records(200, seed=3)):
        article = record_to_article(record | {"id": f"old-{number}"}, FieldMapping())
        writer.add_document(**to_document(article), story=f"old-{number}")
    writer.commit(merge=False)
    ix = open_index(index)
    assert {type(segment.codec()) for segment in ix._segments()} == {W3Codec, SplitCodec}
    _assert_ranks_and_finds_phrases_as_whoosh(ix)


@pytest.mark.parametrize(("fixture", "form"), [(OLD_FORMS[0], "pickle"), (OLD_FORMS[1], "arrays")])
def test_blocks_written_in_earlier_forms_are_read_alongside_new_ones(
    tmp_path: Path, fixture: str, form: str
) -> None:
    # 160 of _records's articles, indexed by Byline at 238ff37, whose codec pickled each block's
    # documents and counts; and 160 indexed at afd676b, whose codec kept them as compressed
    # four-byte arrays and positions as a compressed pickle of two such arrays.
    index = _extract(FIXTURES / fixture, tmp_path / "old")
    assert _block_forms(index) == {form}
    records = [record | {"id": f"new-{n}"} for n, record in enumerate(_records(200, seed=3))]
    report = open_engine(index).ingest(
        [str(write_jsonl(tmp_path / "new.jsonl", records))], IngestOptions()
    )
    assert report.added == 200 and not report.failed
    assert _block_forms(index) == {form, "narrow"}
    _assert_ranks_and_finds_phrases_as_whoosh(open_index(index))


def _extract(fixture: Path, index: Path) -> Path:
    """An index of schema version 4 (stopwords left out), marked as this version's: Byline
    refuses to open it, but its segments are what these tests need, the blocks of postings in
    the forms the codec wrote then (read here with the analysis pickled in the index, under the
    names its modules had before they moved to ``index/embedded``). The fields added since (the
    site, where an article was read, its unmapped fields) are added to its schema, so that
    articles of today can be written to it."""
    for old in ("analysis", "codec", "fast_analysis", "schema"):
        sys.modules.setdefault(f"index.{old}", importlib.import_module(f"index.embedded.{old}"))
    index.mkdir()
    with tarfile.open(fixture) as archive:
        for member in archive.getmembers():  # (a flat folder of files)
            (index / member.name).write_bytes(archive.extractfile(member).read())
    storage = FileStorage(str(index))
    toc = TOC.read(storage, "MAIN")
    current = build_schema()
    for name in current.names():
        if name not in toc.schema:
            toc.schema.add(name, current[name])
    toc.generation += 1
    toc.write(storage, "MAIN")
    (index / META_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION}) + "\n")
    return index


def _block_forms(index: Path) -> set[str]:
    """How the segments of an index keep the first block of the body's longest postings."""
    forms = set()
    with open_index(index).searcher() as searcher:
        for reader, _ in searcher.reader().leaf_readers():
            term = max(reader.lexicon("body"), key=lambda t: reader.doc_frequency("body", t))
            matcher = reader.postings("body", term)
            form = matcher._counts_form
            forms.add("narrow" if form & _NARROW else "arrays" if form & _ARRAYS else "pickle")
    return forms


def _assert_ranks_and_finds_phrases_as_whoosh(ix: FileIndex) -> None:
    with ix.searcher(weighting=weighting()) as searcher:
        for text in ('"oil prices"', '"syria talks" OR market', "police court", "harbor OR vote"):
            query = parse_query(text, ix.schema)
            expected = _settled(_whoosh_ranking(searcher, query, None, False))
            docnums, scores = array_scoring.matches(searcher, query)
            found = _settled(array_scoring.best(searcher, docnums, scores, 10_000, False))
            assert found == expected and len(found) > 0, text
            for leaf in query.leaves():
                if isinstance(leaf, wq.Phrase):
                    assert query_docs(searcher, leaf) == set(searcher.docs_for_query(leaf))


def _ids_in_index_order(index: Path) -> list[str]:
    with open_index(index).searcher() as searcher:
        reader = searcher.reader()
        return [reader.stored_fields(docnum)["id"] for docnum in reader.all_doc_ids()]


def test_merging_at_the_tail_keeps_the_order_of_documents(tmp_path: Path) -> None:
    records = _records(1_200)
    one = _build(tmp_path, "one", records, procs=1, batch_size=100_000)
    many = _build(tmp_path, "many", records, procs=1, batch_size=60)
    # 20 commits of 60: the first 16 segments were merged into one at the tail.
    assert len(open_index(many)._segments()) == 20 - MERGE_FACTOR + 1
    assert _ids_in_index_order(many) == _ids_in_index_order(one)
    # Whoosh's merge re-adds field lengths from their one-byte approximation, which moves the
    # average length (and so scores) a little; what is found and counted does not move, nor does
    # an order by date (equal dates in index order).
    for request, merged, whole in zip(REQUESTS, _answers(many), _answers(one), strict=True):
        assert merged["total"] == whole["total"] and merged["facets"] == whole["facets"]
        if request.sort != "relevance":
            assert merged["hits"] == whole["hits"]


def test_set_based_totals_match_whooshs_walk(index_path: Path) -> None:
    ix = open_index(index_path)
    texts = [
        "syria",
        "russia syria",
        "syria OR oil",
        '"syrian airspace"',
        "NOT oil",
        "syri*",
        "syria AND NOT pentagon",
        "published:[2015 TO 2016]",
        "*",
        "nothingatall",
    ]
    with ix.searcher() as searcher:
        for text in texts:
            for match_any in (False, True):
                query = parse_query(text, ix.schema, match_any)
                assert query_docs(searcher, query) == set(searcher.docs_for_query(query)), text
        for filters in (Filters(sources=["the hill", "HARBOR CITY LEDGER"]), Filters(since="2015")):
            query = build_filter(filters, ix.schema)
            assert query_docs(searcher, query) == set(searcher.docs_for_query(query))
        assert query_docs(searcher, wq.Term("body", "syria")) == set(
            searcher.docs_for_query(wq.Term("body", "syria"))
        )


def test_facets_from_whole_columns_count_as_document_by_document(tmp_path: Path) -> None:
    index = _build(tmp_path, "facets", _records(300), procs=1)
    ix = open_index(index)
    with ix.searcher() as searcher:
        every = list(searcher.reader().all_doc_ids())
        for docnums in (every[:10], every[::3], every):  # below and above the whole-column share
            for name in ("source", "author", "tag", "section"):
                field = FACETS[name].field  # type: ignore[attr-defined]
                values = searcher.reader().column_reader(column_name(field))
                spellings: Counter[str] = Counter()
                for docnum in docnums:
                    spellings.update(split_values(values[docnum]))
                counted = FACETS[name].counts(searcher, docnums, size=100)
                assert sum(c.count for c in counted) == sum(spellings.values())
                grouped: Counter[str] = Counter()
                for spelling, count in spellings.items():
                    grouped[spelling.casefold()] += count
                assert {c.value.casefold(): c.count for c in counted} == dict(grouped)


def test_postings_spilled_to_disk_in_chunks_come_back_sorted(index_path: Path) -> None:
    writer = IndexWriter(open_index(index_path), limitmb=1)
    rng = random.Random(3)
    postings = [
        ("body", f"w{rng.randint(0, 5_000)}".encode(), rng.randint(0, 10**6), 1.0, b"v")
        for _ in range(30_000)
    ]
    try:
        for posting in postings:
            writer.pool.add(posting)
        assert len(writer.pool.runs) > 2  # it really spilled, several times
        # Two files open at most: runs are merged into runs first, then read back.
        assert list(writer.pool.items(maxfiles=2)) == sorted(postings)
    finally:
        writer.cancel()


def test_tail_merges_only_full_runs_of_small_segments() -> None:
    assert tail_to_merge([5_000] * (MERGE_FACTOR - 1)) == 0
    assert tail_to_merge([5_000] * MERGE_FACTOR) == MERGE_FACTOR
    assert tail_to_merge([200_000, *[5_000] * MERGE_FACTOR]) == MERGE_FACTOR
    assert tail_to_merge([5_000, *[50_000] * MERGE_FACTOR]) == MERGE_FACTOR + 1
    assert tail_to_merge([50_000, 5_000] * MERGE_FACTOR) == 2 * MERGE_FACTOR
    # A large segment is not merged again for small ones that follow it.
    assert tail_to_merge([200_000] * 3 + [5_000] * (MERGE_FACTOR - 3)) == 0


@given(st.integers(min_value=2_000, max_value=20_000), st.integers(min_value=1, max_value=3))
@settings(max_examples=25, deadline=None)
def test_tail_merges_rewrite_each_document_about_once_per_size_class(
    segment: int, per_batch: int
) -> None:
    # Two million articles, committed in batches of segments of one size, merged as the writer
    # merges them (before each batch): documents rewritten, in all, about once per size class
    # they pass through (from the segments' own up to a million), not once per merge.
    sizes: list[int] = []
    rewritten = committed = 0
    while committed < 2_000_000:
        count = tail_to_merge(sizes)
        if count:
            merged = sum(sizes[-count:])
            rewritten += merged
            sizes[-count:] = [merged]
        sizes += [segment] * per_batch
        committed += segment * per_batch
    assert rewritten <= 2 * committed
    assert len(sizes) <= 3 * MERGE_FACTOR


_KWARGS = st.fixed_dictionaries(
    {},
    optional={
        "positions": st.booleans(),
        "chars": st.booleans(),
        "removestops": st.booleans(),
        "mode": st.sampled_from(["index", "query", ""]),
        "start_pos": st.integers(0, 5),
        "start_char": st.integers(0, 5),
        "boosts": st.booleans(),
    },
)
_TEXT = st.lists(
    st.one_of(st.sampled_from([*WORDS, "having"]), st.text(max_size=8)), max_size=40
).map(" ".join)


def _tokens(analyzer, text: str, kwargs: dict) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [
        (
            t.text,
            t.stopped,
            t.boost,
            getattr(t, "pos", None),
            getattr(t, "startchar", None),
            getattr(t, "endchar", None),
        )
        for t in analyzer(text, **kwargs)
    ]


@settings(max_examples=300, deadline=None)
@given(text=_TEXT, kwargs=_KWARGS)
def test_cached_analysis_gives_the_analyzers_tokens(text: str, kwargs: dict) -> None:
    fast = CachedAnalyzer(text_analyzer())
    assert fast.cached  # every filter of the prose chain works word by word
    assert _tokens(fast, text, kwargs) == _tokens(text_analyzer(), text, kwargs)
    assert _tokens(fast, text, kwargs) == _tokens(fast, text, kwargs)  # and again, cached
    assert fast.terms(text) == [token.text for token in text_analyzer()(text)]
    grouped = RegexTokenizer(r"(\w+)(?:\.\w+)*") | LowercaseFilter() | StopFilter()
    assert CachedAnalyzer(grouped).terms(text) == [token.text for token in grouped(text)]
    for chain in (text_analyzer(), RegexTokenizer() | StopFilter(renumber=False)):
        terms, positions = CachedAnalyzer(chain).positioned_terms(text)
        indexed = [(token.text, token.pos) for token in chain(text, positions=True)]
        assert list(zip(terms, positions, strict=True)) == indexed
    unfiltered = RegexTokenizer(r"\s+", gaps=True) | LowercaseFilter()  # (run as it is)
    # (Stopwords are not stemmed: Whoosh's own stopwords stem to themselves, "having" does not.)
    stemmed = RegexTokenizer() | StopFilter(stoplist=["having"]) | StemFilter(ignore=["jets"])
    empty = RegexTokenizer(r"\w*") | LowercaseFilter()  # (it finds empty words too)
    for chain in (text_analyzer(), grouped, unfiltered, stemmed, empty):
        words, bounds = CachedAnalyzer(chain).spans(text)
        spans = list(zip(bounds[::2], bounds[1::2], strict=True))
        tokens = chain(text, chars=True, mode="index", removestops=False)
        at: dict[tuple[int, int], list[str]] = {}  # (a word of several terms: a tuple of them)
        for token in tokens:
            at.setdefault((token.startchar, token.endchar), []).append(token.text)
        expected = [(t[0] if len(t) == 1 else tuple(t), span) for span, t in at.items()]
        assert list(zip(words, spans, strict=True)) == expected


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=5))
def test_postings_of_any_text_gathered_as_arrays_are_whooshs(texts: list[tuple[str, str]]) -> None:
    documents = [
        {"id": f"d{n}", "title": title, "body": body} for n, (title, body) in enumerate(texts)
    ]
    with tempfile.TemporaryDirectory() as folder:
        expected = _segment_files(Path(folder, "pool"), documents, arrays=False)
        assert _segment_files(Path(folder, "arrays"), documents, arrays=True) == expected


def test_what_analysis_learned_serves_every_opening_of_the_index(index_path: Path) -> None:
    # Indexing processes open the index for every batch, each unpickling a fresh analyzer.
    first = open_index(index_path).schema["body"].analyzer
    assert first.terms("Zebras crossing") == ["zebra", "cross"]
    second = open_index(index_path).schema["body"].analyzer
    assert second is not first and second._terms.get("Zebras") == "zebra"
    other = CachedAnalyzer(RegexTokenizer() | LowercaseFilter())
    assert other.terms("Zebras crossing") == ["zebras", "crossing"]


def test_a_kept_searcher_sees_every_new_commit(tmp_path: Path, index_path: Path) -> None:
    assert search(index_path, SearchRequest(query="geneva")).total == 1
    extra = write_jsonl(tmp_path / "extra.jsonl", [{"id": "x", "title": "Geneva", "body": "b"}])
    open_engine(index_path).ingest([str(extra)], IngestOptions())
    result = search(index_path, SearchRequest(query="geneva"))
    assert result.total == 2
    # The new segment has no source column at all: its article counts under no source.
    assert [(c.value, c.count) for c in result.facets["source"]] == [("The Daily Meridian", 1)]


def test_totals_of_phrases_filters_and_date_orders_match_whooshs_count(tmp_path: Path) -> None:
    index = _build(tmp_path, "noted", _records(300), procs=1)
    ix = open_index(index)
    cases = [
        SearchRequest(query='"oil prices"'),
        SearchRequest(query='"oil prices" OR syria', filters=Filters(sources=["globe"])),
        SearchRequest(query="police", sort="newest", filters=Filters(since="2015")),
        SearchRequest(query="", sort="oldest"),
    ]
    with ix.searcher() as searcher:
        for request in cases:
            query = parse_query(request.query, ix.schema, request.match_any)
            expected = set(searcher.docs_for_query(query))
            narrowing = build_filter(request.filters, ix.schema)
            if narrowing is not None:
                expected &= set(searcher.docs_for_query(narrowing))
            assert search(index, request).total == len(expected) > 0, request


def test_a_time_limit_keeps_the_filter(index_path: Path) -> None:
    request = SearchRequest(query="syria", filters=Filters(sources=["The Hill"]), timeout=30)
    result = search(index_path, request)
    assert result.total == 1 and [hit.article.source for hit in result.hits] == ["The Hill"]


def test_memory_does_not_grow_with_the_index_while_indexing(tmp_path: Path) -> None:
    """Commit after commit, a run holds no copy of what it already wrote (it once held every
    segment's files in memory, so a long run ran out of it)."""
    # Twenty commits: what a run keeps for good (caches, a merge's spike) is about an eighth of
    # the index by then, while a copy of what it wrote would be all of it (with five, the fixed
    # part alone came within a few percent of the bound below).
    files = [write_jsonl(tmp_path / f"part{n}.jsonl", _records(300, seed=n)) for n in range(1, 21)]
    for number, path in enumerate(files):  # distinct ids across files
        records = [json.loads(line) for line in path.read_text().splitlines()]
        write_jsonl(path, [r | {"id": f"{number}-{r['id']}"} for r in records])
    held: list[int] = []
    tracemalloc.start()
    try:
        open_engine(tmp_path / "index").ingest(
            [str(path) for path in files],
            IngestOptions(procs=1, batch_size=300),
            on_progress=lambda p: held.append(tracemalloc.get_traced_memory()[0]),
        )
    finally:
        tracemalloc.stop()
    on_disk = sum(f.stat().st_size for f in (tmp_path / "index").glob("*.seg"))
    growth = held[-1] - held[0]  # after the first commit
    assert growth < on_disk / 4, (growth, on_disk)


def _whoosh_ranking(  # type: ignore[no-untyped-def]
    searcher, query, allowed, collapse: bool, sort: str = "relevance"
) -> list[tuple[int, float]]:
    """Whoosh's own ranking of every match, each scored in full (no block skipping) or sorted
    by date, then filtered and collapsed to the first of each story by hand."""
    sortedby, reverse = sort_facet(sort, searcher.schema)
    collector = searcher.collector(limit=None, sortedby=sortedby, reverse=reverse)
    searcher.search_with_collector(query, collector)
    hits = [(hit.docnum, hit.score) for hit in collector.results()]
    stories = searcher.reader().column_reader("story")
    ranked, seen = [], set()
    for hit in _settled(hits) if sort == "relevance" else hits:
        if allowed is not None and hit[0] not in allowed:
            continue
        if collapse and stories[hit[0]] in seen:
            continue
        seen.add(stories[hit[0]])
        ranked.append(hit)
    return ranked


def _settled(ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Scores to nine decimals (the two add in different orders), equal ones by docnum."""
    return sorted(((d, round(s, 9)) for d, s in ranked), key=lambda item: (-item[1], item[0]))


@pytest.fixture(scope="module")
def scored_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Several segments, replaced articles (deletions), and syndicated copies (stories)."""
    tmp_path = tmp_path_factory.mktemp("scored")
    records = _records(500, repeats=40, seed=11)
    copies = [r | {"id": f"copy-{n}", "source": "Globe"} for n, r in enumerate(records[100:130])]
    index = _build(tmp_path, "scored", records + copies, procs=1, batch_size=120)
    with open_index(index).searcher() as searcher:
        stories = Counter(fields.get("story") for fields in searcher.all_stored_fields())
    assert max(count for story, count in stories.items() if story) > 1
    return index


@given(
    words=st.lists(st.sampled_from(WORDS[:40]), min_size=1, max_size=6),
    match_any=st.booleans(),
    collapse=st.booleans(),
    filtered=st.booleans(),
    shape=st.sampled_from(["words", "phrase", "long phrase", "group"]),
)
@settings(max_examples=80, deadline=None)
def test_array_scoring_ranks_as_whoosh_scores(
    scored_index: Path,
    words: list[str],
    match_any: bool,
    collapse: bool,
    filtered: bool,
    shape: str,
) -> None:
    ix = open_index(scored_index)
    with ix.searcher(weighting=weighting()) as searcher:
        assert len(searcher.reader().leaf_readers()) > 1 and searcher.reader().has_deletions()
        text = " ".join(words)
        if shape.endswith("phrase"):  # the first two (or three) words as a phrase
            cut = 3 if shape == "long phrase" else 2
            text = f'"{" ".join(words[:cut])}" {" ".join(words[cut:])}'
        elif shape == "group":  # an And in an Or: its words count only where all match
            text = f"{words[0]} OR ({' '.join(words[1:])} {words[0]}x)"
        query = parse_query(text, ix.schema, match_any)
        assume(query is not wq.NullQuery)  # stopwords only
        assert array_scoring.supports(searcher, query)
        allowed = (
            query_docs(searcher, build_filter(Filters(sources=["globe"]), ix.schema))
            if filtered
            else None
        )
        expected = _settled(_whoosh_ranking(searcher, query, allowed, collapse))
        docnums, scores = array_scoring.matches(searcher, query, allowed)
        assert docnums.tolist() == sorted(
            d for d, _ in _whoosh_ranking(searcher, query, allowed, False)
        )
        found = array_scoring.best(searcher, docnums, scores, 20, collapse)
        assert _settled(found) == expected[:20]
        assert len(array_scoring.best(searcher, docnums, scores, 10_000, collapse)) == len(expected)
        for sort in ("newest", "oldest"):
            by_date = _whoosh_ranking(searcher, query, allowed, collapse, sort)
            found = array_scoring.by_date(
                searcher, docnums, scores, 10_000, sort == "newest", collapse
            )
            assert [d for d, _ in found] == [d for d, _ in by_date], sort


@given(
    pick=st.integers(min_value=0),
    start=st.integers(min_value=0, max_value=50),
    length=st.integers(min_value=1, max_value=4),
    field=st.sampled_from(["title", "body"]),
    slop=st.sampled_from([1, 1, 2]),
    repeat=st.booleans(),
)
@settings(max_examples=80, deadline=None)
def test_phrases_from_arrays_of_positions_match_whooshs_spans(
    scored_index: Path, pick: int, start: int, length: int, field: str, slop: int, repeat: bool
) -> None:
    ix = open_index(scored_index)
    with ix.searcher() as searcher:
        docnum = sorted(searcher.reader().all_doc_ids())[pick % searcher.doc_count()]
        text = searcher.stored_fields(docnum)[field].split()
        rest = " ".join(text[start % len(text) :])
        # (As a query reads them: one term a word, as a phrase asks for them.)
        words = [t.text for t in ix.schema[field].analyzer(rest, mode="query")]
        assume(words)  # (stopwords only)
        words = words[:length] + words[:1] if repeat else words[:length]
        phrase = wq.Phrase(field, words, slop=slop)
        whooshs = set(searcher.docs_for_query(phrase))
        assert repeat or docnum in whooshs
        assert query_docs(searcher, phrase) == whooshs


def test_phrases_of_words_with_many_blocks_of_postings_match_whooshs(tmp_path: Path) -> None:
    # One segment of 1,000 articles: common words have postings in many blocks, and a phrase's
    # positions are decoded only from the blocks that hold a document with all its words.
    index = _build(tmp_path, "long", _records(1_000, seed=5), procs=1, batch_size=100_000)
    ix = open_index(index)
    rng = random.Random(5)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        assert max(reader.doc_frequency("body", t) for t in reader.lexicon("body")) > 4 * 128
        for docnum in rng.sample(range(reader.doc_count()), 40):
            body = reader.stored_fields(docnum)["body"]
            # (As a query reads them: one term a word, as a phrase asks for them.)
            words = [t.text for t in ix.schema["body"].analyzer(body, mode="query")]
            start = rng.randrange(max(1, len(words) - 3))
            phrase = wq.Phrase("body", words[start : start + rng.choice([2, 3])])
            whooshs = set(searcher.docs_for_query(phrase))
            assert docnum in whooshs
            assert query_docs(searcher, phrase) == whooshs


def test_array_scoring_leaves_other_queries_to_whoosh(index_path: Path) -> None:
    ix = open_index(index_path)
    with ix.searcher(weighting=weighting()) as searcher:
        for text in ("syri*", "oil NOT syria", "published:2015", "*"):
            assert not array_scoring.supports(searcher, parse_query(text, ix.schema)), text
        for text in ("oil OR (syria talks)", '"oil prices" OR syria'):
            assert array_scoring.supports(searcher, parse_query(text, ix.schema)), text


def _hit_stories(index: Path, request: SearchRequest) -> list[str]:
    result = search(index, request)
    with open_index(index).searcher() as searcher:
        return [searcher.document(id=hit.article.id)["story"] for hit in result.hits]


def test_collapsing_keeps_one_hit_per_story_with_a_filter_too(scored_index: Path) -> None:
    filters = Filters(sources=["globe", "the hill", "daily meridian"])
    for text in ('"oil prices"', "oil prices", "syri*"):  # through Whoosh and through arrays
        request = SearchRequest(query=text, filters=filters, limit=100)
        every = _hit_stories(scored_index, request)
        assert len(every) > len(set(every)), text  # there are copies to collapse
        collapsed = _hit_stories(scored_index, replace(request, collapse=True))
        assert collapsed and len(collapsed) == len(set(collapsed)), text


_RANGES = [("2014", "2015-06"), ("2013-02-03", "2013-02-03"), (None, "2014"), ("2016", None)]


def test_date_ranges_are_the_articles_dated_in_them(scored_index: Path) -> None:
    """Dates are kept in a column only (no terms): a range, as a filter or inside a query,
    matches the live articles whose stored date falls in it."""
    ix = open_index(scored_index)
    with ix.searcher() as searcher:
        assert searcher.reader().has_deletions()
        assert not list(searcher.reader().lexicon("published"))  # no date terms are written
        dated = {
            docnum: to_naive_utc(article.published)
            for docnum in searcher.reader().all_doc_ids()
            if (article := from_stored(searcher.stored_fields(docnum))).published is not None
        }
        for since, until in _RANGES:
            start = parse_bound(since, end=False) if since else datetime.min
            end = parse_bound(until, end=True) if until else datetime.max
            expected = {docnum for docnum, when in dated.items() if start <= when <= end}
            query = build_filter(Filters(since=since, until=until), ix.schema)
            assert expected and query_docs(searcher, query) == expected, (since, until)
            within = parse_query(f"published:[{since or ''} TO {until or ''}] oil", ix.schema)
            oil = query_docs(searcher, parse_query("oil", ix.schema))
            assert {hit.docnum for hit in searcher.search(within, limit=None)} == expected & oil
        for text in ("published:[2014 TO 2015]", "published:{2014 TO 2015}", "published:>2015"):
            query = parse_query(text, ix.schema)
            assert query_docs(searcher, query) == set(searcher.docs_for_query(query)), text


def test_date_ranges_from_the_column_match_an_older_indexs_date_terms(tmp_path: Path) -> None:
    """Indexes written before dates became column-only hold date terms: the column gives what
    Whoosh finds from those terms."""
    index = _extract(FIXTURES / "index-split-codec-pickled-counts.tar.xz", tmp_path / "old")
    ix = open_index(index)
    with ix.searcher() as searcher:
        assert list(searcher.reader().lexicon("published"))
        for since, until in _RANGES:
            start = parse_bound(since, end=False) if since else None
            end = parse_bound(until, end=True) if until else None
            from_terms = set(searcher.docs_for_query(wq.DateRange("published", start, end)))
            from_column = query_docs(
                searcher, build_filter(Filters(since=since, until=until), ix.schema)
            )
            assert from_column == from_terms, (since, until)


def test_the_command_loads_no_writer_or_readers_until_it_indexes() -> None:
    """Start-up is part of every search: the writer, its process pool, ledger and encoding
    detection, the free-text date parser, and the HTML, feed, WARC and archive readers load
    only when something is indexed (together about a quarter of a second of each search), and
    sqlite3 (for the forms snippets search for) when an index is searched; no engine (Whoosh,
    numpy, the embedded engine's modules) until a command opens one (``search.engine``); and the
    web stack only for ``byline serve``."""
    heavy = (
        "whoosh",
        "numpy",
        "index.embedded.store",
        "search.embedded.engine",
        "index.pipeline.ingest",
        "index.readers.inputs",
        "index.readers.formats",
        "feedparser",
        "warcio",
        "charset_normalizer",
        "multiprocessing.pool",
        "sqlite3",
        "rich.progress",
        "dateutil",
        "urllib.request",  # (Whoosh's, for a download helper: see search/cli/startup.py)
        "http.client",
        "ssl",
        "starlette",  # (the web stack: loaded by ``byline serve`` only)
        "uvicorn",
        "jinja2",
        "search.web.app",
    )
    code = (
        "import sys, search.cli.startup; search.cli.startup.defer_urllib_request();"
        "import search.cli.app;"
        f"print(sorted(m for m in {heavy!r} if type(sys.modules.get(m)) is type(sys)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


def test_urllib_request_put_off_at_start_up_works_when_used() -> None:
    code = (
        "import search.cli.startup; search.cli.startup.defer_urllib_request()\n"
        "import search.cli.app\n"
        "from urllib.request import pathname2url; print(pathname2url('/a b'))\n"
        "import urllib.request, urllib.parse, whoosh.compat\n"
        "folder = __import__('tempfile').mkdtemp(); path = folder + '/page'\n"
        "open(path, 'w').write('fetched')\n"
        "whoosh.compat.urlretrieve('file://' + urllib.request.pathname2url(path), path + '2')\n"
        "print(open(path + '2').read(), urllib.request.urlopen.__module__)"
    )
    printed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert printed.split() == ["/a%20b", "fetched", "urllib.request"]


def _whooshs_snippet(text: str, terms: frozenset[str]) -> tuple:
    """The passage Whoosh's ContextFragmenter picks from every token of the text."""
    text = text[:_MAX_SCANNED_CHARS]
    tokens = CachedAnalyzer(text_analyzer())(text, chars=True, mode="query", removestops=False)
    fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SNIPPET_CHARS // 3)
    scorer = BasicFragmentScorer()
    best, best_score = None, 0.0
    for fragment in fragmenter.fragment_tokens(text, set_matched_filter(tokens, terms)):
        score = scorer(fragment)
        if score >= 1 and (best is None or score > best_score):  # the earliest of the best
            best, best_score = fragment, score
    if best is None:
        return ()
    return (best.startchar, best.endchar, [(t.startchar, t.endchar) for t in best.matches])


_GAPS = st.sampled_from([" ", " ", " ", ", ", ". ", " -- ", "\n\n", " " * 90, "..." * 40])


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(
            [*WORDS, "a", "extraordinarily", "Talks", "PRICES", "Syria's", "market.Court", "Can"]
        ),
        max_size=400,
    ),
    gaps=st.lists(_GAPS, min_size=1, max_size=20),
    # ("cans" is "can", which is also a stopword: "Can" is a match, as Whoosh marks it.)
    wanted=st.sets(st.sampled_from([*WORDS[5:12], "cans"]), min_size=1, max_size=2),
    padding=st.sampled_from([0, 0, 33_000]),
    lead=st.booleans(),  # a match first: a passage with no context before it runs longer
)
@example(  # a word that starts with a form of a query's word is not a match
    words=["market.Court", "market"], gaps=[" "], wanted={"market"}, padding=0, lead=False
)
def test_snippets_from_the_words_near_matches_are_whooshs(
    words: list[str], gaps: list[str], wanted: set[str], padding: int, lead: bool
) -> None:
    words = [min(wanted), *words] if lead else words
    text = "x " * (padding // 2) + "".join(
        word + gaps[number % len(gaps)] for number, word in enumerate(words)
    )
    analyzer = CachedAnalyzer(text_analyzer())
    terms = frozenset(token.text for token in analyzer(" ".join(wanted)))
    found = _whooshs_snippet(text, terms)
    snippet = make_snippet(text, terms, analyzer)
    # The same, searching the text for the written forms of its words (and of a few others).
    indexed: dict[str, str | None] = {}
    analyzer.positioned_terms(f"{text} {' '.join(WORDS[:20])}", "index", indexed)
    forms = searched_forms(terms, analyzer, [form for _, form in analyzer.forms(indexed)])
    assert forms is not None
    assert make_snippet(text, terms, analyzer, forms) == snippet
    if not found:
        assert not any(matched for _, matched in snippet)
        return
    start, end, matches = found
    assert snippet == _spans(text, start, end, matches)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.binary(max_size=30), max_size=80), offsets_from=st.sampled_from([0, 2**15])
)
def test_byte_columns_opened_by_the_codec_read_as_whooshs(
    values: list[bytes], offsets_from: int
) -> None:
    # (Whoosh writes the offsets of a column of over ``offsets_from`` documents, 2**15 unless
    # told; below that, they are worked out from the lengths when the column is opened.)
    stored = [
        {"title": value.decode("latin-1"), "n": number} for number, value in enumerate(values)
    ]
    for column, ours, documents in (
        (VarBytesColumn(write_offsets_cutoff=offsets_from), codec._VAR_BYTES, values),
        (codec.STORED_COLUMN, codec._STORED, stored),
    ):
        folder = RamStorage()
        file = folder.create_file("column")
        writer = column.writer(file)
        for number, value in enumerate(documents):
            writer.add(number, value)
        writer.finish(len(documents))
        length = file.tell()
        file.close()
        readers = [
            opened.reader(folder.open_file("column"), 0, length, len(documents))
            for opened in (column, ours)
        ]
        plain, fast = (getattr(reader, "_child", reader) for reader in readers)  # (unpickling)
        assert isinstance(fast, codec._OffsetsInC) and not isinstance(plain, codec._OffsetsInC)
        for reader in readers:
            assert list(reader) == documents
            assert [reader[number] for number in range(len(documents))] == documents


def test_an_index_opens_its_byte_columns_with_the_codecs_readers(index_path: Path) -> None:
    reader = open_index(index_path).reader()
    try:
        for leaf, _ in reader.leaf_readers():
            assert isinstance(leaf.column_reader("story", translate=False), codec._VarBytesReader)
            assert isinstance(
                leaf._perdoc._cached_reader("_stored", codec.STORED_COLUMN)._child,
                codec._CompressedBytesReader,
            )
    finally:
        reader.close()


@settings(max_examples=80, deadline=None)
@given(
    parts=st.tuples(st.binary(max_size=50), st.binary(max_size=200), st.binary(min_size=1)),
    reads=st.lists(st.tuples(st.integers(0, 220), st.integers(0, 40)), max_size=10),
)
def test_mapped_files_read_as_whooshs_files(
    parts: tuple[bytes, bytes, bytes], reads: list[tuple[int, int]]
) -> None:
    # (A part of a file, as a compound segment opens each of its files, and a part of that: reads
    # at a position, in order, numbers and arrays, near and past its end.)
    before, inside, after = parts
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "file").write_bytes(before + inside + after)
        files = [kind(folder).open_file("file") for kind in (FileStorage, MappedStorage)]
        try:
            whole = [file.subset(len(before), len(inside)) for file in files]
            assert type(whole[1]).__name__ == "MappedFile"
            half = len(inside) // 2
            for (plain, mapped), length in (
                (whole, len(inside)),
                ([file.subset(1, half) for file in whole], half),
            ):
                for position, size in reads:
                    assert mapped.get(position, size) == plain.get(position, size)
                    if position + 4 <= length:
                        assert mapped.get_uint(position) == plain.get_uint(position)
                        assert mapped.get_array(position, "H", 2) == plain.get_array(
                            position, "H", 2
                        )
                    mapped.seek(min(position, length))
                    plain.seek(min(position, length))
                    assert mapped.read(size) == plain.read(size) and mapped.tell() == plain.tell()
        finally:
            for file in files:
                file.close()
