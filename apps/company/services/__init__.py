"""Writes of company, one module per entity: `<entity>_<verb>` functions, keyword-only, atomic."""
