"""Coverage analysis beside the same counts in SQLite FTS5: timelines, significant terms, exports.

Run by hand (not collected by pytest), from the project root with Byline installed:

    python tests/bench/coverage_bench.py --articles 100000 --workdir /tmp/coverage-bench

It reuses ``benchmark.py``'s synthetic corpus (ten years of dates, ~40 sources) and its FTS5
peer (the ``porter`` tokenizer, dates as ISO text), building both in ``--workdir`` unless they
are there from an earlier run on the same corpus, then measures, the engines taking turns:

- a timeline of a one-word query (warm, p50/p95 over ``--queries`` words): Byline's
  ``search.analysis.timeline.timeline`` (matches and all articles per month over ten years);
  FTS5 counts matches per month with ``GROUP BY substr(published, 1, 7)`` and all articles per
  month the same way without ``MATCH``;
- significant terms of the titles over a query matching 10,000+ articles: Byline's
  ``significant_terms`` (an even sample of ``terms.SAMPLE`` matching stories against
  ``terms.BACKGROUND_SAMPLE`` archive articles); FTS5 reads as many titles of matches and of
  the archive and the same Python code scores them; the first call of each, and the p50 of
  ``--rounds`` more, taking turns;
- an export of every match of a broad query to a JSONL file (id, title, source, authors,
  published, url): articles per second; FTS5 selects the same columns and writes the same lines.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark import (
    _file_digest,
    byline_build,
    fts5_build,
    make_queries,
    write_corpus,
)

from search.analysis.export import export
from search.analysis.terms import (
    BACKGROUND_SAMPLE,
    SAMPLE,
    _document_frequencies,
    _log_likelihood,
    significant_terms,
)
from search.analysis.timeline import timeline
from search.engine import Engine, open_engine
from search.results import SearchRequest


def build(workdir: Path, articles: int, seed: int) -> tuple[Path, Path, Path]:
    corpus = workdir / f"corpus-{articles}-{seed}.jsonl"
    if not corpus.exists():
        print(f"writing {articles:,} synthetic articles", file=sys.stderr)
        write_corpus(corpus.with_suffix(".partial"), articles, seed)
        corpus.with_suffix(".partial").rename(corpus)
    digest = _file_digest(corpus)
    indexes = {"byline": workdir / "index-byline", "fts5": workdir / "index-fts5"}
    for engine, index_dir in indexes.items():
        marker = index_dir / "coverage-build.json"
        if marker.exists() and json.loads(marker.read_text()).get("corpus") == digest:
            continue
        print(f"{engine}: indexing", file=sys.stderr)
        started = time.perf_counter()
        (byline_build if engine == "byline" else fts5_build)(corpus, index_dir)
        seconds = time.perf_counter() - started
        marker.write_text(json.dumps({"corpus": digest, "seconds": seconds}))
    return corpus, indexes["byline"], indexes["fts5"]


ENGINES = ("byline", "fts5")


def fts5_timeline(db: sqlite3.Connection, word: str) -> dict[str, tuple[int, int]]:
    matched = dict(
        db.execute(
            "SELECT substr(published, 1, 7) AS month, count(*) FROM articles "
            "WHERE articles MATCH ? GROUP BY month",
            [f'"{word}"'],
        ).fetchall()
    )
    everything = db.execute(
        "SELECT substr(published, 1, 7) AS month, count(*) FROM articles GROUP BY month"
    ).fetchall()
    return {month: (matched.get(month, 0), count) for month, count in everything}


def fts5_terms(db: sqlite3.Connection, word: str) -> list[tuple[str, float]]:
    titles = db.execute(
        f"SELECT title FROM articles WHERE articles MATCH ? LIMIT {SAMPLE}", [f'"{word}"']
    )
    foreground, read = _document_frequencies(title for (title,) in titles)
    total = db.execute("SELECT max(rowid) FROM articles").fetchone()[0]
    step = max(1, total // BACKGROUND_SAMPLE)
    sample = db.execute(f"SELECT title FROM articles WHERE rowid % {step} = 0")
    background, size = _document_frequencies(title for (title,) in sample)
    scored = [
        (term, _log_likelihood(count, read, background[term], size))
        for term, count in foreground.items()
        if count >= 2 and count / read > background[term] / size
    ]
    return sorted(scored, key=lambda pair: -pair[1])[:30]


def fts5_export(db: sqlite3.Connection, word: str, path: Path) -> int:
    rows = db.execute(
        "SELECT id, title, source, published FROM articles WHERE articles MATCH ? "
        "ORDER BY bm25(articles, 0, 2.0, 1.0)",
        [f'"{word}"'],
    )
    written = 0
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            record = dict(zip(("id", "title", "source", "published"), row, strict=True))
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    return written


def timed(run: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    answer = run()
    return time.perf_counter() - started, answer


def broad_word(
    engine: Engine, db: sqlite3.Connection, words: list[str], least: int
) -> tuple[str, int]:
    """The first of ``words`` matching at least ``least`` articles, as many in both engines
    (their stemmers differ on some words); the most frequent such word if none has that many."""
    counted = [(0, words[0])]
    for word in words:
        (count,) = db.execute(
            "SELECT count(*) FROM articles WHERE articles MATCH ?", [f'"{word}"']
        ).fetchone()
        if engine.search(SearchRequest(word, facets=(), limit=1)).total != count:
            continue
        if count >= least:
            return word, count
        counted.append((count, word))
    count, word = max(counted)
    return word, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=20, help="one-word timeline queries")
    parser.add_argument("--rounds", type=int, default=3, help="turns over the timeline queries")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    corpus, byline_dir, fts5_dir = build(args.workdir, args.articles, args.seed)
    engine = open_engine(byline_dir)
    db = sqlite3.connect(fts5_dir / "fts.sqlite")
    words = [q.words[0] for q in make_queries(corpus, args.queries, args.seed) if q.kind == "one"]

    # Timelines, warm: one untimed round first, then the engines take turns query by query.
    times: dict[str, list[float]] = {engine: [] for engine in ENGINES}
    differing = 0  # words whose totals differ (Snowball and Porter stem a few words apart)
    for round_number in range(args.rounds + 1):
        for word in words:
            byline_seconds, made = timed(lambda w=word: timeline(engine, [w], interval="month"))
            fts5_seconds, counted = timed(lambda w=word: fts5_timeline(db, w))
            if round_number:
                times["byline"].append(byline_seconds)
                times["fts5"].append(fts5_seconds)
            else:
                total = made.series[0].total  # type: ignore[attr-defined]
                differing += total != sum(m for m, _ in counted.values())  # type: ignore[union-attr]

    # Terms over 10,000+ matches, and an export of every match of the same word.
    broad, matches = broad_word(
        engine, db, list(dict.fromkeys(words)) + _common_words(corpus), 10_000
    )
    # Terms in turns too: the first call of each (columns and sampled articles read from disk
    # for the first time), then the p50 of the calls after it.
    terms_times: dict[str, list[float]] = {engine: [] for engine in ENGINES}
    for _ in range(args.rounds + 1):
        seconds, result = timed(lambda: significant_terms(engine, broad))
        terms_times["byline"].append(seconds)
        terms_times["fts5"].append(timed(lambda: fts5_terms(db, broad))[0])
    out = args.workdir / "export.jsonl"
    request = SearchRequest(broad, facets=())
    export_byline, written = timed(lambda: export(engine, request, out.open("w"), "jsonl"))
    export_fts5, fts5_written = timed(lambda: fts5_export(db, broad, out))

    def p(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q * 100) - 1] * 1000

    rows = [
        ("timeline, one word, p50 ms", p(times["byline"], 0.5), p(times["fts5"], 0.5)),
        ("timeline, one word, p95 ms", p(times["byline"], 0.95), p(times["fts5"], 0.95)),
        (f"terms over {matches:,} matches, first, s", *(terms_times[e][0] for e in ENGINES)),
        ("terms, the same again, p50 s", *(statistics.median(terms_times[e][1:]) for e in ENGINES)),
        ("export every match, articles/s", written / export_byline, fts5_written / export_fts5),
    ]
    print(f"\n{args.articles:,} articles; {len(words)} one-word timeline queries x {args.rounds}")
    print(f"timeline totals differing from FTS5's (stemming): {differing} of {len(words)} words")
    print(f"export rows: byline {written:,}, fts5 {fts5_written:,}")
    print(f"terms: {result.sampled:,} stories sampled of {result.stories:,}, query {broad!r}")  # type: ignore[attr-defined]
    print(f"{'':42} {'byline':>10} {'fts5':>10} {'fts5/byline':>12}")
    for name, ours, peer in rows:
        ratio = ours / peer if "articles/s" in name else peer / ours
        print(f"{name:42} {ours:>10,.1f} {peer:>10,.1f} {ratio:>11.2f}x")
    print("(ratio: above 1 means Byline is faster)")
    return 0


def _common_words(corpus: Path) -> list[str]:
    """Frequent body words of the corpus, most frequent last, to find a broad query."""
    queries = make_queries(corpus, 50, 7)
    return [q.words[0] for q in queries if q.kind == "one"]


if __name__ == "__main__":
    sys.exit(main())
