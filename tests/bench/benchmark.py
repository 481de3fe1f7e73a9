"""Byline side by side with naive Whoosh and SQLite FTS5: indexing, queries and the CLI.

Run by hand (not collected by pytest), from the project root with Byline installed:

    python tests/bench/benchmark.py --articles 20000
    python tests/bench/benchmark.py --articles 100000 --json results.json --workdir /tmp/bench100k
    python tests/bench/benchmark.py --corpus news.jsonl          # a real JSONL corpus instead

It writes a deterministic synthetic news corpus (Zipf-like vocabulary, ~40 sources with a skewed
distribution, ten years of dates, a few hundred authors, 300-900-word bodies) as JSONL, or reads
the one given, then measures every engine on the same data in the same run:

- indexing, each engine in a child process of its own: articles/s, wall time, peak memory of
  the child's whole process tree (PSS summed over its processes, sampled every 50 ms, and at
  least the child's own peak RSS; and the anonymous part alone, without the pages of
  memory-mapped index files), index size on disk;
- warm queries (top 10 with the total count and a snippet per hit), p50 and p95 per class: one
  term, two terms all required, two terms any, a two-word phrase, a term with a source filter, a
  term with source facet counts, a term with a date range, a term sorted by newest, and a
  six-word question, any word matching (Byline reranks its top hits); each engine queries from
  a process of its own, and the engines take turns query by query, so that a change in the
  machine's speed during the run falls on all alike;
- the wall time of whole search processes (``byline search``, and a one-query script per peer),
  the engines taking turns too.

Peers are used as a newcomer would: naive Whoosh is one writer with ``StemmingAnalyzer`` on title
and body (positions kept) and facets through ``groupedby``; FTS5 is the standard library's SQLite
with the ``porter`` tokenizer, ``bm25`` ranking and facets by ``GROUP BY``. Each peer figure is
also printed as a ratio to Byline's (for times, peer/Byline: above 1 means Byline is faster).

``--reuse`` keeps indexes in ``--workdir`` between runs and skips rebuilding those already built
from the same corpus (their recorded indexing figures are reported again).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import math
import multiprocessing
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ENGINES = ("byline", "whoosh", "fts5")
CLASSES = ("one", "and2", "or2", "phrase", "source", "facet", "dates", "newest", "question")
CLASS_NAMES = {
    "one": "one term",
    "and2": "two terms, all",
    "or2": "two terms, any",
    "phrase": "two-word phrase",
    "source": "term + source filter",
    "facet": "term + source facets",
    "dates": "term + date range",
    "newest": "term, newest first",
    "question": "six-word question",
}
QUESTION_WORDS = 6
TOP = 10
CLI_RUNS = 10

# --- the synthetic corpus ---------------------------------------------------------------------


# The most frequent words of English news text head the Zipf list, so stopwords and frequent
# words behave as in real text; made-up words from syllables fill the long tail.
def _words(text: str) -> list[str]:
    return text.split()


_COMMON = _words(
    "the of and to a in that is for on said was with he it as at by from his be have has but "
    "are an they not this who were will been their had would which more one after year new "
    "government people president state police minister officials country told two first also "
    "last city week could over years time report world percent million market company court "
    "election party war security health public military talks deal plan law news support "
    "group national local members former including united leader vote attack foreign economic"
)
_SYLLABLES = _words(
    "ba be bi bo bu da de di do du fa fe fi fo ka ke ki ko la le li lo lu ma me mi mo mu na ne "
    "ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za ze zo "
    "tar ber con den mor tin vel gra pro str lan mar ser cor"
)
_ENDINGS = ("", "", "s", "ed", "ing", "er", "ion", "ly", "al", "ment")
_VOCABULARY_SIZE = 60_000
_FIRST = _words(
    "Ana Tom Priya Kristina John Maria Wei Omar Fatima Lucas Sofia David Emma Raj Chen Laura "
    "Peter Aisha Diego Hannah Ivan Yuki Noah Olga Samuel Grace Ahmed Elena Marco Julia"
)
_LAST = _words(
    "Wong Ruiz Becker Natarajan Smith Garcia Li Hassan Kowalski Silva Martin Rossi Novak Kim "
    "Okafor Jensen Dubois Tanaka Murphy Costa Fischer Ivanova Patel Moreau Haddad Berg"
)
_SECTIONS = (
    "World",
    "Politics",
    "Business",
    "Technology",
    "Science",
    "Health",
    "Sports",
    "Culture",
    "Opinion",
    "Local",
)


def _vocabulary(rng: random.Random) -> list[str]:
    words = list(_COMMON)
    seen = set(words)
    while len(words) < _VOCABULARY_SIZE:
        stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 4))))
        word = stem + rng.choice(_ENDINGS)
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


@dataclass
class Corpus:
    """Generator of the synthetic archive; also what queries are drawn from."""

    seed: int = 42

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        self.words = _vocabulary(rng)
        weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(self.words))]
        self.cum_words = list(_accumulate(weights))
        self.sources = [
            f"The {rng.choice(_SYLLABLES).title()}{rng.choice(_SYLLABLES)} {kind}"
            for kind in ("Times", "Post", "Herald", "Ledger") * 10
        ]
        self.sources = list(dict.fromkeys(self.sources))
        self.cum_sources = list(_accumulate(1.0 / (r + 1) ** 1.2 for r in range(len(self.sources))))
        self.authors = list(
            dict.fromkeys(f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(400))
        )
        self.tags = self.words[200:400]
        self.start = date(2014, 1, 1)

    def articles(self, count: int) -> Iterator[dict[str, Any]]:
        rng = random.Random(self.seed + 1)
        for number in range(count):
            length = rng.randint(300, 900)
            body_words = rng.choices(self.words, cum_weights=self.cum_words, k=length)
            sentences, position = [], 0
            while position < len(body_words):
                length = rng.randint(8, 22)
                sentence = body_words[position : position + length]
                position += length
                sentences.append(" ".join(sentence).capitalize() + ".")
            paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
            title = " ".join(rng.choices(self.words[60:20_000], k=rng.randint(5, 11))).capitalize()
            day = self.start + timedelta(days=rng.randrange(3_650))
            yield {
                "id": f"a{number}",
                "title": title,
                "body": "\n\n".join(paragraphs),
                "source": rng.choices(self.sources, cum_weights=self.cum_sources)[0],
                "authors": rng.sample(self.authors, rng.choice((1, 1, 1, 2))),
                "published": f"{day.isoformat()}T{rng.randrange(24):02d}:{rng.randrange(60):02d}"
                ":00Z",
                "section": rng.choice(_SECTIONS),
                "tags": rng.sample(self.tags, rng.randint(0, 3)),
                "url": f"https://news.example/{number}",
            }


def _accumulate(values: Any) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


def write_corpus(path: Path, count: int, seed: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for article in Corpus(seed).articles(count):
            handle.write(json.dumps(article, ensure_ascii=False) + "\n")


def read_corpus(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


# --- the queries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    kind: str
    words: tuple[str, ...]
    source: str | None = None
    since: str | None = None
    until: str | None = None


def make_queries(corpus_path: Path, per_class: int, seed: int) -> list[Query]:
    """Deterministic queries drawn from the corpus itself: words of mid to high frequency, phrases
    that occur in some body, sources weighted by their size, date ranges of one to three years."""
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    sources: dict[str, int] = {}
    pairs: list[tuple[str, str]] = []
    years: set[int] = set()
    stop = set(_COMMON[:50])
    for number, article in enumerate(read_corpus(corpus_path)):
        if number >= 2_000:
            break
        words = [w.strip(".,").lower() for w in article.get("body", "").split()]
        for word in words:
            if word.isalpha() and word not in stop:
                counts[word] = counts.get(word, 0) + 1
        for left, right in itertools.pairwise(words):
            plain = left.isalpha() and right.isalpha() and not {left, right} & stop
            if plain and rng.random() < 0.01:
                pairs.append((left, right))
        sources[article.get("source") or ""] = sources.get(article.get("source") or "", 0) + 1
        if article.get("published"):
            years.add(int(str(article["published"])[:4]))
    ranked = [w for w, c in sorted(counts.items(), key=lambda x: -x[1]) if len(w) > 2]
    pool = ranked[: max(50, min(3_000, len(ranked)))]
    named = [s for s in sources if s]
    weights = [sources[s] for s in named]
    span = sorted(years) or [2015]

    def term(draw: random.Random = rng) -> str:
        # Half the terms among the 100 most frequent, half from the wider pool.
        return draw.choice(pool[:100] if draw.random() < 0.5 else pool)

    queries = []
    for _ in range(per_class):
        queries.append(Query("one", (term(),)))
        queries.append(Query("and2", (term(), term())))
        queries.append(Query("or2", (term(), term())))
        queries.append(Query("phrase", rng.choice(pairs) if pairs else (term(), term())))
        source = rng.choices(named, weights=weights)[0] if named else None
        queries.append(Query("source", (term(),), source=source))
        queries.append(Query("facet", (term(),)))
        first = rng.choice(span)
        last = min(span[-1], first + rng.randint(0, 2))
        queries.append(Query("dates", (term(),), since=str(first), until=str(last)))
        queries.append(Query("newest", (term(),)))
    # Questions draw from a generator of their own, so the other classes stay as they were.
    asker = random.Random(seed + 1)
    for _ in range(per_class):
        queries.append(Query("question", tuple(term(asker) for _ in range(QUESTION_WORDS))))
    return queries


# --- engines ----------------------------------------------------------------------------------
# Each engine: build(corpus, index_dir) -> articles indexed; open(index_dir) -> run(query) that
# returns (total, [ids]); cli(index_dir, query) -> argv of one whole search process.


def byline_build(corpus: Path, index_dir: Path) -> int:
    from index.pipeline.options import IngestOptions
    from search.engine import open_engine

    report = open_engine(index_dir).ingest([str(corpus)], IngestOptions())
    if report.failed:
        raise SystemExit(f"byline failed on {len(report.failed)} records: {report.failed[:3]}")
    return report.committed


def byline_request(query: Query) -> Any:
    """The ``SearchRequest`` Byline answers a benchmark query with, on any engine."""
    from search.query import Filters
    from search.results import SearchRequest

    text = f'"{" ".join(query.words)}"' if query.kind == "phrase" else " ".join(query.words)
    return SearchRequest(
        query=text,
        filters=Filters(
            sources=[query.source] if query.source else [],
            since=query.since,
            until=query.until,
        ),
        match_any=query.kind in ("or2", "question"),
        facets=("source",) if query.kind == "facet" else (),
        sort="newest" if query.kind == "newest" else "relevance",
        limit=TOP,
    )


def byline_open(index_dir: Path) -> Callable[[Query], tuple[int, list[str]]]:
    from search.embedded.searching import search

    def run(query: Query) -> tuple[int, list[str]]:
        result = search(index_dir, byline_request(query))
        return result.total, [hit.article.id for hit in result.hits]

    return run


def byline_cli(index_dir: Path, query: Query) -> list[str]:
    byline = Path(sys.executable).with_name("byline")
    command = [str(byline)] if byline.exists() else [sys.executable, "-m", "search"]
    return [*command, "search", " ".join(query.words), "--index", str(index_dir), "--json"]


def whoosh_build(corpus: Path, index_dir: Path) -> int:
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
        source=fields.ID(stored=True),
        published=fields.DATETIME(stored=True, sortable=True),
    )
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), schema)
    writer = ix.writer()
    count = 0
    for article in read_corpus(corpus):
        writer.add_document(
            id=str(article["id"]),
            title=article.get("title") or "",
            body=article.get("body") or "",
            source=article.get("source") or "",
            published=_datetime(article.get("published")),
        )
        count += 1
    writer.commit()
    return count


def _datetime(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed.replace(tzinfo=None)


def whoosh_open(index_dir: Path) -> Callable[[Query], tuple[int, list[str]]]:
    from whoosh import index, sorting
    from whoosh import query as wq
    from whoosh.qparser import AndGroup, MultifieldParser, OrGroup

    ix = index.open_dir(str(index_dir))
    searcher = ix.searcher()
    boosts = {"title": 2.0, "body": 1.0}
    all_parser = MultifieldParser(["title", "body"], ix.schema, fieldboosts=boosts, group=AndGroup)
    any_parser = MultifieldParser(["title", "body"], ix.schema, fieldboosts=boosts, group=OrGroup)

    def run(query: Query) -> tuple[int, list[str]]:
        text = f'"{" ".join(query.words)}"' if query.kind == "phrase" else " ".join(query.words)
        parsed = (any_parser if query.kind in ("or2", "question") else all_parser).parse(text)
        options: dict[str, Any] = {"limit": TOP}
        if query.source:
            options["filter"] = wq.Term("source", query.source)
        if query.since:
            start = datetime(int(query.since), 1, 1)
            end = datetime(int(query.until or query.since), 12, 31, 23, 59, 59)
            options["filter"] = wq.DateRange("published", start, end)
        if query.kind == "newest":
            options.update(sortedby="published", reverse=True)
        if query.kind == "facet":
            options["groupedby"] = {"source": sorting.FieldFacet("source", maptype=sorting.Count)}
        results = searcher.search(parsed, **options)
        if query.kind == "facet":
            sorted(results.groups("source").items(), key=lambda item: -item[1])[:TOP]
        ids = []
        for hit in results:
            ids.append(hit["id"])
            hit.highlights("body")
        return len(results), ids

    return run


def whoosh_cli(index_dir: Path, query: Query) -> list[str]:
    script = (
        "import sys, json\n"
        "from whoosh import index\n"
        "from whoosh.qparser import MultifieldParser\n"
        "ix = index.open_dir(sys.argv[1])\n"
        "with ix.searcher() as s:\n"
        "    q = MultifieldParser(['title', 'body'], ix.schema).parse(sys.argv[2])\n"
        "    r = s.search(q, limit=10)\n"
        "    print(json.dumps({'total': len(r), 'hits': [dict(h.fields(), snippet="
        "h.highlights('body')) for h in r]}, default=str))\n"
    )
    return [sys.executable, "-c", script, str(index_dir), " ".join(query.words)]


def fts5_build(corpus: Path, index_dir: Path) -> int:
    index_dir.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(index_dir / "fts.sqlite")
    db.execute(
        "CREATE VIRTUAL TABLE articles USING fts5(id UNINDEXED, title, body, source UNINDEXED, "
        "published UNINDEXED, tokenize='porter unicode61')"
    )
    count = 0
    with db:
        rows = (
            (
                str(a["id"]),
                a.get("title") or "",
                a.get("body") or "",
                a.get("source") or "",
                (_datetime(a.get("published")) or datetime.min).isoformat(),
            )
            for a in read_corpus(corpus)
        )
        for row in rows:
            db.execute("INSERT INTO articles VALUES (?, ?, ?, ?, ?)", row)
            count += 1
    db.close()
    return count


def _fts5_match(query: Query) -> str:
    quoted = [f'"{word}"' for word in query.words]
    if query.kind == "phrase":
        return f'"{" ".join(query.words)}"'
    return (" OR " if query.kind in ("or2", "question") else " AND ").join(quoted)


def fts5_open(index_dir: Path) -> Callable[[Query], tuple[int, list[str]]]:
    db = sqlite3.connect(index_dir / "fts.sqlite")

    def run(query: Query) -> tuple[int, list[str]]:
        where, params = "articles MATCH ?", [_fts5_match(query)]
        if query.source:
            where += " AND source = ?"
            params.append(query.source)
        if query.since:
            where += " AND published >= ? AND published < ?"
            params += [f"{query.since}-01-01", f"{int(query.until or query.since) + 1}-01-01"]
        order = "published DESC" if query.kind == "newest" else "bm25(articles, 0, 2.0, 1.0)"
        total = db.execute(f"SELECT count(*) FROM articles WHERE {where}", params).fetchone()[0]
        rows = db.execute(
            f"SELECT id, title, source, published, "
            f"snippet(articles, 2, '<mark>', '</mark>', '…', 24) "
            f"FROM articles WHERE {where} ORDER BY {order} LIMIT {TOP}",
            params,
        ).fetchall()
        if query.kind == "facet":
            db.execute(
                f"SELECT source, count(*) AS n FROM articles WHERE {where} "
                f"GROUP BY source ORDER BY n DESC LIMIT {TOP}",
                params,
            ).fetchall()
        return total, [row[0] for row in rows]

    return run


def fts5_cli(index_dir: Path, query: Query) -> list[str]:
    script = (
        "import sys, json, sqlite3\n"
        "db = sqlite3.connect(sys.argv[1])\n"
        "m = ' AND '.join('\"%s\"' % w for w in sys.argv[2].split())\n"
        "t = db.execute('SELECT count(*) FROM articles WHERE articles MATCH ?', (m,)).fetchone()\n"
        "r = db.execute(\"SELECT id, title, source, published, snippet(articles, 2, '<mark>', "
        "'</mark>', '…', 24) FROM articles WHERE articles MATCH ? ORDER BY "
        'bm25(articles, 0, 2.0, 1.0) LIMIT 10", (m,)).fetchall()\n'
        "print(json.dumps({'total': t[0], 'hits': r}))\n"
    )
    return [sys.executable, "-c", script, str(index_dir / "fts.sqlite"), " ".join(query.words)]


BUILD = {"byline": byline_build, "whoosh": whoosh_build, "fts5": fts5_build}
OPEN = {"byline": byline_open, "whoosh": whoosh_open, "fts5": fts5_open}
CLI = {"byline": byline_cli, "whoosh": whoosh_cli, "fts5": fts5_cli}


# --- measuring --------------------------------------------------------------------------------


def _tree_memory(root: int) -> tuple[int, int]:
    """Memory of a process and all its descendants, read from /proc: the sum of their PSS (shared
    pages counted once, split between the sharers), and of its anonymous part alone (without the
    pages of memory-mapped files, which the kernel can drop and read again)."""
    total, anonymous, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        try:
            pss, anon = _process_memory(pid)
            total, anonymous = total + pss, anonymous + anon
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total, anonymous


def _process_memory(pid: int) -> tuple[int, int]:
    figures: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                key, _, rest = line.partition(":")
                if key in ("Pss", "Pss_Anon"):
                    figures[key] = int(rest.split()[0]) * 1024
    except (FileNotFoundError, PermissionError):
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    figures["Pss"] = int(line.split()[1]) * 1024
    pss = figures.get("Pss", 0)
    return pss, figures.get("Pss_Anon", pss)


def measure_indexing(engine: str, corpus: Path, index_dir: Path) -> dict[str, Any]:
    """Build one engine's index in a child process; its wall time, peak RSS and size on disk."""
    if index_dir.exists():
        shutil.rmtree(index_dir)
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "_build", engine, str(corpus), str(index_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    peak = peak_anonymous = 0
    while child.poll() is None:
        sampled = time.perf_counter()
        total, anonymous = _tree_memory(child.pid)
        peak, peak_anonymous = max(peak, total), max(peak_anonymous, anonymous)
        # Reading the memory of processes that map gigabytes of index costs the kernel time
        # too: sampling waits twenty times as long as it took, so it takes 5% of a core at most.
        time.sleep(max(0.05, 20 * (time.perf_counter() - sampled)))
    wall = time.perf_counter() - started
    output = child.stdout.read() if child.stdout else ""
    if child.returncode != 0:
        raise SystemExit(f"{engine} indexing failed (exit {child.returncode})")
    built = json.loads(output.strip().splitlines()[-1])
    peak = max(peak, built["maxrss"])
    size = sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file())
    return {
        "articles": built["articles"],
        "seconds": round(wall, 2),
        "articles_per_s": round(built["articles"] / wall, 1),
        "peak_rss_mb": round(peak / 2**20, 1),
        "peak_anon_mb": round(peak_anonymous / 2**20, 1),
        "index_mb": round(size / 2**20, 1),
    }


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def measure_queries(
    indexes: dict[str, Any],
    queries: list[Query],
    budget: float,
    opens: dict[str, Callable[[Any], Callable[[Query], tuple[int, list[str]]]]] = OPEN,
) -> dict[str, dict[str, Any]]:
    """Warm p50/p95 per class, for each engine: each queries its index in a process of its own,
    and the engines take turns query by query, so that a change in the machine's speed during
    the run (up to a third within minutes on a shared machine) falls on all of them alike. A
    class stops for an engine once it has used ``budget`` seconds (a slow peer would otherwise
    take hours), which reports how many queries it ran. ``opens`` says how each engine opens
    its index (a module-level function, for the worker process to find)."""
    context = multiprocessing.get_context("spawn")
    workers = {}
    for engine, index_dir in indexes.items():
        ours, theirs = context.Pipe()
        process = context.Process(target=_query_worker, args=(opens[engine], index_dir, theirs))
        process.start()
        theirs.close()  # (so that a worker that dies ends the wait for its answer)
        workers[engine] = (process, ours)
    try:
        for _, connection in workers.values():  # warm the caches, as a running service would
            for query in queries[: len(CLASSES)]:
                connection.send(query)
                connection.recv()
        times = {engine: {kind: [] for kind in CLASSES} for engine in workers}
        totals: dict[str, list[int]] = {engine: [] for engine in workers}
        for query in queries:
            for engine, (_, connection) in workers.items():
                spent = times[engine][query.kind]
                if sum(spent) / 1000 >= budget:
                    continue
                connection.send(query)
                milliseconds, total = connection.recv()
                spent.append(milliseconds)
                totals[engine].append(total)
    finally:
        for process, connection in workers.values():
            with contextlib.suppress(OSError):  # (a worker that died has closed its end)
                connection.send(None)
            process.join()
    return {
        engine: {
            "classes": {
                kind: {
                    "p50_ms": round(statistics.median(values), 2),
                    "p95_ms": round(_percentile(values, 0.95), 2),
                    "queries": len(values),
                }
                for kind, values in times[engine].items()
                if values
            },
            "mean_total": round(statistics.mean(totals[engine]), 1),
        }
        for engine in workers
    }


def _query_worker(
    open_index: Callable[[Any], Callable[[Query], tuple[int, list[str]]]],
    index_dir: Any,
    connection: Connection,
) -> None:
    """Worker side of ``measure_queries``: run each query sent, answer its time and total."""
    run = open_index(index_dir)
    while (query := connection.recv()) is not None:
        started = time.perf_counter()
        total, _ = run(query)
        connection.send(((time.perf_counter() - started) * 1000, total))


def measure_cli(indexes: dict[str, Path], queries: list[Query]) -> dict[str, dict[str, Any]]:
    """Wall time of whole search processes, the engines taking turns."""
    chosen = [q for q in queries if q.kind == "and2"][:CLI_RUNS]
    # As installed by pip, which compiles bytecode: with PYTHONDONTWRITEBYTECODE set (some
    # sandboxes and CI images set it) every process would compile the project's modules again.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    walls: dict[str, list[float]] = {engine: [] for engine in indexes}
    for query in chosen:
        for engine, index_dir in indexes.items():
            started = time.perf_counter()
            subprocess.run(CLI[engine](index_dir, query), check=True, capture_output=True, env=env)
            walls[engine].append(time.perf_counter() - started)
    return {
        engine: {"p50_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}
        for engine, times in walls.items()
    }


# --- reporting --------------------------------------------------------------------------------


def _ratio(peer: float, ours: float) -> str:
    return f"{peer / ours:.1f}x" if ours else "-"


def print_table(results: dict[str, Any]) -> None:
    engines = ["byline", *(e for e in results["engines"] if e != "byline")]
    peers = engines[1:]
    rows: list[list[str]] = []

    def row(label: str, pick: Callable[[dict[str, Any]], float]) -> None:
        values = {e: pick(results["engines"][e]) for e in engines}
        cells = [label]
        for engine in engines:
            cell = f"{values[engine]:,.4g}" if values[engine] >= 1 else f"{values[engine]:.3g}"
            if engine != "byline" and "byline" in values:
                cell += f" ({_ratio(values[engine], values['byline'])})"
            cells.append(cell)
        rows.append(cells)

    row("index: articles/s", lambda e: e["index"]["articles_per_s"])
    row("index: wall s", lambda e: e["index"]["seconds"])
    row("index: peak memory MB", lambda e: e["index"]["peak_rss_mb"])
    row(
        "  of which anonymous MB",
        lambda e: e["index"].get("peak_anon_mb", e["index"]["peak_rss_mb"]),
    )
    row("index: size MB", lambda e: e["index"]["index_mb"])
    for kind in CLASSES:
        if any(kind not in results["engines"][e]["queries"]["classes"] for e in engines):
            continue  # an older run without this class
        for stat in ("p50_ms", "p95_ms"):
            row(
                f"{CLASS_NAMES[kind]} {stat[:3]} ms",
                lambda e, kind=kind, stat=stat: e["queries"]["classes"][kind][stat],
            )
    row("CLI search process p50 s", lambda e: e["cli"]["p50_s"])
    widths = [max(len(r[i]) for r in [*rows, ["", *engines]]) for i in range(len(engines) + 1)]
    header = ["", *engines]
    print(
        f"{results['articles']:,} articles ({results['corpus']}); "
        f"ratios are {'/'.join(peers)} over Byline\n"
    )
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for cells in rows:
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    for engine in engines:
        for kind, figures in results["engines"][engine]["queries"]["classes"].items():
            if figures.get("queries", results["queries_per_class"]) < results["queries_per_class"]:
                print(
                    f"{engine}: {CLASS_NAMES[kind]}: {figures['queries']} of "
                    f"{results['queries_per_class']} queries ran within the class time budget"
                )


# --- main -------------------------------------------------------------------------------------


def _file_digest(path: Path) -> str:
    digest = hashlib.sha1()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20_000, help="synthetic corpus size")
    parser.add_argument("--corpus", type=Path, help="a JSONL corpus to use instead")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--per-class", type=int, default=25, help="queries per class (x8)")
    parser.add_argument(
        "--class-budget", type=float, default=60.0, help="seconds per query class and engine"
    )
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset")
    parser.add_argument("--workdir", type=Path, help="keep corpus and indexes here")
    parser.add_argument("--reuse", action="store_true", help="reuse built indexes in --workdir")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument(
        "--show", type=Path, help="print the table of an earlier --json file instead of running"
    )
    parser.add_argument(
        "--compare", type=Path, help="an earlier --json file: add its Byline as 'byline-before'"
    )
    args = parser.parse_args(argv)
    if args.show:
        results = json.loads(args.show.read_text())
        _add_before(results, args.compare)
        print_table(results)
        return 0
    engines = [e for e in args.engines.split(",") if e]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engines: {', '.join(sorted(unknown))}")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="byline-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.corpus:
        corpus = args.corpus
    else:
        corpus = workdir / f"corpus-{args.articles}-{args.seed}.jsonl"
        if not corpus.exists():
            print(f"writing {args.articles:,} synthetic articles to {corpus}", file=sys.stderr)
            partial = corpus.with_suffix(".partial")
            write_corpus(partial, args.articles, args.seed)
            partial.rename(corpus)
    digest = _file_digest(corpus)
    queries = make_queries(corpus, args.per_class, args.seed)
    results: dict[str, Any] = {
        "corpus": str(corpus),
        "articles": 0,
        "queries_per_class": args.per_class,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "engines": {},
    }
    indexes = {engine: workdir / f"index-{engine}" for engine in engines}
    built_figures = {}
    for engine, index_dir in indexes.items():
        marker = index_dir / "bench-build.json"
        built = json.loads(marker.read_text()) if args.reuse and marker.exists() else None
        if not built or built.get("corpus") != digest:
            print(f"{engine}: indexing", file=sys.stderr)
            figures = measure_indexing(engine, corpus, index_dir)
            marker.write_text(json.dumps({"corpus": digest, "index": figures}))
        else:
            figures = built["index"]
        print(f"{engine}: {figures}", file=sys.stderr)
        results["articles"] = figures["articles"]
        built_figures[engine] = figures
    print(f"queries, the engines taking turns: {', '.join(engines)}", file=sys.stderr)
    queried = measure_queries(indexes, queries, args.class_budget)
    cli = measure_cli(indexes, queries)
    for engine in engines:
        results["engines"][engine] = {
            "index": built_figures[engine],
            "queries": queried[engine],
            "cli": cli[engine],
        }
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    _add_before(results, args.compare)
    print_table(results)
    if not args.workdir:
        shutil.rmtree(workdir)
    return 0


def _add_before(results: dict[str, Any], earlier: Path | None) -> None:
    if earlier:
        results["engines"]["byline-before"] = json.loads(earlier.read_text())["engines"]["byline"]


def _build_child(engine: str, corpus: str, index_dir: str) -> None:
    """Child side of ``measure_indexing``: build, then report the count and own peak RSS.

    (The peak is VmHWM, which starts afresh at exec; ``ru_maxrss`` would carry the parent's.)
    """
    articles = BUILD[engine](Path(corpus), Path(index_dir))
    peak = 0
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    print(json.dumps({"articles": articles, "maxrss": peak}))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "_build":
        _build_child(*sys.argv[2:])
        sys.exit(0)
    sys.exit(main())
