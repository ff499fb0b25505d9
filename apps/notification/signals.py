"""The published events of notification: bare Signal() objects with JSON-safe payloads."""
