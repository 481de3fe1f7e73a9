"""Are counts by source and by site faithful to the archive? On the real 2014 headlines.

Indexes the UCI News Aggregator sample (``../shared/data/uci-news-sample``) with the defaults
and prints, for a few publishers (``--source``) and sites (``--domain``), Byline's count beside a
plain Python count over the CSV: publishers with their backslash escapes undone, sites as the
HOSTNAME column's host or a subdomain of it. Also: records kept against rows read.

Run by hand:  python tests/bench/uci_sources.py [CSV]
"""

from __future__ import annotations

import csv
import re
import sys
import tempfile
import time
from pathlib import Path

from index.pipeline.ingest import ingest
from search.engine import open_engine
from search.query import Filters
from search.results import SearchRequest

DEFAULT = (
    Path(__file__).resolve().parents[3]
    / "shared/data/uci-news-sample/uci-news-aggregator-sample.csv"
)
SOURCES = (
    "Chicago Tribune (blog)",
    "Chicago Tribune",
    "24/7 Wall St.",
    "Headlines & Global News",
    "Wall Street Journal (blog)",
    "Washington Post (blog)",
    "Yahoo!7 News",
    "Reuters",
)
DOMAINS = ("chicagotribune.com", "wsj.com", "washingtonpost.com", "reuters.com", "examiner.com")
COLUMNS = 8


def plain_counts(data: Path) -> tuple[int, dict[str, int], dict[str, int]]:
    """Rows, and rows per publisher and per site, counted with nothing but ``csv`` and ``re``."""
    rows = 0
    sources = dict.fromkeys(SOURCES, 0)
    domains = dict.fromkeys(DOMAINS, 0)
    with data.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        for row in reader:
            if len(row) != COLUMNS:
                continue  # (a ragged row: Byline reports it as failed)
            rows += 1
            fields = dict(zip(header, row, strict=True))
            publisher = re.sub(r"\\(.)", r"\1", fields["PUBLISHER"])
            if publisher.casefold() in {s.casefold() for s in SOURCES}:
                sources[next(s for s in SOURCES if s.casefold() == publisher.casefold())] += 1
            host = fields["HOSTNAME"].lower()
            for domain in DOMAINS:
                if host == domain or host.endswith("." + domain):
                    domains[domain] += 1
    return rows, sources, domains


def main() -> int:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not data.is_file():
        print(f"UCI sample not found at {data} (pass the CSV path)", file=sys.stderr)
        return 1
    rows, sources, domains = plain_counts(data)
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        started = time.perf_counter()
        report = ingest([str(data)], index, None)
        seconds = time.perf_counter() - started
        engine = open_engine(index)

        def count(filters: Filters) -> int:
            return engine.search(SearchRequest(filters=filters, limit=1)).total

        print(
            f"records kept: {report.committed:,} of {rows:,} rows "
            f"({len(report.copies):,} exact copies grouped, {report.duplicates:,} left out, "
            f"{len(report.failed):,} failed) in {seconds:.1f}s"
        )
        print(f"{'filter':<44}{'byline':>8}{'plain':>8}")
        for source in SOURCES:
            got = count(Filters(sources=[source]))
            print(f"{'--source ' + repr(source):<44}{got:>8,}{sources[source]:>8,}")
        for domain in DOMAINS:
            got = count(Filters(domains=[domain]))
            print(f"{'--domain ' + domain:<44}{got:>8,}{domains[domain]:>8,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
