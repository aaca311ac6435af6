"""Images during a large refresh: downloaded by the worker processes, recorded by the archive."""

from __future__ import annotations

from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from offline_support import png_bytes

from reader.assets import cached_image
from reader.core import open_archive
from reader.fetch import Fetcher
from reader.imagecache import ImageCacher
from reader.refresh import PROCESS_POOL_THRESHOLD
from reader.store.writer import insert_entries
from reader.types import ParsedEntry
from tests.support.httpserver import LocalServer


def _feed(source: int, images: list[str]) -> str:
    items = "".join(
        f"<item><guid>s{source}-{n}</guid><title>Story {n} of source {source}</title>"
        f"<description>&lt;p&gt;Words.&lt;img src=&quot;{url}&quot;&gt;&lt;/p&gt;</description>"
        "</item>"
        for n, url in enumerate(images)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>F{source}</title>{items}</channel></rss>'


def test_a_large_refresh_caches_every_image_once_and_reads_them_offline(
    local_server: LocalServer, tmp_path: Path
) -> None:
    count = PROCESS_POOL_THRESHOLD + 2  # enough sources for the worker processes
    shared = local_server.route("/img/shared.png", png_bytes(7, 7), content_type="image/png")
    own: dict[str, bytes] = {}
    feeds = []
    for source in range(count):
        data = png_bytes(8, 8 + source)
        own[local_server.route(f"/img/{source}.png", data, content_type="image/png")] = data
        images = [f"{local_server.base_url}/img/{source}.png", shared]
        feeds.append(
            local_server.route(
                f"/feed/{source}.xml", _feed(source, images), content_type="application/rss+xml"
            )
        )
    broken = local_server.hostile("server-error", "/img/broken.png")
    feeds.append(
        local_server.route("/feed/broken.xml", _feed(99, [broken]), content_type="text/xml")
    )

    with open_archive(tmp_path / "data") as archive:
        for url in feeds:
            archive.subscribe(url, "feed")
        result = archive.refresh()
        assert all(r.error is None for r in result.sources)  # a failed image fails nothing
        local_server.stop()

        assert len(local_server.requests_for("/img/shared.png")) == 1
        for url, data in own.items():
            assert cached_image(archive, url) == data
        assert cached_image(archive, shared) == png_bytes(7, 7)
        assert len(archive.image_store.sizes()) == count + 1
        states = {
            (image.url, image.cached)
            for entry in archive.entries(limit=100)
            for image in archive.images(entry.id)
        }
        assert (broken, False) in states
        assert all(cached for url, cached in states if url != broken)


class _BrokenPool(Executor):
    """A worker pool whose workers died: every job fails, as with BrokenProcessPool."""

    def __init__(self, *, refuse: bool = False) -> None:
        self.refuse = refuse
        self.jobs = 0

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.refuse:
            raise RuntimeError("cannot schedule new futures after shutdown")
        self.jobs += 1
        future: Future[object] = Future()
        future.set_exception(BrokenProcessPool("a child process terminated abruptly"))
        return future


@pytest.mark.parametrize("refuse", [False, True])
def test_images_still_download_when_the_worker_processes_fail(
    local_server: LocalServer, tmp_path: Path, refuse: bool
) -> None:
    data = {local_server.route(f"/img/{n}.png", png_bytes(3, 3 + n), content_type="image/png"): n
            for n in range(3)}
    with open_archive(tmp_path / "data") as archive, Fetcher() as fetcher:
        source = archive.subscribe(local_server.url("/feed.xml"), "feed")
        items = [
            ParsedEntry(key=f"k{n}", kind="article", title=f"T{n}", html="", text="",
                        image_urls=(url,))
            for url, n in data.items()
        ]
        with archive.writing() as connection:
            insert_entries(connection, source.id, items, 0)
        pool = _BrokenPool(refuse=refuse)
        cacher = ImageCacher(archive, fetcher=fetcher, pool=pool)
        cacher.add(None)
        report = cacher.finish()
        assert report.cached == 3 and report.failed == 0
        assert pool.jobs == (0 if refuse else 1)  # one host: one batch
        for url, n in data.items():
            assert cached_image(archive, url) == png_bytes(3, 3 + n)


class _HeldPool(Executor):
    """A pool that runs nothing until told: shows what was sent, and when."""

    def __init__(self) -> None:
        self.sent: list[tuple[Future[object], object, tuple[object, ...]]] = []

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        future: Future[object] = Future()
        self.sent.append((future, fn, args))
        return future

    def run(self, index: int) -> None:
        future, fn, args = self.sent[index]
        future.set_result(fn(*args))  # type: ignore[operator]


def test_while_the_refresh_parses_only_one_image_batch_is_in_the_pool(
    local_server: LocalServer, tmp_path: Path
) -> None:
    other = LocalServer()
    other.start()
    servers = [local_server, other] * 2  # two addresses: a batch for each
    urls = [
        server.route(f"/img/{n}.png", png_bytes(2, 2 + n), content_type="image/png")
        for n, server in enumerate(servers)
    ]
    with open_archive(tmp_path / "data") as archive, Fetcher() as fetcher:
        source = archive.subscribe(local_server.url("/feed.xml"), "feed")
        items = [
            ParsedEntry(key=f"k{n}", kind="article", title=f"T{n}", html="", text="",
                        image_urls=(url,))
            for n, url in enumerate(urls)
        ]
        with archive.writing() as connection:
            ids = insert_entries(connection, source.id, items, 0)
        pool = _HeldPool()
        cacher = ImageCacher(archive, fetcher=fetcher, pool=pool)
        cacher.add(ids)  # two hosts: two batches, but only one may be in the pool yet
        assert len(pool.sent) == 1
        cacher.add_soon([])
        assert len(pool.sent) == 1  # the first is still running
        pool.run(0)
        cacher.add_soon([])
        assert len(pool.sent) == 2  # done: the next one goes
        cacher.flush()
        pool.run(1)
        report = cacher.finish()
        assert report.cached == 4 and report.failed == 0
    other.stop()
