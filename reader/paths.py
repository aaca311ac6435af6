"""Where Newsdesk keeps its archive, settings, cache and logs.

Everything lives under one data folder: the per-user default from appdirs, or the
folder given by `--data-dir` / the `NEWSDESK_DATA_DIR` environment variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import appdirs

APP_NAME = "Newsdesk"
ENV_DATA_DIR = "NEWSDESK_DATA_DIR"


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / "archive.sqlite"

    @property
    def assets(self) -> Path:
        return self.root / "assets"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def settings(self) -> Path:
        return self.root / "settings.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"


def default_data_dir() -> Path:
    return Path(appdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> DataPaths:
    """The data folder: the explicit one, else $NEWSDESK_DATA_DIR, else the per-user default."""
    chosen = explicit or os.environ.get(ENV_DATA_DIR) or default_data_dir()
    return DataPaths(Path(chosen).expanduser().resolve())
