"""The article's fields as every engine sees them: which are searched, which are facets, the
names users may give them in queries, and how much a title counts. Engines build their own
schema from these (``index/embedded/schema.py`` for the embedded index)."""

# How much a word in the title counts against the same word in the body (BM25F field weight).
TITLE_BOOST = 1.5
# Facet name (as users say it) -> schema field.
FACET_FIELDS = {"source": "source", "author": "authors", "section": "section", "tag": "tags"}
# Query-language aliases users reach for: author:smith, tag:politics, date:2015.
FIELD_ALIASES = {"author": "authors", "tag": "tags", "date": "published", "headline": "title"}
SEARCHABLE_FIELDS = (
    "title",
    "body",
    "source",
    "authors",
    "section",
    "tags",
    "url",
    "id",
    "published",
)
