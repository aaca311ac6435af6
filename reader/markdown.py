"""Sanitized entry HTML as Markdown, for the Markdown export.

Paragraphs, headings, lists, quotes, code, links and images; anything else keeps its text.
"""

from __future__ import annotations

import html as html_lib
from typing import Any

_MD_ESCAPE = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#"})


def html_to_markdown(html: str) -> str:
    """Sanitized HTML as Markdown: paragraphs, headings, lists, quotes, code, links, images."""
    if not html.strip():
        return ""
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return html_lib.unescape(html)
    blocks: list[str] = []
    _md_blocks(root, blocks, "")
    return "\n\n".join(block for block in blocks if block.strip())


def _md_inline(element: Any) -> str:
    parts = [(element.text or "").translate(_MD_ESCAPE)]
    for child in element:
        parts.append(_md_inline_element(child))
        parts.append((child.tail or "").translate(_MD_ESCAPE))
    return " ".join("".join(parts).split()) if element.tag != "pre" else "".join(parts)


def _md_inline_element(element: Any) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    inner = _md_inline(element) if tag else ""
    if tag in ("strong", "b"):
        return f"**{inner}**" if inner else ""
    if tag in ("em", "i", "cite"):
        return f"*{inner}*" if inner else ""
    if tag == "code":
        return f"`{element.text_content()}`"
    if tag == "br":
        return "  \n"
    if tag == "a":
        href = element.get("href")
        return f"[{inner}]({href})" if href else inner
    if tag == "img":
        src = element.get("src")
        return f"![{(element.get('alt') or '').translate(_MD_ESCAPE)}]({src})" if src else ""
    if tag == "mark":
        return f"=={inner}=="
    return inner


_MD_BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 ul ol li blockquote pre figure figcaption table tr hr section "
    "article header footer aside details summary dl dt dd".split()
)


def _md_blocks(element: Any, blocks: list[str], quote: str) -> None:
    """Append the Markdown blocks of `element`'s children to `blocks`."""
    pending: list[str] = [(element.text or "").translate(_MD_ESCAPE)]

    def flush() -> None:
        line = " ".join("".join(pending).split())
        if line:
            blocks.append(quote + line)
        pending.clear()

    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag not in _MD_BLOCK_TAGS:
            pending.append(_md_inline_element(child) if tag else "")
            pending.append((child.tail or "").translate(_MD_ESCAPE))
            continue
        flush()
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            level = min(6, int(tag[1]) + 3)  # below the export's own ### entry titles
            blocks.append(quote + "#" * level + " " + _md_inline(child))
        elif tag in ("ul", "ol"):
            items = [li for li in child if isinstance(li.tag, str)]
            lines = [
                quote + (f"{n}. " if tag == "ol" else "- ") + _md_inline(li)
                for n, li in enumerate(items, 1)
            ]
            blocks.append("\n".join(lines))
        elif tag == "blockquote":
            _md_blocks(child, blocks, quote + "> ")
        elif tag == "pre":
            code = child.text_content().rstrip("\n")
            blocks.append("\n".join(quote + line for line in ["```", *code.split("\n"), "```"]))
        elif tag == "hr":
            blocks.append(quote + "---")
        elif tag == "tr":
            cells = [_md_inline(cell) for cell in child if isinstance(cell.tag, str)]
            blocks.append(quote + " | ".join(cells))
        elif tag in ("p", "li", "figcaption", "dt", "dd", "summary") and not any(
            isinstance(c.tag, str) and c.tag in _MD_BLOCK_TAGS for c in child
        ):
            blocks.append(quote + _md_inline(child))
        else:
            _md_blocks(child, blocks, quote)
        pending.append((child.tail or "").translate(_MD_ESCAPE))
    flush()
