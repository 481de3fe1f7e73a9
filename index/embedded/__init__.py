"""The embedded engine's storage: the Whoosh index on disk, its analysis, codec and segments."""
