"""Authors from bylines: "By Jane Doe and John Roe", "A, B and C", "Jane Doe | Reuters",
"By JANE DOE, Staff Writer" — split into names, with "By" and job titles removed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_BY = re.compile(r"^\s*(?:written\s+|reported\s+|posted\s+)?by[:\s]+", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*(?:;|\||/|,|\band\b|&|\bwith\b|\n)\s*", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_TWITTER = re.compile(r"@\w+")
# Job titles that bylines append to names ("By Jane Doe, Staff Writer"): not authors.
_ROLES = re.compile(
    r"^(?:the\s+)?(?:(?:senior|chief|staff|special|political|foreign|contributing|associate|"
    r"associated press|national|business|sports|science|health|white house|investigative|"
    r"managing|deputy|executive)\s+)*"
    r"(?:writer|reporter|correspondent|editor|columnist|contributor|staff|journalist|"
    r"analyst|producer|photographer|desk|team)s?$",
    re.IGNORECASE,
)
# A role glued onto a name with "for", as in "Jane Doe for The Hill": keep the name.
_FOR = re.compile(r"\s+for\s+.*$", re.IGNORECASE)
# Around a name: spaces (any, control characters as well), dots, dashes, colons, brackets.
_EDGES = re.compile(r"^[\s.\-–—:()]+|[\s.\-–—:()]+$")
_UPDATED = re.compile(r"\b(?:updated|published|posted)\b.*$", re.IGNORECASE)
# A timestamp after the name, as in "By Kristina Wong - 09/29/15 02:41 PM EDT".
_DATE_TAIL = re.compile(r"\s+[-–—|]\s+[^a-z]*\d.*$", re.IGNORECASE)


def split_authors(value: Any) -> list[str]:
    """Author names from a list, a JSON-LD person, or a byline string; duplicates dropped."""
    names: list[str] = []
    for name in _names(value):
        if name.casefold() not in {seen.casefold() for seen in names}:
            names.append(name)
    return names


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, Mapping):  # {"name": "..."} as in JSON-LD
        value = [value.get("name")]
    if isinstance(value, list | tuple):  # one name per item, kept as written ("brenner,w.c.")
        names = [
            _text(item.get("name") if isinstance(item, Mapping) else item).strip() for item in value
        ]
    else:
        names = [
            _EDGES.sub("", _FOR.sub("", _BY.sub("", part)))
            for part in _SEPARATORS.split(_text(value))
        ]
    return [_titlecase_shouted(name) for name in names if _is_name(name)]


def _text(value: Any) -> str:
    """A byline's text without e-mail addresses, handles, "By" and trailing dates."""
    byline = _TWITTER.sub("", _EMAIL.sub("", "" if value is None else str(value)))
    return _DATE_TAIL.sub("", _UPDATED.sub("", _BY.sub("", byline.strip())))


def _is_name(text: str) -> bool:
    """Names have letters and no digits (those are dates and times) and are not job titles."""
    return (
        any(char.isalpha() for char in text)
        and not any(char.isdigit() for char in text)
        and not _ROLES.match(text)
    )


def _titlecase_shouted(name: str) -> str:
    """ "JANE DOE" as bylines print it → "Jane Doe"; mixed case is kept as written."""
    return name.title() if name.isupper() and len(name) > 3 else name
