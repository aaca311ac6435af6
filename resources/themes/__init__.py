"""Light and dark palettes plus a small style sheet, read through importlib.resources."""
