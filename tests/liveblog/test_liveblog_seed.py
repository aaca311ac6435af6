"""The shared seed blog: every snapshot, with and without JSON-LD, extracts exactly what
expected.json says."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from reader.liveblog import extract_liveblog
from reader.types import ParsedPage

SEED = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "liveblogs" / "seed"
EXPECTED = json.loads((SEED / "expected.json").read_text(encoding="utf-8"))
SNAPSHOTS = list(EXPECTED["snapshots"])
VARIANTS = ["", "microdata-"]


def extract(variant: str, snapshot: str) -> ParsedPage:
    served = datetime.fromisoformat(EXPECTED["snapshots"][snapshot]["served_at"])
    data = (SEED / f"{variant}{snapshot}.html").read_bytes()
    return extract_liveblog(data, url=EXPECTED["page_url"], now=served)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_snapshot_updates_match_expected(variant: str, snapshot: str) -> None:
    page = extract(variant, snapshot)
    want = EXPECTED["snapshots"][snapshot]
    assert [e.key for e in page.entries] == [u["id"] for u in want["updates"]]
    for entry, update in zip(page.entries, want["updates"], strict=True):
        assert entry.kind == "liveblog-update"
        assert entry.title == update["title"]
        assert list(entry.authors) == update["authors"]
        assert entry.published == datetime.fromisoformat(update["published"])
        assert entry.updated == datetime.fromisoformat(update["modified"])
        assert entry.text.startswith(update["first_words"])
        assert entry.url == EXPECTED["page_url"] + "#" + update["id"]
        assert entry.html and "<script" not in entry.html
    pinned = [e.key for e in page.entries if e.pinned]
    assert pinned == ([want["pinned"]] if want["pinned"] else [])


@pytest.mark.parametrize("variant", VARIANTS)
def test_blog_fields(variant: str) -> None:
    page = extract(variant, "snapshot-2")
    assert page.kind == "liveblog"
    assert page.title == EXPECTED["title"]
    assert page.standfirst == EXPECTED["standfirst"]
    assert page.summary_html.count("<p>") == EXPECTED["summary_paragraphs"]
    assert page.is_live  # served at 14:30, coverage runs to 23:59 / the LIVE badge
    assert page.warnings == ()
    assert page.older_pages == ()


def test_coverage_end_in_the_past_is_not_live() -> None:
    data = (SEED / "snapshot-2.html").read_bytes()
    later = datetime.fromisoformat("2025-03-15T09:00:00+00:00")
    assert not extract_liveblog(data, url=EXPECTED["page_url"], now=later).is_live


@pytest.mark.parametrize("variant", VARIANTS)
def test_figure_images_are_absolute(variant: str) -> None:
    page = extract(variant, "snapshot-3")
    images = {e.key: e.image_urls for e in page.entries}
    assert images["post-7074"] == ("https://news.example/img/post-7074-1.jpg",)
    assert images["post-7370"] == ("https://news.example/img/post-7370-1.jpg",)
    assert images["post-7148"] == ()


def test_both_variants_agree() -> None:
    for snapshot in SNAPSHOTS:
        with_jsonld = extract("", snapshot)
        microdata = extract("microdata-", snapshot)
        assert [
            (e.key, e.title, e.authors, e.published, e.pinned) for e in with_jsonld.entries
        ] == [(e.key, e.title, e.authors, e.published, e.pinned) for e in microdata.entries]
        for a, b in zip(with_jsonld.entries, microdata.entries, strict=True):
            assert a.text[:200] == b.text[:200]
            assert a.image_urls == b.image_urls
