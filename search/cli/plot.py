"""A timeline drawn as a chart file (PNG or SVG) with matplotlib, the optional ``plot`` extra."""

from __future__ import annotations

from pathlib import Path

from index.errors import InvalidOption, MissingExtra
from search.analysis.timeline import Timeline

PLOT_FORMATS = (".png", ".svg")


def plot_timeline(timeline: Timeline, path: Path) -> None:
    """One line per series, counts against period starts, written to ``path``."""
    if path.suffix.lower() not in PLOT_FORMATS:
        raise InvalidOption(f"--plot writes {' or '.join(PLOT_FORMATS)} files, not {path.name!r}")
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only, never a window
        from matplotlib import pyplot
    except ImportError as exc:
        raise MissingExtra(
            "--plot needs matplotlib; install it with: pip install 'byline[plot]'"
        ) from exc
    figure, axes = pyplot.subplots(figsize=(10, 4.5))
    for series in timeline.series:
        label = series.query or "everything"
        if series.source is not None:
            label += f" ({series.source})"
        starts = [bucket.start for bucket in series.buckets]
        axes.plot(starts, [bucket.count for bucket in series.buckets], label=label)
    axes.set_ylabel(f"{timeline.count} per {timeline.interval}")
    axes.set_ylim(bottom=0)
    axes.legend(loc="upper left")
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
