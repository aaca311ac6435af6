"""Newsdesk's desktop GUI (PySide6). Importing it applies the workaround below."""

from __future__ import annotations

import ctypes
import sys

# PySide6 6.12 on Python 3.11: converting an invalid QVariant to None for a call made from
# Python (`QModelIndex.data()` when a model returns None or a bool, `initStyleOption`) drops a
# reference to None that it never took. Each call lowers None's count by one, and once it
# reaches zero the interpreter aborts ("none_dealloc: deallocating None"), after minutes of
# painting a long list. None is never freed, so giving it a very large count makes that
# unreachable. From Python 3.12 None is immortal and needs nothing.
_NONE_REFERENCE_RESERVE = 1 << 40


def _protect_none_refcount() -> None:
    if sys.version_info < (3, 12) and sys.implementation.name == "cpython":
        for constant in (None, True, False):  # bools are returned the same way
            ctypes.c_ssize_t.from_address(id(constant)).value += _NONE_REFERENCE_RESERVE


_protect_none_refcount()
