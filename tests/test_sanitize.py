"""The display policy: article markup survives, nothing that runs or leaks does."""

from __future__ import annotations

import re
import time

import pytest

from reader.sanitize import (
    best_srcset_candidate,
    html_to_text,
    image_urls,
    plain_text_to_html,
    sanitize_content,
    sanitize_html,
)

BASE = "https://news.example.com/2024/07/story.html"

HOSTILE = [
    "<script>alert(1)</script><p>ok</p>",
    '<p onclick="alert(1)">ok</p>',
    '<img src="x.jpg" onerror="alert(1)">',
    '<a href="javascript:alert(1)">ok</a>',
    '<a href="JaVaScRiPt:alert(1)">ok</a>',
    '<a href=" \tjavascript:alert(1)">ok</a>',
    '<a href="java\tscr\nipt:alert(1)">ok</a>',
    '<a href="&#106;&#97;&#118;&#97;script:alert(1)">ok</a>',
    '<a href="&#x6A;avascript&#x3A;alert(1)">ok</a>',
    '<a href="&#0000106avascript:alert(1)">ok</a>',
    '<a href="\x01javascript:alert(1)">ok</a>',
    '<a href="vbscript:msgbox(1)">ok</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">ok</a>',
    '<a href="file:///etc/passwd">ok</a>',
    '<img src="javascript:alert(1)">',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    '<img srcset="javascript:alert(1) 1x, data:image/png;base64,AAAA 2x">',
    '<img src="/ok.jpg" srcset="javascript:alert(1) 2x">',
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>ok</text></a></svg>',
    '<math><a xlink:href="javascript:alert(1)">ok</a></math>',
    '<div style="width: expression(alert(1))">ok</div>',
    "<style>body{background:url(javascript:alert(1))}</style><p>ok</p>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="https://evil.example/x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example/"><input name="q"><button>go</button></form>',
    '<base href="javascript:alert(1)//"><a href="x">ok</a>',
    "<!--<script>alert(1)</script>--><p>ok</p>",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "<!-- --!><script>alert(1)</script> -->",
    "<p <script>alert(1)</script>>ok</p>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    '<a href="https://ok.example/" target="_blank" style="color:red">ok</a>',
    '<table background="javascript:alert(1)"><tr><td>ok</td></tr></table>',
    '<blockquote cite="javascript:alert(1)">ok</blockquote>',
    '<video poster="javascript:alert(1)"><source src="x.mp4"></video>',
    '<a href="https://ok.example/" formaction="javascript:alert(1)">ok</a>',
    '<img src="https://ok.example/a.jpg" style="behavior:url(x.htc)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<a href="mailto:x@example.com"><img src="mailto:x@example.com"></a>',
]

_ALLOWED_URL = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("base", [BASE, None])
def test_hostile_markup_is_neutralised(hostile: str, base: str | None) -> None:
    safe = sanitize_html(hostile, base)
    lowered = safe.lower()
    for forbidden in (
        "<script", "<style", "<iframe", "<object", "<embed", "<form", "<input", "<button",
        "<base", "<meta", "<link", "<svg", "<math", "<noscript", "<template", "<video",
        "<source", " on", "style=", "javascript", "vbscript", "data:", "file:", "expression(",
        "srcset", "xlink", "formaction", "target=", "background=", "poster=", "cite=",
    ):  # fmt: skip
        assert forbidden not in lowered, (hostile, safe)
    for url in re.findall(r'\s(?:href|src)="([^"]*)"', safe):
        assert _ALLOWED_URL.match(url), (hostile, safe)
    for src in re.findall(r'<img[^>]*\ssrc="([^"]*)"', safe):
        assert src.startswith(("http://", "https://")), (hostile, safe)


def test_ordinary_article_markup_survives() -> None:
    html = (
        "<h2>Head</h2><p>A <em>b</em> <strong>c</strong> <b>d</b> <i>e</i> <u>f</u> <s>g</s>"
        " <q>q</q> <cite>cite</cite> <sub>1</sub><sup>2</sup> <small>s</small>"
        ' <abbr title="Full">ab</abbr> <time datetime="2024-07-02">today</time></p>'
        "<blockquote><p>quote</p></blockquote><ul><li>one</li></ul><ol><li>two</li></ol>"
        "<pre><code>x = 1</code></pre><hr><dl><dt>term</dt><dd>def</dd></dl>"
        '<figure><img src="https://img.example/a.jpg" alt="A"><figcaption>cap</figcaption>'
        '</figure><table><thead><tr><th colspan="2">h</th></tr></thead><tbody><tr><td>1</td>'
        "<td>2</td></tr></tbody></table><div><span>span</span></div>"
    )
    safe = sanitize_html(html, BASE)
    for kept in (
        "<h2>", "<em>", "<strong>", "<b>", "<i>", "<u>", "<s>", "<q>", "<cite>", "<sub>",
        "<sup>", "<small>", '<abbr title="Full">', '<time datetime="2024-07-02">',
        "<blockquote>", "<ul>", "<ol>", "<li>", "<pre>", "<code>", "<hr>", "<dl>", "<dt>",
        "<dd>", "<figure>", '<img src="https://img.example/a.jpg" alt="A">', "<figcaption>",
        "<table>", "<thead>", '<th colspan="2">', "<td>", "<div>", "<span>",
    ):  # fmt: skip
        assert kept in safe, kept


def test_links_are_absolute_and_get_noopener() -> None:
    safe = sanitize_html(
        '<a href="../other.html?a=1&amp;b=2#x">rel</a> <a href="//cdn.example/p">proto</a>'
        ' <a href="https://abs.example/">abs</a> <a href="mailto:desk@example.com">mail</a>',
        BASE,
    )
    assert (
        '<a href="https://news.example.com/2024/other.html?a=1&amp;b=2#x" '
        'rel="noopener noreferrer">rel</a>'
    ) in safe
    assert '<a href="https://cdn.example/p" rel="noopener noreferrer">proto</a>' in safe
    assert '<a href="https://abs.example/" rel="noopener noreferrer">abs</a>' in safe
    assert '<a href="mailto:desk@example.com" rel="noopener noreferrer">mail</a>' in safe


def test_relative_urls_without_a_base_are_dropped() -> None:
    safe = sanitize_html('<a href="/x">x</a><img src="y.jpg" alt="y">', None)
    assert "href" not in safe and "src" not in safe
    assert sanitize_html('<a href="/x">x</a>', "file:///home/me/") == (
        '<a rel="noopener noreferrer">x</a>'
    )


def test_srcset_best_candidate_replaces_missing_or_placeholder_src() -> None:
    safe = sanitize_html(
        '<img srcset="s.jpg 320w, m.jpg 640w, l.jpg 1280w" alt="w">'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" srcset="a.jpg 1x, b.jpg 2x">'
        '<img src="/img/spacer.gif" data-src="/lazy.jpg">'
        '<img src="https://real.example/keep.jpg" srcset="big.jpg 2000w">',
        BASE,
    )
    assert image_urls(safe) == (
        "https://news.example.com/2024/07/l.jpg",
        "https://news.example.com/2024/07/b.jpg",
        "https://news.example.com/lazy.jpg",
        "https://real.example/keep.jpg",
    )
    assert "srcset" not in safe and "data-src" not in safe


def test_picture_source_stands_in_for_a_placeholder_img() -> None:
    safe = sanitize_html(
        '<picture><source type="image/webp" srcset="a.webp 1x, b.webp 2x">'
        '<img src="data:image/gif;base64,R0lGOD" alt="P"></picture>'
        '<picture><source srcset="other.jpg"><img src="keep.jpg"></picture>',
        "https://ex.com/a/",
    )
    assert image_urls(safe) == ("https://ex.com/a/b.webp", "https://ex.com/a/keep.jpg")
    assert "<source" not in safe


def test_tracking_pixels_are_dropped() -> None:
    assert sanitize_html('<p>a<img src="https://t.example/p.gif" width="1" height="1"></p>') == (
        "<p>a</p>"
    )


@pytest.mark.parametrize(
    ("srcset", "best"),
    [
        ("a.jpg 100w, b.jpg 300w, c.jpg 200w", "b.jpg"),
        ("a.jpg, b.jpg 2x, c.jpg 1.5x", "b.jpg"),
        ("https://cdn.example/w_100,h_50/a.jpg 100w, https://cdn.example/w_900/b.jpg 900w",
         "https://cdn.example/w_900/b.jpg"),
        ("", ""),
        ("data:image/png;base64,AAAA 2x", ""),
    ],
)  # fmt: skip
def test_best_srcset_candidate(srcset: str, best: str) -> None:
    assert best_srcset_candidate(srcset) == best


def test_html_to_text_blocks_entities_and_whitespace() -> None:
    html = (
        "<h1>Title</h1>\n<p>Tom &amp; Jerry&nbsp;&mdash;   <b>bold</b>\n text</p>"
        "<ul><li>one</li><li>two</li></ul><p>line<br>break</p>"
        "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>"
        "<script>var hidden = 1;</script><style>p{}</style><!-- comment -->"
    )
    assert html_to_text(html) == (
        "Title\n\nTom & Jerry \u2014 bold text\n\none\ntwo\n\nline\nbreak\n\na b\nc d"
    )


def test_html_to_text_of_plain_text_and_odd_input() -> None:
    assert html_to_text("a < b &amp;&amp; c > d") == "a < b && c > d"
    assert html_to_text("") == ""
    assert html_to_text("x\x00\x07y") == "xy"
    assert html_to_text("<p>caf\u00e9</p>\ue001<p>x</p>") == "caf\u00e9\n\nx"


def test_sanitize_content_derives_text_and_images_from_one_pass() -> None:
    content = sanitize_content(
        '<p>Hello <a href="/x">world</a></p><img src="/a.jpg"><img src="/a.jpg">'
        '<img src="https://cdn.example/b.png"><script>no()</script>',
        BASE,
    )
    assert content.text == "Hello world"
    assert content.image_urls == ("https://news.example.com/a.jpg", "https://cdn.example/b.png")
    assert content.html == sanitize_html(
        '<p>Hello <a href="/x">world</a></p><img src="/a.jpg"><img src="/a.jpg">'
        '<img src="https://cdn.example/b.png"><script>no()</script>',
        BASE,
    )


def test_image_urls_decodes_entities_and_skips_non_web() -> None:
    safe = '<img src="https://x.example/a.jpg?w=1&amp;h=2"><img src="/rel.jpg">'
    assert image_urls(safe) == ("https://x.example/a.jpg?w=1&h=2",)


def test_plain_text_to_html_escapes_and_makes_paragraphs() -> None:
    assert plain_text_to_html("a < b & c\nsecond line\n\n\nnext <p>") == (
        "<p>a &lt; b &amp; c<br>second line</p><p>next &lt;p&gt;</p>"
    )
    assert plain_text_to_html("") == ""


def test_lone_surrogates_do_not_crash() -> None:
    assert sanitize_html("<p>a\ud800b</p>") == "<p>a\ufffdb</p>"


def test_sanitizing_is_idempotent() -> None:
    once = sanitize_html("<p>x <a href='/y'>y</a><img srcset='a.jpg 2x'></p>", BASE)
    assert sanitize_html(once, BASE) == once


@pytest.mark.parametrize(
    "hostile",
    [
        "<div>" * 40_000 + "deep" + "</div>" * 40_000,
        "<ul><li>" * 20_000 + "deep",
        "<blockquote>" * 20_000 + "<script>alert(1)</script>deep",
        "<p>" + "&" * 1_000_000 + " deep</p>",
        '<img "' * 200_000 + '">deep',
        "<picture>" * 200_000 + "deep",
        "<" * 1_000_000 + " deep",
    ],
    ids=["nested-div", "nested-list", "nested-quote", "ampersands", "img-quotes", "pictures", "lt"],
)
def test_pathological_markup_is_handled_quickly_and_safely(hostile: str) -> None:
    started = time.perf_counter()
    safe = sanitize_html(hostile, BASE)
    text = html_to_text(hostile)
    assert time.perf_counter() - started < 3.0
    assert "deep" in text
    assert "<script" not in safe and "alert" not in safe and "alert" not in text


def test_large_ordinary_articles_keep_their_markup() -> None:
    article = "".join(
        f'<h2>Part {n}</h2><p>Some <a href="/p/{n}">text</a> &amp; <em>more</em>.</p>'
        f'<ul><li>a</li><li>b</li></ul><img src="/i/{n}.jpg">'
        for n in range(2_000)
    )
    content = sanitize_content(article, BASE)
    assert content.html.count("<h2>") == 2_000
    assert len(content.image_urls) == 2_000
    assert content.text.startswith("Part 0\n\nSome text & more.\n\na\nb\n\nPart 1")
