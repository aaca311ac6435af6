"""How headlines and bodies become weighted terms: names, roles and name phrases."""

from __future__ import annotations

from reader.topics._text import names_in, weighted_terms


def _terms(text: str) -> dict[str, float]:
    return weighted_terms(text, weight=1.0, name_boost=3.0, names_seen=names_in(text))


def test_mid_sentence_capitals_count_as_names() -> None:
    terms = _terms("Talks were held with Narendra Modi in Delhi.")
    assert terms["modi"] == 3.0
    assert terms["delhi"] == 3.0
    assert terms["narendra_modi"] == 3.0
    assert terms["talk"] == 1.0


def test_role_words_are_plain_words_and_not_part_of_the_name() -> None:
    with_role = _terms("Talks were held with Prime Minister Narendra Modi in Delhi.")
    # Every country has a prime minister: the title is an ordinary word, never a name.
    assert with_role["prime"] == 1.0
    assert with_role["minist"] == 1.0
    # The name phrase is the person alone, so it matches the same person without the title.
    assert with_role["narendra_modi"] == 3.0
    assert not any(term.startswith("prime_") or "_prime" in term for term in with_role)


def test_names_in_skips_roles() -> None:
    found = names_in(
        "The long-awaited state visit by French President Emmanuel Macron to India began with "
        "talks about defence and trade."
    )
    assert {"emmanuel", "macron", "india", "french"} <= found
    assert "president" not in found
