"""Byline's query language read into an engine-blind tree: words, phrases, prefixes, wildcards,
fuzzy words, fields, date ranges and boolean groups, each a small frozen dataclass that an engine
translates into its own queries (``search/opensearch/translate.py``).

The syntax is the one the embedded engine reads with Whoosh (``search/embedded/parsing.py``): this
parser follows the same steps (text tagged into tokens, then fields, wildcards, boosts and
operators applied in Whoosh's order), so the same text means the same query on either engine,
down to its leniencies (an unbalanced bracket is ignored, ``-word`` and ``+word`` are the word,
an operator with nothing on one side is dropped or read as a word).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from index.article_fields import FIELD_ALIASES, SEARCHABLE_FIELDS
from index.common_words import COMMON_WORDS
from index.enrich.dates import parse_bound
from index.errors import InvalidDate, QuerySyntaxError
from search.query import MAX_EDITS, is_natural_language, plain_words

# --- The tree -----------------------------------------------------------------------------------
# A leaf's ``field`` is a schema field (aliases resolved), or None for the default fields (title
# and body, ``search.query.DEFAULT_FIELDS``). Texts are as typed: each engine analyzes them.


@dataclass(frozen=True, slots=True)
class Word:
    """A word (or a single-quoted run of words, which prose fields read as a phrase)."""

    text: str
    field: str | None = None
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words in a row; ``slop`` is how far apart they may be (``"a b"~2``; 1 is in a row)."""

    text: str
    field: str | None = None
    slop: int = 1
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Prefix:
    """Words that start with ``text`` (``syr*``)."""

    text: str
    field: str | None = None
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Wildcard:
    """Words that fit ``pattern``: ``*`` any run of characters, ``?`` one character."""

    pattern: str
    field: str | None = None
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Fuzzy:
    """Words within ``max_edits`` edits of ``text`` whose first ``prefix_length`` characters
    are the same (``word~``, ``word~2``, ``word~1/3``)."""

    text: str
    field: str | None = None
    max_edits: int = 1
    prefix_length: int = 0
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class TermRange:
    """Values between two texts (``title:[a TO c]``, ``source:>m``); None is open."""

    field: str | None
    start: str | None
    end: str | None
    start_excluded: bool = False
    end_excluded: bool = False
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class DateRange:
    """Articles published between two instants (naive UTC, both included; None is open)."""

    start: datetime | None
    end: datetime | None


@dataclass(frozen=True, slots=True)
class Every:
    """Every article (``*``, ``*:*``), or with ``field`` every article with a value there."""

    field: str | None = None


@dataclass(frozen=True, slots=True)
class Nothing:
    """No article: what a query of words without letters or digits asks for."""


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Not:
    """Articles that do not match ``part``."""

    part: Node


@dataclass(frozen=True, slots=True)
class AndNot:
    """``positive`` without ``negative`` (``a ANDNOT b``)."""

    positive: Node
    negative: Node


@dataclass(frozen=True, slots=True)
class AndMaybe:
    """``required``, ranked higher where ``optional`` matches too (``a ANDMAYBE b``)."""

    required: Node
    optional: Node


@dataclass(frozen=True, slots=True)
class Require:
    """Both must match; only ``scored`` counts for the ranking (``a REQUIRE b``)."""

    scored: Node
    required: Node


Leaf = Word | Phrase | Prefix | Wildcard | Fuzzy | TermRange
Node = Leaf | DateRange | Every | Nothing | And | Or | Not | AndNot | AndMaybe | Require

PROSE_FIELDS = (None, "title", "body")
_CONTENT = re.compile(r"[^\W_]")  # a letter or a digit: what makes prose analysis keep a word


def parse(text: str, match_any: bool = False, plain: bool = False) -> Node:
    """The query tree for ``text``; empty text (or ``*``) is every article.

    Words are all required unless ``match_any``. ``plain`` reads the text as words only. A
    question (``search.query.is_natural_language``) matches any of its words and leaves out its
    common words, unless it has no others.
    """
    if plain:
        text = plain_words(text)
    if not text.strip() or text.strip() == "*":
        return Every()
    question = is_natural_language(text)
    parser = _Parser(match_any or question)
    tree = _build(parser.parse(text)) or Nothing()
    return without_common_words(tree) if question else tree


def without_common_words(tree: Node) -> Node:
    """A question's words that say what it is about: its common words left out, unless it has
    no other (as ``search/embedded/parsing.py`` does)."""
    if not isinstance(tree, Or):
        return tree
    kept = tuple(part for part in tree.parts if not _common(part))
    if not kept or len(kept) == len(tree.parts):
        return tree
    return Or(kept, tree.boost) if len(kept) > 1 else kept[0]


def _common(node: Node) -> bool:
    return (
        isinstance(node, Word) and node.field in PROSE_FIELDS and node.text.lower() in COMMON_WORDS
    )


def leaves(tree: Node) -> list[Node]:
    """The tree's leaves, left to right."""
    if isinstance(tree, And | Or):
        return [leaf for part in tree.parts for leaf in leaves(part)]
    if isinstance(tree, Not):
        return leaves(tree.part)
    if isinstance(tree, AndNot):
        return leaves(tree.positive) + leaves(tree.negative)
    if isinstance(tree, AndMaybe):
        return leaves(tree.required) + leaves(tree.optional)
    if isinstance(tree, Require):
        return leaves(tree.scored) + leaves(tree.required)
    return [tree]


# --- Reading the text ---------------------------------------------------------------------------
# Whoosh's way: the text is cut into tokens by taggers tried in turn at each position (text no
# tagger takes becomes words), then filters rearrange the tokens in a fixed order.


@dataclass(eq=False)
class _Token:
    # word phrase wildcard prefix fuzzy range every; markers: ws open close op boost fieldname
    # gtlt tilde
    kind: str
    text: str = ""
    original: str = ""
    field: str | None = None
    boost: float = 1.0
    slop: int = 1
    max_edits: int = 1
    prefix_length: int = 0
    start: str | None = None
    end: str | None = None
    start_excluded: bool = False
    end_excluded: bool = False

    @property
    def is_text(self) -> bool:
        return self.kind in ("word", "phrase", "wildcard", "prefix", "fuzzy")

    @property
    def fieldable(self) -> bool:
        return self.is_text or self.kind == "range"


@dataclass(eq=False)
class _Group:
    kind: str  # and or not andnot andmaybe require
    nodes: list[_Token | _Group] = field(default_factory=list)
    boost: float = 1.0
    fieldable = True


_Item = _Token | _Group

_OPERATORS = (  # (group kind, pattern, infix): the order Whoosh applies them in
    ("not", r"(^|(?<=(\s|[()])))NOT(?=\s)", False),
    ("and", r"(?<=\s)AND(?=\s)", True),
    ("or", r"(?<=\s)OR(?=\s)", True),
    ("andnot", r"(?<=\s)ANDNOT(?=\s)", True),
    ("andmaybe", r"(?<=\s)ANDMAYBE(?=\s)", True),
    ("require", r"(^|(?<=\s))REQUIRE(?=\s)", True),
)
_MERGING = ("and", "or")
_QMARKS = "?\u055e\u061f\u1367"
_RANGE = re.compile(
    r"""(?P<open>\{|\[)(?P<start>('[^']*?'\s+)|([^\]}]+?(?=[Tt][Oo])))?[Tt][Oo]
    (?P<end>(\s+'[^']*?')|([^\]}]+?))?(?P<close>}|])""",
    re.VERBOSE,
)


def _boost(match: re.Match[str]) -> _Token:
    try:
        return _Token("boost", original=match[0], boost=float(match["boost"]))
    except ValueError:  # "^" alone
        return _Token("word", text=match[0], original=match[0])


def _range(match: re.Match[str]) -> _Token:
    start, end = match["start"], match["end"]
    if start:
        start = start.rstrip()
        start = start[1:-1] if start.startswith("'") and start.endswith("'") else start
    if end:
        end = end.lstrip()
        end = end[1:-1] if end.startswith("'") and end.endswith("'") else end
    return _Token(
        "range",
        original=match[0],
        start=start or None,
        end=end or None,
        start_excluded=match["open"] == "{",
        end_excluded=match["close"] == "}",
    )


def _tilde(match: re.Match[str]) -> _Token:
    return _Token(
        "tilde",
        original=match[0],
        max_edits=int(match["edits"]) if match["edits"] else 1,
        prefix_length=int(match["prefix"]) if match["prefix"] else 0,
    )


_Tagger = tuple[re.Pattern[str], Callable[[re.Match[str]], _Token]]


def _op(kind: str) -> Callable[[re.Match[str]], _Token]:
    return lambda match: _Token("op", text=kind, original=match[0])


def _taggers() -> list[_Tagger]:
    """Whoosh's taggers for the embedded engine's parser, in the order it tries them."""
    ops = {kind: re.compile(pattern) for kind, pattern, _ in _OPERATORS}
    return [
        (ops["andnot"], _op("andnot")),
        (ops["andmaybe"], _op("andmaybe")),
        (re.compile(r"[*]:[*]"), lambda m: _Token("every", original=m[0])),
        (
            re.compile(r"(^|(?<=\W))'(?P<text>.*?)'(?=\s|\]|[)}]|$)"),
            lambda m: _Token("word", text=m["text"], original=m[0]),
        ),
        (
            re.compile(f"(?P<text>[*{_QMARKS}])"),
            lambda m: _Token("wildcard", text=m["text"], original=m[0]),
        ),
        (
            re.compile(r'"(?P<text>.*?)"(~(?P<slop>[1-9][0-9]*))?'),
            lambda m: _Token("phrase", text=m["text"], original=m[0], slop=int(m["slop"] or 1)),
        ),
        (re.compile(r"[(]"), lambda m: _Token("open", original=m[0])),
        (re.compile(r"[)]"), lambda m: _Token("close", original=m[0])),
        (ops["not"], _op("not")),
        (ops["and"], _op("and")),
        (ops["or"], _op("or")),
        (ops["require"], _op("require")),
        (re.compile(r"\^(?P<boost>[0-9]*(\.[0-9]+)?)($|(?=[ \t\r\n)]))"), _boost),
        (
            re.compile(r"(?P<text>\w+|[*]):"),
            lambda m: _Token("fieldname", text=m["text"], original=m[0]),
        ),
        (
            re.compile(r"(?P<rel>(<=|>=|<|>|=<|=>))"),
            lambda m: _Token("gtlt", text=m["rel"], original=m[0]),
        ),
        (re.compile(r"(?<=\S)~(?P<edits>[0-9])?(/(?P<prefix>[1-9][0-9]*))?"), _tilde),
        (_RANGE, _range),
        (re.compile(r"\s+"), lambda m: _Token("ws", original=m[0])),
    ]


_TAGGERS = _taggers()


def _word(text: str) -> _Token:
    return _Token("word", text=text, original=text)


def _to_word(token: _Token) -> _Token:
    return _word(token.original)


class _Parser:
    def __init__(self, match_any: bool) -> None:
        self.default = "or" if match_any else "and"

    def parse(self, text: str) -> _Group:
        group = self._groups(self._tag(text))
        for step in (
            self._clean_boosts,
            self._fuzzy,
            self._wildcards,
            self._aliases,
            self._gtlt,
            self._fieldnames,
            self._whitespace,
            self._boosts,
            self._operators,
        ):
            group = step(group)
        return group

    def _tag(self, text: str) -> list[_Token]:
        tokens: list[_Token] = []
        position = previous = 0
        while position < len(text):
            for pattern, create in _TAGGERS:
                match = pattern.match(text, position)
                if match and match.end() > position:
                    if previous < position:
                        tokens.append(_word(text[previous:position]))
                    tokens.append(create(match))
                    position = previous = match.end()
                    break
            else:
                position += 1
        if previous < len(text):
            tokens.append(_word(text[previous:]))
        return tokens

    def _groups(self, tokens: list[_Token]) -> _Group:
        """Brackets made groups; an unmatched one is ignored."""
        stack = [_Group(self.default)]
        for token in tokens:
            if token.kind == "open":
                stack.append(_Group(self.default))
            elif token.kind == "close":
                if len(stack) > 1:
                    last = stack.pop()
                    stack[-1].nodes.append(last)
            else:
                stack[-1].nodes.append(token)
        top = stack[0]
        for unclosed in stack[1:]:
            top.nodes.extend(unclosed.nodes)
        if len(top.nodes) == 1 and isinstance(top.nodes[0], _Group):
            top.nodes[0].boost = top.boost
            top = top.nodes[0]
        return top

    def _clean_boosts(self, group: _Group) -> _Group:
        nodes = group.nodes
        for i, node in enumerate(nodes):
            if _is(node, "boost") and (not i or not _boostable(nodes[i - 1])):
                nodes[i] = _to_word(node)  # type: ignore[arg-type]
        return group

    def _fuzzy(self, group: _Group) -> _Group:
        nodes: list[_Item] = []
        i = 0
        while i < len(group.nodes):
            node = group.nodes[i]
            if (
                i < len(group.nodes) - 1
                and _is(node, "word")
                and _is(following := group.nodes[i + 1], "tilde")
            ):
                assert isinstance(node, _Token) and isinstance(following, _Token)
                node.kind = "fuzzy"
                node.max_edits, node.prefix_length = following.max_edits, following.prefix_length
                i += 1
            elif _is(node, "tilde"):
                assert isinstance(node, _Token)
                node = _to_word(node)
            elif isinstance(node, _Group):
                node = self._fuzzy(node)
            nodes.append(node)
            i += 1
        group.nodes = nodes
        return group

    def _wildcards(self, group: _Group) -> _Group:
        nodes = group.nodes
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if _is(node, "wildcard"):
                assert isinstance(node, _Token)
                if i < len(nodes) - 1 and _text(nodes[i + 1]):
                    node.text += nodes.pop(i + 1).text  # type: ignore[union-attr]
                if i > 0 and _text(nodes[i - 1]):
                    node.text = nodes.pop(i - 1).text + node.text  # type: ignore[union-attr]
                else:
                    i += 1
            else:
                if isinstance(node, _Group):
                    self._wildcards(node)
                i += 1
        for node in nodes:
            if _is(node, "wildcard"):
                assert isinstance(node, _Token)
                text = node.text
                plain = len(text) > 1 and not any(q in text for q in _QMARKS)
                if plain and text.find("*") == len(text) - 1:
                    node.kind, node.text = "prefix", text[:-1]
        return group

    def _aliases(self, group: _Group) -> _Group:
        for node in group.nodes:
            if isinstance(node, _Group):
                self._aliases(node)
            elif node.kind == "fieldname":
                node.text = FIELD_ALIASES.get(node.text, node.text)
        return group

    def _gtlt(self, group: _Group) -> _Group:
        """``field:>value`` and kin made ranges (at the top level only, as Whoosh does)."""
        nodes: list[_Item] = []
        i = 0
        while i < len(group.nodes):
            node = group.nodes[i]
            if _is(node, "gtlt"):
                assert isinstance(node, _Token)
                if i < len(group.nodes) - 1:
                    following = group.nodes[i + 1]
                    if nodes and _is(nodes[-1], "fieldname") and _text(following):
                        nodes.append(_compared(node.text, following.text))  # type: ignore[union-attr]
                        i += 1
            else:
                nodes.append(node)
            i += 1
        group.nodes = nodes
        return group

    def _fieldnames(self, group: _Group) -> _Group:
        nodes = group.nodes
        for node in nodes:
            if _is(node, "fieldname") and node.text not in SEARCHABLE_FIELDS:  # type: ignore[union-attr]
                known = ", ".join(sorted({*SEARCHABLE_FIELDS, *FIELD_ALIASES}))
                raise QuerySyntaxError(
                    f"unknown field {node.text!r} in query (fields: {known}); "  # type: ignore[union-attr]
                    "put the text in quotes to search for it as words"
                )
        result: list[_Item] = []
        i = len(nodes)
        while i > 0:
            i -= 1
            node = nodes[i]
            if _is(node, "fieldname"):
                assert isinstance(node, _Token)
                node = _to_word(node)
            elif isinstance(node, _Group):
                node = self._fieldnames(node)
            if i > 0 and not _is(node, "ws") and _is(nodes[i - 1], "fieldname"):
                _set_field(node, nodes[i - 1].text)  # type: ignore[union-attr]
                i -= 1
            result.append(node)
        result.reverse()
        group.nodes = result
        return group

    def _whitespace(self, group: _Group) -> _Group:
        group.nodes = [
            self._whitespace(node) if isinstance(node, _Group) else node
            for node in group.nodes
            if not _is(node, "ws")
        ]
        return group

    def _boosts(self, group: _Group) -> _Group:
        nodes: list[_Item] = []
        for node in group.nodes:
            if isinstance(node, _Group):
                node = self._boosts(node)
            elif node.kind == "boost":
                if nodes and _boostable(nodes[-1]):
                    nodes[-1].boost = node.boost
                    continue
                node = _to_word(node)
            nodes.append(node)
        group.nodes = nodes
        return group

    def _operators(self, group: _Group) -> _Group:
        nodes = group.nodes
        for kind, _, infix in _OPERATORS:
            i = 0
            while i < len(nodes):
                node = nodes[i]
                if not (_is(node, "op") and node.text == kind):  # type: ignore[union-attr]
                    i += 1
                elif not infix:
                    length = len(nodes)
                    del nodes[i]
                    if i < length - 1:
                        nodes[i] = _Group(kind, [nodes[i]])
                    i += 1
                elif 0 < i < len(nodes) - 1:
                    left, right = nodes[i - 1], nodes[i + 1]
                    if kind in _MERGING and isinstance(left, _Group) and left.kind == kind:
                        left.nodes.append(right)
                        del nodes[i : i + 2]
                    else:
                        nodes[i - 1 : i + 2] = [_Group(kind, [left, right])]
                else:
                    del nodes[i]
        for i, node in enumerate(nodes):
            if isinstance(node, _Group):
                nodes[i] = self._operators(node)
        return group


def _is(node: _Item, kind: str) -> bool:
    return isinstance(node, _Token) and node.kind == kind


def _text(node: _Item) -> bool:
    return isinstance(node, _Token) and node.is_text


def _boostable(node: _Item) -> bool:
    return isinstance(node, _Group) or node.is_text  # (not a range: "[a TO b]^2" is 2 a word)


def _set_field(node: _Item, name: str) -> None:
    """A field for a leaf, or for every leaf in a group, unless it has one."""
    if isinstance(node, _Group):
        for child in node.nodes:
            _set_field(child, name)
    elif node.fieldable and node.field is None:
        node.field = name


def _compared(rel: str, text: str) -> _Token:
    start, end = (None, text) if "<" in rel else (text, None)
    return _Token(
        "range",
        original=rel + text,
        start=start,
        end=end,
        start_excluded=rel == ">",
        end_excluded=rel == "<",
    )


# --- From tokens to the tree --------------------------------------------------------------------

_TICK = timedelta(microseconds=1)


def _build(item: _Item) -> Node | None:
    """The tree for a token or group; None for what matches nothing and so drops out (a word
    without letters or digits, an empty group), as Whoosh normalizes its queries."""
    if isinstance(item, _Group):
        return _build_group(item)
    if item.field == "published" and item.fieldable:
        return _date_range(item)
    return _leaf(item)


def _build_group(group: _Group) -> Node | None:
    built = [_build(node) for node in group.nodes]
    parts = [part for part in built if part is not None]
    if group.kind in ("and", "or"):
        parts = _flattened(parts, And if group.kind == "and" else Or)
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return (And if group.kind == "and" else Or)(tuple(parts), group.boost)
    if group.kind == "not":
        return Not(parts[0]) if parts else None
    if len(built) != 2:
        return parts[0] if parts else None
    first, second = built
    if first is None:
        return None
    if second is None:
        return first
    if group.kind == "andnot":
        return AndNot(first, second)
    if group.kind == "andmaybe":
        return AndMaybe(first, second)
    return Require(first, second)


def _flattened(parts: list[Node], kind: type[And] | type[Or]) -> list[Node]:
    flat: list[Node] = []
    for part in parts:
        if isinstance(part, kind) and part.boost == 1.0:
            flat.extend(part.parts)
        else:
            flat.append(part)
    return flat


def _leaf(token: _Token) -> Node | None:
    kind, text, name, boost = token.kind, token.text, token.field, token.boost
    if kind in ("word", "phrase") and name in PROSE_FIELDS and not _CONTENT.search(text):
        return None  # nothing prose analysis keeps
    if kind == "every":
        return Every()
    if kind == "word":
        return Word(text, name, boost)
    if kind == "phrase":
        return Phrase(text, name, token.slop, boost)
    if kind == "prefix":
        return Prefix(text, name, boost)
    if kind == "wildcard":
        return Every(name) if text == "*" else Wildcard(text, name, boost)
    if kind == "fuzzy":
        _check_fuzzy(text, token.max_edits, token.prefix_length)
        return Fuzzy(text, name, token.max_edits, token.prefix_length, boost)
    if kind == "range":
        if not (token.start or token.end):
            return None  # ("[ TO ]" bounds nothing)
        return TermRange(
            name, token.start, token.end, token.start_excluded, token.end_excluded, boost
        )
    # Whoosh reads a comparison only at the top level, and fails on one inside brackets.
    raise QuerySyntaxError(
        f"{token.original!r} compares a field's value only outside brackets (published:>2015)"
    )


def _date_range(token: _Token) -> DateRange:
    if token.kind == "range":
        return published_between(token.start, token.end, token.start_excluded, token.end_excluded)
    return published_on(token.text)


def published_on(text: str) -> DateRange:
    """``published:2015``, ``published:2015-09``: the whole year, month or day, read as
    ``--since``/``--until`` are (the embedded parser reads them here too)."""
    try:
        return DateRange(parse_bound(text, end=False), parse_bound(text, end=True))
    except InvalidDate as exc:
        raise QuerySyntaxError(f"published: {exc}") from exc


def published_between(
    start: str | None, end: str | None, start_excluded: bool, end_excluded: bool
) -> DateRange:
    """``published:[2015-01 TO 2015-06]``, ``published:{2015 TO 2016}``, ``published:>2015``:
    an excluded bound leaves out its whole year, month or day."""
    try:
        first = last = None
        if start:
            first = parse_bound(start, end=start_excluded)
            first += _TICK if start_excluded else timedelta(0)
        if end:
            last = parse_bound(end, end=not end_excluded)
            last -= _TICK if end_excluded else timedelta(0)
        return DateRange(first, last)
    except InvalidDate as exc:
        raise QuerySyntaxError(f"published: {exc}") from exc


def _check_fuzzy(text: str, max_edits: int, prefix_length: int) -> None:
    word = text.lower()
    if max_edits > MAX_EDITS:
        raise QuerySyntaxError(f"fuzzy term {word!r} allows {max_edits} edits; at most {MAX_EDITS}")
    if prefix_length >= len(word):
        raise QuerySyntaxError(
            f"fuzzy term {word!r} keeps a prefix of {prefix_length} characters, "
            "which is the whole word"
        )
