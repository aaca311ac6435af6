"""The search query language: parse what the user typed into a small tree, never into SQL.

Nothing the user types reaches FTS5 as syntax: every word becomes a quoted FTS5 string made
of the word's own letters and digits, and operators are emitted by the compiler
(`reader.search.compile`). Anything that cannot be understood raises `InvalidQuery` with a
message a user can act on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from reader.errors import InvalidQuery

MAX_QUERY_LENGTH = 1000
MAX_TERMS = 64

TextField = Literal["title", "author", "source", "thread", "note"]
TEXT_FIELDS: tuple[TextField, ...] = ("title", "author", "source", "thread", "note")
FIELD_ALIASES: dict[str, TextField] = {
    "title": "title",
    "author": "author",
    "by": "author",
    "source": "source",
    "feed": "source",
    "thread": "thread",
    "topic": "thread",
    "note": "note",
    "highlight": "note",
}
STATES = ("unread", "read", "starred", "highlighted")
State = Literal["unread", "read", "starred", "highlighted"]


@dataclass(frozen=True)
class Text:
    """A word or a quoted phrase (several tokens), optionally in one field, optionally a prefix."""

    tokens: tuple[str, ...]
    field: TextField | None = None
    prefix: bool = False
    quoted: bool = False

    @property
    def display(self) -> str:
        """The term as shown to the user and handed to the highlighter (`gov*`, `a b`)."""
        return " ".join(self.tokens) + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Is:
    state: State


@dataclass(frozen=True)
class DateBound:
    """`before:` (strictly before `epoch`) or `after:` (from `epoch` on)."""

    side: Literal["before", "after"]
    epoch: int


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Text | Is | DateBound | And | Or | Not

# -- lexing -------------------------------------------------------------------------------

_OPEN_QUOTES = '"\u201c\u201e\u00ab'
_CLOSE_QUOTES = '"\u201d\u201c\u00bb'
_FIELD = re.compile(r"([A-Za-z]+):")
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


@dataclass(frozen=True)
class _Token:
    kind: Literal["word", "phrase", "or", "and", "not", "open", "close", "field"]
    text: str = ""
    negated: bool = False


def _is_token_char(char: str) -> bool:
    """Mirrors FTS5's unicode61 tokenizer: letters, digits, private use and combining marks."""
    category = unicodedata.category(char)
    return category[0] in "LN" or category in ("Co", "Mn")


def split_tokens(text: str) -> tuple[str, ...]:
    """The tokens FTS5 would index for `text`, lower-cased (diacritics are kept here)."""
    tokens: list[str] = []
    current: list[str] = []
    for char in text:
        if _is_token_char(char):
            current.append(char)
        elif current:
            tokens.append("".join(current).lower())
            current = []
    if current:
        tokens.append("".join(current).lower())
    return tuple(tokens)


def _clean(query: str) -> str:
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidQuery(f"query too long (at most {MAX_QUERY_LENGTH} characters)")
    # Control and format characters (NUL, zero-width joiners...) are never meant: spaces.
    return "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in query)


def _lex(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    length = len(query)
    while position < length:
        char = query[position]
        if char.isspace():
            position += 1
            continue
        if char == "(":
            tokens.append(_Token("open"))
            position += 1
            continue
        if char == ")":
            tokens.append(_Token("close"))
            position += 1
            continue
        if char == "-" and position + 1 < length and not query[position + 1].isspace():
            # A minus that starts a word excludes it; "covid-19" keeps its hyphen (below).
            tokens.append(_Token("not"))
            position += 1
            continue
        if char in _OPEN_QUOTES:
            end = _closing_quote(query, position + 1)
            tokens.append(_Token("phrase", query[position + 1 : end]))
            position = end + 1
            continue
        field = _FIELD.match(query, position)
        if field and not query.startswith("//", field.end()):
            tokens.append(_Token("field", field.group(1).lower()))
            position = field.end()
            continue
        end = position
        while end < length and not query[end].isspace() and query[end] not in "()" + _OPEN_QUOTES:
            end += 1
        word = query[position:end]
        position = end
        if word == "OR" or word == "|":
            tokens.append(_Token("or"))
        elif word == "AND" or word == "&":
            tokens.append(_Token("and"))
        elif word == "NOT":
            tokens.append(_Token("not"))
        else:
            tokens.append(_Token("word", word))
    return tokens


def _closing_quote(query: str, start: int) -> int:
    for index in range(start, len(query)):
        if query[index] in _CLOSE_QUOTES:
            return index
    raise InvalidQuery('unbalanced quote: a phrase started with " has no closing "')


# -- parsing ------------------------------------------------------------------------------


class _Parser:
    """Recursive descent: query := or; or := and ('OR' and)*; and := unary+; unary := '-' unary."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.position = 0
        self.terms = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self) -> Node | None:
        node = self.parse_or()
        if self.peek() is not None:
            raise InvalidQuery("unbalanced parenthesis: ')' without '('")
        return node

    def parse_or(self) -> Node | None:
        options: list[Node | None] = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            options.append(self.parse_and())
        if len(options) == 1:
            return options[0]
        if any(option is None for option in options):
            raise InvalidQuery(
                "'OR' needs something to search for on each side, e.g. truce OR ceasefire"
            )
        present = [option for option in options if option is not None]
        return Or(tuple(present))

    def parse_and(self) -> Node | None:
        items: list[Node] = []
        while (token := self.peek()) is not None and token.kind not in ("or", "close"):
            if token.kind == "and":
                self.take()
                continue
            item = self.parse_unary()
            if item is not None:
                items.append(item)
        if not items:
            return None
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_unary(self) -> Node | None:
        token = self.peek()
        if token is not None and token.kind == "not":
            self.take()
            following = self.peek()
            if following is None or following.kind in ("or", "close", "and"):
                return None  # a lone '-' or 'NOT' is punctuation, not an operator
            item = self.parse_unary()
            if item is None:
                return None
            return item.item if isinstance(item, Not) else Not(item)
        return self.parse_primary(None)

    def parse_primary(self, field: TextField | None) -> Node | None:
        token = self.take()
        if token.kind == "open":
            inner = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != "close":
                raise InvalidQuery("unbalanced parenthesis: '(' without ')'")
            self.take()
            if inner is not None and field is not None:
                inner = _with_field(inner, field)
            return inner
        if token.kind == "close":
            raise InvalidQuery("unbalanced parenthesis: ')' without '('")
        if token.kind == "field":
            return self.parse_field(token.text)
        if token.kind in ("word", "phrase"):
            return self.text(token, field)
        return None

    def parse_field(self, name: str) -> Node | None:
        following = self.peek()
        if following is None or following.kind not in ("word", "phrase", "open"):
            raise InvalidQuery(f"'{name}:' needs something after it, e.g. {_example(name)}")
        if name in ("is", "before", "after"):
            if following.kind != "word":
                raise InvalidQuery(f"'{name}:' needs a value, e.g. {_example(name)}")
            value = self.take().text
            return _filter(name, value)
        field = FIELD_ALIASES.get(name)
        if field is None:
            known = ", ".join(TEXT_FIELDS)
            raise InvalidQuery(
                f"unknown field '{name}:' (known: {known}; filters: is, before, after)"
            )
        return self.parse_primary(field)

    def text(self, token: _Token, field: TextField | None) -> Text | None:
        raw = token.text
        prefix = token.kind == "word" and raw.endswith("*")
        tokens = split_tokens(raw)
        if not tokens:
            return None  # punctuation, '*' alone, emoji: nothing FTS5 could match
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise InvalidQuery(f"query too long (at most {MAX_TERMS} words)")
        if prefix and len(tokens[-1]) < 2:
            raise InvalidQuery(f"a prefix needs at least two letters before '*' ('{raw}')")
        return Text(tokens, field, prefix, token.kind == "phrase")


def _example(name: str) -> str:
    return {
        "is": "is:unread",
        "before": "before:2025-03-01",
        "after": "after:2025-03",
    }.get(name, f"{name}:ceasefire")


def _with_field(node: Node, field: TextField) -> Node:
    if isinstance(node, Text):
        return Text(node.tokens, node.field or field, node.prefix, node.quoted)
    if isinstance(node, And):
        return And(tuple(_with_field(item, field) for item in node.items))
    if isinstance(node, Or):
        return Or(tuple(_with_field(item, field) for item in node.items))
    if isinstance(node, Not):
        return Not(_with_field(node.item, field))
    raise InvalidQuery(f"'{field}:(...)' can only hold words, not filters")


def _filter(name: str, value: str) -> Node:
    if name == "is":
        state = value.lower()
        if state not in STATES:
            known = ", ".join(f"is:{s}" for s in STATES)
            raise InvalidQuery(f"unknown filter 'is:{value}' (known: {known})")
        return Is(state)  # type: ignore[arg-type]
    side: Literal["before", "after"] = "before" if name == "before" else "after"
    return DateBound(side, parse_date(value, name))


def parse_date(value: str, name: str = "after") -> int:
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD` (local time) as the epoch of its first second."""
    match = _DATE.fullmatch(value.replace("/", "-"))
    if match is None:
        raise InvalidQuery(f"'{name}:{value}' is not a date; use YYYY-MM-DD, YYYY-MM or YYYY")
    year = int(match.group(1))
    month = int(match.group(2) or 1)
    day = int(match.group(3) or 1)
    try:
        start = datetime(year, month, day)
    except ValueError:
        raise InvalidQuery(f"'{name}:{value}' is not a real date") from None
    return int(start.astimezone().timestamp())


def parse_query(query: str) -> Node:
    """Parse `query` into a tree, or raise InvalidQuery saying what is wrong."""
    node = _Parser(_lex(_clean(query))).parse()
    if node is None:
        raise InvalidQuery('nothing to search for: type a word, a "phrase" or a filter')
    return node
