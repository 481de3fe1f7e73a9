"""Ranking evaluation: judged topics read, run through the engine, and scored."""
