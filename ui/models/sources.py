"""The sources tree: smart views, folders, feeds and live blogs, and saved searches.

The tree is rebuilt from a `SourcesSnapshot` that a worker reads from the archive (unread
counts need a scan of the entries). When only counts changed, rows are updated in place so
selection and expansion survive a refresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QIcon

from reader.core import Archive, Folder, SavedSearch
from reader.types import Source

AnyIndex = QModelIndex | QPersistentModelIndex

NODE_KEY_ROLE = Qt.ItemDataRole.UserRole + 20
NODE_KIND_ROLE = Qt.ItemDataRole.UserRole + 21
UNREAD_ROLE = Qt.ItemDataRole.UserRole + 22
LIVE_ROLE = Qt.ItemDataRole.UserRole + 23
ERROR_ROLE = Qt.ItemDataRole.UserRole + 24
PAYLOAD_ROLE = Qt.ItemDataRole.UserRole + 25

# kinds: all, unread, starred, highlights, folder, feed, liveblog, searches, search


@dataclass(frozen=True)
class SourcesSnapshot:
    sources: tuple[Source, ...]
    folders: tuple[Folder, ...]
    searches: tuple[SavedSearch, ...]
    search_unread: dict[int, int]
    starred: int
    highlights: int = 0

    @property
    def total_unread(self) -> int:
        return sum(source.unread for source in self.sources)


def read_snapshot(archive: Archive) -> SourcesSnapshot:
    """Everything the tree shows, read in one go (on a worker thread)."""
    searches = tuple(archive.saved_searches())
    counts: dict[int, int] = {}
    count_matches = getattr(archive, "count_matches", None)
    for search in searches:
        if count_matches is None:
            break
        try:
            counts[search.id] = int(count_matches(search.query, unread_only=True))
        except Exception:  # a saved query the current parser refuses shows no count
            counts[search.id] = 0
    return SourcesSnapshot(
        sources=tuple(archive.sources()),
        folders=tuple(archive.folders()),
        searches=searches,
        search_unread=counts,
        starred=archive.count_entries(starred=True),
        highlights=len(archive.highlights()),
    )


@dataclass
class SourceNode:
    key: str
    kind: str
    title: str
    unread: int = 0
    payload: Any = None
    parent: SourceNode | None = None
    children: list[SourceNode] = field(default_factory=list)

    def add(self, child: SourceNode) -> SourceNode:
        child.parent = self
        self.children.append(child)
        return child

    def row(self) -> int:
        return 0 if self.parent is None else self.parent.children.index(self)

    def source_ids(self) -> tuple[int, ...]:
        """The sources under this node (itself for a source)."""
        if self.kind in ("feed", "liveblog"):
            return (int(self.payload.id),)
        found: list[int] = []
        for child in self.children:
            found.extend(child.source_ids())
        return tuple(found)

    def walk(self) -> list[SourceNode]:
        nodes = [self]
        for child in self.children:
            nodes.extend(child.walk())
        return nodes


def build_tree(snapshot: SourcesSnapshot) -> SourceNode:
    root = SourceNode("root", "root", "")
    root.add(SourceNode("all", "all", "All entries", snapshot.total_unread))
    root.add(SourceNode("unread", "unread", "Unread", snapshot.total_unread))
    root.add(SourceNode("starred", "starred", "Starred", snapshot.starred))
    root.add(SourceNode("highlights", "highlights", "Highlights", snapshot.highlights))
    folder_nodes: dict[str, SourceNode] = {}
    for folder in sorted(snapshot.folders, key=lambda f: f.path.lower()):
        parent_path = folder.path.rpartition("/")[0]
        parent = folder_nodes.get(parent_path, root) if parent_path else root
        folder_nodes[folder.path] = parent.add(
            SourceNode(f"folder:{folder.id}", "folder", folder.name, 0, folder)
        )
    for source in sorted(snapshot.sources, key=lambda s: s.title.lower()):
        parent = folder_nodes.get(source.folder or "", root) if source.folder else root
        parent.add(
            SourceNode(f"source:{source.id}", source.kind, source.title, source.unread, source)
        )
    for node in reversed(root.walk()):
        if node.kind == "folder":
            node.unread = sum(child.unread for child in node.children)
    if snapshot.searches:
        group = root.add(SourceNode("searches", "searches", "Saved searches"))
        for search in snapshot.searches:
            group.add(
                SourceNode(
                    f"search:{search.id}",
                    "search",
                    search.name,
                    snapshot.search_unread.get(search.id, 0),
                    search,
                )
            )
    return root


def _shape(node: SourceNode) -> list[tuple[str, str | None]]:
    return [(n.key, n.parent.key if n.parent else None) for n in node.walk()]


class SourcesModel(QAbstractItemModel):
    """One column; badges (unread count, LIVE, error) are painted by `SourceDelegate`."""

    def __init__(self, icon_for: Callable[[str], QIcon] | None = None, parent: Any = None):
        super().__init__(parent)
        self._root = SourceNode("root", "root", "")
        self._icon_for = icon_for
        self._by_key: dict[str, SourceNode] = {}
        self._group_font = QFont()
        self._group_font.setBold(True)
        self.snapshot: SourcesSnapshot | None = None

    def set_snapshot(self, snapshot: SourcesSnapshot) -> bool:
        """Show a new snapshot. Returns True when the tree's shape changed (a reset)."""
        self.snapshot = snapshot
        new_root = build_tree(snapshot)
        if _shape(new_root) == _shape(self._root):
            for old, new in zip(self._root.walk(), new_root.walk(), strict=True):
                old.title, old.unread, old.payload = new.title, new.unread, new.payload
            self._emit_all_changed(QModelIndex())
            return False
        self.beginResetModel()
        self._root = new_root
        self._by_key = {node.key: node for node in new_root.walk()}
        self.endResetModel()
        return True

    def _emit_all_changed(self, parent: QModelIndex) -> None:
        rows = self.rowCount(parent)
        if rows == 0:
            return
        self.dataChanged.emit(self.index(0, 0, parent), self.index(rows - 1, 0, parent))
        for row in range(rows):
            self._emit_all_changed(self.index(row, 0, parent))

    def node(self, index: AnyIndex) -> SourceNode | None:
        if not index.isValid():
            return None
        node = index.internalPointer()
        return node if isinstance(node, SourceNode) else None

    def index_for_key(self, key: str) -> QModelIndex:
        node = self._by_key.get(key)
        if node is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row(), 0, node)

    def nodes(self) -> list[SourceNode]:
        return self._root.walk()[1:]

    # -- Qt model interface ----------------------------------------------------------
    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        parent_node = self.node(parent) if parent.isValid() else self._root
        if parent_node is None or not 0 <= row < len(parent_node.children):
            return QModelIndex()
        return self.createIndex(row, column, parent_node.children[row])

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        node = self.node(index)
        if node is None or node.parent is None or node.parent is self._root:
            return QModelIndex()
        return self.createIndex(node.parent.row(), 0, node.parent)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        node = self.node(parent) if parent.isValid() else self._root
        return 0 if node is None else len(node.children)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        node = self.node(index)
        if node is None:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if node.kind not in ("folder", "searches", "root"):
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self.node(index)
        if node is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return node.title
        if role == Qt.ItemDataRole.DecorationRole and self._icon_for is not None:
            kind = node.kind
            if kind in ("feed", "liveblog") and node.payload.last_error:
                kind = "error"
            return self._icon_for(kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(node)
        if role == Qt.ItemDataRole.FontRole and node.kind == "searches":
            return self._group_font
        if role == NODE_KEY_ROLE:
            return node.key
        if role == NODE_KIND_ROLE:
            return node.kind
        if role == UNREAD_ROLE:
            return node.unread
        if role == LIVE_ROLE:
            return node.kind == "liveblog" and bool(node.payload.is_live)
        if role == ERROR_ROLE:
            return node.payload.last_error if node.kind in ("feed", "liveblog") else None
        if role == PAYLOAD_ROLE:
            return node.payload
        return None


def _tooltip(node: SourceNode) -> str:
    if node.kind in ("feed", "liveblog"):
        source: Source = node.payload
        lines = [source.title, source.url]
        if source.kind == "liveblog":
            lines.append("Live blog, live now" if source.is_live else "Live blog, ended")
        lines.append(f"{source.unread} unread of {source.entries}")
        if source.last_error:
            lines.append(f"Last refresh failed: {source.last_error}")
        if not source.notify:
            lines.append("Notifications off")
        return "\n".join(lines)
    if node.kind == "search":
        return f"Saved search: {node.payload.query}"
    if node.kind == "folder":
        return f"{node.payload.path} ({node.unread} unread)"
    return f"{node.title} ({node.unread})"
