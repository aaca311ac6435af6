"""Refreshing in a child process, for callers that must stay responsive (the GUI).

A refresh is mostly Python work (HTTP parsing, SQLAlchemy, threading, sanitizing), and
Python threads share one interpreter lock: a GUI thread that needs it for every item it
paints waits behind busy refresh threads, sometimes for a tenth of a second. In a child
process the refresh has its own interpreter; the archive is shared through SQLite (WAL:
the GUI keeps reading while the child writes). Progress and new-update events come back
over a queue.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.queues  # noqa: F401 - imported up front, not in the worker thread:
import multiprocessing.synchronize  # noqa: F401 - a first import there holds the interpreter
import os
import queue
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reader.errors import NewsdeskError
from reader.types import RefreshResult

if TYPE_CHECKING:
    from reader.core import Archive
    from reader.refresh import NewUpdatesCallback, ProgressCallback



def _start_method() -> str:
    """A fork server where there is one (not in a frozen app): starting each refresh from
    it is cheap, while starting an interpreter straight from the GUI process means forking
    that big process, which held its interpreter for 100-150 ms in our measurements."""
    frozen = bool(getattr(sys, "frozen", False))
    if not frozen and "forkserver" in multiprocessing.get_all_start_methods():
        return "forkserver"
    return "spawn"


_CONTEXT: Any = multiprocessing.get_context(_start_method())  # typeshed lacks .Process


def prepare() -> None:
    """Start the fork server now (at start-up), not when the first refresh needs it."""
    if _CONTEXT.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.set_forkserver_preload(["reader.core", "reader.refresh"])
        forkserver.ensure_running()

# Smaller refreshes run in-process: starting an interpreter costs more than they do.
SUBPROCESS_THRESHOLD = 8


def _child(data_dir: str, source_ids: list[int] | None, events: Any) -> None:
    if hasattr(os, "nice"):
        # Background work: on a busy machine the window the user is looking at goes first.
        os.nice(5)
    from reader.core import open_archive

    try:
        with open_archive(data_dir) as archive:
            result = archive.refresh(
                source_ids,
                progress=lambda done, total, r: events.put(("progress", (done, total, r))),
                on_new_updates=lambda s, ids: events.put(("new", (int(s), [int(i) for i in ids]))),
            )
        events.put(("done", result))
    except NewsdeskError as error:
        events.put(("error", str(error)))
    except Exception as error:  # reported to the parent, which raises it as a NewsdeskError
        events.put(("error", f"internal error in the refresh process: {error!r}"))


def refresh_isolated(
    archive: Archive,
    source_ids: Sequence[int] | None = None,
    *,
    progress: ProgressCallback | None = None,
    on_new_updates: NewUpdatesCallback | None = None,
) -> RefreshResult:
    """Like `Archive.refresh`, with the work done in a child process when it is large."""
    ids = None if source_ids is None else list(dict.fromkeys(int(i) for i in source_ids))
    count = len(archive.sources()) if ids is None else len(ids)
    if count < SUBPROCESS_THRESHOLD:
        return archive.refresh(ids, progress=progress, on_new_updates=on_new_updates)
    for source_id in ids or ():
        archive.source(source_id)  # NotFound before anything starts
    context = _CONTEXT
    events = context.Queue()
    # Not a daemon: the child starts its own parse workers.
    child = context.Process(
        target=_child, args=(str(archive.paths.root), ids, events), name="newsdesk-refresh"
    )
    child.start()
    result: RefreshResult | None = None
    try:
        while result is None:
            try:
                kind, payload = events.get(timeout=0.5)
            except queue.Empty:
                if not child.is_alive():
                    raise NewsdeskError(
                        f"the refresh process ended unexpectedly (exit code {child.exitcode})"
                    ) from None
                continue
            if kind == "progress" and progress is not None:
                progress(*payload)
            elif kind == "new" and on_new_updates is not None:
                on_new_updates(*payload)
            elif kind == "error":
                raise NewsdeskError(payload)
            elif kind == "done":
                result = payload
    finally:
        child.join(30)
        if child.is_alive():
            child.terminate()
        events.close()
    archive.forget_thread_state()
    return result
