"""The published events of company: bare Signal() objects with JSON-safe payloads."""
