"""The published events of payment: bare Signal() objects with JSON-safe payloads."""
