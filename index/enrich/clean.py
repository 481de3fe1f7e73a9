"""Cleaning article text before it is indexed: a list of small steps, with patterns kept as data.

Each step takes and returns an ``Article``. The patterns for placeholders and rights lines live in
``clean_rules.toml`` so they can be read, tested and extended without touching code.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from index.article import Article
from index.errors import IngestError

DEFAULT_RULES = Path(__file__).with_name("clean_rules.toml")

Step = Callable[[Article], Article]

# C0/C1 control characters other than tab and newline never carry meaning in article text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Invisible characters that split words for a search engine ("Pen\u00adtagon"): soft hyphen,
# zero-width space and joiners, word joiner, and a byte-order mark inside the text.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
# Typographic forms and the plain characters they match as (display text keeps the original).
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"', "\u2010": "-", "\u2011": "-", "\u2012": "-",
        "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-", "\u00a0": " ",
    }
)  # fmt: skip
# Runs of spaces and tabs (not newlines) become one space: a run of two or more, or a single
# character other than a plain space (the look-behind). A plain space between words, the
# common case, is left as it is: replacing each one cost as much as the rest of the cleaning.
_SPACES = re.compile(r"[^\S\n](?:[^\S\n]+|(?<! ))")
_BLANK_LINES = re.compile(r"\n\s*\n\s*")
# A backslash before ASCII punctuation, as some exports escape it ("Chicago Tribune \(blog\)").
_ESCAPED_PUNCTUATION = re.compile(r"\\([!-/:-@\[-`{-~])")
_MAX_RIGHTS_LINES = 3
# A rights notice is a short line; a long paragraph that merely mentions copyright is prose.
_MAX_RIGHTS_CHARS = 300


@dataclass(frozen=True, slots=True)
class CleaningRules:
    """Compiled patterns: what to drop from bodies, and which trailing lines are rights notices."""

    drop: tuple[re.Pattern[str], ...]
    rights: tuple[re.Pattern[str], ...]


def load_rules(extra: Iterable[Path] = ()) -> CleaningRules:
    """The shipped rules plus any user rule files, compiled."""
    drop: list[re.Pattern[str]] = []
    rights: list[re.Pattern[str]] = []
    for path in (DEFAULT_RULES, *extra):
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise IngestError(f"cannot read cleaning rules {path}: {exc}") from exc
        for kind, target in (("drop", drop), ("rights", rights)):
            for rule in data.get(kind, []):
                try:
                    target.append(re.compile(rule["pattern"], re.IGNORECASE | re.MULTILINE))
                except (KeyError, TypeError, re.error) as exc:
                    raise IngestError(f"bad {kind} rule {rule!r} in {path}: {exc}") from exc
    return CleaningRules(tuple(drop), tuple(rights))


def fold_typography(text: str) -> str:
    """Text as it is matched: compatibility forms (ligatures, full-width letters) and curly
    quotes and dashes in their plain form."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)


def unescape_punctuation(text: str) -> str:
    r"""Text with backslash escapes of punctuation undone: ``24\/7 Wall St.`` → ``24/7 Wall St.``,
    ``\\`` → ``\``. A backslash before anything else (a letter, a space) is kept."""
    return _ESCAPED_PUNCTUATION.sub(r"\1", text) if "\\" in text else text


def normalize_text(text: str) -> str:
    """NFC, no control or invisible characters, single spaces, paragraphs separated by one
    blank line."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():  # (every invisible character is outside ASCII)
        text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", _CONTROL.sub(" ", text))
    return _BLANK_LINES.sub("\n\n", "\n".join(line.strip() for line in text.split("\n"))).strip()


def normalize_line(text: str) -> str:
    """Normalised text on one line, for titles and metadata values."""
    return " ".join(normalize_text(text).split())


def drop_placeholders(rules: CleaningRules) -> Step:
    """Remove what the drop rules match (on normalised text, one line per paragraph)."""

    def step(article: Article) -> Article:
        body = article.body
        for pattern in rules.drop:
            body = pattern.sub("", body)
        if body == article.body:
            return article
        return replace(article, body=normalize_text(body))

    return step


def move_rights(rules: CleaningRules) -> Step:
    """Move trailing copyright/rights lines out of the searchable body into ``rights``.

    The first line always stays: a one-paragraph body is never emptied.
    """

    def step(article: Article) -> Article:
        lines = article.body.rstrip().split("\n")
        moved: list[str] = []
        while len(lines) > 1 and len(moved) < _MAX_RIGHTS_LINES:
            last = lines[-1].strip()
            if not last:
                lines.pop()
            elif len(last) <= _MAX_RIGHTS_CHARS and any(p.search(last) for p in rules.rights):
                moved.insert(0, lines.pop().strip())
            else:
                break
        if not moved:
            return article
        rights = "\n".join(filter(None, [article.rights, *moved]))
        return replace(article, body="\n".join(lines), rights=rights)

    return step


def normalize_fields(article: Article) -> Article:
    """Unicode and whitespace normalisation of every text field."""
    return replace(
        article,
        title=normalize_line(article.title),
        body=normalize_text(article.body),
        source=_optional_line(article.source),
        authors=_unique_lines(article.authors),
        section=_optional_line(article.section),
        tags=_unique_lines(article.tags),
        url=_optional_line(article.url),
    )


def _optional_line(value: str | None) -> str | None:
    return normalize_line(value) or None if value else None


def _unique_lines(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        line = normalize_line(value)
        if line and line.casefold() not in seen:
            seen[line.casefold()] = line
    return list(seen.values())


class Cleaner:
    """The cleaning pipeline: steps applied in order to each article."""

    def __init__(self, rules: CleaningRules | None = None) -> None:
        rules = rules or load_rules()
        self.steps: list[Step] = [normalize_fields, drop_placeholders(rules), move_rights(rules)]

    def __call__(self, article: Article) -> Article:
        for step in self.steps:
            article = step(article)
        return article
