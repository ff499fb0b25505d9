"""The published events of identity: bare Signal() objects with JSON-safe payloads."""
