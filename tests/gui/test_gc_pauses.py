"""The start-up freeze that keeps full garbage collections from stalling the GUI thread."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from ui import gc_pauses


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Undo the freeze afterwards, so the rest of the test run collects as usual."""
    before = gc_pauses._frozen
    gc_pauses._frozen = False
    try:
        yield
    finally:
        gc.unfreeze()
        gc_pauses._frozen = before


def test_freeze_hides_startup_objects_from_full_collections(unfrozen: None) -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self  # a cycle: only the cyclic collector can free it

    survivor = Node()
    assert gc_pauses.freeze_startup_objects() is True
    assert gc.get_freeze_count() > 1000  # modules, classes, functions of the whole app
    # Garbage made after the freeze is still collected: only what existed is exempt.
    Node()
    assert gc.collect() >= 1
    assert survivor.me is survivor


def test_freeze_runs_once_per_process(unfrozen: None) -> None:
    assert gc_pauses.freeze_startup_objects() is True
    frozen = gc.get_freeze_count()
    later = [[index] for index in range(5000)]
    assert gc_pauses.freeze_startup_objects() is False
    assert gc.get_freeze_count() == frozen  # objects of later windows are not pinned
    assert len(later) == 5000
