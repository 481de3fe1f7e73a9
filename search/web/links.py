"""The search page's links: every state (query, filters, sort, page) lives in the URL, and each
facet value, chip and page number is a link to the state one click makes."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from search.web.params import SEARCH_PARAMETERS, VALUE_FACETS

_YEAR = re.compile(r"\d{4}")


class SearchLinks:
    """Links from one state of the search page to its neighbours."""

    def __init__(self, params: QueryParams) -> None:
        self.pairs = [(k, v) for k, v in params.multi_items() if k in SEARCH_PARAMETERS and v]

    def _href(self, pairs: list[tuple[str, str]]) -> str:
        return "/?" + urlencode(pairs) if pairs else "/"

    def _unpaged(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.pairs if k != "page"]

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]

    def query_of(self, known: tuple[str, ...]) -> str:
        """The state's parameters that an API endpoint knows, as its query string."""
        return urlencode([(k, v) for k, v in self.pairs if k in known])

    def page(self, number: int) -> str:
        return self._href([*self._unpaged(), *([("page", str(number))] if number > 1 else [])])

    def is_chosen(self, facet: str, value: str) -> bool:
        if facet == "year":
            return self.values("since") == self.values("until") == [value]
        wanted = value.casefold()
        return any(v.casefold() == wanted for v in self.values(facet))

    def toggle(self, facet: str, value: str) -> str:
        """The state with this facet value chosen, or no longer chosen (a value facet's parameter
        has its name; the year facet sets a one-year date range)."""
        if facet == "year":
            rest = [(k, v) for k, v in self._unpaged() if k not in ("since", "until")]
            chosen = self.is_chosen("year", value)
            return self._href(rest if chosen else [*rest, ("since", value), ("until", value)])
        if self.is_chosen(facet, value):
            return self.without(facet, value)
        return self._href([*self._unpaged(), (facet, value)])

    def without(self, name: str, value: str | None = None) -> str:
        """The state without one value of a filter (or all of them)."""
        return self._href(
            [
                (k, v)
                for k, v in self._unpaged()
                if not (k == name and (value is None or v.casefold() == value.casefold()))
            ]
        )

    def chips(self) -> list[tuple[str, str, str]]:
        """The chosen filters as (label, value, link that removes it)."""
        chips = [
            (name.capitalize(), value, self.without(name, value))
            for name in VALUE_FACETS
            for value in self.values(name)
        ]
        since, until = self.values("since"), self.values("until")
        if since and since == until and _YEAR.fullmatch(since[0]):
            rest = [(k, v) for k, v in self._unpaged() if k not in ("since", "until")]
            return [*chips, ("Year", since[0], self._href(rest))]
        chips += [("Since", value, self.without("since")) for value in since]
        chips += [("Until", value, self.without("until")) for value in until]
        return chips
