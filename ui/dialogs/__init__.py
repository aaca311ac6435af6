"""Dialogs: adding a source, settings, revision history, keyboard shortcuts."""
