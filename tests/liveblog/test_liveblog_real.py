"""Two real published pages (the Mirror, 428 updates; the Express, 9) against expected.json."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from reader.liveblog import StoredUpdate, diff_updates, extract_liveblog, looks_like_liveblog
from reader.timeparse import format_utc
from reader.types import ParsedPage

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "liveblogs" / "real"
EXPECTED = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))
_CACHE: dict[str, ParsedPage] = {}


def parsed(name: str) -> ParsedPage:
    if name not in _CACHE:
        data = gzip.decompress((REAL / name).read_bytes())
        _CACHE[name] = extract_liveblog(data, url=EXPECTED[name]["page_url"])
    return _CACHE[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_page_matches_expected(name: str) -> None:
    want = EXPECTED[name]
    page = parsed(name)
    assert page.title == want["blog_title"]
    assert len(page.entries) == want["updates"]
    assert len({e.key for e in page.entries}) == want["unique_ids"]
    times = [e.published for e in page.entries if e.published is not None]
    assert len(times) == len(page.entries)
    assert format_utc(max(times)) == want["newest_published_utc"]
    assert format_utc(min(times)) == want["oldest_published_utc"]
    by_key = {e.key: e for e in page.entries}
    for sample in want["sample"]:
        entry = by_key[sample["id"]]
        assert entry.title == sample["title"]
        assert entry.published is not None
        assert format_utc(entry.published) == sample["published_utc"]
        assert entry.text
        assert entry.url == want["page_url"] + "#" + sample["id"]
    for entry in page.entries:
        assert "<script" not in entry.html and "onerror" not in entry.html
        assert "&quot;" not in entry.title and "&#39;" not in entry.title
    assert page.warnings == ()


def test_mirror_prefers_per_post_bylines_over_the_copied_blog_authors() -> None:
    page = parsed("TheMirror_2024_08_05.html.gz")
    by_key = {e.key: e for e in page.entries}
    # JSON-LD lists all four blog authors on every update; the post shows its own.
    assert by_key["751105"].authors == ("Antony Clements-Thrower",)
    assert by_key["751105"].text.startswith('Local reporters have said a "loud bang" was heard')
    assert page.summary_html.startswith("<div><p>Counter protesters have gathered")
    # An AMP image in the visible post becomes an absolute image URL.
    assert any("article33400927" in url for url in by_key["751101"].image_urls)


def test_express_keeps_its_bylines_and_images() -> None:
    page = parsed("Express_2024_07_18.html.gz")
    first = page.entries[0]
    assert first.key == "live-1924698-qq0im"
    assert first.authors == ("Jon King",)
    assert first.image_urls and all(u.startswith("https://") for u in first.image_urls)
    assert "Meghan Markle's mum" in first.text


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_pages_look_like_live_blogs(name: str) -> None:
    assert looks_like_liveblog(gzip.decompress((REAL / name).read_bytes()))


def test_mirror_post_leaving_the_visible_window_is_not_an_edit() -> None:
    """Only the newest 30 posts are in the HTML; all 428 are in JSON-LD. A post that
    scrolls out of the HTML must keep the same text, or every poll would invent edits."""
    name = "TheMirror_2024_08_05.html.gz"
    html = gzip.decompress((REAL / name).read_bytes()).decode("utf-8")
    start = html.index('<div class="live-event-entries">')
    without_visible = html[:start] + html[html.index("</article>", start) :]
    url = EXPECTED[name]["page_url"]
    full = parsed(name)
    stored = [StoredUpdate(e.key, e.title, e.text, e.published, False, 0) for e in full.entries]
    thinner = extract_liveblog(without_visible, url=url)
    assert len(thinner.entries) == len(full.entries)
    diff = diff_updates(stored, thinner)
    assert diff.edited == () and diff.new == () and diff.withdrawn == ()
