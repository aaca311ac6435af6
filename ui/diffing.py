"""A word-level diff of two versions of a text, as HTML for the revision history."""

from __future__ import annotations

import difflib
import html
import re

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff_html(old: str, new: str, *, added: str, removed: str) -> tuple[str, int]:
    """Return (html, changed_word_count): removed words struck through, added ones marked."""
    old_words = _TOKENS.findall(old)
    new_words = _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    parts: list[str] = []
    changes = 0
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(html.escape("".join(old_words[a1:a2])))
            continue
        if op in ("delete", "replace"):
            gone = "".join(old_words[a1:a2])
            changes += len(gone.split())
            parts.append(
                f"<span style='background-color:{removed}; text-decoration: line-through'>"
                f"{html.escape(gone)}</span>"
            )
        if op in ("insert", "replace"):
            came = "".join(new_words[b1:b2])
            changes += len(came.split())
            parts.append(f"<span style='background-color:{added}'>{html.escape(came)}</span>")
    return "".join(parts).replace("\n", "<br>"), changes
