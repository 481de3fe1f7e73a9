"""Input formats: each reader turns a byte stream into raw records (one module per format)."""
