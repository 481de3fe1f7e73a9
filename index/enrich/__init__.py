"""From raw records to clean ``Article``s: field mapping, text cleaning, dates, authors, sources."""
