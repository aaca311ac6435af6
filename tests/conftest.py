"""Shared test set-up: no test touches the real user folders or the internet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.httpserver import local_server  # noqa: F401 - a fixture for every test

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Per-user data, config and cache folders point into the test's own temporary folder."""
    home = tmp_path / "home"
    for variable, folder in (
        ("HOME", home),
        ("XDG_DATA_HOME", home / ".local" / "share"),
        ("XDG_CONFIG_HOME", home / ".config"),
        ("XDG_CACHE_HOME", home / ".cache"),
    ):
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(variable, str(folder))
    monkeypatch.delenv("NEWSDESK_DATA_DIR", raising=False)
    yield


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
