"""Whether every word can be found, on real 2014 headlines: Byline's count beside a plain count.

Indexes the UCI News Aggregator sample (``../shared/data/uci-news-sample``, every row, exact copies
too) and prints, for each query, the articles Byline finds (``--no-collapse``: every match) beside
plain Python counts over the same headlines:

- case-sensitive: headlines where the text occurs as a whole word, as written (``US`` also as
  ``U.S.``, as Byline indexes it); a whole word: not next to a letter, digit or ``&``;
- any case: the same, ignoring case (what Byline matches for words not in capitals).

Run by hand:  python tests/bench/uci_words.py [CSV]
"""

from __future__ import annotations

import csv
import re
import sys
import tempfile
from pathlib import Path

from index.pipeline.options import IngestOptions
from search.engine import open_engine
from search.results import SearchRequest

DEFAULT = (
    Path(__file__).resolve().parents[3]
    / "shared/data/uci-news-sample/uci-news-aggregator-sample.csv"
)
# Each query, and the pattern a plain count looks for in a headline.
QUERIES = {
    "US": r"US|U\.S\.",
    "AT&T": r"AT&T",
    "S&P": r"S&P",
    "May": r"May",
    '"US Airways"': r"(?:US|U\.S\.) Airways",
}


def plain_count(titles: list[str], pattern: str, ignore_case: bool) -> int:
    whole = re.compile(rf"(?<![\w&])(?:{pattern})(?![\w&])", re.IGNORECASE if ignore_case else 0)
    return sum(1 for title in titles if whole.search(title))


def main() -> int:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not data.is_file():
        print(f"UCI sample not found at {data} (pass the CSV path)", file=sys.stderr)
        return 1
    with data.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row.get("TIMESTAMP")]  # (whole rows)
    titles = [row["TITLE"] for row in rows]
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        report = open_engine(index).ingest([str(data)], IngestOptions())
        print(f"indexed {report.committed:,} of {len(rows):,} headlines")
        engine = open_engine(index)
        print(f"{'query':<14}{'Byline':>8}{'case-sensitive':>16}{'any case':>10}")
        for query, pattern in QUERIES.items():
            found = engine.search(SearchRequest(query=query, facets=())).total
            exact = plain_count(titles, pattern, ignore_case=False)
            folded = plain_count(titles, pattern, ignore_case=True)
            print(f"{query:<14}{found:>8,}{exact:>16,}{folded:>10,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
