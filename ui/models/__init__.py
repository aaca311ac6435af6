"""Qt item models over the archive: sources tree, entry lists (flat and threaded), search."""
