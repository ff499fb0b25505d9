"""The shared kernel: events and outbox, idempotency, principal and permissions, locks, errors,
embedded services, HTTP helpers. It imports no app and no `config`."""
