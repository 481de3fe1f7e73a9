"""Looking after a cluster index: statistics, deleting articles, checking and merging it."""
