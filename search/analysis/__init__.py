"""Coverage analysis: questions about coverage (how much, when, in what words, by whom), answered
from an ``Engine``'s aggregations only, so they work the same on every engine."""
