"""OPML import and export, with nested folders, so subscriptions move between readers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from lxml import etree

from reader.errors import InvalidInput
from reader.fetch import check_url

if TYPE_CHECKING:
    from reader.core import Archive

MAX_OPML_BYTES = 16 * 1024**2


def _outlines(element: etree._Element, folder: list[str]) -> list[tuple[str, str, str, str]]:
    """(url, title, kind, folder path) for each subscription below `element`."""
    found: list[tuple[str, str, str, str]] = []
    for child in element:
        if not isinstance(child.tag, str) or child.tag.lower() != "outline":
            continue
        url = (child.get("xmlUrl") or child.get("xmlurl") or "").strip()
        title = (child.get("title") or child.get("text") or "").strip()
        if url:
            kind = "liveblog" if (child.get("type") or "").lower() == "liveblog" else "feed"
            found.append((url, title, kind, "/".join(folder)))
        elif len(child):
            found.extend(_outlines(child, [*folder, title or "Untitled"]))
    return found


def read_opml(path: Path) -> list[tuple[str, str, str, str]]:
    if path.stat().st_size > MAX_OPML_BYTES:
        raise InvalidInput(f"{path} is too large for an OPML file")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as error:
        raise InvalidInput(f"{path} is not valid OPML: {error}") from error
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise InvalidInput(f"{path} is not an OPML file (no <opml><body>)")
    return _outlines(body, [])


def import_opml(archive: Archive, path: Path) -> int:
    """Store the subscriptions without fetching them; returns how many were new."""
    added = 0
    for url, title, kind, folder in read_opml(path):
        try:
            url = check_url(url)
        except InvalidInput:
            continue
        if archive.find_source_by_url(url) is None:
            archive.subscribe(url, kind, title=title, folder=folder or None)  # type: ignore[arg-type]
            added += 1
    return added


def export_opml(archive: Archive, path: Path) -> int:
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = "Newsdesk subscriptions"
    body = ElementTree.SubElement(root, "body")
    folders: dict[str, ElementTree.Element] = {"": body}

    def folder_element(folder_path: str) -> ElementTree.Element:
        if folder_path in folders:
            return folders[folder_path]
        parent_path, _, name = folder_path.rpartition("/")
        element = ElementTree.SubElement(
            folder_element(parent_path), "outline", text=name, title=name
        )
        folders[folder_path] = element
        return element

    for folder in archive.folders():
        folder_element(folder.path)
    subscriptions = archive.sources()
    for source in subscriptions:
        attributes = {
            "type": "liveblog" if source.kind == "liveblog" else "rss",
            "text": source.title,
            "title": source.title,
            "xmlUrl": source.url,
        }
        ElementTree.SubElement(folder_element(source.folder or ""), "outline", attributes)
    ElementTree.indent(root)
    path.write_bytes(ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")
    return len(subscriptions)
