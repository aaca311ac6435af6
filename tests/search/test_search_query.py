"""The query language: what parses, what it compiles to, and clear errors for hostile input."""

from __future__ import annotations

import pytest

from reader.errors import InvalidQuery
from reader.search import compile_query, parse_query
from reader.search.query import And, DateBound, Is, Not, Or, Text


def test_words_phrases_prefixes_and_fields_parse() -> None:
    node = parse_query('ceasefire "prime minister" gov* title:storm -football')
    assert isinstance(node, And)
    first, phrase, prefix, titled, excluded = node.items
    assert first == Text(("ceasefire",))
    assert phrase == Text(("prime", "minister"), quoted=True)
    assert prefix == Text(("gov",), prefix=True)
    assert titled == Text(("storm",), field="title")
    assert excluded == Not(Text(("football",)))


def test_or_binds_looser_than_and_and_parentheses_group() -> None:
    node = parse_query("a1 b2 OR c3")
    assert isinstance(node, Or)
    assert node.items[0] == And((Text(("a1",)), Text(("b2",))))
    grouped = parse_query("(truce OR ceasefire) gaza")
    assert isinstance(grouped, And) and isinstance(grouped.items[0], Or)


def test_filters_parse() -> None:
    node = parse_query("is:unread is:starred before:2025-03 after:2024")
    assert isinstance(node, And)
    assert node.items[:2] == (Is("unread"), Is("starred"))
    assert isinstance(node.items[2], DateBound) and node.items[2].side == "before"
    assert isinstance(node.items[3], DateBound) and node.items[3].side == "after"


def test_every_user_word_reaches_fts5_quoted() -> None:
    compiled = compile_query('NEAR title:x1 "a AND b" OR* zz* -"c d"')
    assert compiled.match is not None
    # Operators in the MATCH string come from the compiler only, never from the user.
    assert '"near"' in compiled.match
    assert '"a and b"' in compiled.match
    assert "title : " in compiled.match and '"zz" *' in compiled.match
    assert 'NOT ("c d")' in compiled.match


def test_stop_words_are_dropped_next_to_real_words_but_kept_alone() -> None:
    assert compile_query("the ceasefire").match == '"ceasefire"'
    assert compile_query("the").match == '"the"'
    assert compile_query('"the end"').match == '"the end"'


def test_diacritics_and_hyphens_become_tokens() -> None:
    assert compile_query("Café").match == '"café"'
    assert compile_query("covid-19").match == '"covid 19"'


def test_terms_for_highlighting_are_the_positive_words() -> None:
    compiled = compile_query('ceasefire "prime minister" gov* -football is:unread')
    assert compiled.terms == ("ceasefire", "prime minister", "gov*")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"unbalanced', "unbalanced quote"),
        ("", "nothing to search for"),
        ("   ", "nothing to search for"),
        ("OR", "'OR' needs something"),
        ("AND", "nothing to search for"),
        ("-", "nothing to search for"),
        ("NOT", "nothing to search for"),
        ("*", "nothing to search for"),
        ("!!! ... ???", "nothing to search for"),
        ("😀", "nothing to search for"),
        ("\x00\x01\x07", "nothing to search for"),
        ("ceasefire OR", "'OR' needs something"),
        ("NEAR(", "unbalanced parenthesis"),
        ("a1)", "unbalanced parenthesis"),
        ("title:", "'title:' needs something"),
        ("(title:)", "'title:' needs something"),
        ("foo:bar", "unknown field 'foo:' (known: title, author, source, thread"),
        ("is:sleeping", "unknown filter 'is:sleeping'"),
        ("before:yesterday", "is not a date"),
        ("after:2025-02-30", "not a real date"),
        ("a*", "at least two letters"),
        ("x" * 10_000, "query too long"),
        ("-football", "nothing to search for"),
        ("a1 OR -b2", "cannot be one side of OR"),
        ("title:(is:unread)", "can only hold words"),
    ],
)
def test_hostile_queries_give_clear_errors(query: str, message: str) -> None:
    with pytest.raises(InvalidQuery) as caught:
        compile_query(query)
    assert message in str(caught.value)


def test_too_many_words() -> None:
    with pytest.raises(InvalidQuery, match="query too long"):
        compile_query(" ".join(f"w{i}" for i in range(100)))


def test_urls_are_words_not_fields() -> None:
    assert compile_query("https://example.org/a").match is not None


def test_excluded_words_next_to_a_filter_are_sql() -> None:
    compiled = compile_query("is:unread -football")
    assert compiled.match is None
    assert len(compiled.conditions) == 2
