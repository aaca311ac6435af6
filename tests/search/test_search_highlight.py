"""Marking matches in entry HTML and plain text: tags intact, stems, diacritics, phrases."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from reader.search import highlight_html, mark_text
from reader.search.highlight import snippet


def spans(markup: str) -> list[str]:
    return re.findall(r'<span class="nd-match"[^>]*>(.*?)</span>', markup)


def test_stems_are_marked() -> None:
    marked, count = highlight_html("<p>Two ceasefires and one ceasefire.</p>", ["ceasefire"])
    assert count == 2
    assert spans(marked) == ["ceasefires", "ceasefire"]
    assert 'id="nd-match-1"' in marked and 'id="nd-match-2"' in marked


def test_diacritics_are_folded() -> None:
    marked, count = highlight_html("<p>Le café &amp; the cafe</p>", ["cafe"])
    assert count == 2 and spans(marked) == ["café", "cafe"]
    marked, count = highlight_html("<p>Caf&eacute; culture</p>", ["café"])
    assert count == 1 and spans(marked) == ["Caf&eacute;"]


def test_tags_attributes_and_entities_stay_intact() -> None:
    source = (
        '<p title="budget talk"><a href="https://x.example/budget?a=1&amp;b=2">The budget</a>'
        ' &lt;budget&gt; <img alt="budget" src="budget.png"></p>'
    )
    marked, count = highlight_html(source, ["budget"])
    assert count == 2
    assert 'title="budget talk"' in marked
    assert 'href="https://x.example/budget?a=1&amp;b=2"' in marked
    assert 'alt="budget"' in marked and 'src="budget.png"' in marked
    assert "&lt;<span" in marked and "</span>&gt;" in marked
    tree = lxml_html.fragment_fromstring(marked, create_parent="div")
    original = lxml_html.fragment_fromstring(source, create_parent="div")
    assert tree.text_content() == original.text_content()  # marking changes no text
    assert len(tree.find_class("nd-match")) == 2


def test_phrase_marks_consecutive_words_only() -> None:
    marked, count = highlight_html(
        "<p>The prime minister met another minister. Prime numbers.</p>", ["prime minister"]
    )
    assert count == 1 and spans(marked) == ["prime minister"]


def test_phrase_across_inline_tags_is_split_but_counted_once() -> None:
    marked, count = highlight_html("<p>prime <b>minister</b> spoke</p>", ["prime minister"])
    assert count == 1
    assert marked.count('class="nd-match"') == 2
    assert marked.count('id="nd-match-1"') == 1
    lxml_html.fragment_fromstring(marked, create_parent="div")  # still well formed


def test_prefix_terms() -> None:
    marked, count = highlight_html("<p>Government and governors, not go.</p>", ["gover*"])
    assert count == 2 and spans(marked) == ["Government", "governors"]


def test_script_and_style_contents_are_left_alone() -> None:
    marked, count = highlight_html("<style>.budget{}</style><p>budget</p>", ["budget"])
    assert count == 1 and marked.startswith("<style>.budget{}</style>")


def test_no_terms_or_no_match_returns_the_input() -> None:
    assert highlight_html("<p>x</p>", []) == ("<p>x</p>", 0)
    assert highlight_html("<p>x</p>", ["zebra"]) == ("<p>x</p>", 0)


def test_plain_text_marking_escapes() -> None:
    assert mark_text("Ceasefires <now> & later", ["ceasefire"]) == (
        "<mark>Ceasefires</mark> &lt;now&gt; &amp; later"
    )


def test_snippet_centres_on_the_first_match() -> None:
    text = (
        " ".join(f"w{i}" for i in range(100)) + " ceasefire " + " ".join("x" * 5 for _ in range(50))
    )
    made = snippet(text, ["ceasefire"], words=20)
    assert made.startswith("…") and made.endswith("…")
    assert "<mark>ceasefire</mark>" in made
