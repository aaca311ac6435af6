"""The reading pane: images only from the asset cache, revisions, withdrawn, search matches."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QTextDocument
from sqlalchemy import update

from reader.core import Archive
from reader.store.convert import now_epoch
from reader.store.schema import assets, entries, entry_images
from reader.store.writer import record_revision
from reader.types import ParsedEntry
from tests.gui.conftest import FIXTURES
from ui.main_window import MainWindow
from ui.widgets.article_browser import ArticleBrowser
from ui.widgets.reading_pane import ArticleData, ReadingPane, images_for

IMAGE = FIXTURES / "liveblogs" / "img" / "post-7074-1.jpg"
CACHED_URL = "https://images.example.invalid/post-7074-1.jpg"
REMOTE_URL = "https://images.example.invalid/not-cached.jpg"


def _cache_image(archive: Archive, entry_id: int) -> None:
    data = IMAGE.read_bytes()
    sha = archive.image_store.put(data)
    html = f'<p>Photo:</p><p><img src="{CACHED_URL}"></p><p><img src="{REMOTE_URL}"></p>'
    html += '<p><img src="file:///etc/passwd"></p>'
    with archive.writing() as connection:
        connection.execute(
            assets.insert().values(
                sha256=sha, content_type="image/jpeg", size=len(data), fetched_at=now_epoch()
            )
        )
        connection.execute(
            entry_images.insert(),
            [
                {"entry_id": entry_id, "url": CACHED_URL, "sha256": sha, "status": "cached"},
                {"entry_id": entry_id, "url": REMOTE_URL, "sha256": None, "status": "failed"},
            ],
        )
        connection.execute(update(entries).where(entries.c.id == entry_id).values(html=html))


def test_images_come_only_from_the_asset_cache(qtbot, archive: Archive) -> None:
    entry = archive.entries(limit=1)[0]
    _cache_image(archive, entry.id)
    pane = ReadingPane()
    qtbot.addWidget(pane)
    pane.resize(700, 600)
    pane.show()
    found = images_for(archive, entry.id)
    assert set(found) == {CACHED_URL}
    pane.show_article(ArticleData(archive.entry(entry.id), None, found))
    browser = pane.browser
    assert browser.images_served == [CACHED_URL]
    assert REMOTE_URL in browser.images_refused
    assert "file:///etc/passwd" not in browser.images_served
    served = browser.loadResource(
        int(QTextDocument.ResourceType.ImageResource.value), QUrl(CACHED_URL)
    )
    assert isinstance(served, QImage) and not served.isNull()


def test_browser_never_reads_files_or_style_sheets(qtbot, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    QImage(4, 4, QImage.Format.Format_RGB32).save(str(secret))
    browser = ArticleBrowser()
    qtbot.addWidget(browser)
    browser.set_image_lookup(lambda _url: secret)  # even a lookup cannot open file: URLs
    image_kind = int(QTextDocument.ResourceType.ImageResource.value)
    css_kind = int(QTextDocument.ResourceType.StyleSheetResource.value)
    browser.loadResource(image_kind, QUrl.fromLocalFile(str(secret)))
    assert browser.images_served == []
    assert browser.loadResource(css_kind, QUrl("https://example.invalid/x.css")) is None


def test_withdrawn_and_edited_entries_say_so(qtbot, archive: Archive) -> None:
    entry = archive.entries(limit=1)[0]
    with archive.writing() as connection:
        row = connection.execute(entries.select().where(entries.c.id == entry.id)).first()
        edited = ParsedEntry(
            key=entry.key,
            kind="article",
            title=entry.title + " (updated)",
            html="<p>Ministers agreed a full ceasefire plan.</p>",
            text="Ministers agreed a full ceasefire plan.",
        )
        record_revision(connection, row, edited, now_epoch())
        connection.execute(update(entries).where(entries.c.id == entry.id).values(withdrawn=True))
    pane = ReadingPane()
    qtbot.addWidget(pane)
    pane.show_article(ArticleData(archive.entry(entry.id), None, {}))
    text = pane.browser.toPlainText()
    assert "Withdrawn" in text and "2 versions seen" in text
    assert pane.history_button.isVisibleTo(pane)
    from ui.dialogs.revisions import history_html

    history = history_html(archive.revision_history(entry.id))
    assert "line-through" in history and "full" in history


def test_search_matches_are_counted_and_stepped(qtbot, archive: Archive) -> None:
    entry = archive.entries(limit=1)[0]
    pane = ReadingPane()
    qtbot.addWidget(pane)
    pane.resize(600, 400)
    pane.show()
    pane.show_article(ArticleData(entry, None, {}, ("ceasefire", "ministers")))
    assert pane.browser.match_count == 2
    assert pane.match_text() == "1 of 2"
    pane.next_match()
    assert pane.match_text() == "2 of 2"
    pane.next_match()
    assert pane.match_text() == "1 of 2"
    pane.previous_match()
    assert pane.match_text() == "2 of 2"


def test_thread_timeline_links_open_entries(qtbot, window: MainWindow, archive: Archive) -> None:
    from reader.types import Thread, ThreadId

    found = archive.entries(limit=3)
    thread = Thread(
        ThreadId(1), "Ceasefire talks", 3, 3, found[0].published, tuple(e.id for e in found)
    )
    window.reading_pane.show_thread(thread, found)
    assert "Ceasefire talks" in window.reading_pane.browser.toPlainText()
    with qtbot.waitSignal(window.article_shown) as shown:
        window.reading_pane.browser.anchorClicked.emit(QUrl(f"newsdesk:entry/{found[1].id}"))
    assert shown.args == [found[1].id]
