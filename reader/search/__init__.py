"""Full-text search: the query language, ranked execution, and highlighting of matches.

`search_entries` answers the search box, `count_matches` and `matching_entry_ids` serve
saved searches, `highlight_html` marks matches in the reading pane. See docs/search.md.
"""

from reader.search.compile import CompiledQuery, compile_query
from reader.search.highlight import highlight_html, mark_text
from reader.search.query import parse_query
from reader.search.run import count_matches, matching_entry_ids, search_entries

__all__ = [
    "CompiledQuery",
    "compile_query",
    "count_matches",
    "highlight_html",
    "mark_text",
    "matching_entry_ids",
    "parse_query",
    "search_entries",
]
