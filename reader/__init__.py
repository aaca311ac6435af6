"""Newsdesk's core: the archive, fetching, parsing, live blogs, threads and search.

This package never imports Qt.
"""

__version__ = "0.1.0"
