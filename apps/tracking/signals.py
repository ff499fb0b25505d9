"""The published events of tracking: bare Signal() objects with JSON-safe payloads."""
