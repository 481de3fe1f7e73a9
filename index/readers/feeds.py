"""RSS and Atom feeds (feedparser): each entry an article, its full content else its summary.

Entry content is HTML; it becomes plain text here, paragraphs kept. The feed's own title stands in
as the source of entries that name none.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import IO, Any

import feedparser

from index.readers.records import Failure, Record

# Tags after which text starts a new paragraph.
_BLOCKS = frozenset(
    {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr"}
    | {"table", "ul", "ol", "section", "article", "figure"}
)
_INVISIBLE = frozenset({"script", "style", "template", "noscript"})


def read_feed(stream: IO[bytes], origin: str) -> Iterator[Record | Failure]:
    """Every entry of an RSS or Atom feed; a feed that cannot be parsed at all is one failure."""
    feed = feedparser.parse(stream.read())
    if not feed.entries:
        problem = feed.get("bozo_exception")
        reason = f"not a readable feed: {problem}" if problem else "feed has no entries"
        yield Failure(origin, reason)
        return
    feed_title = feed.feed.get("title")
    for number, entry in enumerate(feed.entries, 1):
        yield Record(_entry_fields(entry, feed_title), f"{origin}:entry {number}")


def _entry_fields(entry: Any, feed_title: str | None) -> dict[str, Any]:
    contents = [part.get("value", "") for part in entry.get("content", [])]
    body = html_to_text("\n".join(contents) or entry.get("summary", ""))
    source = (entry.get("source") or {}).get("title") or feed_title
    data = {
        "id": entry.get("id"),
        "title": html_to_text(entry.get("title", "")),
        "body": body,
        "source": source,
        "authors": _authors(entry),
        "published": entry.get("published") or entry.get("updated"),
        "url": entry.get("link"),
        "tags": [tag["term"] for tag in entry.get("tags", []) if tag.get("term")],
    }
    return {key: value for key, value in data.items() if value}


def _authors(entry: Any) -> Any:
    """The entry's byline. RSS writes ``desk@valley.media (Sam Ortiz)``, which feedparser splits
    wrongly (name "a (Sam Ortiz"): such a byline is passed on whole, for the author reader."""
    byline = entry.get("author")
    if byline and "@" in byline:
        return byline
    return [a["name"] for a in entry.get("authors", []) if a.get("name")] or byline


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _INVISIBLE:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, block elements as paragraph breaks."""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    return "".join(collector.parts).strip()
