"""The published events of qr: bare Signal() objects with JSON-safe payloads."""
