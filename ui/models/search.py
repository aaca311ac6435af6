"""Search results as a list model; titles and snippets carry `<mark>` HTML for the delegate."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from reader.types import SearchHit, SearchResults
from ui.models.rows import ENTRY_ID_ROLE, local_time_text

AnyIndex = QModelIndex | QPersistentModelIndex
TITLE_HTML_ROLE = Qt.ItemDataRole.UserRole + 40
SNIPPET_HTML_ROLE = Qt.ItemDataRole.UserRole + 41
META_ROLE = Qt.ItemDataRole.UserRole + 42


class SearchResultsModel(QAbstractListModel):
    """The hits of one search; scrolling to the end asks for the next page (`more_wanted`)."""

    more_wanted = Signal(int)  # offset of the next page

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self.results: SearchResults | None = None
        self.query = ""
        self._waiting_for_more = False
        self._exhausted = True

    def set_results(self, query: str, results: SearchResults | None) -> None:
        self.beginResetModel()
        self.query = query
        self.results = results
        self._hits = list(results.hits) if results is not None else []
        self._waiting_for_more = False
        self._exhausted = results is None or len(self._hits) >= results.total
        self.endResetModel()

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and not self._exhausted and not self._waiting_for_more

    def fetchMore(self, parent: AnyIndex) -> None:
        if self.canFetchMore(parent):
            self._waiting_for_more = True
            self.more_wanted.emit(len(self._hits))

    def append_results(self, results: SearchResults) -> None:
        self._waiting_for_more = False
        known = {hit.entry_id for hit in self._hits}
        fresh = [hit for hit in results.hits if hit.entry_id not in known]
        if not fresh:
            self._exhausted = True
            return
        self.beginInsertRows(QModelIndex(), len(self._hits), len(self._hits) + len(fresh) - 1)
        self._hits.extend(fresh)
        self.endInsertRows()

    def terms(self) -> tuple[str, ...]:
        return self.results.terms if self.results is not None else ()

    def hit(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _plain(hit.title)
        if role == TITLE_HTML_ROLE:
            return hit.title
        if role == SNIPPET_HTML_ROLE:
            return hit.snippet
        if role == META_ROLE:
            parts = [hit.source_title, local_time_text(hit.published)]
            return " · ".join(part for part in parts if part)
        if role == ENTRY_ID_ROLE:
            return int(hit.entry_id)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _plain(hit.title)
        return None


def _plain(marked: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"</?mark>", "", marked))
