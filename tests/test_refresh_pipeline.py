"""Refresh as a whole: full text survives later refreshes, threads and images follow."""

from __future__ import annotations

from pathlib import Path

from reader.core import open_archive
from tests.support.httpserver import LocalServer

ARTICLE = """<!doctype html><html><head><title>Story</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Harbour bridge reopens after repairs</h1>
""" + "\n".join(
    f"<p>Paragraph {n} of the full story about the harbour bridge, its engineers and the "
    f"long months of repairs that kept traffic away from the old town.</p>"
    for n in range(1, 8)
) + """
<figure><img src="/img/bridge.png" alt="The bridge"></figure></article>
<aside>Most read: unrelated things</aside></body></html>"""


def feed(items: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<item><title>{title}</title><guid>{guid}</guid><link>LINK/{guid}</link>"
        f"<description>Short summary of {title}.</description></item>"
        for guid, title in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Summaries</title>{body}</channel></rss>'


def test_full_text_is_kept_when_the_feed_is_read_again(
    local_server: LocalServer, tmp_path: Path
) -> None:
    link = local_server.base_url
    local_server.route("/a1", ARTICLE)
    local_server.route("/a2", ARTICLE.replace("harbour bridge", "river ferry"))
    png = (Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "liveblogs"
           / "img" / "post-7074-1.jpg").read_bytes()
    local_server.route("/img/bridge.png", png, content_type="image/jpeg")
    url = local_server.route(
        "/feed.xml", feed([("a1", "Bridge reopens")]).replace("LINK", link),
        content_type="application/rss+xml",
    )
    archive = open_archive(tmp_path / "data")
    source = archive.subscribe(url, "feed")
    archive.set_source_options(source.id, full_text=True)
    archive.refresh([source.id])
    (first,) = archive.entries(source_id=source.id)
    assert "Paragraph 5 of the full story" in first.text
    assert first.thread_id is not None
    assert [image.cached for image in archive.images(first.id)] == [True]

    # The feed changes (a new item): the first entry keeps its full text, no revision.
    local_server.route(
        "/feed.xml",
        feed([("a2", "Ferry returns"), ("a1", "Bridge reopens")]).replace("LINK", link),
        content_type="application/rss+xml",
    )
    (result,) = archive.refresh([source.id]).sources
    assert (result.new, result.edited) == (1, 0)
    again = archive.entry(first.id)
    assert again.text == first.text and again.revisions == 1
    archive.close()
