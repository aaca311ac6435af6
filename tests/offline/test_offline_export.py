"""Export to HTML / Markdown / JSON, and JSON import into another archive with nothing lost."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from offline_support import add_entries, add_source, entry, new_archive, png_bytes
from sqlalchemy import select, text, update

from reader.core import Archive
from reader.errors import InvalidInput
from reader.export import export_archive
from reader.fetch import Fetcher
from reader.imagecache import cache_images
from reader.importer import import_json
from reader.markdown import html_to_markdown
from reader.store.schema import (
    entries,
    entry_images,
    highlights,
    revisions,
    saved_searches,
    sources,
    threads,
)
from reader.store.writer import store_feed_entries
from tests.support.httpserver import LocalServer


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with new_archive(tmp_path / "data") as opened:
        yield opened


def _seed(archive: Archive, server: LocalServer) -> dict[str, int]:
    """Two sources in folders, edits, states, highlights, a thread, a duplicate, images."""
    pic = server.route("/pic.png", png_bytes(12, 9), content_type="image/png")
    gone = server.url("/never-cached.png")  # not served: stays uncached
    world = add_source(
        archive, "https://news.example/world.xml", title="World", folder="News/World"
    )
    tech = add_source(archive, "https://tech.example/feed", title="Tech")
    a, b, c = add_entries(
        archive,
        world,
        [
            entry("w1", text="Ministers meet in Rome.", images=[pic, gone]),
            entry("w2", text="Ceasefire call ends."),
            entry("w3", text='Old news \u2028 with odd\nlines and "quotes" and <b>'),
        ],
    )
    (d,) = add_entries(archive, tech, [entry("t1", text="Ministers meet in Rome, again.")])
    with archive.writing() as connection:
        # An edit: the first version is kept as a revision.
        later = int(datetime(2025, 6, 3, tzinfo=UTC).timestamp())
        store_feed_entries(
            connection,
            world,
            [entry("w1", text="Ministers met in Rome.", images=[pic, gone])],
            later,
        )
        thread_id = connection.execute(
            threads.insert().values(label="Rome meeting", created=later, last_activity=later)
        ).inserted_primary_key[0]
        connection.execute(
            update(entries).where(entries.c.id.in_([a, d])).values(thread_id=thread_id)
        )
        connection.execute(update(entries).where(entries.c.id == d).values(duplicate_of=a))
        connection.execute(
            update(entries).where(entries.c.id == b).values(read=True, starred=True, pinned=True)
        )
        connection.execute(update(entries).where(entries.c.id == c).values(withdrawn=True))
        connection.execute(
            highlights.insert().values(
                entry_id=a,
                quote="met in Rome",
                prefix="Ministers ",
                suffix=".",
                start=10,
                color="green",
                note="key fact",
                created=later,
            )
        )
        connection.execute(saved_searches.insert().values(name="Rome", query="rome", position=0))
    archive.set_source_options(tech, full_text=True, retention=json.dumps({"keep_days": 9}))
    with Fetcher() as fetcher:
        cache_images(archive, fetcher=fetcher)
    return {"world": world, "tech": tech, "a": a, "b": b, "c": c, "d": d}


def _snapshot(archive: Archive) -> dict[str, Any]:
    """Everything that must survive a round trip, keyed by (source url, entry key)."""
    with archive.reading() as connection:
        src = {row.id: row for row in connection.execute(select(sources))}
        by_id = {row.id: row for row in connection.execute(select(entries))}

        def key_of(entry_id: int | None) -> tuple[str, str] | None:
            if entry_id is None:
                return None
            row = by_id[entry_id]
            return (src[row.source_id].url, row.key)

        labels = {row.id: row.label for row in connection.execute(select(threads))}
        result: dict[str, Any] = {"entries": {}, "sources": {}}
        for row in src.values():
            values = dict(row._mapping)
            values.pop("id")
            values.pop("folder_id")
            result["sources"][row.url] = values
        result["folders"] = sorted(f.path for f in archive.folders())
        for row in by_id.values():
            values = dict(row._mapping)
            for name in ("id", "source_id", "thread_id", "duplicate_of"):
                values.pop(name)
            values["thread"] = labels.get(row.thread_id)
            values["duplicate_of"] = key_of(row.duplicate_of)
            values["revision_list"] = [
                (r.seen_at, r.title, r.text, r.html)
                for r in connection.execute(
                    select(revisions).where(revisions.c.entry_id == row.id).order_by(revisions.c.id)
                )
            ]
            values["highlights"] = [
                tuple(h._mapping[n] for n in highlights.c.keys() if n not in ("id", "entry_id"))
                for h in connection.execute(
                    select(highlights).where(highlights.c.entry_id == row.id)
                )
            ]
            values["image_rows"] = sorted(
                (i.url, i.status, i.sha256)
                for i in connection.execute(
                    select(entry_images).where(entry_images.c.entry_id == row.id)
                )
            )
            result["entries"][key_of(row.id)] = values
        result["searches"] = [(s.name, s.query) for s in archive.saved_searches()]
    return result


def test_json_round_trip_loses_nothing(
    archive: Archive, tmp_path: Path, local_server: LocalServer
) -> None:
    _seed(archive, local_server)
    out = tmp_path / "export" / "archive.json"
    seen: list[tuple[int, int]] = []
    report = export_archive(archive, out, "json", progress=lambda d, t, _: seen.append((d, t)))
    assert report.entries == 4 and report.images == 1
    assert seen[-1] == (4, 4)
    document = json.loads(out.read_text(encoding="utf-8"))  # a plain, valid JSON document
    assert document["format"] == "newsdesk-archive" and document["version"] == 1

    with new_archive(tmp_path / "other") as other:
        result = import_json(other, out)
        assert (result.entries_added, result.sources_added, result.images_restored) == (4, 2, 1)
        before, after = _snapshot(archive), _snapshot(other)
        assert after["sources"] == before["sources"]
        assert after["folders"] == before["folders"]
        assert after["searches"] == before["searches"]
        assert after["entries"].keys() == before["entries"].keys()
        for key, values in before["entries"].items():
            for field, value in values.items():
                assert after["entries"][key][field] == value, (key, field)
        # The images are readable offline in the new archive, and its search index works.
        world_first = other.entries(
            source_id=other.find_source_by_url("https://news.example/world.xml").id, order="oldest"
        )[0]
        cached = [i for i in other.images(world_first.id) if i.cached]
        assert len(cached) == 1 and cached[0].sha256 is not None
        assert other.image_bytes(cached[0].sha256) is not None
        with other.reading() as connection:
            hits = (
                connection.execute(
                    text("SELECT rowid FROM entries_fts WHERE entries_fts MATCH 'ceasefire'")
                )
                .scalars()
                .all()
            )
        assert len(hits) == 1
        assert other.revision_history(world_first.id)[0].text == "Ministers meet in Rome."

        # Importing the same file again merges: nothing is doubled.
        again = import_json(other, out)
        assert (again.entries_added, again.entries_merged, again.sources_added) == (0, 4, 0)
        assert other.count_entries() == 4
        with other.reading() as connection:
            assert connection.execute(select(highlights)).all().__len__() == 1
            assert len(connection.execute(select(saved_searches)).all()) == 1


def test_import_merges_states_into_an_archive_that_has_the_entries(
    archive: Archive, tmp_path: Path, local_server: LocalServer
) -> None:
    _seed(archive, local_server)
    out = tmp_path / "all.json"
    export_archive(archive, out, "json")
    with new_archive(tmp_path / "other") as other:
        world = add_source(other, "https://news.example/world.xml", title="World")
        (mine,) = add_entries(other, world, [entry("w2", text="Ceasefire call ends.")])
        result = import_json(other, out)
        assert result.sources_merged == 1 and result.entries_merged == 1
        assert result.entries_added == 3
        merged = other.entry(mine)
        assert merged.starred and merged.read  # the file's states were added
        assert other.count_entries() == 4


def test_scoped_json_export_and_a_loose_layout_still_imports(
    archive: Archive, tmp_path: Path, local_server: LocalServer
) -> None:
    ids = _seed(archive, local_server)
    out = tmp_path / "tech.json"
    report = export_archive(archive, out, "json", source_id=ids["tech"])
    assert report.entries == 1 and report.sources == 1
    # Re-indented by some other tool: still a valid export.
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(json.loads(out.read_text()), indent=2), encoding="utf-8")
    with new_archive(tmp_path / "other") as other:
        assert import_json(other, pretty).entries_added == 1
        assert [s.title for s in other.sources()] == ["Tech"]


def test_import_refuses_what_is_not_an_export(archive: Archive, tmp_path: Path) -> None:
    bogus = tmp_path / "x.json"
    bogus.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(InvalidInput, match="not a Newsdesk archive export"):
        import_json(archive, bogus)
    newer = tmp_path / "newer.json"
    newer.write_text('{"format": "newsdesk-archive", "version": 99, "entries": []}')
    with pytest.raises(InvalidInput, match="newer Newsdesk"):
        import_json(archive, newer)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInput):
        import_json(archive, broken)


def test_html_export_is_self_contained(
    archive: Archive, tmp_path: Path, local_server: LocalServer
) -> None:
    ids = _seed(archive, local_server)
    out = tmp_path / "site"
    report = export_archive(archive, out, "html")
    assert report.entries == 4 and report.sources == 2 and report.images == 1
    pages = sorted(p.name for p in out.glob("*.html"))
    assert pages == sorted(
        ["index.html", f"source-{ids['tech']}.html", f"source-{ids['world']}.html"]
    )
    everything = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.html"))
    # Nothing is loaded from anywhere else: every src and stylesheet is relative.
    assert not re.search(r"""(?:src|srcset)\s*=\s*["']?(?:https?:|//|file:)""", everything)
    assert not re.search(r"""<link[^>]+href=["']?(?:https?:|//)""", everything)
    for src in re.findall(r'src="([^"]+)"', everything):
        assert (out / src).is_file()
    assert "Ministers met in Rome." in everything and "key fact" in everything
    assert (out / "style.css").is_file()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f"source-{ids['world']}.html#e{ids['a']}" in index


def test_thread_and_chosen_entries_exports(
    archive: Archive, tmp_path: Path, local_server: LocalServer
) -> None:
    ids = _seed(archive, local_server)
    thread_id = archive.entry(ids["a"]).thread_id
    assert thread_id is not None
    by_thread = export_archive(archive, tmp_path / "t", "html", thread_id=thread_id)
    assert by_thread.entries == 2 and by_thread.sources == 2
    chosen = export_archive(archive, tmp_path / "c.md", "md", entry_ids=[ids["b"], ids["d"]])
    assert chosen.entries == 2
    markdown = (tmp_path / "c.md").read_text(encoding="utf-8")
    assert "Ceasefire call ends." in markdown and "Ministers meet in Rome, again." in markdown
    assert "Old news" not in markdown


def test_markdown_export_links_images_beside_it(
    archive: Archive, tmp_path: Path, local_server: LocalServer
) -> None:
    _seed(archive, local_server)
    out = tmp_path / "notes" / "export.md"
    report = export_archive(archive, out, "md")
    assert report.entries == 4 and report.images == 1
    markdown = out.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert links and all(link.startswith("images/") for link in links)
    assert all((out.parent / link).is_file() for link in links)
    assert "http://127.0.0.1" not in markdown  # the uncached image is not linked remotely
    assert "> met in Rome" in markdown


def test_html_to_markdown() -> None:
    html = (
        '<h2>Head</h2><p>One <strong>bold</strong> and <a href="https://x.org">link</a>.</p>'
        "<ul><li>first</li><li>second</li></ul><blockquote><p>quoted</p></blockquote>"
        "<pre>code\n  here</pre>"
    )
    markdown = html_to_markdown(html)
    assert "##### Head" in markdown
    assert "One **bold** and [link](https://x.org)." in markdown
    assert "- first\n- second" in markdown
    assert "> quoted" in markdown
    assert "```\ncode\n  here\n```" in markdown
