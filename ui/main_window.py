"""The main window: sources tree, entry list (threaded or flat), reading pane.

All archive work runs on the `TaskRunner`; this class wires results back into models and
widgets on the GUI thread. Menus and shortcuts live in `ui.actions`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFontMetrics, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from reader.core import Archive, SavedSearch
from reader.errors import NewsdeskError
from reader.types import RefreshResult, SearchResults, SourceResult
from ui import theme
from ui.actions import MainActions
from ui.icons import app_icon, icon
from ui.jobs import JobRunner, JobStatus
from ui.models.entries import EntryListModel, EntryQuery, load_rows
from ui.models.rows import ENTRY_ID_ROLE, IS_THREAD_ROLE, READ_ROLE, THREAD_ID_ROLE, TIME_COLUMN
from ui.models.search import SearchResultsModel
from ui.models.sources import (
    NODE_KEY_ROLE,
    SourceNode,
    SourcesModel,
    SourcesSnapshot,
    read_snapshot,
)
from ui.models.stories import StoryQuery, ThreadSummary
from ui.models.threads import ThreadedEntriesModel, held_thread
from ui.refresh import RefreshController
from ui.settings import AppSettings
from ui.story_follow import StoryFollower
from ui.tray import TrayIcon
from ui.widgets.delegates import EntryDelegate, SearchHitDelegate, SourceDelegate
from ui.widgets.highlights_view import HighlightsView
from ui.widgets.reading_pane import ArticleData, ReadingPane, highlights_for, images_for
from ui.widgets.welcome import WelcomeView
from ui.workers import TaskRunner

log = logging.getLogger(__name__)

ENTRIES_PAGE, SEARCH_PAGE, HIGHLIGHTS_PAGE = 0, 1, 2
WELCOME_PAGE, READER_PAGE = 0, 1
TIMELINE_LIMIT = 200  # entries a story's timeline shows
SEARCH_PAGE_SIZE = 50


class MainWindow(QMainWindow):
    new_updates = Signal(int, list)  # source id, entry ids: new live-blog updates arrived
    notification_shown = Signal(str, str)
    sources_loaded = Signal()
    article_shown = Signal(int)
    thread_shown = Signal(int)
    highlights_changed = Signal()
    highlights_shown = Signal(int)
    job_failed = Signal(str, str)  # what, why
    job_done = Signal(str)  # which archive job finished (export, import, check, rethread, …)
    search_done = Signal(str)
    demo_requested = Signal()

    def __init__(
        self,
        archive: Archive,
        settings: AppSettings,
        *,
        runner: TaskRunner | None = None,
        notice: str | None = None,
        demo_available: bool = True,
    ) -> None:
        super().__init__()
        self.archive = archive
        self.settings = settings
        self.runner = runner or TaskRunner(parent=self)
        self.setWindowTitle("Newsdesk")
        self.setWindowIcon(app_icon())
        self.resize(1280, 800)
        self._selected_key = "all"
        self._article_request = 0
        self._pane_request = 0  # the request whose result the reading pane shows
        self._expanded_threads: set[int] = set()
        self._search_generation = 0
        self._list_terms: tuple[str, ...] = ()  # a saved search's terms, for its list
        self._first_snapshot = True
        self._splitter_restored = False

        # Models.
        self.sources_model = SourcesModel(icon, self)
        self.flat_model = EntryListModel(archive, self.runner, self)
        self.thread_model = ThreadedEntriesModel(archive, self.runner, self)
        self.search_model = SearchResultsModel(self)

        # Left: sources.
        self.sources_view = QTreeView(self)
        self.sources_view.setObjectName("sourcesView")
        self.sources_view.setModel(self.sources_model)
        self.sources_view.setHeaderHidden(True)
        self.sources_view.setItemDelegate(SourceDelegate(self.sources_view))
        self.sources_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.sources_view.setUniformRowHeights(True)
        self.sources_view.setIndentation(14)
        self.sources_view.selectionModel().currentChanged.connect(self._on_sources_current_changed)

        # Middle: entries or search results.
        # The grouped list is a tree; the flat one a table, because a tree view asks the
        # model about every row when rows are added (seconds for a million entries).
        self.tree_view = QTreeView(self)
        self.tree_view.setObjectName("entriesView")
        self.tree_view.setUniformRowHeights(True)
        self.tree_view.setAlternatingRowColors(False)
        self.tree_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree_view.setItemDelegate(EntryDelegate(self.tree_view))
        self.tree_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree_view.expanded.connect(self._on_entries_expanded)
        self.tree_view.collapsed.connect(self._on_entries_collapsed)
        self.tree_view.header().setStretchLastSection(False)
        self.tree_view.header().setSortIndicatorShown(False)
        self.tree_view.setModel(self.thread_model)
        self.flat_view = QTableView(self)
        self.flat_view.setObjectName("flatEntriesView")
        self.flat_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.flat_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.flat_view.setShowGrid(False)
        self.flat_view.setWordWrap(False)
        self.flat_view.setTabKeyNavigation(False)
        self.flat_view.setCornerButtonEnabled(False)
        self.flat_view.verticalHeader().hide()
        self.flat_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.flat_view.verticalHeader().setDefaultSectionSize(
            self.flat_view.fontMetrics().height() + 8
        )
        self.flat_view.horizontalHeader().setHighlightSections(False)
        self.flat_view.setItemDelegate(EntryDelegate(self.flat_view))
        self.flat_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.flat_view.setModel(self.flat_model)
        for view in (self.tree_view, self.flat_view):
            self._set_up_columns(view)
            view.selectionModel().currentChanged.connect(self._on_entries_current_changed)
        self.thread_model.threads_loaded.connect(self._on_threads_loaded)
        self.stories = StoryFollower(self)
        self.entries_stack = QStackedWidget(self)
        self.entries_stack.addWidget(self.flat_view)
        self.entries_stack.addWidget(self.tree_view)
        self._entries_model: EntryListModel | ThreadedEntriesModel | None = None

        self.search_view = QListView(self)
        self.search_view.setObjectName("searchResults")
        self.search_view.setModel(self.search_model)
        self.search_view.setItemDelegate(SearchHitDelegate(self.search_view))
        self.search_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.search_view.setWordWrap(True)
        self.search_view.selectionModel().currentChanged.connect(self._on_search_current_changed)
        self.search_message = QLabel("", self)
        self.search_message.setObjectName("searchMessage")
        self.search_message.setWordWrap(True)
        self.search_summary = QLabel("", self)
        self.search_summary.setObjectName("paneTitle")
        self.search_order = QComboBox(self)
        self.search_order.setObjectName("searchOrder")
        self.search_order.addItems(["Best match", "Newest first"])
        self.search_order.setToolTip("Rank by relevance (with a lift for recent entries) or date")
        self.search_order.currentIndexChanged.connect(lambda _i: self.run_search())
        self.search_model.more_wanted.connect(self._on_search_more_wanted)
        self.save_search_button = QPushButton("Save search", self)
        self.save_search_button.setToolTip("Keep this search as a smart folder")
        search_page = QWidget(self)
        search_layout = QVBoxLayout(search_page)
        search_layout.setContentsMargins(0, 0, 0, 0)
        search_layout.setSpacing(0)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 6, 0)
        header.addWidget(self.search_summary, 1)
        header.addWidget(self.search_order)
        search_layout.addLayout(header)
        search_layout.addWidget(self.search_message)
        search_layout.addWidget(self.search_view, 1)
        search_layout.addWidget(self.save_search_button, 0, Qt.AlignmentFlag.AlignRight)

        self.middle = QStackedWidget(self)
        self.middle.addWidget(self.entries_stack)
        self.middle.addWidget(search_page)
        self.highlights_view = HighlightsView(self)
        self.highlights_view.entry_requested.connect(lambda entry_id: self.load_article(entry_id))
        self.highlights_view.remove_requested.connect(self.remove_highlight)
        self.highlights_view.export_requested.connect(lambda: self.actions_.export_highlights_md())
        self.middle.addWidget(self.highlights_view)

        # Right: the reading pane.
        self.reading_pane = ReadingPane(self)
        self.reading_pane.set_highlighter(getattr(archive, "highlight_html", None))
        self.reading_pane.set_font_size(settings.article_font_size)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.sources_view)
        self.splitter.addWidget(self.middle)
        self.splitter.addWidget(self.reading_pane)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setSizes([260, 580, 560])

        self.welcome = WelcomeView(self, demo_available=demo_available)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(self.splitter)
        self.pages.setCurrentIndex(READER_PAGE)

        self.banner = QLabel(notice or "", self)
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(bool(notice))
        central = QWidget(self)
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.banner)
        central_layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        # Search box and toolbar.
        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("Search everything  ( / )")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.returnPressed.connect(self._on_search_box_return_pressed)
        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(350)
        self._search_timer.timeout.connect(self.run_search)

        # Status bar.
        self.status_label = QLabel("", self)
        self.offline_label = QLabel("Offline: showing the archive", self)
        self.offline_label.setObjectName("offlineLabel")
        self.offline_label.hide()
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setMaximumHeight(16)
        self.progress_bar.setFormat("Refreshing %v of %m")
        self.progress_bar.hide()
        self.statusBar().addWidget(self.status_label, 1)
        self.job_status = JobStatus(self)
        self.statusBar().addPermanentWidget(self.job_status)
        self.jobs = JobRunner(self.runner, self.job_status, self)
        self.statusBar().addPermanentWidget(self.offline_label)
        self.statusBar().addPermanentWidget(self.progress_bar)

        # Refresh, tray, actions.
        self.refresher = RefreshController(archive, self.runner, self)
        self.refresher.started.connect(self._on_refresher_started)
        self.refresher.progress.connect(self._on_refresher_progress)
        self.refresher.finished.connect(self._on_refresher_finished)
        self.refresher.failed.connect(self._on_refresher_failed)
        self.refresher.new_updates.connect(self._on_refresher_new_updates)
        self.refresher.offline_changed.connect(self._on_refresher_offline_changed)
        self.refresher.configure(settings.refresh_minutes, settings.liveblog_polling)
        self.tray = TrayIcon(self)
        self.tray.show_window_requested.connect(self._on_tray_show_window)
        self.tray.notification_clicked.connect(self.open_entry)
        self.tray.quit_requested.connect(self.close)

        self.actions_ = MainActions(self)
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.actions_.add)
        toolbar.addAction(self.actions_.refresh_all)
        toolbar.addAction(self.actions_.mark_all_read)
        toolbar.addSeparator()
        toolbar.addAction(self.actions_.group_by_topic)
        toolbar.addAction(self.actions_.unread_only)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(
            spacer.sizePolicy().horizontalPolicy().Expanding,
            spacer.sizePolicy().verticalPolicy().Preferred,
        )
        toolbar.addWidget(spacer)
        toolbar.addWidget(self.search_box)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

        for keys, slot in (
            (QKeySequence("F3"), self.reading_pane.next_match),
            (QKeySequence("Shift+F3"), self.reading_pane.previous_match),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.activated.connect(slot)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.search_box)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.activated.connect(self.leave_search)

        self.reading_pane.read_toggled.connect(
            lambda entry_id, read: self.set_read([entry_id], read)
        )
        self.reading_pane.star_toggled.connect(
            lambda entry_id, star: self.set_starred([entry_id], star)
        )
        self.reading_pane.history_requested.connect(self.actions_.show_history)
        self.reading_pane.open_entry_requested.connect(self.open_entry)
        self.reading_pane.highlight_requested.connect(self.add_highlight)
        self.reading_pane.highlight_edit_requested.connect(self.edit_highlight)
        self.reading_pane.highlight_remove_requested.connect(self.remove_highlight)
        self.save_search_button.clicked.connect(self.actions_.save_current_search)
        self.sources_view.customContextMenuRequested.connect(self.actions_.sources_context_menu)
        for view in (self.tree_view, self.flat_view):
            view.customContextMenuRequested.connect(self.actions_.entries_context_menu)
        self.welcome.add_requested.connect(self.actions_.add_source)
        self.welcome.import_requested.connect(self.actions_.import_opml)
        self.welcome.demo_requested.connect(self.demo_requested.emit)

        self.reading_pane.clear()
        self._restore_window_state()
        self._use_flat_model()
        self.reload_sources()
        # The list need not wait for the sources tree (its counts take a while on a large
        # archive): everything starts loading now.
        self._select_key("all", force=True)

    # -- archive -----------------------------------------------------------------------
    def set_archive(self, archive: Archive, notice: str | None = None) -> None:
        """Show another archive in this window (the demo, or a new location)."""
        self.runner.forget_all()
        self.archive = archive
        self.refresher.set_archive(archive)
        self.flat_model.set_archive(archive)
        self.thread_model.set_archive(archive)
        self.search_model.set_results("", None)
        self.reading_pane.set_highlighter(getattr(archive, "highlight_html", None))
        self.reading_pane.clear()
        self.banner.setText(notice or "")
        self.banner.setVisible(bool(notice))
        self._selected_key = "all"
        self._first_snapshot = True
        self.reload_sources()
        self._select_key("all", force=True)

    # -- sources -----------------------------------------------------------------------
    def reload_sources(self) -> None:
        archive = self.archive
        self.runner.submit(
            lambda: read_snapshot(archive), self._on_snapshot_loaded, self._on_task_failed
        )

    def _on_snapshot_loaded(self, snapshot: SourcesSnapshot) -> None:
        reset = self.sources_model.set_snapshot(snapshot)
        self.tray.set_unread(snapshot.total_unread)
        empty = not snapshot.sources and not snapshot.searches
        self.pages.setCurrentIndex(WELCOME_PAGE if empty else READER_PAGE)
        if reset:
            self.sources_view.expandAll()
            index = self.sources_model.index_for_key(self._selected_key)
            if not index.isValid():
                index = self.sources_model.index_for_key("all")
            self.sources_view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        if self._first_snapshot:
            self._first_snapshot = False
            if self._selected_key != "all":  # "all" started loading before the tree was read
                self._select_key(self._selected_key, force=True)
        self.setWindowTitle(
            f"Newsdesk ({snapshot.total_unread} unread)" if snapshot.total_unread else "Newsdesk"
        )
        self.sources_loaded.emit()

    def selected_node(self) -> SourceNode | None:
        return self.sources_model.node(self.sources_view.currentIndex())

    def _on_sources_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        key = current.data(NODE_KEY_ROLE) if current.isValid() else None
        if key:
            self._select_key(str(key))

    def _select_key(self, key: str, force: bool = False) -> None:
        if key == self._selected_key and not force:
            return
        self._selected_key = key
        node = self.sources_model.node(self.sources_model.index_for_key(key))
        if node is None:
            node = SourceNode("all", "all", "All entries")
        if node.kind == "search":
            self.show_saved_search(node.payload)
            return
        self.show_entries_for(node)

    def show_highlights(self) -> None:
        """The Highlights view: every kept passage, newest first."""
        self.middle.setCurrentIndex(HIGHLIGHTS_PAGE)
        archive = self.archive

        def shown(found: Any) -> None:
            self.highlights_view.set_highlights(list(found))
            self.highlights_shown.emit(len(found))

        self.runner.submit(lambda: archive.highlights(), shown, self._on_task_failed)

    def show_entries_for(self, node: SourceNode) -> None:
        if node.kind == "highlights":
            self.show_highlights()
            return
        self.middle.setCurrentIndex(ENTRIES_PAGE)
        unread_only = self.settings.unread_only
        if node.kind == "searches":
            return
        source_ids: tuple[int, ...] | None = None
        if node.kind in ("feed", "liveblog", "folder"):
            source_ids = node.source_ids()
        unread = unread_only or node.kind == "unread"
        starred = node.kind == "starred"
        if self.settings.group_by_topic and not starred:
            self._use_thread_model(StoryQuery(source_ids=source_ids, unread=unread))
            return
        self._use_flat_model()
        self.flat_model.set_query(
            EntryQuery(
                source_ids=source_ids,
                unread=unread,
                starred=starred,
                order=self.flat_model.query.order,
            )
        )

    def _use_flat_model(self) -> None:
        self._entries_model = self.flat_model
        self.entries_stack.setCurrentWidget(self.flat_view)

    def _use_thread_model(self, query: StoryQuery) -> None:
        self._entries_model = self.thread_model
        self.entries_stack.setCurrentWidget(self.tree_view)
        self.thread_model.load(query=query)

    @property
    def entries_view(self) -> QTreeView | QTableView:
        """The entry list on screen: the story tree or the flat table."""
        if self._entries_model is self.thread_model:
            return self.tree_view
        return self.flat_view

    def _set_up_columns(self, view: QTreeView | QTableView) -> None:
        header = view.header() if isinstance(view, QTreeView) else view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        bold = view.font()
        bold.setBold(True)
        time_width = QFontMetrics(bold).horizontalAdvance("Wed 30 Sep 2099") + 12
        header.resizeSection(1, max(140, view.fontMetrics().horizontalAdvance("M") * 12))
        header.resizeSection(2, time_width)
        header.setMinimumSectionSize(60)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def reload_entries(self) -> None:
        """Reload the list shown (after an import, a rethread, a story change)."""
        query = self.flat_model.query
        fell_back = (
            self._entries_model is self.flat_model
            and self.settings.group_by_topic
            and query.search is None
            and not query.starred
        )
        if fell_back:  # stories may exist now: try the grouped view again
            self._select_key(self._selected_key, force=True)
        elif self._entries_model is self.thread_model:
            self.thread_model.reload()
        else:
            self.flat_model.reload()

    def in_search(self) -> bool:
        return self.middle.currentIndex() == SEARCH_PAGE

    def thread_of_entry(self, entry_id: int) -> int | None:
        """The story an entry shown in the grouped list belongs to."""
        if self._entries_model is not self.thread_model:
            return None
        index = self.thread_model.index_of_entry(entry_id)
        value = index.data(THREAD_ID_ROLE) if index.isValid() else None
        return int(value) if value is not None else None

    def current_thread(self) -> ThreadSummary | None:
        """The story selected in the grouped list (its row, or one of its entries)."""
        if self._entries_model is not self.thread_model or self.in_search():
            return None
        index = self.entries_view.currentIndex()
        if not index.isValid():
            return None
        if index.parent().isValid():
            index = index.parent()
        return self.thread_model.thread_at(index.row())

    @property
    def entries_model(self) -> EntryListModel | ThreadedEntriesModel:
        assert self._entries_model is not None
        return self._entries_model

    def _on_threads_loaded(self, count: int) -> None:
        if count == 0 and self._entries_model is self.thread_model:
            # No story threads here yet (a fresh archive, or threading still running): by date.
            story = self.thread_model.query
            self._use_flat_model()
            self.flat_model.set_query(
                EntryQuery(source_ids=story.source_ids, unread=story.unread, starred=story.starred)
            )
            return
        # Select, expand and show again what was, following stories the core merged.
        self._expanded_threads = self.stories.rows_loaded(self._expanded_threads)

    def _on_entries_expanded(self, index: QModelIndex) -> None:
        thread_id = index.data(THREAD_ID_ROLE)
        if index.data(IS_THREAD_ROLE) and thread_id is not None:
            self._expanded_threads.add(int(thread_id))

    def _on_entries_collapsed(self, index: QModelIndex) -> None:
        thread_id = index.data(THREAD_ID_ROLE)
        if thread_id is not None:
            self._expanded_threads.discard(int(thread_id))

    # -- reading -----------------------------------------------------------------------
    def _on_entries_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.stories.user_moved()
        if not current.isValid() or self.stories.restoring:
            return
        if current.data(IS_THREAD_ROLE):
            self._show_thread(current.row())
            return
        entry_id = current.data(ENTRY_ID_ROLE)
        if entry_id is not None:
            saved_search = self.flat_model.query.search is not None
            terms = (
                self._list_terms if saved_search and self._entries_model is self.flat_model else ()
            )
            self.load_article(int(entry_id), terms=terms)

    def _show_thread(self, row: int) -> None:
        thread = self.thread_model.thread_at(row)
        if thread is not None:
            self.show_thread(thread)

    def show_thread(
        self, thread: ThreadSummary, *, note: str = "", keep_scroll: bool = False
    ) -> None:
        """The story's timeline across every source, in the reading pane."""
        archive = self.archive
        self._article_request += 1
        request = self._article_request
        self.thread_model.track(held_thread(thread))  # followed if the core merges it

        def shown(found: Any) -> None:
            if request == self._article_request:
                self._pane_request = request
                self.reading_pane.show_thread(thread, found, note=note, keep_scroll=keep_scroll)
                self.thread_shown.emit(thread.id)

        self.runner.submit(
            lambda: archive.entries(thread_id=thread.id, limit=TIMELINE_LIMIT),
            shown,
            self._on_task_failed,
        )

    def load_article(self, entry_id: int, terms: Sequence[str] = ()) -> None:
        """Read an entry (off the GUI thread), show it, and mark it read."""
        self._article_request += 1
        request = self._article_request
        archive = self.archive
        wanted_terms = tuple(terms)

        def read() -> ArticleData:
            entry = archive.entry(entry_id)
            try:
                source = archive.source(entry.source_id)
            except NewsdeskError:
                source = None  # unsubscribed with its entries kept
            return ArticleData(
                entry,
                source,
                images_for(archive, entry_id),
                wanted_terms,
                highlights_for(archive, entry_id),
            )

        def shown(article: ArticleData) -> None:
            if request != self._article_request:
                return  # the user moved on while this loaded
            self._pane_request = request
            self.reading_pane.show_article(article)
            if not article.entry.read:
                self.set_read([entry_id], True)
            self.article_shown.emit(entry_id)

        self.runner.submit(read, shown, self._on_task_failed)

    # -- the reader's highlights -----------------------------------------------------------
    def add_highlight(self, entry_id: int, quote: str, start: int, color: str, note: str) -> None:
        archive = self.archive
        self._change_highlights(
            lambda: archive.add_highlight(entry_id, quote, start, color, note), "Highlighted"
        )

    def edit_highlight(self, highlight_id: int, note: str, color: str) -> None:
        archive = self.archive
        self._change_highlights(
            lambda: archive.update_highlight(highlight_id, note=note, color=color),
            "Highlight changed",
        )

    def remove_highlight(self, highlight_id: int) -> None:
        archive = self.archive
        self._change_highlights(lambda: archive.remove_highlight(highlight_id), "Highlight removed")

    def _change_highlights(self, change: Any, done_text: str) -> None:
        """Write a highlight change, then repaint the article where the reader was."""
        article = self.reading_pane.article
        archive = self.archive

        def write_and_reload() -> Any:
            change()
            if article is None:
                return None
            return replace(article, highlights=highlights_for(archive, int(article.entry.id)))

        def done(updated: ArticleData | None) -> None:
            self.status_label.setText(done_text)
            current = self.reading_pane.article
            if updated is not None and current is not None and current.entry.id == updated.entry.id:
                self.reading_pane.show_article(updated, keep_scroll=True)
            self.highlights_changed.emit()
            self.reload_sources()
            if self.middle.currentIndex() == HIGHLIGHTS_PAGE:
                self.show_highlights()

        self.runner.submit(write_and_reload, done, self._on_task_failed)

    def pane_busy(self) -> bool:
        """Something the reader asked for is still loading into the reading pane."""
        return self._pane_request != self._article_request

    def open_entry(self, entry_id: int) -> None:
        """Show an entry from anywhere (a notification, a thread timeline)."""
        self.showNormal()
        self.raise_()
        self.activateWindow()
        model = self._entries_model
        if isinstance(model, EntryListModel):
            row = model.row_for_entry(entry_id)
            if row is not None:
                self.entries_view.setCurrentIndex(model.index(row, 0))
                return
        elif isinstance(model, ThreadedEntriesModel):
            index = model.index_of_entry(entry_id)
            if index.isValid():
                self.entries_view.setCurrentIndex(index)
                return
        self.load_article(entry_id)

    def set_read(self, entry_ids: Sequence[int], read: bool) -> None:
        ids = [int(i) for i in entry_ids]
        self.flat_model.set_flags(ids, read=read)
        self.thread_model.set_flags(ids, read=read)
        self._update_pane_flags(ids, read=read)
        archive = self.archive
        self.runner.submit(
            lambda: archive.mark(ids, read=read),
            lambda _r: self.reload_sources(),
            self._on_task_failed,
        )

    def set_starred(self, entry_ids: Sequence[int], starred: bool) -> None:
        ids = [int(i) for i in entry_ids]
        self.flat_model.set_flags(ids, starred=starred)
        self.thread_model.set_flags(ids, starred=starred)
        self._update_pane_flags(ids, starred=starred)
        archive = self.archive
        self.runner.submit(
            lambda: archive.mark(ids, starred=starred),
            lambda _r: self.reload_sources(),
            self._on_task_failed,
        )

    def _update_pane_flags(self, ids: list[int], **flags: bool) -> None:
        article = self.reading_pane.article
        if article is not None and int(article.entry.id) in ids:
            self.reading_pane.update_entry(replace(article.entry, **flags))

    def current_entry_id(self) -> int | None:
        if self.middle.currentIndex() == SEARCH_PAGE:
            value = self.search_view.currentIndex().data(ENTRY_ID_ROLE)
        else:
            value = self.entries_view.currentIndex().data(ENTRY_ID_ROLE)
        return int(value) if value is not None else self.reading_pane.entry_id

    # -- keyboard navigation -------------------------------------------------------------
    def _active_view(self) -> QAbstractItemView:
        return self.search_view if self.middle.currentIndex() == SEARCH_PAGE else self.entries_view

    def move_selection(self, step: int, *, unread_only: bool = False) -> bool:
        view = self._active_view()
        model = view.model()
        index = view.currentIndex()
        tree = view if isinstance(view, QTreeView) else None
        for _ in range(100_000):
            if not index.isValid():
                index = model.index(0, 0) if step > 0 else QModelIndex()
                if not index.isValid():
                    return False
            elif tree is not None:
                if step > 0 and index.data(IS_THREAD_ROLE) and not tree.isExpanded(index):
                    if model.canFetchMore(index):
                        model.fetchMore(index)
                    tree.expand(index)
                index = tree.indexBelow(index) if step > 0 else tree.indexAbove(index)
            else:
                index = model.index(index.row() + step, 0)
            if not index.isValid():
                if step > 0 and model.canFetchMore(QModelIndex()):
                    model.fetchMore(QModelIndex())
                    self.status_label.setText("Loading more entries…")
                return False
            if index.data(IS_THREAD_ROLE):
                continue
            if unread_only and index.data(READ_ROLE):
                continue
            view.setCurrentIndex(index)
            view.scrollTo(index)
            return True
        return False

    def space_pressed(self) -> None:
        if not self.reading_pane.page_down():
            self.move_selection(1)

    def toggle_read_current(self) -> None:
        article = self.reading_pane.article
        if article is not None:
            self.set_read([int(article.entry.id)], not article.entry.read)

    def toggle_star_current(self) -> None:
        article = self.reading_pane.article
        if article is not None:
            self.set_starred([int(article.entry.id)], not article.entry.starred)

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    # -- search ------------------------------------------------------------------------
    def _on_search_box_text_changed(self, text: str) -> None:
        if text.strip():
            self._search_timer.start()
        else:
            self._search_timer.stop()
            self.leave_search()

    def _on_search_box_return_pressed(self) -> None:
        self._search_timer.stop()
        self.run_search()

    def _search_order(self) -> Literal["relevance", "date"]:
        return "date" if self.search_order.currentIndex() == 1 else "relevance"

    def run_search(self) -> None:
        """Search the archive (on a worker); an error in the query shows under the box."""
        self._search_timer.stop()
        query = self.search_box.text().strip()
        if not query:
            return
        self.middle.setCurrentIndex(SEARCH_PAGE)
        archive, order = self.archive, self._search_order()
        self._search_generation += 1
        generation = self._search_generation
        self.search_summary.setText(f"Searching for “{query}”…")

        def done(results: SearchResults) -> None:
            if generation != self._search_generation:
                return  # typed on since
            self.search_message.hide()
            self.search_model.set_results(query, results)
            self._show_search_summary(query, results)
            self.save_search_button.setEnabled(True)
            if results.hits:
                self.search_view.setCurrentIndex(self.search_model.index(0, 0))
            else:
                self.reading_pane.show_message(
                    "No results", "Nothing in the archive matches this search."
                )
            self.search_done.emit(query)

        def failed(error: BaseException) -> None:
            if generation != self._search_generation:
                return
            if isinstance(error, NewsdeskError):
                self._show_search_error(query, str(error))
            else:
                self._on_task_failed(error)

        self.runner.submit(
            lambda: archive.search(query, limit=SEARCH_PAGE_SIZE, order=order), done, failed
        )

    def _show_search_summary(self, query: str, results: SearchResults) -> None:
        count = f"{results.total:,}"
        if results.total_is_estimate:
            count = f"About {count}"
        noun = "result" if results.total == 1 else "results"
        self.search_summary.setText(f"{count} {noun} for “{query}”")

    def _on_search_more_wanted(self, offset: int) -> None:
        query, archive, order = self.search_model.query, self.archive, self._search_order()
        generation = self._search_generation

        def done(results: SearchResults) -> None:
            if generation == self._search_generation:
                self.search_model.append_results(results)

        self.runner.submit(
            lambda: archive.search(query, limit=SEARCH_PAGE_SIZE, offset=offset, order=order),
            done,
            self._on_task_failed,
        )

    def _show_search_error(self, query: str, message: str) -> None:
        self.search_model.set_results(query, None)
        self.search_summary.setText(f"No results for “{query}”")
        self.search_message.setText(message)
        self.search_message.show()
        self.save_search_button.setEnabled(False)
        self.reading_pane.show_message("The search could not run", message)
        self.search_done.emit(query)

    def show_saved_search(self, saved: SavedSearch) -> None:
        """A saved search opens as a list of its entries, newest first (a smart folder)."""
        self.middle.setCurrentIndex(ENTRIES_PAGE)
        self._use_flat_model()
        self.flat_model.set_query(EntryQuery(search=saved.query))
        self._list_terms = ()
        archive, key = self.archive, self._selected_key

        def got_terms(results: SearchResults) -> None:
            if self._selected_key == key:
                self._list_terms = results.terms

        def failed(error: BaseException) -> None:
            self.status_label.setText(f"The saved search “{saved.name}” cannot run: {error}")

        self.runner.submit(lambda: archive.search(saved.query, limit=1), got_terms, failed)

    def leave_search(self) -> None:
        if self.middle.currentIndex() == SEARCH_PAGE:
            self.middle.setCurrentIndex(ENTRIES_PAGE)
            self.search_box.blockSignals(True)
            self.search_box.clear()
            self.search_box.blockSignals(False)
            self.entries_view.setFocus()
            if self._selected_key.startswith("search:"):
                self._select_key("all", force=True)
                self.sources_view.setCurrentIndex(self.sources_model.index_for_key("all"))
            elif self._selected_key == "highlights":
                self._select_key("highlights", force=True)

    def _on_search_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry_id = current.data(ENTRY_ID_ROLE) if current.isValid() else None
        if entry_id is not None:
            self.load_article(int(entry_id), terms=self.search_model.terms())

    # -- refresh -----------------------------------------------------------------------
    def refresh(self, source_ids: Sequence[int] | None = None) -> None:
        self.refresher.refresh(source_ids)

    def _on_refresher_started(self, total: int) -> None:
        self.progress_bar.setRange(0, max(total, 0))
        self.progress_bar.setValue(0)
        self.progress_bar.setVisible(True)
        self.status_label.setText("Refreshing…")

    def _on_refresher_progress(self, done: int, total: int, result: SourceResult) -> None:
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(done)

    def _on_refresher_finished(self, result: RefreshResult) -> None:
        self.progress_bar.hide()
        new = sum(r.new for r in result.sources)
        failed = [r for r in result.sources if r.status == "error"]
        parts = [f"{new} new" if new else "No new entries"]
        if failed:
            parts.append(f"{len(failed)} source{'s' if len(failed) != 1 else ''} failed")
        self.status_label.setText(", ".join(parts) if not self.refresher.offline else "")
        self.reload_sources()
        self.apply_refresh_result(result)

    def apply_refresh_result(self, result: RefreshResult) -> None:
        """Reload only what changed: new rows inserted, changed rows replaced."""
        ids = [int(i) for r in result.sources for i in (*r.new_entry_ids, *r.changed_entry_ids)]
        if self._entries_model is self.thread_model:
            if ids:
                self.thread_model.reload()
            return
        if not ids:
            return
        archive = self.archive
        self.runner.submit(
            lambda: load_rows(archive, archive.entries_by_ids(ids)),
            self.flat_model.apply_rows,
            self._on_task_failed,
        )

    def apply_refresh_result_for_source(self, _source: Any) -> None:
        """A source was just added: show its entries where they belong."""
        if self._entries_model is self.thread_model:
            self.thread_model.reload()
        else:
            self.flat_model.reload()

    def _on_refresher_failed(self, message: str) -> None:
        self.progress_bar.hide()
        self.status_label.setText(f"Refresh failed: {message}")

    def _on_refresher_offline_changed(self, offline: bool) -> None:
        self.offline_label.setVisible(offline)
        if offline:
            self.status_label.setText("")

    def _on_refresher_new_updates(self, source_id: int, entry_ids: list[int]) -> None:
        self.new_updates.emit(source_id, entry_ids)
        if not entry_ids or not self.settings.notifications:
            return
        snapshot = self.sources_model.snapshot
        source = (
            next((s for s in snapshot.sources if s.id == source_id), None) if snapshot else None
        )
        if source is not None and not source.notify:
            return
        archive = self.archive

        def announce(entries: Any) -> None:
            if not entries:
                return
            name = source.title if source is not None else entries[0].source_title
            count = len(entry_ids)
            title = f"{name}: {count} new update{'s' if count != 1 else ''}"
            message = entries[0].title or entries[0].text[:120]
            self.tray.notify(title, message, int(entries[0].id))
            self.notification_shown.emit(title, message)

        self.runner.submit(
            lambda: archive.entries_by_ids(entry_ids[:1]), announce, self._on_task_failed
        )

    def _on_tray_show_window(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    # -- errors, state -------------------------------------------------------------------
    def _on_task_failed(self, error: BaseException) -> None:
        if isinstance(error, NewsdeskError):
            self.status_label.setText(str(error))
            return
        log.error("background task failed", exc_info=error)
        self.status_label.setText(f"Something went wrong: {error}")

    def apply_settings(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply_theme(app, self.settings.theme)
        from ui import icons

        icons._icon.cache_clear()
        self.actions_.refresh_icons()
        self.reading_pane.refresh_theme()
        self.reading_pane.set_font_size(self.settings.article_font_size)
        self.refresher.configure(self.settings.refresh_minutes, self.settings.liveblog_polling)
        self.sources_view.viewport().update()
        self.flat_view.viewport().update()
        self.tree_view.viewport().update()

    def _restore_window_state(self) -> None:
        geometry = self.settings.window_state("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state("state")
        if state is not None:
            self.restoreState(state)

    def save_window_state(self) -> None:
        self.settings.set_window_state("geometry", self.saveGeometry())
        self.settings.set_window_state("splitter", self.splitter.saveState())
        self.settings.set_window_state("state", self.saveState())
        self.settings.sync()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._splitter_restored:
            # Restored once the window has its real size, so the panes keep their widths.
            self._splitter_restored = True
            splitter = self.settings.window_state("splitter")
            if splitter is not None:
                self.splitter.restoreState(splitter)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.save_window_state()
        self.refresher.timer.stop()
        self.tray.hide()
        self.runner.forget_all()
        super().closeEvent(event)


__all__ = ["MainWindow", "TIME_COLUMN"]
