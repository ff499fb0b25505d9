"""Ticketing's writes: `<entity>_<verb>` functions, keyword-only, each one transaction."""
