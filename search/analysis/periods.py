"""Periods of a timeline: days, ISO weeks (from Monday), months and years, in UTC; the interval a
span calls for, and day counts added up by period."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta

from index.errors import InvalidOption

INTERVALS = ("day", "week", "month", "year")
# The default interval: days under this many days of span, weeks under the next, months beyond.
DAYS_UNDER = 90
WEEKS_UNDER = 730


def check_interval(interval: str) -> None:
    if interval not in INTERVALS:
        raise InvalidOption(f"unknown interval {interval!r} (one of: {', '.join(INTERVALS)})")


def interval_for(first: date, last: date) -> str:
    """The interval a span calls for: day under ~90 days, week under ~2 years, else month."""
    span = (last - first).days
    return "day" if span < DAYS_UNDER else "week" if span < WEEKS_UNDER else "month"


def period_start(day: date, interval: str) -> date:
    """The first day of the period holding ``day``."""
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    if interval == "year":
        return day.replace(month=1, day=1)
    return day


def next_period(start: date, interval: str) -> date:
    if interval == "day":
        return start + timedelta(days=1)
    if interval == "week":
        return start + timedelta(days=7)
    if interval == "month":
        return date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return date(start.year + 1, 1, 1)


def periods(first: date, last: date, interval: str) -> list[date]:
    """The start of every period from the one holding ``first`` to the one holding ``last``."""
    starts, start = [], period_start(first, interval)
    while start <= last:
        starts.append(start)
        start = next_period(start, interval)
    return starts


def by_period(days: Mapping[date, int], interval: str) -> Counter[date]:
    """Day counts added up by the period each day falls in."""
    totals: Counter[date] = Counter()
    for day, count in days.items():
        totals[period_start(day, interval)] += count
    return totals
