"""Helpers shared by the test suites (local HTTP server, ...)."""
