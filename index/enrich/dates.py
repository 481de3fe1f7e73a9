"""Reading dates as news data writes them, and date bounds for filters.

Article dates come as ISO 8601 (with or without a zone), RFC 2822 (feeds), free text such as
"September 29, 2015", or Unix seconds/milliseconds. Times are normalised to UTC; a time without a
zone is taken as UTC. A value without a time stays a ``date``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from index.errors import InvalidDate

_PARTIAL = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*$")
_NUMBER = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")
_HAS_TIME = re.compile(r"\d:\d")
_MIN_YEAR, _MAX_YEAR = 1600, 2200
# Above this a Unix timestamp must be in milliseconds (it would be year 5138 in seconds).
_MILLISECONDS_FROM = 10**11


def parse_published(value: object) -> datetime | date | None:
    """Turn a published value from any reader into a UTC datetime, a date, or None if empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _to_utc(value)
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_timestamp(float(value), value)
    text = str(value).strip()
    if not text:
        return None
    if _NUMBER.match(text):
        if len(text) == 8 and text.isdigit():  # 20150929
            return _checked_date(int(text[:4]), int(text[4:6]), int(text[6:]), text)
        return _from_timestamp(float(text), text)
    match = _PARTIAL.match(text)
    if match and match.group(3):
        return _checked_date(int(match[1]), int(match[2]), int(match[3]), text)
    return _parse_text(text)


def _parse_text(text: str) -> datetime | date:
    # (Loaded on first use: every search process imports this module, few parse dates.)
    from email.utils import parsedate_to_datetime

    from dateutil import parser as dateutil_parser

    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None:
        try:
            parsed = dateutil_parser.parse(text, default=datetime(1, 1, 1))
        except (ValueError, OverflowError) as exc:
            raise InvalidDate(f"cannot read date {text!r}") from exc
        if parsed.year == 1 or not re.search(r"\d{4}", text):
            raise InvalidDate(f"date {text!r} has no year")
    _check_year(parsed.year, text)
    if not _HAS_TIME.search(text):
        return parsed.date()
    return _to_utc(parsed)


def _from_timestamp(number: float, original: object) -> datetime:
    seconds = number / 1000 if abs(number) >= _MILLISECONDS_FROM else number
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise InvalidDate(f"timestamp {original!r} is out of range") from exc
    _check_year(moment.year, original)
    return moment


def _to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _check_year(year: int, original: object) -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise InvalidDate(f"date {original!r} has an implausible year {year}")


def _checked_date(year: int, month: int, day: int, original: str) -> date:
    _check_year(year, original)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise InvalidDate(f"impossible date {original!r}: {exc}") from exc


# A day counted back: ``7d``, ``2w``, ``3m``, ``1y``, ``today``, ``yesterday``; ``@latest`` counts
# back from the archive's newest article instead of today (``search/relative_dates.py``).
_RELATIVE = re.compile(r"^\s*(?:(\d{1,5})([dwmy])|(today|yesterday))(@latest)?\s*$", re.IGNORECASE)
BOUND_FORMS = "YYYY, YYYY-MM, YYYY-MM-DD, or counted back: 7d, 2w, 3m, 1y, today, yesterday"


def is_relative(text: str) -> bool:
    """Whether a bound counts back (``7d``, ``today``, ``30d@latest``) rather than names a date."""
    return bool(_RELATIVE.match(text))


def counts_from_latest(text: str) -> bool:
    """Whether a relative bound counts back from the archive's newest article (``30d@latest``)."""
    match = _RELATIVE.match(text)
    return bool(match and match[4])


def relative_day(text: str, anchor: date) -> date:
    """The day a relative bound names, counted back from ``anchor`` (months and years keep the
    day of the month, the last day of a shorter month if need be)."""
    match = _RELATIVE.match(text)
    if not match:
        raise InvalidDate(f"date {text!r} is not {BOUND_FORMS}")
    if match[3]:
        return anchor - timedelta(days=match[3].lower() == "yesterday")
    number, unit = int(match[1]), match[2].lower()
    if unit in "dw":
        return anchor - timedelta(days=number * (7 if unit == "w" else 1))
    months = anchor.year * 12 + anchor.month - 1 - number * (12 if unit == "y" else 1)
    year, month = divmod(months, 12)
    if year < _MIN_YEAR:
        raise InvalidDate(f"date {text!r} counts back past the year {_MIN_YEAR}")
    last_day = (date(year + (month == 11), (month + 1) % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month + 1, min(anchor.day, last_day))


def parse_bound(text: str, *, end: bool, today: date | None = None) -> datetime:
    """A filter bound as a naive UTC datetime, from ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, or a
    day counted back from ``today`` (UTC's, unless given): ``7d``, ``2w``, ``3m``, ``1y``,
    ``today``, ``yesterday``.

    ``end=True`` gives the last instant of that year, month or day, so ``--until 2015`` includes
    all of 2015.
    """
    if is_relative(text):
        if counts_from_latest(text):
            raise InvalidDate(
                f"{text!r} counts back from the archive's newest article, which only "
                "--since/--until can do"
            )
        day = relative_day(text, today or datetime.now(UTC).date())
        text = day.isoformat()
    match = _PARTIAL.match(text)
    if not match:
        raise InvalidDate(f"date {text!r} is not {BOUND_FORMS}")
    year, month, day = int(match[1]), match[2], match[3]
    month_number = int(month) if month else 1
    start = _checked_date(year, month_number, int(day) if day else 1, text)
    if not end:
        return datetime(start.year, start.month, start.day)
    if day:
        after = start + timedelta(days=1)
    elif month:
        after = date(year + (month_number == 12), month_number % 12 + 1, 1)
    else:
        after = date(year + 1, 1, 1)
    return datetime(after.year, after.month, after.day) - timedelta(microseconds=1)


def to_naive_utc(published: datetime | date) -> datetime:
    """The form Whoosh's DATETIME field stores: naive, in UTC; a date becomes its midnight."""
    if isinstance(published, datetime):
        return _to_utc(published).replace(tzinfo=None)
    return datetime(published.year, published.month, published.day)
