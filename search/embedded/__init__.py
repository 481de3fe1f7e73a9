"""The embedded engine's searching: matching, scoring, facets, snippets and stories over Whoosh."""
