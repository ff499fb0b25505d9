"""The published events of ai: bare Signal() objects with JSON-safe payloads."""
