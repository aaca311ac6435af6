"""The image cache: downloads once, reads offline, refuses trackers, non-images and giants."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from offline_support import (
    IMAGE_FIXTURES,
    PIXEL_GIF,
    add_entries,
    add_source,
    entry,
    new_archive,
    png_bytes,
)
from sqlalchemy import select

import reader.assets
from reader.assets import (
    cached_image,
    image_dimensions,
    rewrite_images_for_offline,
    sniff_image_type,
)
from reader.core import Archive
from reader.fetch import Fetcher, FetchLimits
from reader.imagecache import cache_images
from reader.store.schema import assets, entry_images
from tests.support.httpserver import LocalServer


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with new_archive(tmp_path / "data") as opened:
        yield opened


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchLimits(per_host=4, deadline=10)) as client:
        yield client


def _states(archive: Archive) -> dict[tuple[int, str], tuple[str, str | None]]:
    with archive.reading() as connection:
        rows = connection.execute(select(entry_images)).all()
    return {(r.entry_id, r.url): (r.status, r.error) for r in rows}


def test_header_readers_know_the_formats() -> None:
    jpeg = (IMAGE_FIXTURES / "post-7074-1.jpg").read_bytes()
    assert sniff_image_type(jpeg) == "image/jpeg"
    width, height = image_dimensions(jpeg) or (0, 0)
    assert width > 1 and height > 1
    assert sniff_image_type(png_bytes(7, 3)) == "image/png"
    assert image_dimensions(png_bytes(7, 3)) == (7, 3)
    assert image_dimensions(PIXEL_GIF) == (1, 1)
    assert sniff_image_type(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert sniff_image_type(b"<html>") is None


def test_images_are_cached_once_and_read_offline(
    archive: Archive, fetcher: Fetcher, local_server: LocalServer
) -> None:
    local_server.serve_directory("/img", IMAGE_FIXTURES)
    local_server.route("/img/chart.png", png_bytes(40, 20), content_type="image/png")
    jpg_url = local_server.url("/img/post-7074-1.jpg")
    png_url = local_server.url("/img/chart.png")
    other_url = local_server.url("/img/post-7259-1.jpg")
    source = add_source(archive, "https://example.org/feed")
    first, second = add_entries(
        archive,
        source,
        [entry("a", images=[jpg_url, png_url]), entry("b", images=[jpg_url, other_url])],
    )

    report = cache_images(archive, fetcher=fetcher)

    assert report.cached == 4 and report.failed == 0 and report.skipped == 0
    assert len(local_server.requests_for("/img/post-7074-1.jpg")) == 1  # shared URL fetched once
    assert set(report.entry_ids) == {first, second}
    local_server.stop()

    for url, path in (
        (jpg_url, IMAGE_FIXTURES / "post-7074-1.jpg"),
        (other_url, IMAGE_FIXTURES / "post-7259-1.jpg"),
    ):
        assert cached_image(archive, url) == path.read_bytes()
        assert archive.image_bytes(hashlib.sha256(path.read_bytes()).hexdigest()) is not None
    assert [image.cached for image in archive.images(first)] == [True, True]
    assert [image.url for image in archive.images(first)] == [jpg_url, png_url]
    with archive.reading() as connection:
        types = dict(connection.execute(select(assets.c.sha256, assets.c.content_type)).all())
    assert sorted(types.values()) == ["image/jpeg", "image/jpeg", "image/png"]
    assert len(archive.image_store.sizes()) == 3  # the shared picture is stored once

    # Nothing pending: a second pass asks nothing of the (stopped) server.
    again = cache_images(archive, fetcher=fetcher)
    assert again.requests == 0 and again.cached == 0


def test_a_url_cached_before_is_reused_for_new_entries(
    archive: Archive, fetcher: Fetcher, local_server: LocalServer
) -> None:
    url = local_server.route("/p.png", png_bytes(8, 8), content_type="image/png")
    source = add_source(archive, "https://example.org/feed")
    add_entries(archive, source, [entry("a", images=[url])])
    cache_images(archive, fetcher=fetcher)
    (later,) = add_entries(archive, source, [entry("b", images=[url])])
    report = cache_images(archive, [later], fetcher=fetcher)
    assert report.cached == 1 and report.requests == 0
    assert len(local_server.requests_for("/p.png")) == 1


def test_tracking_pixels_are_skipped(
    archive: Archive, fetcher: Fetcher, local_server: LocalServer
) -> None:
    dot = local_server.route("/img/dot.gif", PIXEL_GIF, content_type="image/gif")
    beacon = local_server.route("/pixel.gif", PIXEL_GIF, content_type="image/gif")
    declared = local_server.route("/img/declared.png", png_bytes(30, 30), content_type="image/png")
    real = local_server.route(
        "/img/real.png", png_bytes(30, 30, (1, 2, 3)), content_type="image/png"
    )
    source = add_source(archive, "https://example.org/feed")
    html = (
        f'<p>x</p><img src="{dot}"><img src="{beacon}">'
        f'<img src="{declared}" width="1" height="1"><img src="{real}">'
    )
    (entry_id,) = add_entries(
        archive, source, [entry("a", images=[dot, beacon, declared, real], html=html)]
    )

    report = cache_images(archive, fetcher=fetcher)

    states = _states(archive)
    assert states[(entry_id, real)][0] == "cached"
    for url in (dot, beacon, declared):
        assert states[(entry_id, url)][0] == "skipped"
        assert "tracking pixel" in (states[(entry_id, url)][1] or "")
    assert report.skipped == 3 and report.cached == 1
    assert local_server.requests_for("/pixel.gif") == []  # known beacon: never requested
    assert local_server.requests_for("/img/declared.png") == []  # declared 1x1: never requested
    assert cached_image(archive, dot) is None


def test_oversize_and_non_images_are_refused_without_failing_the_rest(
    archive: Archive, fetcher: Fetcher, local_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader.assets, "MAX_IMAGE_BYTES", 64 * 1024)
    big = local_server.route(
        "/big.png", png_bytes(8, 8) + bytes(100 * 1024), content_type="image/png"
    )
    page = local_server.route("/page.png", "<html><body>hi</body></html>", content_type="text/html")
    liar = local_server.route("/liar.png", b"<html>not really</html>", content_type="image/png")
    svg = local_server.route(
        "/logo.svg",
        "<svg xmlns='http://www.w3.org/2000/svg'><script>x()</script></svg>",
        content_type="image/svg+xml",
    )
    good = local_server.route("/good.png", png_bytes(16, 16), content_type="image/png")
    source = add_source(archive, "https://example.org/feed")
    (entry_id,) = add_entries(archive, source, [entry("a", images=[big, page, liar, svg, good])])

    report = cache_images(archive, fetcher=fetcher)

    states = _states(archive)
    assert states[(entry_id, good)] == ("cached", None)
    assert states[(entry_id, big)][0] == "skipped" and "larger than" in (
        states[(entry_id, big)][1] or ""
    )
    assert states[(entry_id, page)][0] == "skipped" and "not an image" in (
        states[(entry_id, page)][1] or ""
    )
    assert states[(entry_id, liar)][0] == "skipped"
    assert states[(entry_id, svg)][0] == "skipped" and "SVG" in (states[(entry_id, svg)][1] or "")
    assert report.failed == 0
    # Only the good image reached the store.
    assert len(archive.image_store.sizes()) == 1


def test_failures_are_retried_a_few_times_then_left(
    archive: Archive, fetcher: Fetcher, local_server: LocalServer
) -> None:
    broken = local_server.hostile("server-error", "/broken.jpg")
    source = add_source(archive, "https://example.org/feed")
    (entry_id,) = add_entries(archive, source, [entry("a", images=[broken])])
    for attempt in range(1, reader.assets.MAX_ATTEMPTS + 1):
        report = cache_images(archive, fetcher=fetcher)
        assert report.failed == 1 and report.errors
        status, error = _states(archive)[(entry_id, broken)]
        assert status == "failed" and "HTTP 500" in (error or "")
        assert f"attempt {attempt} of" in (error or "")
    final = cache_images(archive, fetcher=fetcher)
    assert final.requests == 0
    assert len(local_server.requests_for("/broken.jpg")) == reader.assets.MAX_ATTEMPTS


def test_sources_without_image_caching_are_left_alone(
    archive: Archive, fetcher: Fetcher, local_server: LocalServer
) -> None:
    url = local_server.route("/a.png", png_bytes(4, 4), content_type="image/png")
    source = add_source(archive, "https://example.org/feed")
    archive.set_source_options(source, cache_images=False)
    add_entries(archive, source, [entry("a", images=[url])])
    assert cache_images(archive, fetcher=fetcher).requests == 0
    assert local_server.requests_for("/a.png") == []


def test_per_entry_limit(
    archive: Archive, fetcher: Fetcher, local_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = png_bytes(50, 50)
    monkeypatch.setattr(reader.assets, "MAX_ENTRY_BYTES", len(first) + 10)
    one = local_server.route("/1.png", first, content_type="image/png")
    two = local_server.route("/2.png", png_bytes(50, 50, (0, 0, 9)), content_type="image/png")
    source = add_source(archive, "https://example.org/feed")
    (entry_id,) = add_entries(archive, source, [entry("a", images=[one, two])])
    report = cache_images(archive, fetcher=fetcher, max_workers=1)
    statuses = sorted(status for status, _ in _states(archive).values())
    assert statuses == ["cached", "skipped"] and report.cached == 1
    assert len(archive.image_store.sizes()) == 1  # the refused image's bytes were not kept


def test_rewrite_images_for_offline() -> None:
    html = '<p>a</p><img src="https://x.org/a.png" alt="A chart"><img src="https://x.org/b.png">'
    out = rewrite_images_for_offline(html, {"https://x.org/a.png": "images/abc.png"})
    assert '<img src="images/abc.png" alt="A chart">' in out
    assert "https://" not in out
    kept = rewrite_images_for_offline(html, {}, drop_unmapped=False)
    assert kept == html
