"""The foundation end to end: add, refresh, list, show and mark feeds through the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from reader.cli import main
from tests.support.httpserver import LocalServer

RSS2 = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Harbour Gazette</title><link>https://harbour.example/</link>
<item><title>Ferry timetable changes &amp; new routes</title>
<link>https://harbour.example/ferries</link><guid isPermaLink="false">hg-1</guid>
<dc:creator>Ann Lee</dc:creator><dc:creator>Bo Chen</dc:creator>
<pubDate>Tue, 04 Mar 2025 10:15:00 +0100</pubDate>
<description>&lt;p&gt;New &lt;b&gt;routes&lt;/b&gt; start in April.&lt;/p&gt;</description></item>
<item><title>Lighthouse reopens</title><link>https://harbour.example/lighthouse</link>
<pubDate>Mon, 03 Mar 2025 08:00:00 GMT</pubDate><description>Open again.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Valley Times</title>
<id>urn:vt</id><updated>2025-03-05T12:00:00Z</updated>
<entry><title type="html">Bridge &lt;em&gt;repairs&lt;/em&gt; finished</title><id>urn:vt:1</id>
<link href="/bridge"/><author><name>Cara Diaz</name></author>
<published>2025-03-05T09:30:00-05:00</published><updated>2025-03-05T11:00:00Z</updated>
<content type="html">&lt;p&gt;Traffic flows again.&lt;/p&gt;</content></entry>
<entry><title>Only updated</title><id>urn:vt:2</id><updated>2025-03-04T07:00:00Z</updated>
<summary>No published date here.</summary></entry>
</feed>"""

RSS1 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://old.example/"><title>Old Format News</title>
<link>https://old.example/</link><description>d</description></channel>
<item rdf:about="https://old.example/a"><title>RDF item</title><link>https://old.example/a</link>
<dc:date>2025-03-01T06:00:00+02:00</dc:date><dc:creator>Dee Evans</dc:creator>
<description>Body</description></item>
</rdf:RDF>"""

JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Json Daily",
        "items": [
            {
                "id": "jd-1",
                "url": "https://json.example/1",
                "title": "Solar farm approved",
                "content_html": "<p>Approved <script>alert(1)</script>today.</p>",
                "date_published": "2025-03-02T10:00:00Z",
                "authors": [{"name": "Eli Fox"}, {"name": "Gus Hart"}],
            }
        ],
    }
)

HOME_PAGE = """<!doctype html><html><head><title>Site</title>
<link rel="alternate" type="application/rss+xml" title="Main" href="/feeds/main.xml">
</head><body><p>Welcome</p></body></html>"""


def run(data_dir: Path, *args: str) -> tuple[int, Any]:
    out = io.StringIO()
    code = main(["--data-dir", str(data_dir), *args], out=out)
    text = out.getvalue()
    return code, json.loads(text) if "--json" in args and text else text


@pytest.fixture
def feeds(local_server: LocalServer) -> LocalServer:
    local_server.route("/rss2.xml", RSS2, content_type="application/rss+xml")
    local_server.route("/atom.xml", ATOM, content_type="application/atom+xml")
    local_server.route("/rss1.rdf", RSS1, content_type="application/rdf+xml")
    local_server.route("/feed.json", JSON_FEED, content_type="application/feed+json")
    local_server.route("/", HOME_PAGE, content_type="text/html")
    local_server.route(
        "/feeds/main.xml", RSS2.replace("hg-1", "main-1"), content_type="application/rss+xml"
    )
    return local_server


def entries_of(data_dir: Path, source_id: str) -> list[dict[str, Any]]:
    code, shown = run(data_dir, "entries", "--source", source_id, "--json")
    assert code == 0
    return list(shown["entries"])


def test_add_every_feed_format_with_exact_fields(feeds: LocalServer, tmp_path: Path) -> None:
    data = tmp_path / "data"
    code, rss = run(data, "add", feeds.url("/rss2.xml"), "--folder", "News/Local", "--json")
    assert code == 0
    assert rss["kind"] == "feed" and rss["title"] == "Harbour Gazette"
    assert rss["folder"] == "News/Local" and rss["entries"] == 2 and rss["unread"] == 2
    first, second = entries_of(data, rss["id"])
    assert first["title"] == "Ferry timetable changes & new routes"
    assert first["authors"] == ["Ann Lee", "Bo Chen"]
    assert first["published"] == "2025-03-04T09:15:00Z"
    assert first["kind"] == "article" and first["revisions"] == 1
    assert "<b>routes</b>" in first["html"] and first["text"] == "New routes start in April."
    assert second["title"] == "Lighthouse reopens"

    _, atom = run(data, "add", feeds.url("/atom.xml"), "--json")
    bridge, only_updated = entries_of(data, atom["id"])
    assert bridge["title"] == "Bridge repairs finished"
    assert bridge["published"] == "2025-03-05T14:30:00Z"
    assert bridge["updated"] == "2025-03-05T11:00:00Z"
    assert bridge["url"] == feeds.url("/bridge")
    assert only_updated["published"] == "2025-03-04T07:00:00Z"

    _, rdf = run(data, "add", feeds.url("/rss1.rdf"), "--json")
    (item,) = entries_of(data, rdf["id"])
    assert item["published"] == "2025-03-01T04:00:00Z" and item["authors"] == ["Dee Evans"]

    _, jf = run(data, "add", feeds.url("/feed.json"), "--json")
    (solar,) = entries_of(data, jf["id"])
    assert solar["authors"] == ["Eli Fox", "Gus Hart"]
    assert "script" not in solar["html"] and "alert" not in solar["html"]

    _, home = run(data, "add", feeds.url("/"), "--json")
    assert home["url"] == feeds.url("/feeds/main.xml") and home["kind"] == "feed"


def test_second_refresh_is_conditional_and_not_modified(feeds: LocalServer, tmp_path: Path) -> None:
    data = tmp_path / "data"
    _, source = run(data, "add", feeds.url("/rss2.xml"), "--json")
    feeds.reset_stats()
    code, result = run(data, "refresh", "--json")
    assert code == 0
    assert result["sources"] == [
        {
            "id": source["id"],
            "status": "not-modified",
            "new": 0,
            "edited": 0,
            "withdrawn": 0,
            "error": None,
        }
    ]
    (request,) = feeds.requests_for("/rss2.xml")
    assert request.headers.get("If-None-Match")
    assert request.headers.get("If-Modified-Since")


def test_changed_entry_gets_a_revision_and_keeps_read_state(
    feeds: LocalServer, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    _, source = run(data, "add", feeds.url("/rss2.xml"), "--json")
    ferry = entries_of(data, source["id"])[0]
    assert run(data, "mark", ferry["id"], "--read")[0] == 0
    assert run(data, "mark", ferry["id"], "--star")[0] == 0
    feeds.route(
        "/rss2.xml",
        RSS2.replace("start in April", "start in May"),
        content_type="application/rss+xml",
    )
    code, result = run(data, "refresh", source["id"], "--json")
    assert code == 0 and result["sources"][0]["status"] == "updated"
    assert result["sources"][0]["edited"] == 1 and result["sources"][0]["new"] == 0
    code, shown = run(data, "show", ferry["id"], "--json")
    assert shown["read"] is True and shown["starred"] is True
    assert shown["revisions"] == 2
    history = shown["revision_history"]
    assert [h["text"] for h in history] == [
        "New routes start in April.",
        "New routes start in May.",
    ]


def test_non_http_urls_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for url in ("file:///etc/passwd", "javascript:alert(1)", "/etc/passwd", "ftp://x.example/f"):
        code, _ = run(tmp_path / "data", "add", url)
        assert code == 2
        err = capsys.readouterr().err
        assert err.startswith("newsdesk: error: ") and err.count("\n") == 1
        assert "Traceback" not in err


def test_unknown_ids_and_bad_usage_exit_2(
    feeds: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    run(data, "add", feeds.url("/rss2.xml"))
    capsys.readouterr()
    for args in (
        ("show", "999"),
        ("remove", "42"),
        ("refresh", "7"),
        ("mark", "5", "--read"),
        ("entries", "--source", "abc"),
        ("show", "-1"),
    ):
        code, _ = run(data, *args)
        assert code == 2, args
        err = capsys.readouterr().err
        assert err.strip().count("\n") == 0 and "error" in err, (args, err)


def test_page_without_feed_is_refused(local_server: LocalServer, tmp_path: Path) -> None:
    url = local_server.route("/plain", "<html><body><p>Hello</p></body></html>")
    code, _ = run(tmp_path / "data", "add", url)
    assert code == 2


def test_sources_remove_and_keep_entries(feeds: LocalServer, tmp_path: Path) -> None:
    data = tmp_path / "data"
    _, a = run(data, "add", feeds.url("/rss2.xml"), "--json")
    _, b = run(data, "add", feeds.url("/atom.xml"), "--json")
    _, listed = run(data, "sources", "--json")
    assert [s["id"] for s in listed["sources"]] == [a["id"], b["id"]]
    assert set(listed["sources"][0]) == {
        "id",
        "kind",
        "url",
        "title",
        "folder",
        "unread",
        "entries",
        "last_refreshed",
        "last_error",
    }
    assert run(data, "remove", a["id"], "--keep-entries")[0] == 0
    assert run(data, "remove", b["id"])[0] == 0
    _, listed = run(data, "sources", "--json")
    assert listed["sources"] == []
    _, everything = run(data, "entries", "--json")
    assert {e["source_id"] for e in everything["entries"]} == {a["id"]}


def test_entries_filters_and_limit(feeds: LocalServer, tmp_path: Path) -> None:
    data = tmp_path / "data"
    _, a = run(data, "add", feeds.url("/rss2.xml"), "--json")
    run(data, "add", feeds.url("/atom.xml"), "--json")
    _, all_entries = run(data, "entries", "--json")
    times = [e["published"] for e in all_entries["entries"]]
    assert times == sorted(times, reverse=True) and len(times) == 4
    _, limited = run(data, "entries", "--limit", "1", "--json")
    assert len(limited["entries"]) == 1
    first = entries_of(data, a["id"])[0]
    run(data, "mark", first["id"], "--read")
    _, unread = run(data, "entries", "--unread", "--json")
    assert first["id"] not in {e["id"] for e in unread["entries"]} and len(unread["entries"]) == 3
