"""The search language in short, for Help → Search syntax (docs/search.md is the long form,
but docs are not package data, so the app carries its own summary)."""

from __future__ import annotations

SEARCH_HELP_HTML = """
<h3>Searching your archive</h3>
<p>Press <b>/</b> or <b>Ctrl+F</b> and type. Everything ever stored is searched: titles,
text, authors and source names. Results are ranked by how well they match (recent entries
get a small lift); choose <i>Newest first</i> to sort by date.</p>
<table cellpadding='3'>
<tr><td><b>ceasefire gaza</b></td><td>both words (<i>ceasefires</i> finds <i>ceasefire</i>,
<i>cafe</i> finds <i>café</i>)</td></tr>
<tr><td><b>"prime minister"</b></td><td>the words together, in this order</td></tr>
<tr><td><b>truce OR ceasefire</b></td><td>either word (OR in capitals)</td></tr>
<tr><td><b>election -football</b></td><td>without a word</td></tr>
<tr><td><b>gov*</b></td><td>words starting with <i>gov</i></td></tr>
<tr><td><b>(truce OR ceasefire) gaza</b></td><td>parentheses group alternatives</td></tr>
<tr><td><b>title: author: source: thread: note:</b></td><td>look in one field only</td></tr>
<tr><td><b>is:unread is:read is:starred is:highlighted</b></td><td>filters; <b>-is:read</b>
inverts</td></tr>
<tr><td><b>after:2025-03-01 before:2025-03</b></td><td>dates (days, months, years)</td></tr>
</table>
<p>When a search cannot be understood (an unbalanced quote, an unknown field) Newsdesk says
why under the search box. On very large archives very common words show an estimated total.
</p>
<p><b>In an article:</b> every match is marked; F3 and Shift+F3 step through them
("3 of 12").<br><b>Save search</b> keeps a search in the sources list with its unread count.
</p>
"""
