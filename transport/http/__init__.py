"""HTTP edge helpers for DRF views: problem+json, idempotency keys, pagination, health, request ids."""
