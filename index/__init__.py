"""Byline ingestion: reading news articles from files, cleaning them, and writing the index."""
