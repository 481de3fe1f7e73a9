"""Showing results: readable text for people at a terminal, and the JSON of ``check`` and ``eval``
(the search, article, similar and stats documents are ``search/json_contract.py``'s).

Article text is untrusted: control characters are replaced before anything reaches a terminal,
and rich ``Text`` objects are used so that brackets in titles are never read as markup.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from index.article import Article
from search.evaluation.measures import MEASURES
from search.untrusted_text import safe

if TYPE_CHECKING:  # (types only: loading the writer would slow every search process)
    from index.pipeline.ingest import IngestReport
    from index.readers.records import Failure
    from search.evaluation.measures import Evaluation
    from search.results import CheckReport, IndexStats, SearchResult, SimilarResult, StoryMember

MAX_FAILURES_SHOWN = 50


# --- JSON ---------------------------------------------------------------------------------


def check_json(report: CheckReport) -> dict[str, Any]:
    return {
        "index": report.location,
        "ok": report.ok,
        "schema_version": report.schema_version,
        "segments": report.segments,
        "articles": report.articles,
        "deleted": report.deleted,
        "sampled": report.sampled,
        "problems": report.problems,
    }


def evaluation_json(result: Evaluation, per_query: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "queries": len(result.per_query),
        "means": {k: round(v, 4) for k, v in result.means.items()},
    }
    if per_query:
        data["per_query"] = {
            qid: {k: round(v, 4) for k, v in values.items()}
            for qid, values in result.per_query.items()
        }
    return data


def ingest_json(report: IngestReport, location: str) -> dict[str, Any]:
    """``byline index --json``: what the run committed, grouped, passed over and failed."""

    def listed(items: list[Failure]) -> list[dict[str, str]]:
        return [{"origin": item.origin, "reason": item.reason} for item in items]

    return {
        "index": location,
        "inputs": report.inputs,
        "committed": report.committed,
        "added": report.added,
        "replaced": report.replaced,
        "unchanged_inputs": report.unchanged,
        "copies": [{"id": copy.id, "copy_of": copy.copy_of} for copy in report.copies],
        "copies_dropped": report.duplicates,
        "skipped": listed(report.skipped),
        "warnings": listed(report.warnings),
        "failed": listed(report.failed),
    }


# --- Terminal ---------------------------------------------------------------------------------


def print_search(console: Console, result: SearchResult) -> None:
    request = result.request
    first = (request.page - 1) * request.limit + 1
    noun = "match" if result.total == 1 else "matches"
    heading = Text(f"{result.total:,} {noun}", style="bold")
    if request.query.strip():
        heading.append(f" for {safe(request.query)!r}")
    if result.hits:
        heading.append(f" — showing {first}–{first + len(result.hits) - 1}", style="dim")
    elif result.total:
        heading.append(f" — page {request.page} is past the last match", style="dim")
    console.print(heading)
    for number, hit in enumerate(result.hits, first):
        article = hit.article
        console.print()
        console.print(Text(f"{number:>3}. ", style="dim") + Text(safe(article.title), "bold"))
        console.print(Text("     ") + _byline(article))
        if article.url:
            console.print(Text("     " + safe(article.url), style="blue"))
        snippet = Text("     ")
        for part, matched in hit.snippet:
            snippet.append(safe(part), style="bold yellow" if matched else None)
        console.print(snippet)
        if hit.similar:
            console.print(Text("     " + similar_line(hit.similar), style="dim"))
    for name, counts in result.facets.items():
        if counts:
            console.print()
            line = Text(f"{name.capitalize()}: ", style="bold")
            for position, count in enumerate(counts):
                line.append(("  " if position else "") + f"{safe(count.value)} ")
                line.append(f"({count.count:,})", style="dim")
            console.print(line)


def similar_line(members: tuple[StoryMember, ...]) -> str:
    """ "+2 similar from: Reuters, The Hill" for the story copies folded into a hit."""
    sources = dict.fromkeys(safe(m.source or "unknown source") for m in members)
    return f"+{len(members)} similar from: {', '.join(sources)}"


def print_similar(console: Console, result: SimilarResult) -> None:
    console.print(Text("Like: ", style="bold") + Text(safe(result.article.title)))
    console.print(Text("      ") + _byline(result.article))
    if not result.hits:
        console.print(Text("No similar articles.", style="dim"))
    for number, hit in enumerate(result.hits, 1):
        console.print()
        title = Text(f"{number:>3}. ", style="dim") + Text(safe(hit.article.title), "bold")
        if hit.same_story:
            title.append("  (same story)", style="magenta")
        console.print(title)
        console.print(Text("     ") + _byline(hit.article))
        console.print(Text(f"     {safe(hit.article.id)}", style="dim"))


def _byline(article: Article) -> Text:
    parts = [
        article.source or "unknown source",
        _day(article.published),
        ", ".join(article.authors),
        article.section or "",
    ]
    return Text(" · ".join(safe(part) for part in parts if part), style="green")


def _day(published: datetime | date | None) -> str:
    if published is None:
        return ""
    if isinstance(published, datetime):
        return published.strftime("%Y-%m-%d %H:%M UTC")
    return published.isoformat()


def print_article(console: Console, article: Article) -> None:
    console.print(Text(safe(article.title), style="bold"))
    console.print(_byline(article))
    for label, value in (
        ("URL", article.url),
        ("Domain", article.domain),
        ("Tags", ", ".join(article.tags)),
        ("ID", article.id),
        ("From", article.origin),
        *article.extra.items(),
    ):
        if value:
            console.print(Text(f"{label}: ", style="dim") + Text(safe(value)))
    console.print()
    console.print(Text(safe(article.body)))
    if article.rights:
        console.print()
        console.print(Text(safe(article.rights), style="dim"))


def print_stats(console: Console, stats: IndexStats) -> None:
    dates = (
        f"{_day(stats.earliest.date())} to {_day(stats.latest.date())}"
        if stats.earliest and stats.latest
        else "no dated articles"
    )
    rows = [
        ("Index", stats.location),
        ("Articles", f"{stats.articles:,}"),
        ("Sources", f"{stats.sources:,}"),
        ("Published", dates + (f" ({stats.undated:,} undated)" if stats.undated else "")),
        ("Size", f"{stats.size_bytes / 1_048_576:,.1f} MiB in {stats.segments} segment(s)"),
    ]
    for label, value in rows:
        console.print(Text(f"{label:<10}", style="bold") + Text(safe(value)))
    if stats.top_sources:
        console.print(Text("Top sources", style="bold"))
        for count in stats.top_sources:
            console.print(Text(f"  {count.count:>8,}  ") + Text(safe(count.value)))


def print_evaluation(console: Console, result: Evaluation, per_query: bool) -> None:
    header = "query".ljust(8) + "".join(name.rjust(10) for name in MEASURES)
    if per_query:
        console.print(Text(header, style="bold"))
        for qid, values in result.per_query.items():
            console.print(safe(qid)[:8].ljust(8) + "".join(f"{values[n]:10.4f}" for n in MEASURES))
    means = result.means
    console.print(Text(f"{len(result.per_query)} judged queries", style="bold"))
    for name in MEASURES:
        console.print(f"  {name:<8} {means[name]:.4f}")


def print_check(console: Console, report: CheckReport) -> None:
    verdict = Text("OK", style="bold green") if report.ok else Text("PROBLEMS", style="bold red")
    console.print(Text(f"{safe(report.location)}: ") + verdict)
    console.print(
        f"schema version {report.schema_version}, {report.segments} segment(s), "
        f"{report.articles:,} articles ({report.deleted:,} deleted awaiting merge), "
        f"{report.sampled:,} stored articles read back"
    )
    for problem in report.problems:
        console.print(Text("  problem: ") + Text(safe(problem)))


def print_ingest_summary(console: Console, report: IngestReport, verbose: bool = False) -> None:
    """The end-of-run summary, on stderr: what was committed, grouped, passed over and what
    failed; ``verbose`` lists the exact copies too."""
    line = Text(
        f"Indexed {report.committed:,} article(s) from {report.inputs:,} input(s): "
        f"{report.added:,} added, {report.replaced:,} replaced, "
        f"{len(report.skipped):,} skipped, {len(report.failed):,} failed"
        + (
            f", {len(report.copies):,} exact cop{_ies(report.copies)} grouped"
            if report.copies
            else ""
        )
        + (f", {report.duplicates:,} exact copies left out" if report.duplicates else "")
        + (f", {len(report.warnings):,} warning(s)" if report.warnings else ""),
        style="bold red" if report.failed else "bold green",
    )
    if report.unchanged:
        line.append(
            f"; {report.unchanged:,} unchanged input(s) not read again (--force reads them)"
        )
    console.print(line)
    if verbose:
        for copy in report.copies:
            console.print(Text("  copy: ") + Text(safe(f"{copy.id} repeats {copy.copy_of}")))
    for title, items in (
        ("Skipped", report.skipped),
        ("Warning", report.warnings),
        ("Failed", report.failed),
    ):
        for item in items[:MAX_FAILURES_SHOWN]:
            console.print(
                Text(f"  {title.lower()}: ") + Text(safe(f"{item.origin}: {item.reason}"))
            )
        if len(items) > MAX_FAILURES_SHOWN:
            console.print(Text(f"  … and {len(items) - MAX_FAILURES_SHOWN:,} more {title.lower()}"))


def _ies(items: list[Any]) -> str:
    return "y" if len(items) == 1 else "ies"
