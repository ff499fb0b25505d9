"""The published events of ticketing: bare Signal() objects with JSON-safe payloads."""
