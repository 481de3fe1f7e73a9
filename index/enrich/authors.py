"""Authors from bylines: "By Jane Doe and John Roe", "A, B and C", "Jane Doe | Reuters",
"By JANE DOE, Staff Writer" — split into names, with "By", job titles, roles ("is a reporter"),
dates ("Malcolm Owen Monday") and news agencies ("ERIC TUCKER Associated Press") removed. An
agency named in a byline is kept apart: it can stand as the article's source."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_BY = re.compile(r"^\s*(?:written\s+|reported\s+|posted\s+)?by[:\s]+", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*(?:;|\||/|,|\band\b|&|\bwith\b|\n)\s*", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_TWITTER = re.compile(r"@\w+")
# A role glued onto a name with "for", as in "Jane Doe for The Hill": keep the name.
_FOR = re.compile(r"\s+for\s+.*$", re.IGNORECASE)
# Around a name: spaces (any, control characters as well), dots, dashes, colons, brackets; a
# final dot stays after an initial or Jr/Sr ("Jane Q.", "John Roe Jr.").
_EDGES = re.compile(r"^[\s.\-–—:()]+|[\s\-–—:()]*(?:(?<!\b[A-Z])(?<!\b[JS]r)\.[\s.\-–—:()]*)?$")
# A sentence about the author after the name: "Phil Helsel is a reporter for NBC News".
_ROLE_CLAUSE = re.compile(r"\s+(?:is|was|has been)\s+(?:a|an|the|our)\b.*$", re.IGNORECASE)
# A day written after the name: "Malcolm Owen Monday".
_DAY_WORDS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tonight|"
    "january|february|march|april|june|july|august|september|october|november|december"
)
_DAY_TAIL = re.compile(rf"(?:\s+(?:{_DAY_WORDS}))+$", re.IGNORECASE)
_DAY_ONLY = re.compile(rf"^(?:(?:{_DAY_WORDS})\s*)+$", re.IGNORECASE)
# News agencies as bylines write them -> the name they are filed under as a source.
AGENCIES = {
    "associated press": "Associated Press",
    "the associated press": "Associated Press",
    "ap": "Associated Press",
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "bloomberg": "Bloomberg",
    "bloomberg news": "Bloomberg",
    "upi": "UPI",
    "united press international": "UPI",
    "xinhua": "Xinhua",
    "dpa": "dpa",
    "kyodo": "Kyodo News",
    "kyodo news": "Kyodo News",
    "the canadian press": "The Canadian Press",
    "canadian press": "The Canadian Press",
    "tribune news service": "Tribune News Service",
    "cnn wire": "CNN Wire",
}
# An agency at the end of a byline part: "ERIC TUCKER Associated Press", "Sarah Lee (Reuters)".
# Short acronyms only in capitals ("AP"), so a name ending in "Ap" keeps it.
_AGENCY = (
    r"(?:(?i:(?:the\s+)?(?:associated press|thomson reuters|reuters|agence france[- ]presse|"
    r"bloomberg(?:\s+news)?|united press international|xinhua|kyodo(?:\s+news)?|"
    r"(?:the\s+)?canadian press|tribune news service|cnn wire))|AP|AFP|UPI|DPA)"
)
_AGENCY_TAIL = re.compile(rf"[\s(,]+{_AGENCY}\)?$")
_AGENCY_WORDS = re.compile(rf"(?i:\b{_AGENCY}\b)")
# Words that make up job titles and desks ("By Jane Doe, Staff Writer", "AP Auto Writer",
# "Reuters Staff"), each also in the plural: a part made of nothing else is not a person.
_TITLE_WORDS = frozenset(
    "senior chief staff special political foreign contributing associate associated press "
    "national business sports science health white house investigative managing deputy "
    "executive auto economics economic medical legal technology tech markets world news "
    "entertainment diplomatic military education environment travel food music film tv "
    "international global local metro city state regional washington wire service "
    "writer reporter correspondent editor columnist contributor journalist analyst producer "
    "photographer desk team bureau".split()
) | frozenset(AGENCIES)
# Words that join a title's words; a part made of these alone ("A") may be an initial.
_CONNECTORS = frozenset("a an the and of for at".split())
_UPDATED = re.compile(r"\b(?:updated|published|posted)\b.*$", re.IGNORECASE)
# A timestamp after the name, as in "By Kristina Wong - 09/29/15 02:41 PM EDT".
_DATE_TAIL = re.compile(r"\s+[-–—|]\s+[^a-z]*\d.*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Byline:
    """The people a byline names, and the news agency it credits, if any."""

    names: list[str] = field(default_factory=list)
    agency: str | None = None


def split_authors(value: Any) -> list[str]:
    """Author names from a list, a JSON-LD person, or a byline string; duplicates dropped."""
    return read_byline(value).names


def read_byline(value: Any) -> Byline:
    """The names in a byline (as ``split_authors``) and the agency it credits."""
    names: list[str] = []
    agencies: list[str] = []
    for part in _parts(value):
        name = _DAY_TAIL.sub("", _ROLE_CLAUSE.sub("", part))
        tail = _AGENCY_TAIL.search(name)
        credited = _agency_name(tail.group() if tail else name)
        if credited:
            agencies.append(credited)
            if not tail:
                continue  # the whole part is an agency
            name = _EDGES.sub("", name[: tail.start()])
        words = name.casefold().split()
        if _is_title(words):
            found = _AGENCY_WORDS.search(name)
            credited = _agency_name(found.group()) if found else None
            agencies.extend([credited] if credited else [])
            continue
        if not _is_name(name) or words[0] == "the" or _DAY_ONLY.match(name):
            continue
        name = _titlecase_shouted(name)
        if name.casefold() not in {seen.casefold() for seen in names}:
            names.append(name)
    return Byline(names, agencies[0] if agencies else None)


def _is_title(words: list[str]) -> bool:
    """A job title or desk and nothing else ("AP Auto Writer", "Reuters Staff"): no person."""
    titled = set(words) - _CONNECTORS
    return bool(titled) and all(
        word in _TITLE_WORDS or (word[-1:] == "s" and word[:-1] in _TITLE_WORDS) for word in titled
    )


def _agency_name(text: str) -> str | None:
    key = " ".join(_EDGES.sub("", text.strip(" ,()")).casefold().split())
    return AGENCIES.get(key)


def _parts(value: Any) -> list[str]:
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
    return names


def _text(value: Any) -> str:
    """A byline's text without e-mail addresses, handles, "By" and trailing dates."""
    byline = _TWITTER.sub("", _EMAIL.sub("", "" if value is None else str(value)))
    return _DATE_TAIL.sub("", _UPDATED.sub("", _BY.sub("", byline.strip())))


def _is_name(text: str) -> bool:
    """Names have letters and no digits (those are dates and times)."""
    return any(char.isalpha() for char in text) and not any(char.isdigit() for char in text)


def _titlecase_shouted(name: str) -> str:
    """ "JANE DOE" as bylines print it → "Jane Doe"; mixed case is kept as written."""
    return name.title() if name.isupper() and sum(map(str.isalpha, name)) > 3 else name
