"""Keeping Python's full garbage collections short, so they cannot freeze the GUI.

A full (generation 2) collection walks every tracked object while holding the GIL, whatever
thread triggers it. After start-up the app holds ~110,000 such objects (modules, classes, Qt
wrappers), so each full collection took ~50-65 ms; one triggered by a page loading on a worker
stalled the GUI thread that long (the 1M-entry scroll benchmark's only blocks over 50 ms).
Objects that exist once the window is built live as long as the app, so they are collected
once and then moved out of the collector's sight (`gc.freeze`); later full collections only
walk what was created since, and take a few milliseconds.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_objects() -> bool:
    """Collect once, then exempt every surviving object from later collections.

    Call once, after the main window is built and before it is shown (the collection itself
    takes tens of milliseconds). Returns False when it already ran in this process: freezing
    again would also pin objects of later windows that may yet become garbage.
    """
    global _frozen
    if _frozen:
        return False
    gc.collect()
    gc.freeze()
    _frozen = True
    return True
