"""Article text is untrusted: what every human-facing front end (terminal, web page) does to it
before showing it, so control and bidi-override characters cannot disguise what is shown."""

from __future__ import annotations

import re

_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe(text: str | None) -> str:
    """Text with control and bidi-override characters made visible and harmless."""
    return _UNPRINTABLE.sub("\ufffd", text or "")
