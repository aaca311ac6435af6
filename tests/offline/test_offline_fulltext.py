"""Full text for summary-only feeds: the article body replaces the summary and is searchable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from offline_support import add_entries, add_source, new_archive, png_bytes
from sqlalchemy import select, text

from reader.core import Archive
from reader.fetch import Fetcher
from reader.fulltext import extract_article, fetch_full_text
from reader.store.schema import entries, entry_images
from reader.types import ParsedEntry
from tests.support.httpserver import LocalServer

PARAGRAPHS = "".join(
    f"<p>Paragraph {n} of the story, with details, names, and a place: Quixotania {n}.</p>"
    for n in range(8)
)
PAGE = f"""<!DOCTYPE html><html><head><title>Story</title><script>track()</script></head>
<body>
<header class="site-header"><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<div class="layout">
  <aside class="sidebar"><h3>Most read</h3><ul><li><a href="/x">Other story</a></li></ul></aside>
  <article class="story-body">
    <h1>Ministers meet</h1>
    {PARAGRAPHS}
    <figure><img src="/img/photo.png" alt="The ministers"></figure>
  </article>
  <div class="share-tools"><a href="/share">Share this</a></div>
</div>
<footer>Copyright and cookie settings</footer>
</body></html>"""


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with new_archive(tmp_path / "data") as opened:
        yield opened


def test_extract_article_keeps_the_story_and_drops_the_furniture() -> None:
    found = extract_article(PAGE)
    assert found is not None
    assert "Paragraph 7 of the story" in found.html
    assert "photo.png" in found.html
    for noise in ("Most read", "Share this", "Copyright", "track()", "World"):
        assert noise not in found.html


def test_extract_article_gives_up_on_pages_without_a_story() -> None:
    assert extract_article("<html><body><nav><a href='/'>Home</a></nav></body></html>") is None
    assert extract_article("") is None


def test_full_text_replaces_the_summary(archive: Archive, local_server: LocalServer) -> None:
    page_url = local_server.route("/story.html", PAGE, content_type="text/html")
    local_server.route("/img/photo.png", png_bytes(20, 20), content_type="image/png")
    source = add_source(archive, "https://example.org/feed")
    archive.set_source_options(source, full_text=True)
    summary = ParsedEntry(
        key="s1",
        kind="article",
        title="Ministers meet",
        url=page_url,
        html="<p>Ministers meet.</p>",
        text="Ministers meet.",
    )
    other_source = add_source(archive, "https://example.org/other")
    (entry_id,) = add_entries(archive, source, [summary])
    (untouched,) = add_entries(archive, other_source, [summary])

    with Fetcher() as fetcher:
        assert fetch_full_text(archive, [entry_id, untouched], fetcher=fetcher) == 1
        # Done once: a second call fetches nothing.
        assert fetch_full_text(archive, [entry_id], fetcher=fetcher) == 0
    assert len(local_server.requests_for("/story.html")) == 1

    updated = archive.entry(entry_id)
    assert "Paragraph 5 of the story" in updated.text
    assert "Most read" not in updated.text
    assert archive.entry(untouched).text == "Ministers meet."
    photo = local_server.url("/img/photo.png")
    with archive.reading() as connection:
        kept = connection.execute(
            select(entries.c.summary_html).where(entries.c.id == entry_id)
        ).scalar()
        images = connection.execute(
            select(entry_images.c.url, entry_images.c.status).where(
                entry_images.c.entry_id == entry_id
            )
        ).all()
        hits = (
            connection.execute(
                text("SELECT rowid FROM entries_fts WHERE entries_fts MATCH 'quixotania'")
            )
            .scalars()
            .all()
        )
    assert kept == "<p>Ministers meet.</p>"
    assert [(url, status) for url, status in images] == [(photo, "pending")]
    assert hits == [entry_id]


def test_a_failing_page_leaves_the_entry_alone(archive: Archive, local_server: LocalServer) -> None:
    url = local_server.hostile("not-found", "/missing.html")
    source = add_source(archive, "https://example.org/feed")
    archive.set_source_options(source, full_text=True)
    item = ParsedEntry(key="m", kind="article", title="T", url=url, html="<p>s</p>", text="s")
    (entry_id,) = add_entries(archive, source, [item])
    with Fetcher() as fetcher:
        assert fetch_full_text(archive, [entry_id], fetcher=fetcher) == 0
    assert archive.entry(entry_id).text == "s"
