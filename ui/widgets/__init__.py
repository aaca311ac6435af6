"""Widgets of the main window: delegates, the reading pane, the welcome view."""
