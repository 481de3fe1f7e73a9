"""The cluster index's template: a closed mapping, versioned, with analysis that reads words as
the embedded index does (every word kept, lower-cased, accents folded, British spellings as
American, Snowball English stems), keyword fields for facets, a real date and the story key.

Differences that remain (README, Clusters): a joined word ("AT&T") is its parts only, capital
forms ("US" against "us") are not kept apart, and "-ise" spellings outside the spelling list are
not respelled.
"""

from __future__ import annotations

from typing import Any

from breame.data.spelling_constants import BRITISH_ENGLISH_SPELLINGS

from index.article_fields import FACET_FIELDS

# Bump when the mapping or analysis changes in a way an older index cannot serve.
TEMPLATE_VERSION = 1
META_KEY = "byline_template"
PROSE_ANALYZER = "byline_prose"
FOLDED_NORMALIZER = "byline_folded"
# A facet field's sub-field that filters match against, case and accents folded; the field itself
# keeps each value as published, for facet counts.
FOLDED = "folded"
DEFAULT_SHARDS = 1
DEFAULT_REPLICAS = 0


def _spelling_rules() -> list[str]:
    return [
        f"{british} => {american}"
        for british, american in sorted(BRITISH_ENGLISH_SPELLINGS.items())
        if " " not in british and " " not in american and "," not in british + american
    ]


def analysis_settings() -> dict[str, Any]:
    return {
        "filter": {
            "byline_spelling": {"type": "synonym", "synonyms": _spelling_rules()},
            "byline_stemmer": {"type": "snowball", "language": "English"},
        },
        "analyzer": {
            PROSE_ANALYZER: {
                "type": "custom",
                "tokenizer": "standard",
                "filter": [
                    "cjk_width",
                    "lowercase",
                    "asciifolding",
                    "cjk_bigram",
                    "byline_spelling",
                    "byline_stemmer",
                ],
            }
        },
        "normalizer": {
            FOLDED_NORMALIZER: {"type": "custom", "filter": ["lowercase", "asciifolding"]}
        },
    }


def _facet() -> dict[str, Any]:
    return {
        "type": "keyword",
        "fields": {FOLDED: {"type": "keyword", "normalizer": FOLDED_NORMALIZER}},
    }


def mappings() -> dict[str, Any]:
    """Every field an article has in the cluster; any other is refused (``dynamic: strict``)."""
    stored_only = {"type": "keyword", "index": False, "doc_values": False}
    properties: dict[str, Any] = {
        "id": {"type": "keyword"},
        "title": {"type": "text", "analyzer": PROSE_ANALYZER, "index_options": "offsets"},
        "body": {"type": "text", "analyzer": PROSE_ANALYZER, "index_options": "offsets"},
        "url": stored_only,
        # The URL, its host and the host's parent domains (``url:site.com`` finds the site).
        "url_terms": {"type": "keyword"},
        "published": {"type": "date"},
        "story": {"type": "keyword"},
        "rights": stored_only,
        "origin": stored_only,
        "extra": {"type": "object", "enabled": False},
    }
    properties.update({field: _facet() for field in FACET_FIELDS.values()})
    return {"dynamic": "strict", "_meta": {META_KEY: TEMPLATE_VERSION}, "properties": properties}


def index_body(shards: int = DEFAULT_SHARDS, replicas: int = DEFAULT_REPLICAS) -> dict[str, Any]:
    """What creates a Byline index on a cluster: settings (shards, replicas, analysis) and the
    mapping."""
    return {
        "settings": {
            "index": {"number_of_shards": shards, "number_of_replicas": replicas},
            "analysis": analysis_settings(),
        },
        "mappings": mappings(),
    }


# The companion index holding each article's fingerprint for story grouping
# (``index/opensearch/stories.py``): ``news`` has ``news-stories``.
STORIES_SUFFIX = "-stories"


def stories_index(index: str) -> str:
    return index + STORIES_SUFFIX


def stories_body(replicas: int = DEFAULT_REPLICAS) -> dict[str, Any]:
    """What creates an index's story table: one row per article (its id the article's), with
    the hash of its text, its story, its MinHash signature and band keys, and when it was
    judged (``seq``: the newest candidates of a band are compared)."""
    not_searched = {"type": "keyword", "index": False, "doc_values": False}
    return {
        "settings": {"index": {"number_of_shards": 1, "number_of_replicas": replicas}},
        "mappings": {
            "dynamic": "strict",
            "_meta": {META_KEY: TEMPLATE_VERSION},
            "properties": {
                "body_hash": {"type": "keyword"},
                "story": not_searched,
                "signature": {"type": "binary"},
                "bands": {"type": "keyword"},
                "seq": {"type": "long"},
            },
        },
    }
