"""Looking after an index on disk: verifying it without changing it, and merging its segments."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from index.embedded.schema import SCHEMA_VERSION
from index.embedded.store import open_index, writer_lock
from index.errors import reported_write_errors
from search.results import DEFAULT_CHECK_SAMPLE, CheckReport


def check_index(path: Path, sample: int = DEFAULT_CHECK_SAMPLE, seed: int = 0) -> CheckReport:
    """Open every segment, count documents, read a sample of stored articles, find duplicate ids.

    Nothing is written. Errors that make the index unreadable (missing, other version, unsafe)
    are raised as usual; damage inside a readable index is listed in ``problems``.
    """
    report = CheckReport(str(path), SCHEMA_VERSION)
    ix = open_index(path)
    report.segments = len(ix._segments())  # Whoosh offers no public segment count
    with ix.reader() as reader:
        report.articles = reader.doc_count()
        report.deleted = reader.doc_count_all() - reader.doc_count()
        live = list(reader.all_doc_ids())
        if len(live) != report.articles:
            report.problems.append(
                f"the index says it holds {report.articles} articles but {len(live)} are live"
            )
        chosen = random.Random(seed).sample(live, min(sample, len(live)))
        for docnum in chosen:
            try:
                stored = reader.stored_fields(docnum)
            except Exception as exc:  # any unpickling or I/O failure is damage to report
                report.problems.append(f"document {docnum}: stored fields unreadable ({exc})")
                continue
            if not stored.get("id") or "title" not in stored:
                report.problems.append(f"document {docnum}: stored article lacks id or title")
        report.sampled = len(chosen)
        ids: Counter[bytes] = Counter()
        for article_id in reader.lexicon("id"):
            postings = reader.postings("id", article_id)
            ids[article_id] = sum(1 for _ in postings.all_ids())
        for article_id, count in ids.items():
            if count > 1:
                report.problems.append(
                    f"id {article_id.decode('utf-8', 'replace')!r} is held by {count} articles"
                )
    return report


def optimize_index(path: Path, wait: float) -> tuple[int, int]:
    """Merge all segments into one (and drop deleted documents); return segments before, after."""
    with reported_write_errors(path, lambda: "the index is as it was"), writer_lock(path, wait):
        ix = open_index(path)
        before = len(ix._segments())  # Whoosh offers no public segment count
        from index.embedded.segments import (
            IndexWriter,  # (the writing machinery, only when writing)
        )

        IndexWriter(ix).commit(optimize=True)
        return before, len(open_index(path)._segments())
