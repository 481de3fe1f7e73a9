"""The indexing run: inputs found and read, records prepared, batches committed."""
