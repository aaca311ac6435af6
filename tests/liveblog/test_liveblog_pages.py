"""Extraction beyond the shared fixtures: invented pages in other publishers' shapes,
lenient JSON-LD, hostile content, and input that is not a live blog at all."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reader.errors import ParseError
from reader.liveblog import extract_liveblog, looks_like_liveblog
from reader.liveblog.extract import LOW_CONFIDENCE
from reader.types import ParsedPage

PAGES = Path(__file__).resolve().parent / "pages"


def extract(name: str, url: str = "https://news.example/live/blog", **kw: object) -> ParsedPage:
    return extract_liveblog((PAGES / name).read_bytes(), url=url, **kw)  # type: ignore[arg-type]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_guardian_style_blocks_pinned_twice_pagination_and_srcset() -> None:
    url = "https://ledger.example/city/live/2025/may/02/harbour-bridge-closure-live"
    page = extract("guardian_style.html", url=url)
    keys = [e.key for e in page.entries]
    assert keys == [
        "block-7e1c0f00aa000000000000d4",
        "block-7e1c0f00aa000000000000c3",
        "block-7e1c0f00aa000000000000b2",
        "block-7e1c0f00aa000000000000a1",
    ]
    by_key = {e.key: e for e in page.entries}
    pinned = by_key["block-7e1c0f00aa000000000000b2"]
    assert pinned.pinned and [e.key for e in page.entries if e.pinned] == [pinned.key]
    ferries = by_key["block-7e1c0f00aa000000000000c3"]
    assert ferries.title == "Ferries add sailings"
    assert ferries.authors == ("Tom Becker",)
    assert ferries.published == utc("2025-05-02T09:10:00Z")
    assert ferries.updated == utc("2025-05-02T09:20:00Z")
    assert "https://media.ledger.example/ferry.jpg?width=1240" in ferries.image_urls
    assert "Updated at" not in ferries.text and "10.10 BST" not in ferries.text
    untitled = by_key["block-7e1c0f00aa000000000000d4"]
    assert untitled.title == "The city council says the bridge will stay shut to\u2026"
    assert page.older_pages == (
        url + "?page=with:block-7e1c0f00aa000000000000a1",
        url + "?page=2",
    )
    assert page.windowed
    assert page.standfirst.startswith("Commuters face delays")
    assert "Ferries add sailings" in page.summary_html
    assert extract("guardian_style.html", now=datetime(2025, 5, 2, 11, 0, tzinfo=UTC)).is_live
    assert not extract("guardian_style.html", now=datetime(2025, 5, 9, tzinfo=UTC)).is_live


def test_bbc_style_clock_times_cross_midnight() -> None:
    page = extract("bbc_style.html", default_tz=ZoneInfo("Europe/London"))
    times = [e.published for e in page.entries]
    assert times == [
        utc("2025-06-02T00:20:00+01:00"),
        utc("2025-06-02T00:05:00+01:00"),
        utc("2025-06-01T23:50:00+01:00"),
        utc("2025-06-01T22:15:00+01:00"),
    ]
    assert [e.authors for e in page.entries][2] == ("Ben Okafor", "Alice Moreno")
    assert page.entries[1].title == "We have had hundreds of photos sent in from across\u2026"
    assert page.windowed  # "Show more updates" button
    assert "comet is visible" in page.summary_html


def test_reuters_style_lenient_jsonld_and_copied_fields() -> None:
    page = extract("reuters_style.html", url="https://wire.example/markets/live-rates-2025-04-10/")
    by_key = {e.key: e for e in page.entries}
    assert list(by_key) == ["upd-3003", "upd-3002", "upd-3001"]
    # The JSON-LD headline and author copy the blog's own; the visible post has its own.
    assert by_key["upd-3003"].title == "Yields slip on governor's remarks"
    assert by_key["upd-3003"].authors == ("Dana Whitfield", "Omar Haddad")
    assert by_key["upd-3002"].published == utc("2025-04-10T10:00:00Z")  # epoch ms in JSON-LD
    # Spread over two script tags, the second with a single liveBlogUpdate object.
    assert by_key["upd-3001"].title == "Decision due at noon"
    assert by_key["upd-3001"].url == "https://wire.example/markets/live-rates-2025-04-10/#upd-3001"
    assert page.standfirst == "Stocks edge higher after the decision & the governor's remarks"


def test_cnn_style_hostile_content_never_reaches_html() -> None:
    page = extract("cnn_style.html")
    first = page.entries[0]
    assert first.key == "cm0elec0003"
    assert first.authors == ("Maria Lopez", "Kevin Tran")
    assert first.published == utc("2025-11-04T23:55:00-05:00")
    assert first.updated == utc("2025-11-05T05:00:00Z")
    for entry in page.entries:
        lowered = entry.html.lower()
        for bad in ("<script", "onerror", "onclick", "javascript:", "<iframe", "stolen"):
            assert bad not in lowered
    assert 'href="https://news.example/maps/turnout"' in first.html
    assert first.image_urls == ("https://img.newsnet.example/turnout.jpg",)


def test_sky_style_epoch_stamps_and_lazy_images() -> None:
    page = extract("sky_style.html")
    assert [e.key for e in page.entries] == ["5512003", "5512002"]
    first = page.entries[0]
    assert first.published == datetime.fromtimestamp(1746010800, UTC)
    assert first.image_urls == (
        "https://e3.sky.example/images/power-lines.jpg",
        "https://e3.sky.example/images/depot-1536.webp",
    )
    assert page.standfirst.startswith("Rail services suspended")
    assert page.warnings == ()


def test_generic_heuristic_is_flagged_low_confidence() -> None:
    page = extract("generic_page.html")
    assert page.warnings == (LOW_CONFIDENCE,)
    assert [e.title for e in page.entries] == [
        "Winner crosses the line",
        "Crowds are five deep along the embankment as the elite\u2026",
        "And they're off",
    ]
    assert page.entries[0].published == utc("2025-04-27T11:40:00+01:00")
    # Keys without publisher ids are stable content hashes.
    assert [e.key for e in page.entries] == [e.key for e in extract("generic_page.html").entries]


def test_ordinary_article_is_not_a_live_blog() -> None:
    data = (PAGES / "not_liveblog.html").read_bytes()
    assert not looks_like_liveblog(data)
    with pytest.raises(ParseError, match="no live-blog updates found"):
        extract_liveblog(data, url="https://garden.example/cactus")


@pytest.mark.parametrize(
    "name", ["guardian_style.html", "bbc_style.html", "cnn_style.html", "sky_style.html"]
)
def test_own_pages_look_like_live_blogs(name: str) -> None:
    assert looks_like_liveblog((PAGES / name).read_bytes())


@pytest.mark.parametrize(
    "garbage",
    [b"", b"   ", b"\x00\xff\xfe\x00garbage", b"<html>", "<<<>>>", b"%PDF-1.4 \x89\x00", "\ufeff"],
)
def test_garbage_raises_parse_error(garbage: bytes | str) -> None:
    with pytest.raises(ParseError):
        extract_liveblog(garbage, url="https://x.example/")


JSONLD_PAGE = """<html><head><script type="application/ld+json">{body}</script></head>
<body><h1>Blog</h1></body></html>"""


@pytest.mark.parametrize(
    "body",
    [
        # trailing commas, a comment, a raw newline and tab inside a string, entities
        '{"@type": "LiveBlogPosting", "headline": "Blog", /* cms */ "liveBlogUpdate": [{"@type":'
        ' "BlogPosting", "@id": "#u1", "headline": "Fish &amp; chips", "articleBody": "line one\n'
        '\tline two", "datePublished": "2025-01-01T10:00:00+0000",},],}',
        # a list at the top, the update as a single object
        '[{"@type": "WebSite"}, {"@type": "LiveBlogPosting", "headline": "Blog", "liveBlogUpdate":'
        ' {"@type": "BlogPosting", "url": "https://x.example/b#u1", "headline": "Fish &amp; chips",'
        ' "articleBody": "line one line two", "datePublished": 1735725600}}]',
        # @graph, nested
        '{"@context": "https://schema.org", "@graph": [{"@type": "LiveBlogPosting", "headline":'
        ' "Blog", "liveBlogUpdate": [{"@id": "https://x.example/b#u1", "name": "Fish &#38; chips",'
        ' "articleBody": "<p>line one</p><p>line two</p>", "datePublished": "2025-01-01T10:00Z"}]}]}',
    ],
)
def test_lenient_jsonld(body: str) -> None:
    page = extract_liveblog(JSONLD_PAGE.format(body=body), url="https://x.example/b")
    assert [e.key for e in page.entries] == ["u1"]
    entry = page.entries[0]
    assert entry.title == "Fish & chips"
    assert entry.published == datetime(2025, 1, 1, 10, 0, tzinfo=UTC)
    assert " ".join(entry.text.split()) == "line one line two"


def test_jsonld_update_without_headline_or_id_gets_both() -> None:
    body = (
        '{"@type": "LiveBlogPosting", "headline": "Blog", "liveBlogUpdate": [{"articleBody":'
        ' "One two three four five six seven eight nine ten eleven twelve.",'
        ' "datePublished": "2025-01-01T10:00:00Z"}]}'
    )
    page = extract_liveblog(JSONLD_PAGE.format(body=body), url="https://x.example/b")
    (entry,) = page.entries
    assert entry.title == "One two three four five six seven eight nine ten\u2026"
    assert entry.key  # a stable content key
    again = extract_liveblog(JSONLD_PAGE.format(body=body), url="https://x.example/b")
    assert again.entries[0].key == entry.key


def test_jsonld_hostile_article_body_is_sanitized() -> None:
    body = (
        '{"@type": "LiveBlogPosting", "headline": "Blog", "liveBlogUpdate": [{"@id": "#h",'
        ' "headline": "x", "articleBody": "<p onmouseover=\\"steal()\\">hi</p><script>bad()'
        '<\\/script><a href=\\"javascript:bad()\\">link</a><img src=x onerror=bad()>",'
        ' "datePublished": "2025-01-01T10:00:00Z"}]}'
    )
    page = extract_liveblog(JSONLD_PAGE.format(body=body), url="https://x.example/b")
    html = page.entries[0].html.lower()
    assert "hi" in html
    for bad in ("script", "onmouseover", "javascript:", "onerror", "bad()"):
        assert bad not in html


def test_bytes_in_legacy_encoding_are_decoded() -> None:
    html = (PAGES / "guardian_style.html").read_text(encoding="utf-8")
    html = html.replace('charset="utf-8"', 'charset="windows-1252"').replace(
        "Ferries add sailings</h2>", "Ferries add sailings \u2013 caf\u00e9 open</h2>"
    )
    page = extract_liveblog(html.encode("cp1252"), url="https://ledger.example/live")
    assert "Ferries add sailings \u2013 caf\u00e9 open" in [e.title for e in page.entries]


RELATED_STORIES = """<html><head><script type="application/ld+json">
{"@type": "LiveBlogPosting", "headline": "Blog", "liveBlogUpdate": [
 {"@id": "#u2", "headline": "Second", "articleBody": "Two.", "datePublished": "2025-01-01T11:00Z"},
 {"@id": "#u1", "headline": "First", "articleBody": "One.", "datePublished": "2025-01-01T10:00Z"}]}
</script></head><body><h1>Blog</h1>
<aside><article id="story-991" class="story-card"><time datetime="2024-12-30T09:00Z">Mon</time>
<h3>An older, unrelated story</h3><p>Teaser text of the related story goes here.</p></article>
<article id="story-992" class="story-card"><time datetime="2024-12-29T09:00Z">Sun</time>
<h3>Another unrelated story</h3><p>Teaser text of another related story.</p></article></aside>
</body></html>"""


def test_visible_posts_sharing_no_id_with_structured_data_are_not_merged() -> None:
    page = extract_liveblog(RELATED_STORIES, url="https://x.example/b")
    assert [e.key for e in page.entries] == ["u2", "u1"]


def test_microdata_coverage_end_decides_liveness() -> None:
    html = (
        (PAGES / "cnn_style.html")
        .read_text(encoding="utf-8")
        .replace(
            "<body>",
            '<body itemscope itemtype="https://schema.org/LiveBlogPosting">'
            '<meta itemprop="coverageEndTime" content="2025-11-05T06:00:00Z">',
        )
    )
    during = extract_liveblog(html, url="https://x.example/", now=utc("2025-11-05T05:10:00Z"))
    after = extract_liveblog(html, url="https://x.example/", now=utc("2025-11-05T06:10:00Z"))
    assert during.is_live and not after.is_live


def test_mangled_pages_never_crash() -> None:
    """Random cuts, splices and noise bytes: a page or a ParseError, never another error."""
    rnd = random.Random(20250314)
    sources = [p.read_bytes() for p in sorted(PAGES.glob("*.html"))]
    for _ in range(60):
        data = bytearray(rnd.choice(sources))
        for _ in range(rnd.randint(1, 25)):
            pos = rnd.randrange(len(data))
            roll = rnd.random()
            if roll < 0.4:
                del data[pos : pos + rnd.randint(1, 200)]
            elif roll < 0.7:
                data[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 20)))
            else:
                start = rnd.randrange(len(data))
                data[pos:pos] = data[start : start + rnd.randint(1, 300)]
            if len(data) < 20:
                break
        try:
            looks_like_liveblog(bytes(data))
            extract_liveblog(bytes(data), url="https://x.example/a")
        except ParseError:
            pass


def test_dcr_style_anonymous_classes_block_ids_and_id_less_jsonld() -> None:
    page = extract("dcr_style.html", url="https://sport.example/live/final")
    assert [e.key for e in page.entries] == ["b-9", "b-3"]  # JSON-LD matched by title
    saved, walk_out = page.entries
    assert saved.authors == ("Lena Fischer", "Marco Bianchi")
    assert walk_out.authors == ("Lena Fischer",)  # "at 16:01" is not a name
    assert walk_out.pinned and not saved.pinned
    # A time inside the prose stays in the body; the post's own stamp does not.
    assert ">17:39</time> with a forehand winner" in saved.html
    assert "17.40 BST" not in saved.html
    # The text comes from the JSON-LD body, which every poll carries.
    assert saved.text == "Three championship points saved in a row."
    assert saved.published == utc("2025-07-13T17:40:00+01:00")
    assert page.warnings == ()


HOME_PAGE = """<html><head><title>The Daily Ledger: news, sport and opinion</title></head><body>
<a class="promo liveblog-promo" href="/live/bridge">Bridge closure: follow our live blog</a>
<article id="story-1" class="story-card"><time datetime="2025-05-02T09:00Z">9am</time>
<h3>Council approves new budget</h3><p>The council has approved its budget for next year.</p></article>
<article id="story-2" class="story-card"><time datetime="2025-05-02T08:00Z">8am</time>
<h3>Rail fares to rise</h3><p>Regulated rail fares will rise by three per cent in March.</p></article>
</body></html>"""


def test_home_page_with_story_cards_is_not_taken_for_a_live_blog() -> None:
    assert not looks_like_liveblog(HOME_PAGE)
    assert looks_like_liveblog(HOME_PAGE.replace("news, sport and opinion", "live updates"))
