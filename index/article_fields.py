"""The article's fields as every engine sees them: which are searched, which are facets, the
names users may give them in queries, and how much a title counts. Engines build their own
schema from these (``index/embedded/schema.py`` for the embedded index)."""

# How much a word in the title counts against the same word in the body (BM25F field weight).
TITLE_BOOST = 1.5
# Facet name (as users say it) -> schema field.
FACET_FIELDS = {
    "source": "source",
    "author": "authors",
    "section": "section",
    "tag": "tags",
    "domain": "domain",  # the site: the registrable domain of the URL (index/enrich/domains.py)
}
# Query-language aliases users reach for: author:smith, tag:politics, date:2015.
FIELD_ALIASES = {"author": "authors", "tag": "tags", "date": "published", "headline": "title"}
SEARCHABLE_FIELDS = (
    "title",
    "body",
    "source",
    "authors",
    "section",
    "tags",
    "url",  # url:chicagotribune.com finds the site's articles (its host and parent domains)
    "domain",
    "id",
    "published",
)
# Kept with each article and shown, never searched: where it was read, and the record's fields
# that map to no article field.
STORED_FIELDS = ("rights", "origin", "extra")
