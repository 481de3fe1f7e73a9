"""Coverage answers as JSON, CSV rows and terminal charts that fit 80 columns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from rich.console import Console

from search.analysis.lineage import Lineage
from search.analysis.sources import SourcesResult
from search.analysis.terms import TermsResult
from search.analysis.timeline import Series, Timeline

_BAR_WIDTH = 30
_SPARK = " ▁▂▃▄▅▆▇█"
_SPARK_WIDTH = 60
# Series of more periods than this are drawn as sparklines, a character a period.
_MOST_BARS = 40


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


TIMELINE_CSV_HEADER = ("query", "source", "start", "count", "all", "share")


def timeline_rows(timeline: Timeline) -> list[tuple[Any, ...]]:
    return [
        (series.query, series.source or "", b.start.isoformat(), b.count, b.all, b.share)
        for series in timeline.series
        for b in series.buckets
    ]


def print_timeline(console: Console, timeline: Timeline) -> None:
    starts = timeline.series[0].buckets if timeline.series else []
    how = "chosen from the span: see --by" if timeline.interval_chosen else "as asked"
    if starts:
        console.print(
            f"{timeline.count.capitalize()} per {timeline.interval} ({how}), "
            f"{starts[0].start} to {starts[-1].start}",
            markup=False,
        )
        console.print(f"Each: matches / all {timeline.count} of the period, and the share.")
    if not timeline.series:
        console.print("No series: nothing matched to split by source.")
    peak = max((b.count for s in timeline.series for b in s.buckets), default=0) or 1
    for series in timeline.series:
        _print_series(console, series, timeline.count, peak)


def _print_series(console: Console, series: Series, counted: str, peak: int) -> None:
    label = f'"{series.query}"' if series.query else "everything"
    if series.source is not None:
        label += f" from {series.source}"
    undated = f" ({series.undated:,} undated, not shown)" if series.undated else ""
    console.print()
    console.print(f"{label}: {series.total:,} {counted}{undated}", markup=False)
    buckets = series.buckets
    if len(buckets) <= _MOST_BARS:
        for b in buckets:
            bar = "█" * round(_BAR_WIDTH * b.count / peak)
            console.print(
                f"{b.start.isoformat()} {bar:<{_BAR_WIDTH}} {b.count:>7,} / {b.all:<7,} "
                f"{b.share:6.1%}",
                markup=False,
            )
        return
    top = max((b.count for b in buckets), default=0) or 1
    for at in range(0, len(buckets), _SPARK_WIDTH):
        line = buckets[at : at + _SPARK_WIDTH]
        marks = "".join(
            _SPARK[0] if not b.count else _SPARK[max(1, round(8 * b.count / top))] for b in line
        )
        console.print(f"{line[0].start.isoformat()} {marks}", markup=False)
    busiest = max(buckets, key=lambda b: b.count)
    console.print(f"peak {busiest.start.isoformat()}: {busiest.count:,}", markup=False)


TERMS_CSV_HEADER = ("term", "count", "background", "score")


def terms_rows(result: TermsResult) -> list[tuple[Any, ...]]:
    return [(t.term, t.count, t.background, t.score) for t in result.terms]


def print_terms(console: Console, result: TermsResult) -> None:
    read = "all of them" if result.sampled == result.stories else "an even sample"
    console.print(
        f"{result.matches:,} matching articles in {result.stories:,} stories; terms of the "
        f"{result.field} from {result.sampled:,} stories ({read}) against {result.background:,} "
        "archive articles, by log-likelihood",
        markup=False,
    )
    if not result.terms:
        console.print("No term stands out.")
        return
    from rich.table import Table  # (only for the commands that draw one)

    table = Table(box=None, pad_edge=False)
    for name, justify in (("term", "left"), ("stories", "right"), ("archive", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    table.add_column("score", justify="right")
    for t in result.terms:
        table.add_row(t.term, f"{t.count:,}", f"{t.background:,}", f"{t.score:.1f}")
    console.print(table)


SOURCES_CSV_HEADER = ("source", "count", "share", "output", "output_share", "first", "last")


def sources_rows(result: SourcesResult) -> list[tuple[Any, ...]]:
    return [
        (s.source, s.count, s.share, s.output, s.output_share, _iso(s.first), _iso(s.last))
        for s in result.sources
    ]


def print_sources(console: Console, result: SourcesResult) -> None:
    console.print(
        f"{result.matches:,} matching articles; each source's share of them, and of its own "
        f"output from {result.since or '…'} to {result.until or '…'}",
        markup=False,
    )
    if not result.sources:
        console.print("No source carries a match.")
        return
    from rich.table import Table  # (only for the commands that draw one)

    table = Table(box=None, pad_edge=False)
    table.add_column("source", max_width=24, overflow="ellipsis", no_wrap=True)
    for name in ("count", "share", "of own"):
        table.add_column(name, justify="right")
    table.add_column("first")
    table.add_column("last")
    for s in result.sources:
        table.add_row(
            s.source,
            f"{s.count:,}",
            f"{s.share:.1%}",
            f"{s.output_share:.1%}",
            s.first.date().isoformat() if s.first else "",
            s.last.date().isoformat() if s.last else "",
        )
    console.print(table)


def lineage_json(lineage: Lineage) -> dict[str, Any]:
    first = lineage.first
    return {
        "story": lineage.story,
        "first": {"id": first.id, "source": first.source, "published": _iso(first.published)},
        "sources": lineage.sources,
        "copies": [
            {
                "id": copy.article.id,
                "source": copy.article.source,
                "published": _iso(copy.article.published),
                "delay_seconds": None if copy.delay is None else copy.delay.total_seconds(),
                "title": copy.article.title,
                "url": copy.article.url,
            }
            for copy in lineage.copies
        ],
    }


def print_lineage(console: Console, lineage: Lineage) -> None:
    first = lineage.first
    console.print(
        f"Story {lineage.story}: {len(lineage.copies)} articles from {lineage.sources} "
        f"sources; first by {first.source or 'an unknown source'} at "
        f"{_iso(first.published) or 'an unknown time'}",
        markup=False,
    )
    from rich.table import Table  # (only for the commands that draw one)

    table = Table(box=None, pad_edge=False)
    table.add_column("after first", justify="right")
    table.add_column("source", max_width=22, overflow="ellipsis", no_wrap=True)
    table.add_column("id", max_width=40, overflow="ellipsis", no_wrap=True)
    for copy in lineage.copies:
        table.add_row(_delay(copy.delay), copy.article.source or "", copy.article.id)
    console.print(table)


def _delay(delay: Any) -> str:
    if delay is None:
        return "undated"
    minutes = int(delay.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return f"{days}d {hours:02d}:{minutes:02d}" if days else f"{hours:02d}:{minutes:02d}"
