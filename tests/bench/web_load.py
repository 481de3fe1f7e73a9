"""Load test of ``byline serve`` beside Datasette serving the same articles from SQLite FTS5.

Run by hand (not collected by pytest), from the project root with Byline's ``web`` extra and, for
the peer only, Datasette installed (``pip install datasette``; not a dependency of Byline):

    python tests/bench/web_load.py --articles 100000 --workdir /tmp/web-bench100k

It reuses ``benchmark.py``'s synthetic corpus (same seed, same articles) and query classes, builds
a Byline index and a SQLite database with an FTS5 table (what ``sqlite-utils enable-fts`` makes:
an external-content ``articles_fts``, which Datasette's ``_search`` finds), starts both servers
on free localhost ports, and measures them in turns, phase by phase:

1. ``load``: ``--clients`` concurrent clients for ``--seconds`` against the search API with a mix
   of query classes (one word, two words all/any, a phrase, a source filter, source facet, a date
   range, newest first, a six-word question), while a writer adds batches of new articles to the
   server's own index (``byline index`` committing / SQLite inserting in a transaction):
   requests/s, p50/p95/p99 latency, errors (non-200 answers and failed connections), and the
   server process's memory (peak and final RSS);
2. ``calm``: the same clients and mix without the writer;
3. ``single``: one client, the same mix: the time a request takes without waiting in a queue;
4. ``page``: one client, the full HTML search page (Byline's: five multi-select facets, snippets;
   Datasette's table page with ``_search`` and ``_facet=source``).

Byline's API answers carry snippets, collapsed stories and the source facet; Datasette's JSON is
the matching rows (no snippets) with the source facet. Both compute their totals in full
(Datasette's facet and SQL time limits are raised so that it does not cut its answers short).
The client is a separate process (httpx, asyncio), on the same two cores as the server and the
writer: figures are for this machine under that whole load, not for the server alone.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchmark  # (the corpus and query classes of the main benchmark)

BYLINE = [sys.executable, "-c", "from search.cli.startup import main; main()"]
# Datasette as its documentation serves a database, with time limits high enough that it answers
# in full, without facet suggestions (Byline makes none), and a thread per core and one more.
DATASETTE = [sys.executable, "-m", "datasette", "serve", "--setting", "facet_time_limit_ms"]
DATASETTE += ["10000", "--setting", "sql_time_limit_ms", "10000", "--setting", "suggest_facets"]
DATASETTE += ["off", "--setting", "num_sql_threads", "3"]
BATCH = 500
WRITER_PAUSE = 1.0  # seconds between the writer's batches


# --- the peers' data ---------------------------------------------------------------------------


def build_sqlite(corpus: Path, database: Path) -> int:
    """The articles in a table with an FTS5 index over title and body, as sqlite-utils makes it."""
    partial = database.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    db = sqlite3.connect(partial)
    db.executescript(
        """
        CREATE TABLE articles (id TEXT PRIMARY KEY, title TEXT, body TEXT, source TEXT,
            authors TEXT, section TEXT, published TEXT, url TEXT);
        CREATE INDEX articles_source ON articles(source);
        CREATE INDEX articles_published ON articles(published);
        CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, content='articles',
            content_rowid='rowid', tokenize='porter unicode61');
        """
    )
    with db:
        insert_rows(db, benchmark.read_corpus(corpus))
    count = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    db.close()
    partial.rename(database)
    return count


def insert_rows(db: sqlite3.Connection, articles: Any) -> None:
    for a in articles:
        cursor = db.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                a["id"],
                a["title"],
                a["body"],
                a["source"],
                ", ".join(a.get("authors") or []),
                a.get("section"),
                a.get("published"),
                a.get("url"),
            ),
        )
        db.execute(
            "INSERT INTO articles_fts(rowid, title, body) VALUES (?, ?, ?)",
            (cursor.lastrowid, a["title"], a["body"]),
        )


def write_batches(folder: Path, count: int, seed: int) -> list[Path]:
    """New articles for the writers, in batch files (ids that the corpus does not use)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = sorted(folder.glob("batch-*.jsonl"))
    if len(paths) >= count:
        return paths[:count]
    articles = benchmark.Corpus(seed).articles(count * BATCH)
    paths = []
    for number in range(count):
        path = folder / f"batch-{number:03d}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for _ in range(BATCH):
                article = next(articles)
                article["id"] = f"new-{folder.name}-{number}-{article['id']}"
                out.write(json.dumps(article) + "\n")
        paths.append(path)
    return paths


# --- requests -----------------------------------------------------------------------------------


def byline_api(query: benchmark.Query) -> str:
    words = " ".join(query.words)
    params: list[tuple[str, str]] = [("q", f'"{words}"' if query.kind == "phrase" else words)]
    if query.kind in ("or2", "question"):
        params.append(("any", "1"))
    if query.source:
        params.append(("source", query.source))
    if query.since:
        params += [("since", query.since), ("until", query.until or query.since)]
    if query.kind == "newest":
        params.append(("sort", "newest"))
    return "/api/search?" + urlencode(params)


def byline_page(query: benchmark.Query) -> str:
    return "/?" + byline_api(query).split("?", 1)[1]


def datasette_params(query: benchmark.Query) -> list[tuple[str, str]]:
    if query.kind in ("or2", "question"):
        search = [("_search", " OR ".join(f'"{w}"' for w in query.words)), ("_searchmode", "raw")]
    elif query.kind == "phrase":
        search = [("_search", f'"{" ".join(query.words)}"'), ("_searchmode", "raw")]
    else:
        search = [("_search", " ".join(query.words))]
    params = [*search, ("_facet", "source"), ("_size", str(benchmark.TOP))]
    if query.source:
        params.append(("source", query.source))
    if query.since:
        last = int(query.until or query.since) + 1
        params += [("published__gte", f"{query.since}-01-01"), ("published__lt", f"{last}-01-01")]
    if query.kind == "newest":
        params.append(("_sort_desc", "published"))
    return params


def datasette_api(query: benchmark.Query) -> str:
    return "/bench/articles.json?" + urlencode([*datasette_params(query), ("_shape", "objects")])


def datasette_page(query: benchmark.Query) -> str:
    return "/bench/articles?" + urlencode(datasette_params(query))


# --- servers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command: list[str], url: str, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    import httpx

    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=5)
            return process
        except httpx.HTTPError:
            if process.poll() is not None:
                raise SystemExit(f"{command[0]} exited: {log.read_text()[-2000:]}") from None
            time.sleep(0.3)
    raise SystemExit(f"{command} did not start")


def rss(pid: int) -> int:
    """Resident memory of a process in bytes (its whole tree is one process here)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class MemoryWatch:
    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss(self.pid))
            time.sleep(0.2)

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        return {"rss_peak_mib": self.peak / 2**20, "rss_end_mib": rss(self.pid) / 2**20}


# --- writers ------------------------------------------------------------------------------------


def byline_writer(index: Path, batches: list[Path], stop: threading.Event) -> dict[str, Any]:
    """``byline index`` of one batch after another (each a process and a commit of its own)."""
    written = 0
    for batch in batches:
        if stop.is_set():
            break
        subprocess.run(
            [*BYLINE, "index", str(batch), "--index", str(index)],
            check=True,
            capture_output=True,
        )
        written += BATCH
        stop.wait(WRITER_PAUSE)
    return {"articles_written": written}


def sqlite_writer(database: Path, batches: list[Path], stop: threading.Event) -> dict[str, Any]:
    written = 0
    db = sqlite3.connect(database, timeout=30)
    for batch in batches:
        if stop.is_set():
            break
        with db:
            insert_rows(db, benchmark.read_corpus(batch))
        written += BATCH
        stop.wait(WRITER_PAUSE)
    db.close()
    return {"articles_written": written}


# --- the load -----------------------------------------------------------------------------------

CLIENT = r"""
import asyncio, json, sys, time
import httpx

async def main(base, paths, clients, seconds):
    latencies, errors, statuses = [], 0, {}
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        async def worker(number):
            nonlocal errors
            turn = number
            while time.monotonic() < deadline:
                path = paths[turn % len(paths)]
                turn += clients
                began = time.perf_counter()
                try:
                    answer = await client.get(path)
                    await answer.aread()
                    status = answer.status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                latencies.append(time.perf_counter() - began)
                if status != 200:
                    errors += 1
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
        began = time.monotonic()
        await asyncio.gather(*(worker(n) for n in range(clients)))
        elapsed = time.monotonic() - began
    print(json.dumps({"latencies": latencies, "errors": errors, "statuses": statuses,
                      "elapsed": elapsed}))

base, clients, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
asyncio.run(main(base, json.load(sys.stdin), clients, seconds))
"""


def load(base: str, paths: list[str], clients: int, seconds: float) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, base, str(clients), str(seconds)],
        input=json.dumps(paths),
        capture_output=True,
        text=True,
        check=True,
    )
    raw = json.loads(done.stdout)
    latencies = sorted(raw["latencies"])
    return {
        "requests": len(latencies),
        "requests_per_s": len(latencies) / raw["elapsed"],
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p95_ms": 1000 * percentile(latencies, 0.95),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "mean_ms": 1000 * statistics.fmean(latencies) if latencies else 0.0,
        "errors": raw["errors"],
        "statuses": raw["statuses"],
    }


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(fraction * len(values)))]


# --- the run ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--single-seconds", type=float, default=10.0)
    parser.add_argument("--per-class", type=int, default=25)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    workdir = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = workdir / f"corpus-{args.articles}-{args.seed}.jsonl"
    if not corpus.exists():
        print(f"writing {args.articles:,} articles to {corpus}", file=sys.stderr)
        benchmark.write_corpus(corpus.with_suffix(".partial"), args.articles, args.seed)
        corpus.with_suffix(".partial").rename(corpus)
    index = workdir / "index-byline"
    if not (index / "bench-built").exists():
        print("byline: indexing", file=sys.stderr)
        built = benchmark.byline_build(corpus, index)
        (index / "bench-built").write_text(str(built))
    database = workdir / "bench.db"
    if not database.exists():
        print("sqlite: building the FTS5 table", file=sys.stderr)
        build_sqlite(corpus, database)
    # Each run writes new batches into both; those of an earlier run stay (ids differ per run).
    run = int(time.time())
    batches = write_batches(workdir / f"batches-{run}", 40, args.seed + 1000 + run % 1000)
    queries = benchmark.make_queries(corpus, args.per_class, args.seed)

    byline_port, datasette_port = free_port(), free_port()
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    servers = {
        "byline": start(
            [*BYLINE, "serve", "--index", str(index), "--port", str(byline_port)],
            f"http://127.0.0.1:{byline_port}/api/stats",
            logs / "byline.log",
        ),
        "datasette": start(
            [*DATASETTE, str(database), "--port", str(datasette_port)],
            f"http://127.0.0.1:{datasette_port}/bench/articles.json?_size=1",
            logs / "datasette.log",
        ),
    }
    bases = {
        name: f"http://127.0.0.1:{port}"
        for name, port in (("byline", byline_port), ("datasette", datasette_port))
    }
    api = {
        "byline": [byline_api(q) for q in queries],
        "datasette": [datasette_api(q) for q in queries],
    }
    pages = {
        "byline": [byline_page(q) for q in queries],
        "datasette": [datasette_page(q) for q in queries],
    }
    results: dict[str, Any] = {
        "articles": args.articles,
        "clients": args.clients,
        "seconds": args.seconds,
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "servers": {name: {} for name in servers},
    }
    try:
        for name in servers:  # warm: every request once, a few clients
            load(bases[name], api[name], 4, 5.0)
            load(bases[name], pages[name], 2, 3.0)
        halves = {"byline": batches[::2], "datasette": batches[1::2]}
        for name, process in servers.items():
            print(
                f"{name}: {args.clients} clients for {args.seconds:g}s with a writer",
                file=sys.stderr,
            )
            stop = threading.Event()
            writer_result: dict[str, Any] = {}
            write = byline_writer if name == "byline" else sqlite_writer
            target = index if name == "byline" else database
            writer = threading.Thread(
                target=lambda w=write, t=target, h=halves[name], e=stop, r=writer_result: r.update(
                    w(t, h, e)
                )
            )
            watch = MemoryWatch(process.pid)
            writer.start()
            figures = load(bases[name], api[name], args.clients, args.seconds)
            stop.set()
            writer.join()
            figures.update(watch.stop(), **writer_result)
            results["servers"][name]["load"] = figures
        for name, process in servers.items():
            print(f"{name}: {args.clients} clients, no writer", file=sys.stderr)
            watch = MemoryWatch(process.pid)
            figures = load(bases[name], api[name], args.clients, args.seconds)
            results["servers"][name]["calm"] = {**figures, **watch.stop()}
        for phase, paths in (("single", api), ("page", pages)):
            for name in servers:
                print(f"{name}: {phase}, one client", file=sys.stderr)
                results["servers"][name][phase] = load(
                    bases[name], paths[name], 1, args.single_seconds
                )
    finally:
        for process in servers.values():
            process.terminate()
            process.wait(timeout=30)
    results["load_average_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    return 0


def print_table(results: dict[str, Any]) -> None:
    print(
        f"{results['articles']:,} articles, {results['cpus']} CPUs, load average before "
        f"{results['load_average_before'][0]:.1f}, after {results['load_average_after'][0]:.1f}"
    )
    header = f"{'':28}" + "".join(f"{name:>14}" for name in results["servers"])
    print(header)
    rows = [
        ("load", "requests_per_s", "requests/s", "{:.1f}"),
        ("load", "p50_ms", "p50 ms", "{:.1f}"),
        ("load", "p95_ms", "p95 ms", "{:.1f}"),
        ("load", "p99_ms", "p99 ms", "{:.1f}"),
        ("load", "errors", "errors", "{}"),
        ("load", "rss_peak_mib", "server RSS peak MiB", "{:.0f}"),
        ("load", "articles_written", "articles written meanwhile", "{}"),
        ("calm", "requests_per_s", "no writer: requests/s", "{:.1f}"),
        ("calm", "p50_ms", "no writer: p50 ms", "{:.1f}"),
        ("calm", "p99_ms", "no writer: p99 ms", "{:.1f}"),
        ("calm", "errors", "no writer: errors", "{}"),
        ("single", "p50_ms", "1 client: API p50 ms", "{:.1f}"),
        ("single", "p95_ms", "1 client: API p95 ms", "{:.1f}"),
        ("single", "p99_ms", "1 client: API p99 ms", "{:.1f}"),
        ("page", "p50_ms", "1 client: page p50 ms", "{:.1f}"),
        ("page", "p95_ms", "1 client: page p95 ms", "{:.1f}"),
        ("page", "errors", "1 client: page errors", "{}"),
    ]
    for phase, key, label, form in rows:
        cells = [
            form.format(results["servers"][name].get(phase, {}).get(key, float("nan")))
            for name in results["servers"]
        ]
        print(f"{label:28}" + "".join(f"{cell:>14}" for cell in cells))


if __name__ == "__main__":
    sys.exit(main())
