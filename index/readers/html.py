"""HTML article pages: the main text and metadata extracted by trafilatura (the ``html`` extra).

Navigation, comments and footers are left out by the extractor; what it finds becomes one record
with the same field names the other readers use, so field mapping and cleaning apply as usual.
Tables are kept as text (standings and results are what readers read), hover cards are taken out
before extraction (their text would be glued into the sentence around them), and the page's own
meta tags give the byline as written (initials keep their dots), each keyword as a tag, and the
published time with its time of day and zone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from types import ModuleType
from typing import IO, Any

from index.errors import MissingExtra
from index.readers.records import Failure, Record

INSTALL_HINT = "pip install 'byline[html]'"
# Less than a sentence is a button or a caption the extractor picked up, not an article.
MIN_TEXT_CHARS = 25
# Cards that pop up over a linked name (The Hill's "rollover" blocks, "hovercard"s): their text
# is another article's, and extractors glue it into the sentence ("Ash CarterAsh CarterHillicon").
_HOVER_CARD = re.compile(
    r"\b(?:rollover-(?:people-)?block|hover-?card|person-card|popover|tooltip-content)\b",
    re.IGNORECASE,
)
# Meta tags naming the byline, in order of preference (extractors drop initials' dots).
_AUTHOR_META = (
    "author",
    "article:author",
    "byl",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
)
_KEYWORDS_META = ("keywords", "news_keywords")
_KEYWORD_SPLIT = re.compile(r"\s*[,;]\s*")
# The published time as the page gives it: date, time of day and zone (htmldate's format).
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_DATE_PARAMETERS = {"original_date": True, "extensive_search": True, "outputformat": _DATE_FORMAT}
# What htmldate gives for a page that says only the day: no time was given, none is invented.
_DAY_ONLY = re.compile(r"^(\d{4}-\d{2}-\d{2})T00:00:00$")


def require() -> ModuleType:
    """The extractor, or ``MissingExtra`` saying how to install it."""
    try:
        import trafilatura
    except ImportError as exc:
        raise MissingExtra(f"reading HTML needs trafilatura: {INSTALL_HINT}") from exc
    # It logs every page it finds no text in; we report those ourselves.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    return trafilatura


def read_html(stream: IO[bytes], origin: str) -> Iterator[Record | Failure]:
    """One article page (``.html``/``.htm``)."""
    yield html_record(stream.read(), origin)


def html_record(page: bytes, origin: str, url: str | None = None) -> Record | Failure:
    """The article in an HTML page, or a failure when the page holds no article text.

    The extractor reads the page's own charset declaration, so bytes are passed as they are.
    """
    trafilatura = require()
    from trafilatura.utils import load_html

    try:
        tree = load_html(page)
        if tree is None:
            return Failure(origin, "cannot parse HTML: not an HTML page")
        meta = _meta_tags(tree)
        _drop_hover_cards(tree)
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params=_DATE_PARAMETERS,
        )
    except (ValueError, TypeError, LookupError) as exc:
        return Failure(origin, f"cannot parse HTML: {exc}")
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    title = (doc.title or "").strip() if doc is not None else ""
    first, _, rest = text.partition("\n")
    if title and first.strip() == title:
        text = rest.strip()  # the extractor repeats the headline as the first line
    if len(text) < MIN_TEXT_CHARS:
        return Failure(origin, "no article text found in the page")
    keywords = [meta[name] for name in _KEYWORDS_META if meta.get(name)]
    data: dict[str, Any] = {
        "title": title,
        "body": text,
        "author": next((meta[name] for name in _AUTHOR_META if _is_byline(meta.get(name))), None)
        or doc.author,
        "date": _DAY_ONLY.sub(r"\1", doc.date or ""),
        "site_name": doc.sitename,
        "url": doc.url or url,
        "category": (doc.categories or [None])[0],
        "tags": [
            tag
            for value in keywords or doc.tags or []
            for tag in _KEYWORD_SPLIT.split(value.strip())
            if tag
        ],
    }
    return Record({key: value for key, value in data.items() if value}, origin)


def _meta_tags(tree: Any) -> dict[str, str]:
    """The page's ``<meta>`` values by name or property, lower-cased; the first of each wins."""
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        name = (element.get("name") or element.get("property") or "").strip().lower()
        content = (element.get("content") or "").strip()
        if name and content:
            found.setdefault(name, content)
    return found


def _is_byline(value: str | None) -> bool:
    """A byline rather than a link to an author page (``article:author`` often holds a URL)."""
    return bool(value) and "://" not in value


def _drop_hover_cards(tree: Any) -> None:
    """Take hover cards out of the page, keeping the text that follows each."""
    cards = [
        element
        for element in tree.iter()
        if isinstance(element.tag, str) and _HOVER_CARD.search(element.get("class") or "")
    ]
    for card in cards:
        parent = card.getparent()
        if parent is None:
            continue
        if card.tail:
            previous = card.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + card.tail
            else:
                parent.text = (parent.text or "") + card.tail
        parent.remove(card)
