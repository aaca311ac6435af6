"""Where Newsdesk keeps its archive, settings, cache and logs.

Everything lives under one data folder: the per-user default from appdirs, or the
folder given by `--data-dir` / the `NEWSDESK_DATA_DIR` environment variable.
"""

from __future__ import annotations

import json
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
    def images(self) -> Path:
        """The image store (cached image bytes, see reader.store.blobs)."""
        return self.root / "images.sqlite"

    @property
    def legacy_assets(self) -> Path:
        """Where versions before the image store kept one file per image (moved in on open)."""
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


def config_dir() -> Path:
    """Per-user settings that live outside the archive (such as where the archive is)."""
    return Path(appdirs.user_config_dir(APP_NAME, appauthor=False))


def _location_file() -> Path:
    return config_dir() / "location.json"


def configured_data_dir() -> Path | None:
    """The archive folder the user chose in the settings, if any."""
    try:
        data = json.loads(_location_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("data_dir") if isinstance(data, dict) else None
    return Path(value) if isinstance(value, str) and value else None


def set_configured_data_dir(path: Path | None) -> None:
    """Remember (or forget, with None) the archive folder chosen in the settings."""
    target = _location_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = {"data_dir": str(path) if path is not None else None}
    target.write_text(json.dumps(payload), encoding="utf-8")


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> DataPaths:
    """The data folder: the explicit one, else $NEWSDESK_DATA_DIR, else the folder chosen in
    the settings, else the per-user default."""
    chosen = (
        explicit or os.environ.get(ENV_DATA_DIR) or configured_data_dir() or default_data_dir()
    )
    return DataPaths(Path(chosen).expanduser().resolve())
