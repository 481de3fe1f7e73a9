"""Words a natural-language query leaves out when it has others ("the", "of", "what"): they add
little to a ranking, and every engine reads questions the same way. (Whoosh's English stop words;
the embedded index also counts field lengths without them, ``index/embedded/analysis.py``.)"""

COMMON_WORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "have", "if",
        "in", "is", "it", "may", "not", "of", "on", "or", "tbd", "that", "the", "this", "to",
        "us", "we", "when", "will", "with", "yet", "you", "your",
    }
)  # fmt: skip
