"""Newsdesk test suites."""
