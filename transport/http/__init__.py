"""The HTTP edge, the only kernel code that knows DRF: problem+json errors (problems, error_views), strict
serializers, the JSON parser, idempotency keys, pagination, health and request ids."""
