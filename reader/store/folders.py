"""Folders form a tree; callers name them by path ("News/World")."""

from __future__ import annotations

from sqlalchemy import Connection, select

from reader.store.schema import folders


def folder_paths(connection: Connection) -> dict[int, str]:
    """Every folder's id mapped to its slash-separated path."""
    rows = connection.execute(select(folders.c.id, folders.c.name, folders.c.parent_id)).all()
    by_id = {row.id: (row.name, row.parent_id) for row in rows}
    paths: dict[int, str] = {}

    def path_of(folder_id: int, depth: int = 0) -> str:
        if folder_id in paths:
            return paths[folder_id]
        name, parent = by_id[folder_id]
        name = str(name)
        if parent is None or parent not in by_id or depth > 64:
            result = name
        else:
            result = f"{path_of(parent, depth + 1)}/{name}"
        paths[folder_id] = result
        return result

    for folder_id in by_id:
        path_of(folder_id)
    return paths


def ensure_folder(connection: Connection, path: str) -> int | None:
    """The id of the folder at `path`, creating missing levels; None for an empty path."""
    parent: int | None = None
    for name in [part.strip() for part in path.split("/") if part.strip()]:
        condition = (
            folders.c.parent_id.is_(None) if parent is None else (folders.c.parent_id == parent)
        )
        found = connection.execute(
            select(folders.c.id).where(folders.c.name == name, condition)
        ).scalar()
        if found is None:
            found = connection.execute(
                folders.insert().values(name=name, parent_id=parent, position=0)
            ).inserted_primary_key[0]  # type: ignore[index]
        parent = int(found)
    return parent
