"""Coverage analysis on real 2014 headlines, beside a plain Python count over the CSV.

The UCI News Aggregator sample (``../shared/data/uci-news-sample``) is indexed in a temporary
folder; for a few one-word queries the script prints Byline's daily timeline next to the plain
count, then the top terms and sources of one query.

The plain count, stated so that changes to indexing show up as differences and not as bugs: a
CSV row counts for a word when its TITLE holds that word as a whole word in any case
(``\\bword\\b``), on the UTC day of its TIMESTAMP (milliseconds); every row with a numeric
TIMESTAMP counts, exact duplicates included. Byline differs where its indexing does: it stems
(``gm`` also finds ``GM's``), and it may leave out exact duplicates of a headline under another id.

Run by hand:  python tests/bench/uci_coverage.py [CSV]
"""

from __future__ import annotations

import csv
import re
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from index.pipeline.ingest import ingest
from index.pipeline.options import IngestOptions
from search.analysis.sources import top_sources
from search.analysis.terms import significant_terms
from search.analysis.timeline import timeline
from search.engine import open_engine

DEFAULT = (
    Path(__file__).resolve().parents[3]
    / "shared/data/uci-news-sample/uci-news-aggregator-sample.csv"
)
QUERIES = ("bitcoin", "apple", "marijuana", "gm")


def plain_rows(data: Path) -> list[tuple[str, str, datetime]]:
    """(title, publisher, UTC time) of every row with a numeric TIMESTAMP."""
    with data.open(encoding="utf-8", newline="") as handle:
        return [
            (row["TITLE"] or "", row["PUBLISHER"] or "", _moment(row["TIMESTAMP"]))
            for row in csv.DictReader(handle)
            if (row.get("TIMESTAMP") or "").isdigit()
        ]


def _moment(milliseconds: str) -> datetime:
    return datetime.fromtimestamp(int(milliseconds) / 1000, UTC)


def main() -> int:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not data.is_file():
        print(f"UCI sample not found at {data} (pass the CSV path)", file=sys.stderr)
        return 1
    rows = plain_rows(data)
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        report = ingest([str(data)], index, IngestOptions())
        print(
            f"{len(rows):,} CSV rows with a timestamp; Byline indexed {report.committed:,} "
            f"({report.duplicates:,} exact duplicates left out, {len(report.failed):,} failed)"
        )
        engine = open_engine(index)
        made = timeline(engine, list(QUERIES), interval="day")
        plain = {
            query: Counter(
                moment.date()
                for title, _, moment in rows
                if re.search(rf"\b{re.escape(query)}\b", title, re.IGNORECASE)
            )
            for query in QUERIES
        }
        all_plain = Counter(moment.date() for _, _, moment in rows)
        print("\nDaily timeline, days with a match in either count (byline / plain):")
        print(f"{'day':10} " + " ".join(f"{q[:10]:>13}" for q in QUERIES) + f" {'all':>11}")
        buckets = [series.buckets for series in made.series]
        for position, bucket in enumerate(buckets[0]):
            day = bucket.start
            counts = [
                (b[position].count, plain[q][day]) for b, q in zip(buckets, QUERIES, strict=True)
            ]
            if not any(ours or theirs for ours, theirs in counts):
                continue
            cells = " ".join(f"{ours:>6} / {theirs:<4}" for ours, theirs in counts)
            print(f"{day} {cells} {bucket.all:>4} / {all_plain[day]:<4}")
        totals = " ".join(
            f"{s.total + s.undated:>6} / {sum(plain[q].values()):<4}"
            for s, q in zip(made.series, QUERIES, strict=True)
        )
        print(f"{'total':10} {totals}")
        query = QUERIES[0]
        terms = significant_terms(engine, query, top=10)
        print(
            f"\nTop terms of {query!r} ({terms.matches} matches, {terms.stories} stories, "
            f"{terms.sampled} read, against {terms.background} archive headlines):"
        )
        for term in terms.terms:
            print(f"  {term.term:24} {term.count:>4} {term.background:>5} {term.score:>8.1f}")
        sources = top_sources(engine, query, top=8)
        publishers = Counter(
            publisher
            for title, publisher, _ in rows
            if re.search(rf"\b{re.escape(query)}\b", title, re.IGNORECASE)
        )
        print(f"\nTop sources of {query!r} (byline / plain count of PUBLISHER):")
        for source in sources.sources:
            print(
                f"  {source.source[:30]:30} {source.count:>4} / {publishers[source.source]:<4} "
                f"{source.share:6.1%} of matches, {source.output_share:6.1%} of its own output"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
