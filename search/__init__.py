"""Byline search: parsing queries, ranking, facets, snippets, rendering, and the CLI."""
