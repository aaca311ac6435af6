"""Screenshots of the app on the demo archive, for people to look at (slow; run with
`pytest -m slow tests/gui/test_screenshots.py`). PNGs go to /tmp/newsdesk-shots."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from reader.core import open_archive
from reader.store.convert import now_epoch
from reader.store.schema import assets, entry_images
from tests.gui.conftest import make_window

OUT = Path("/tmp/newsdesk-shots")
DEMO_IMAGES = Path(__file__).resolve().parents[2] / "resources" / "demo" / "img"


def _cache_demo_images(archive) -> None:
    """Put the demo's images in the image store (the demo builder leaves them uncached)."""
    with archive.writing() as connection:
        for row in connection.execute(entry_images.select()).all():
            data = (DEMO_IMAGES / row.url.rsplit("/", 1)[-1]).read_bytes()
            sha = archive.image_store.put(data)
            if connection.execute(assets.select().where(assets.c.sha256 == sha)).first() is None:
                connection.execute(
                    assets.insert().values(
                        sha256=sha,
                        content_type="image/jpeg",
                        size=len(data),
                        fetched_at=now_epoch(),
                    )
                )
            connection.execute(
                update(entry_images)
                .where(entry_images.c.url == row.url)
                .values(sha256=sha, status="cached")
            )


@pytest.mark.slow
def test_screenshots_of_the_demo(qtbot, tmp_path: Path) -> None:
    from reader.demo import build_demo_archive

    OUT.mkdir(exist_ok=True)
    build_demo_archive(tmp_path / "demo")
    archive = open_archive(tmp_path / "demo")
    _cache_demo_images(archive)
    window = make_window(qtbot, archive, tmp_path)
    window.resize(1400, 860)
    model = window.thread_model
    qtbot.waitUntil(lambda: model.thread_count() > 0)

    def shot(name: str, widget=None) -> None:
        qtbot.wait(300)
        assert (widget or window).grab().save(str(OUT / f"{name}.png"))

    rows = [r for r in range(model.rowCount()) if model.thread_at(r)]
    big = max(rows, key=lambda r: model.thread_at(r).size)
    window.tree_view.expand(model.index(big, 0))
    with_image = next(e for e in archive.entries() if "<img" in e.html)
    with qtbot.waitSignal(window.article_shown, timeout=5000):
        window.open_entry(int(with_image.id))
    qtbot.waitUntil(lambda: window.reading_pane.browser.images_served != [])
    shot("main")
    shot("reading-pane-image-offline", window.reading_pane)
    with qtbot.waitSignal(window.thread_shown, timeout=5000):
        window.tree_view.setCurrentIndex(model.index(big, 0))
    shot("thread-view")
    with qtbot.waitSignal(window.article_shown, timeout=5000):
        window.search_box.setText("ceasefire")
        window.run_search()
    window.reading_pane.next_match()
    shot("search")
    window.settings.theme = "dark"
    window.apply_settings()
    shot("dark-theme")
    window.settings.theme = "light"
    window.apply_settings()
    dialog = window.actions_.add_source("https://example.invalid/feed.xml")
    shot("add-dialog", dialog)
    dialog.close()
    window.close()
    window.runner.wait_for_done(5000)
    archive.close()
    assert len(list(OUT.glob("*.png"))) >= 6
