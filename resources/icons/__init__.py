"""The application icon: `newsdesk.svg` and PNGs rendered from it (newsdesk-<size>.png).

Read them with importlib.resources, e.g. ``files("resources.icons") / "newsdesk-256.png"``;
regenerate the PNGs with ``python packaging/make_icons.py`` after editing the SVG.
"""
